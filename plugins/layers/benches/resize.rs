//! `cargo bench -p eobench-layers --bench resize`: the bilinear resizes of a 224² ViT + UPerNet
//! head at batch 8 (the PPM and FPN maps up to 56², the logits up to 224²), through burn's
//! `interpolate` ("burn") and through eobench's separable kernel ("separable",
//! [`eobench_layers::resize_bilinear`]). Prints median, min and max seconds of the forward
//! pass and of forward + backward (input gradient), and the output's GB/s.
//!
//! `EOBENCH_RESIZE_SHAPES=B,C,H_in,H_out;…` replaces the default shapes;
//! `EOBENCH_RESIZE_REPEATS` (default 5). Set `RAYON_NUM_THREADS` to pin the threads.

mod common;

use common::{median_min_max, time};

use eobench_core::burn::tensor::module::interpolate;
use eobench_core::burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use eobench_core::burn::tensor::{Device, Distribution, Tensor};
use eobench_layers::resize_bilinear;

const DEFAULT_SHAPES: &str = "8,512,7,56;8,512,14,56;8,512,28,56;8,2,56,224";

fn report(name: &str, s: &[f64], gbytes: f64) {
    let (median, min, max) = median_min_max(s);
    println!(
        "  {name:<18} median {:8.2} ms  min {:8.2}  max {:8.2}  {:6.2} GB/s out",
        median * 1e3,
        min * 1e3,
        max * 1e3,
        gbytes / median
    );
}

fn burn_resize(x: Tensor<4>, size: [usize; 2]) -> Tensor<4> {
    let options = InterpolateOptions::new(InterpolateMode::Bilinear)
        .with_align_corners(false)
        .with_output_size(size);
    interpolate(x, options)
}

/// One way of resizing a (B, C, H, W) map.
type ResizePath = fn(Tensor<4>, [usize; 2]) -> Tensor<4>;

fn main() {
    let repeats: usize = std::env::var("EOBENCH_RESIZE_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let paths: [(&str, ResizePath); 2] = [("burn", burn_resize), ("separable", resize_bilinear)];
    let shapes = std::env::var("EOBENCH_RESIZE_SHAPES").unwrap_or_else(|_| DEFAULT_SHAPES.into());
    let device = Device::flex();
    let ad = device.clone().autodiff();
    for shape in shapes.split(';') {
        let v: Vec<usize> = shape
            .split(',')
            .map(|v| v.trim().parse().expect("EOBENCH_RESIZE_SHAPES: integers"))
            .collect();
        let [b, c, h, out] = v[..] else {
            panic!("EOBENCH_RESIZE_SHAPES entries are B,C,H_in,H_out, got '{shape}'");
        };
        let gbytes = (4 * b * c * out * out) as f64 / 1e9;
        println!("resize {b}x{c}x{h}x{h} -> {out}x{out}");
        for (name, resize) in paths {
            println!(" {name}");
            let x = Tensor::<4>::random([b, c, h, h], Distribution::Normal(0.0, 1.0), &device);
            let s = time(repeats, || {
                let _ = resize(x.clone(), [out, out])
                    .slice([0..1, 0..1, 0..1, 0..1])
                    .into_scalar::<f32>();
            });
            report("forward", &s, gbytes);
            let x = Tensor::<4>::random([b, c, h, h], Distribution::Normal(0.0, 1.0), &ad)
                .require_grad();
            let s = time(repeats, || {
                let grads = resize(x.clone(), [out, out]).sum().backward();
                let _ = x.grad(&grads);
            });
            report("forward+backward", &s, gbytes);
        }
    }
}
