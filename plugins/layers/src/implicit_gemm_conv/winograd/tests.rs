//! Winograd's F(4×4, 3×3) against the per-tap products over geometries that exercise partial
//! tiles, asymmetric and wide padding, batches of one (products split over threads) and more.

use super::super::forward::{Epilogue, per_tap};
use super::super::kernels::per_tap_weight_grad;
use super::*;

/// (batch, c_in, c_out, h, w, padding (top, bottom), padding (left, right))
type Case = (
    usize,
    usize,
    usize,
    usize,
    usize,
    (usize, usize),
    (usize, usize),
);

const CASES: [Case; 5] = [
    // 13×15 output: partial tiles in both directions; three images over two or more threads.
    (3, 16, 20, 13, 15, (1, 1), (1, 1)),
    // 56² output, no padding.
    (2, 24, 16, 58, 58, (0, 0), (0, 0)),
    // Asymmetric padding, 30×28 output.
    (5, 17, 33, 30, 29, (2, 0), (0, 1)),
    // Padding wider than the kernel's reach: whole rows and columns of zeros; one image, so
    // its products and transforms take every thread.
    (1, 16, 16, 12, 12, (3, 3), (4, 2)),
    // More channels than lanes in the filter transform and a remainder of them.
    (2, 40, 37, 14, 13, (1, 1), (1, 1)),
];

/// A deterministic pseudo-random fill in [−1, 1).
fn fill(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

fn geometry(case: Case) -> PlaneGeometry {
    let (batch, c_in, c_out, h, w, pad_h, pad_w) = case;
    PlaneGeometry::new(
        [batch, c_in, h, w],
        [c_out, c_in, 3, 3],
        [1, 1],
        pad_h,
        pad_w,
    )
    .unwrap()
}

/// Largest difference relative to the reference's largest magnitude.
fn scaled_diff(a: &[f32], reference: &[f32]) -> f32 {
    assert_eq!(a.len(), reference.len());
    let scale = reference.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let diff = a
        .iter()
        .zip(reference)
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    diff / scale.max(1e-6)
}

#[test]
fn matches_the_per_tap_products() {
    for (i, case) in CASES.into_iter().enumerate() {
        let g = geometry(case);
        assert!(applies(&g), "{case:?} must take the Winograd path");
        let x = fill(g.batch * g.c_in * g.h * g.w, 2 * i as u64 + 1);
        let w = fill(g.c_out * g.c_in * 9, 2 * i as u64 + 2);
        let got = forward(&x, &w, &g, Epilogue::default());
        let want = per_tap(&x, &w, &g, Epilogue::default());
        let err = scaled_diff(&got, &want);
        assert!(err < 1e-5, "{case:?}: scaled error {err}");
    }
}

#[test]
fn applies_the_epilogue_to_every_output() {
    let g = geometry(CASES[2]);
    let x = fill(g.batch * g.c_in * g.h * g.w, 11);
    let w = fill(g.c_out * g.c_in * 9, 12);
    let scale = fill(g.c_out, 13);
    let shift = fill(g.c_out, 14);
    let epilogue = Epilogue {
        affine: Some((&scale, &shift)),
        relu: true,
    };
    let got = forward(&x, &w, &g, epilogue);
    let want = per_tap(&x, &w, &g, epilogue);
    let err = scaled_diff(&got, &want);
    assert!(err < 1e-5, "scaled error {err}");
    assert!(got.contains(&0.0) && got.iter().any(|&v| v > 0.0));
}

#[test]
fn leaves_small_convolutions_to_the_per_tap_products() {
    let small = |c_in, c_out, side, kernel| {
        PlaneGeometry::new(
            [1, c_in, side, side],
            [c_out, c_in, kernel, kernel],
            [1, 1],
            (1, 1),
            (1, 1),
        )
        .unwrap()
    };
    assert!(applies(&small(16, 16, 14, 3)), "14×14 map, 16 tiles");
    assert!(!applies(&small(6, 64, 64, 3)), "stem conv over 6 bands");
    assert!(!applies(&small(64, 64, 12, 3)), "12×12 map, 9 tiles");
    assert!(!applies(&small(64, 64, 64, 1)), "1×1 kernel");
    let dilated =
        PlaneGeometry::new([1, 32, 20, 20], [32, 32, 3, 3], [2, 2], (2, 2), (2, 2)).unwrap();
    assert!(!applies(&dilated));
}

#[test]
fn weight_gradient_matches_the_per_tap_products() {
    for (i, case) in CASES.into_iter().enumerate() {
        let g = geometry(case);
        let x = fill(g.batch * g.c_in * g.h * g.w, 2 * i as u64 + 21);
        let dy = fill(g.batch * g.c_out * g.h_out() * g.w_out(), 2 * i as u64 + 22);
        let got = weight_grad(&x, &dy, &g);
        let want = per_tap_weight_grad(&x, &dy, &g);
        let err = scaled_diff(&got, &want);
        assert!(err < 1e-5, "{case:?}: scaled error {err}");
    }
}
