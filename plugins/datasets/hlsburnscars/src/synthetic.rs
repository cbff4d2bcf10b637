//! A deterministic generator of synthetic scenes in the exact HLS Burn Scars format (names,
//! folders, 6-band float32 pixel-interleaved uncompressed GeoTIFFs with GDAL_NODATA −9999 and
//! UTM georeferencing, int16 masks with −1/0/1). It makes the shipped `sample/` and test
//! fixtures. Burned pixels carry the physical signal of real scars — lower NIR (B8A), higher
//! SWIR (B11, B12) — so a model can learn it. Only +, −, ×, ÷ are used (no libm calls), so the
//! bytes are identical on every machine.

use std::path::Path;

use eobench_core::raster::{GeoReference, Raster, RasterData, RasterError, write_geotiff};
use eobench_core::rng::SplitMix64;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct SyntheticSpec {
    /// Scenes in `training/`.
    pub n_train: usize,
    /// Scenes in `validation/`.
    pub n_val: usize,
    /// Scene side in pixels.
    pub size: usize,
    /// Generator seed.
    pub seed: u64,
}

/// The spec of the sample shipped in `plugins/datasets/hlsburnscars/sample/`.
pub const SHIPPED_SAMPLE: SyntheticSpec = SyntheticSpec {
    n_train: 24,
    n_val: 8,
    size: 64,
    seed: 20181,
};

const BAND_MEAN: [f32; 6] = [0.0333, 0.0570, 0.0589, 0.2323, 0.1973, 0.1194];
const BAND_STD: [f32; 6] = [0.0227, 0.0268, 0.0400, 0.0779, 0.0871, 0.0724];
/// Multiplicative change of each band inside a burn scar (B2, B3, B4, B8A, B11, B12).
const BURN_FACTOR: [f32; 6] = [1.0, 0.95, 1.1, 0.55, 1.25, 1.7];
const TILES: [(&str, u32); 6] = [
    ("T10SEH", 10),
    ("T10SFF", 10),
    ("T11SKU", 11),
    ("T11SLT", 11),
    ("T12SUD", 12),
    ("T13SDA", 13),
];
const NODATA: f32 = -9999.0;

/// Writes `training/` and `validation/` under `root`.
pub fn write_dataset(root: &Path, spec: SyntheticSpec) -> Result<(), RasterError> {
    for (split, folder, n) in [
        (0u64, "training", spec.n_train),
        (1, "validation", spec.n_val),
    ] {
        let dir = root.join(folder);
        std::fs::create_dir_all(&dir).map_err(|e| RasterError::Io {
            path: dir.clone(),
            source: e,
        })?;
        let mut used = std::collections::BTreeSet::new();
        for i in 0..n {
            let mut rng = SplitMix64::derive(spec.seed, 7, split, i as u64);
            let (tile, zone) = TILES[rng.below(TILES.len() as u64) as usize];
            let year = 2018 + rng.below(4) as u32;
            let mut doy = 150 + rng.below(150) as u32;
            while !used.insert((tile, year, doy)) {
                doy += 1;
            }
            let stem = format!("subsetted_512x512_HLS.S30.{tile}.{year}{doy:03}.v1.4");
            let (scene, mask) = scene(&mut rng, spec.size, zone)?;
            write_geotiff(&dir.join(format!("{stem}_merged.tif")), &scene)?;
            write_geotiff(&dir.join(format!("{stem}.mask.tif")), &mask)?;
        }
    }
    Ok(())
}

/// Approximately standard-normal noise (Irwin–Hall sum of 4 uniforms).
fn noise(rng: &mut SplitMix64) -> f32 {
    let s: f64 = (0..4).map(|_| rng.next_f64()).sum();
    ((s - 2.0) * 1.732) as f32
}

/// Smooth field in about [−1, 1]: bilinear interpolation of a coarse random grid.
fn smooth_field(rng: &mut SplitMix64, size: usize, cells: usize) -> Vec<f32> {
    let grid: Vec<f32> = (0..(cells + 1) * (cells + 1))
        .map(|_| (rng.next_f64() * 2.0 - 1.0) as f32)
        .collect();
    let mut out = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            let gy = y as f32 * cells as f32 / size as f32;
            let gx = x as f32 * cells as f32 / size as f32;
            let (iy, ix) = (gy as usize, gx as usize);
            let (fy, fx) = (gy - iy as f32, gx - ix as f32);
            let at = |r: usize, c: usize| grid[r * (cells + 1) + c];
            let top = at(iy, ix) * (1.0 - fx) + at(iy, ix + 1) * fx;
            let bottom = at(iy + 1, ix) * (1.0 - fx) + at(iy + 1, ix + 1) * fx;
            out.push(top * (1.0 - fy) + bottom * fy);
        }
    }
    out
}

fn scene(rng: &mut SplitMix64, size: usize, zone: u32) -> Result<(Raster, Raster), RasterError> {
    let n = size * size;
    let brightness = 0.8 + 0.4 * rng.next_f64() as f32;
    let terrain = smooth_field(rng, size, 4);
    // Burn scar: an ellipse, mostly near the centre (as in the real chips), sometimes absent.
    let burned = rng.next_f64() < 0.85;
    let s = size as f64;
    let (cy, cx) = (
        s * (0.3 + 0.4 * rng.next_f64()),
        s * (0.3 + 0.4 * rng.next_f64()),
    );
    let (ry, rx) = (
        s * (0.08 + 0.17 * rng.next_f64()),
        s * (0.08 + 0.17 * rng.next_f64()),
    );
    let inside = |y: usize, x: usize| {
        let dy = (y as f64 + 0.5 - cy) / ry;
        let dx = (x as f64 + 0.5 - cx) / rx;
        burned && dy * dy + dx * dx <= 1.0
    };
    // No-data: some scenes lose a strip of columns at the swath edge.
    let nodata_cols = if rng.next_f64() < 0.25 {
        2 + rng.below(5) as usize
    } else {
        0
    };
    let is_nodata = |x: usize| x >= size - nodata_cols;

    let mut data = vec![0f32; 6 * n];
    for b in 0..6 {
        for y in 0..size {
            for x in 0..size {
                let p = y * size + x;
                let base = BAND_MEAN[b] * brightness + 0.5 * BAND_STD[b] * terrain[p];
                let mut v = base + 0.25 * BAND_STD[b] * noise(rng);
                if inside(y, x) {
                    v *= BURN_FACTOR[b];
                }
                data[b * n + p] = if is_nodata(x) { NODATA } else { v.max(0.0) };
            }
        }
    }
    let labels: Vec<i16> = (0..n)
        .map(|p| {
            let (y, x) = (p / size, p % size);
            if is_nodata(x) {
                -1
            } else if inside(y, x) {
                1
            } else {
                0
            }
        })
        .collect();
    let origin_x = 300000.0 + 30.0 * rng.below(10000) as f64;
    let origin_y = 4000000.0 + 30.0 * rng.below(10000) as f64;
    let geo = GeoReference::new(32600 + zone, origin_x, origin_y, 30.0, 30.0)?;
    let mut image = Raster::new(6, size, size, RasterData::F32(data))?;
    image.nodata = Some(NODATA as f64);
    image.geo = Some(geo.clone());
    let mut mask = Raster::new(1, size, size, RasterData::I16(labels))?;
    mask.geo = Some(geo);
    Ok((image, mask))
}
