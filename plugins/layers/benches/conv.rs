//! `cargo bench -p eobench-layers --bench conv`: the CPU kernels a UPerNet step is made of, on
//! burn's flex backend: conv2d forward and forward+backward for the head's dominant layer shapes,
//! and one large gemm as the ceiling the convolutions are built on. Each shape runs through
//! burn's `Conv2d::forward` ("burn") and through eobench's implicit-GEMM path ("implicit",
//! `eobench_layers::implicit_gemm_conv`, what `ConvBnAct` uses); `EOBENCH_CONV_PATHS=burn` or
//! `=implicit` keeps one.
//!
//! `EOBENCH_CONV_SHAPES=B,C_in,C_out,H,K;…` replaces the default shapes (a 224² ViT + UPerNet at
//! batch 8: the 3×3 FPN conv, the 3×3 `fpn_bottleneck` over 4×512 channels, a 1×1 lateral);
//! `EOBENCH_CONV_REPEATS` (default 3). Prints median, min and max seconds and GFLOP/s
//! (2·B·C_in·C_out·H²·K² per forward, 3× that for forward+backward). Set `RAYON_NUM_THREADS`
//! to compare with a framework pinned to the same threads.

mod common;

use common::{median_min_max, time};

use eobench_core::burn::module::Module;
use eobench_core::burn::nn::PaddingConfig2d;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::tensor::{Device, Distribution, Tensor};
use eobench_layers::implicit_gemm_conv::conv2d_module;

const DEFAULT_SHAPES: &str = "8,512,512,56,3;8,2048,512,56,3;8,384,512,56,1";

fn report(name: &str, s: &[f64], gflop: f64) {
    let (median, min, max) = median_min_max(s);
    println!(
        "  {name:<18} median {median:7.3} s  min {:7.3}  max {:7.3}  {:6.1} GFLOP/s",
        min,
        max,
        gflop / median
    );
}

/// One way of running a `Conv2d` module forward.
type ConvPath = fn(&Conv2d, Tensor<4>) -> Tensor<4>;

fn burn_forward(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    conv.forward(x)
}

fn conv_shape(
    b: usize,
    ci: usize,
    co: usize,
    h: usize,
    k: usize,
    repeats: usize,
    paths: &[(&str, ConvPath)],
) {
    let gflop = 2.0 * (b * ci * co * h * h * k * k) as f64 / 1e9;
    println!("conv {k}x{k} {ci}->{co} at {h}x{h}, batch {b}: {gflop:.1} GFLOP forward");
    let p = k / 2;
    let cfg =
        Conv2dConfig::new([ci, co], [k, k]).with_padding(PaddingConfig2d::Explicit(p, p, p, p));
    let device = Device::flex();
    let ad = device.clone().autodiff();
    for &(name, forward) in paths {
        println!(" {name}");
        let conv: Conv2d = cfg.init(&device);
        let x = Tensor::<4>::random([b, ci, h, h], Distribution::Normal(0.0, 1.0), &device);
        let s = time(repeats, || {
            let _ = forward(&conv, x.clone()).sum().into_scalar::<f32>();
        });
        report("forward", &s, gflop);

        let conv: Conv2d = cfg.init(&ad);
        // Tracked like a feature map inside a trained head, so the input gradient is computed too.
        let x =
            Tensor::<4>::random([b, ci, h, h], Distribution::Normal(0.0, 1.0), &ad).require_grad();
        let s = time(repeats, || {
            let grads = forward(&conv, x.clone()).sum().backward();
            let _ = conv.weight.val().grad(&grads);
        });
        report("forward+backward", &s, 3.0 * gflop);
        // The two halves of the backward pass, to see which one costs what.
        // Not `x.clone().detach()`: burn's `detach` keeps the require-grad flag, so that row used
        // to time both gradients.
        let untracked = Tensor::<4>::from_data(x.to_data(), &ad);
        let s = time(repeats, || {
            let grads = forward(&conv, untracked.clone()).sum().backward();
            let _ = conv.weight.val().grad(&grads);
        });
        report("fwd + weight grad", &s, 2.0 * gflop);
        let fixed = conv.clone().no_grad();
        let s = time(repeats, || {
            let grads = forward(&fixed, x.clone()).sum().backward();
            let _ = x.grad(&grads);
        });
        report("fwd + input grad", &s, 2.0 * gflop);
    }
}

fn main() {
    let repeats: usize = std::env::var("EOBENCH_CONV_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let all: [(&str, ConvPath); 2] = [("burn", burn_forward), ("implicit", conv2d_module)];
    let wanted = std::env::var("EOBENCH_CONV_PATHS").unwrap_or_else(|_| "burn,implicit".into());
    let paths: Vec<(&str, ConvPath)> = all
        .into_iter()
        .filter(|(name, _)| wanted.split(',').any(|w| w.trim() == *name))
        .collect();
    let shapes = std::env::var("EOBENCH_CONV_SHAPES").unwrap_or_else(|_| DEFAULT_SHAPES.into());
    for shape in shapes.split(';') {
        let v: Vec<usize> = shape
            .split(',')
            .map(|v| v.trim().parse().expect("EOBENCH_CONV_SHAPES: integers"))
            .collect();
        let [b, ci, co, h, k] = v[..] else {
            panic!("EOBENCH_CONV_SHAPES entries are B,C_in,C_out,H,K, got '{shape}'");
        };
        conv_shape(b, ci, co, h, k, repeats, &paths);
    }
    // The gemm under an im2col convolution of the first default shape: its speed bounds the conv.
    let (m, k, n): (usize, usize, usize) = (512, 4608, 8 * 56 * 56);
    let device = Device::flex();
    let a = Tensor::<2>::random([m, k], Distribution::Normal(0.0, 1.0), &device);
    let b = Tensor::<2>::random([k, n], Distribution::Normal(0.0, 1.0), &device);
    let gflop = 2.0 * (m * k * n) as f64 / 1e9;
    println!("gemm {m}x{k} @ {k}x{n}: {gflop:.1} GFLOP");
    let s = time(repeats, || {
        let _ = a
            .clone()
            .matmul(b.clone())
            .slice([0..1, 0..1])
            .into_scalar::<f32>();
    });
    report("matmul", &s, gflop);
}
