//! Batch normalisation with the batch's own statistics over `(batch, channels, plane)` f32 maps,
//! optionally followed by ReLU, and its exact gradient.
//!
//! Why this exists: burn computes a training-mode batch norm out of generic tensor ops — two
//! transposing copies, two reductions and four element-wise passes forward, about a dozen passes
//! backward, and ReLU (one thread in burn-flex) plus its mask on top. On a UPerNet head's
//! 56 × 56 × 512 maps (51 MB at batch 8) each pass costs 10–20 ms. Here the forward pass reads
//! the map twice (statistics, then normalise + ReLU) and the backward pass twice (two sums per
//! channel, then the input gradient); channels and planes run in parallel.

use rayon::prelude::*;

/// The layout of one map: `batch` images of `channels` planes of `plane` values.
#[derive(Clone, Copy, Debug)]
pub struct Dims {
    /// Images.
    pub batch: usize,
    /// Channels (normalised separately).
    pub channels: usize,
    /// Values per channel and image (`h·w`).
    pub plane: usize,
}

impl Dims {
    /// Values per channel over the batch.
    fn count(&self) -> f64 {
        (self.batch * self.plane) as f64
    }

    /// The batch's runs of channel `c`, one contiguous plane per image.
    fn runs<'a>(&self, data: &'a [f32], c: usize) -> impl Iterator<Item = &'a [f32]> + 'a {
        let (channels, plane) = (self.channels, self.plane);
        (0..self.batch).map(move |b| &data[(b * channels + c) * plane..][..plane])
    }
}

/// Σ f(v) over a run: 16 f32 lanes (so the loop vectorises), combined in f64.
#[inline(always)]
fn lane_sum(run: &[f32], f: impl Fn(f32) -> f32) -> f64 {
    let mut lanes = [0.0f32; 16];
    let chunks = run.chunks_exact(16);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += f(v);
        }
    }
    lanes.iter().map(|&v| v as f64).sum::<f64>() + rest.iter().map(|&v| f(v) as f64).sum::<f64>()
}

/// Per-channel mean and biased variance (two passes: the mean, then squared deviations).
pub fn stats(x: &[f32], d: Dims) -> (Vec<f32>, Vec<f32>) {
    (0..d.channels)
        .into_par_iter()
        .map(|c| {
            let mean = d.runs(x, c).map(|r| lane_sum(r, |v| v)).sum::<f64>() / d.count();
            let m = mean as f32;
            let var = d
                .runs(x, c)
                .map(|r| lane_sum(r, |v| (v - m) * (v - m)))
                .sum::<f64>()
                / d.count();
            (m, var as f32)
        })
        .unzip()
}

/// The per-channel constants of one normalisation.
#[derive(Clone, Copy)]
pub struct Norm<'a> {
    /// Batch means.
    pub mean: &'a [f32],
    /// Biased batch variances.
    pub var: &'a [f32],
    /// γ.
    pub gamma: &'a [f32],
    /// β.
    pub beta: &'a [f32],
    /// ε.
    pub epsilon: f64,
    /// ReLU after the affine map.
    pub relu: bool,
}

impl Norm<'_> {
    /// `1/√(var + ε)`.
    fn inv_std(&self, c: usize) -> f32 {
        (1.0 / (self.var[c] as f64 + self.epsilon).sqrt()) as f32
    }

    /// `(scale, shift)` with `y = v·scale + shift` before the ReLU.
    fn affine(&self, c: usize) -> (f32, f32) {
        let scale = self.gamma[c] * self.inv_std(c);
        (scale, self.beta[c] - self.mean[c] * scale)
    }
}

/// The ReLU as burn-flex and PyTorch have it: zero for `v <= 0`, NaN passed through.
#[inline(always)]
fn relu_if(relu: bool, v: f32) -> f32 {
    if relu && v <= 0.0 { 0.0 } else { v }
}

/// `relu?((x − mean)/√(var + ε)·γ + β)`.
pub fn forward(x: &[f32], d: Dims, n: Norm) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    y.par_chunks_mut(d.plane)
        .zip(x.par_chunks(d.plane))
        .enumerate()
        .for_each(|(i, (out, src))| {
            let (scale, shift) = n.affine(i % d.channels);
            for (o, &v) in out.iter_mut().zip(src) {
                *o = relu_if(n.relu, v * scale + shift);
            }
        });
    y
}

/// `(dx, dγ, dβ)` of [`forward`] given the output gradient `dy`, the statistics counted as
/// functions of `x` (training mode). ReLU's mask is recomputed from `x` with the forward pass's
/// own arithmetic, so it is the one the forward pass applied.
pub fn backward(x: &[f32], dy: &[f32], d: Dims, n: Norm) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    // Σ g and Σ g·x̂ per channel, g = dy masked by the ReLU.
    let (sum_g, sum_gx): (Vec<f64>, Vec<f64>) = (0..d.channels)
        .into_par_iter()
        .map(|c| {
            let (scale, shift) = n.affine(c);
            let (mean, inv_std) = (n.mean[c], n.inv_std(c));
            let (mut sg, mut sgx) = (0.0f64, 0.0f64);
            for (xr, gr) in d.runs(x, c).zip(d.runs(dy, c)) {
                let mut lanes_g = [0.0f32; 16];
                let mut lanes_gx = [0.0f32; 16];
                let chunks = xr.chunks_exact(16).zip(gr.chunks_exact(16));
                for (xc, gc) in chunks {
                    for i in 0..16 {
                        let g = masked(n.relu, xc[i] * scale + shift, gc[i]);
                        lanes_g[i] += g;
                        lanes_gx[i] += g * ((xc[i] - mean) * inv_std);
                    }
                }
                sg += lanes_g.iter().map(|&v| v as f64).sum::<f64>();
                sgx += lanes_gx.iter().map(|&v| v as f64).sum::<f64>();
                let tail = xr.len() - xr.len() % 16;
                for (&v, &g) in xr[tail..].iter().zip(&gr[tail..]) {
                    let g = masked(n.relu, v * scale + shift, g);
                    sg += g as f64;
                    sgx += (g * ((v - mean) * inv_std)) as f64;
                }
            }
            (sg, sgx)
        })
        .unzip();
    let count = d.count();
    let mut dx = vec![0.0f32; x.len()];
    dx.par_chunks_mut(d.plane)
        .zip(x.par_chunks(d.plane).zip(dy.par_chunks(d.plane)))
        .enumerate()
        .for_each(|(i, (out, (xr, gr)))| {
            let c = i % d.channels;
            let (scale, shift) = n.affine(c);
            let (mean, inv_std) = (n.mean[c], n.inv_std(c));
            let mean_g = (sum_g[c] / count) as f32;
            let mean_gx = (sum_gx[c] / count) as f32;
            let k = n.gamma[c] * inv_std;
            for ((o, &v), &g) in out.iter_mut().zip(xr).zip(gr) {
                let g = masked(n.relu, v * scale + shift, g);
                let x_hat = (v - mean) * inv_std;
                *o = k * (g - mean_g - x_hat * mean_gx);
            }
        });
    let dgamma = sum_gx.iter().map(|&v| v as f32).collect();
    let dbeta = sum_g.iter().map(|&v| v as f32).collect();
    (dx, dgamma, dbeta)
}

/// The output gradient through ReLU: dropped where the pre-activation `y <= 0`.
#[inline(always)]
fn masked(relu: bool, y: f32, g: f32) -> f32 {
    if relu && y <= 0.0 { 0.0 } else { g }
}
