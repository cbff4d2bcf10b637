//! `cargo bench -p eobench-layers --bench gelu`: exact GELU over a ViT-B MLP activation at batch
//! 8, 224² (8 × 197 × 3072 elements), through burn's `gelu` ("burn": one thread, scalar erf) and
//! eobench's [`eobench_layers::gelu`] ("parallel"). Prints median, min and max milliseconds of
//! the forward pass and of forward + backward. `EOBENCH_GELU_REPEATS` (default 5); set
//! `RAYON_NUM_THREADS` to pin the threads.

mod common;

use common::{median_min_max, time};
use eobench_core::burn::tensor::activation;
use eobench_core::burn::tensor::{Device, Distribution, Tensor};

fn report(name: &str, s: &[f64]) {
    let (median, min, max) = median_min_max(s);
    println!(
        "  {name:<18} median {:8.2} ms  min {:8.2}  max {:8.2}",
        median * 1e3,
        min * 1e3,
        max * 1e3
    );
}

/// One way of applying GELU.
type GeluPath = fn(Tensor<3>) -> Tensor<3>;

fn main() {
    let repeats: usize = std::env::var("EOBENCH_GELU_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let paths: [(&str, GeluPath); 2] = [
        ("burn", activation::gelu),
        ("parallel", eobench_layers::gelu),
    ];
    let dims = [8, 197, 3072];
    let device = Device::flex();
    let ad = device.clone().autodiff();
    println!("gelu over {dims:?}");
    for (name, gelu) in paths {
        println!(" {name}");
        let x = Tensor::<3>::random(dims, Distribution::Normal(0.0, 1.0), &device);
        let s = time(repeats, || {
            let _ = gelu(x.clone())
                .slice([0..1, 0..1, 0..1])
                .into_scalar::<f32>();
        });
        report("forward", &s);
        let x = Tensor::<3>::random(dims, Distribution::Normal(0.0, 1.0), &ad).require_grad();
        let s = time(repeats, || {
            let grads = gelu(x.clone()).sum().backward();
            let _ = x.grad(&grads);
        });
        report("forward+backward", &s);
    }
}
