//! The fixture value formula; must match `values()` in make_geotiff_variants.py.

use crate::raster::{DType, RasterData};

pub const BANDS: usize = 3;
pub const HEIGHT: usize = 37;
pub const WIDTH: usize = 29;

/// idx = (b*H + r)*W + c, the (C,H,W) linear index, for every sample in order.
fn indices(bands: usize) -> impl Iterator<Item = i64> {
    0..(bands * HEIGHT * WIDTH) as i64
}

/// Expected (C,H,W) data of a formula fixture with `bands` bands of type `dtype`.
pub fn expected(dtype: DType, bands: usize) -> RasterData {
    let idx = indices(bands);
    match dtype {
        DType::F32 => RasterData::F32(idx.map(|i| ((i - 1600) as f64 / 64.0) as f32).collect()),
        DType::F64 => RasterData::F64(idx.map(|i| (i - 1600) as f64 / 64.0).collect()),
        DType::U8 => RasterData::U8(idx.map(|i| ((i * 7) % 256) as u8).collect()),
        DType::I8 => RasterData::I8(idx.map(|i| ((i % 256) - 128) as i8).collect()),
        DType::U16 => RasterData::U16(idx.map(|i| (i * 17 + 3) as u16).collect()),
        DType::I16 => RasterData::I16(idx.map(|i| (i * 7 - 11000) as i16).collect()),
        DType::U32 => RasterData::U32(idx.map(|i| (i * 1_000_003 + 7) as u32).collect()),
        DType::I32 => RasterData::I32(idx.map(|i| (i * 100_003 - 160_000_000) as i32).collect()),
        DType::U64 => RasterData::U64(idx.map(|i| i as u64 * 5_000_000_000_029 + 1).collect()),
        DType::I64 => RasterData::I64(idx.map(|i| i * 3_000_000_007 - 5_000_000_000_000).collect()),
    }
}

/// HLS-like scene: the f32 formula over 6 bands with -9999 where idx % 97 == 0.
pub fn expected_hls() -> Vec<f32> {
    indices(6)
        .map(|i| {
            if i % 97 == 0 {
                -9999.0
            } else {
                ((i - 1600) as f64 / 64.0) as f32
            }
        })
        .collect()
}

/// HLS-style mask: m = (3r + 5c) % 7; -1 if m == 0, 0 if m < 4, else 1.
pub fn expected_mask() -> Vec<i16> {
    let mut out = Vec::with_capacity(HEIGHT * WIDTH);
    for r in 0..HEIGHT {
        for c in 0..WIDTH {
            let m = (3 * r + 5 * c) % 7;
            out.push(if m == 0 {
                -1
            } else if m < 4 {
                0
            } else {
                1
            });
        }
    }
    out
}
