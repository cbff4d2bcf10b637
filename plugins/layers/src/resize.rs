use eobench_core::burn::tensor::Tensor;
use eobench_core::burn::tensor::module::interpolate;
use eobench_core::burn::tensor::ops::{InterpolateMode, InterpolateOptions};

/// Bilinear resize of (B, C, H, W) to `size` = [h, w] with `align_corners = false`, i.e.
/// `F.interpolate(x, size, mode="bilinear", align_corners=False)` as mmseg and Pangaea use it.
///
/// burn's `InterpolateOptions` defaults to `align_corners = true`; every resize in eobench goes
/// through this function so that default can never leak in. A same-size call returns `x`.
pub fn resize_bilinear(x: Tensor<4>, size: [usize; 2]) -> Tensor<4> {
    let [_, _, h, w] = x.dims();
    if [h, w] == size {
        return x;
    }
    let options = InterpolateOptions::new(InterpolateMode::Bilinear)
        .with_align_corners(false)
        .with_output_size(size);
    interpolate(x, options)
}
