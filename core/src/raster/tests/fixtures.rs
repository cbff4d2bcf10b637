//! Every GDAL-written variant decodes bit-exactly to the formula, in (C,H,W) order.

use super::fixture;
use super::formula::{BANDS, HEIGHT, WIDTH, expected, expected_hls, expected_mask};
use crate::raster::{DType, RasterData, read_geotiff, read_geotiff_header};

/// (file, dtype) of every formula fixture with 3 bands and no georeference.
const VARIANTS: &[(&str, DType)] = &[
    ("f32_none_planar1_strip8.tif", DType::F32),
    ("f32_none_planar2_nodata_nan.tif", DType::F32),
    ("f32_packbits.tif", DType::F32),
    ("f32_lzw_pred1.tif", DType::F32),
    ("f32_lzw_pred2.tif", DType::F32),
    ("f32_lzw_pred3.tif", DType::F32),
    ("f32_deflate_pred2_tiled16.tif", DType::F32),
    ("f32_deflate_pred3_tiled16.tif", DType::F32),
    ("f32_deflate_pred3_tiled16_planar2.tif", DType::F32),
    ("f32_zstd_pred3_tiled16.tif", DType::F32),
    ("f32_bigtiff_deflate.tif", DType::F32),
    ("f64_deflate_pred3.tif", DType::F64),
    ("i16_deflate_pred2_planar2_epsg4326.tif", DType::I16),
    ("u16_lzw_pred2_tiled16.tif", DType::U16),
    ("u8_deflate.tif", DType::U8),
    ("i8_deflate.tif", DType::I8),
    ("u32_deflate.tif", DType::U32),
    ("i32_lzw_pred2.tif", DType::I32),
    ("i64_deflate_pred2.tif", DType::I64),
    ("u64_none.tif", DType::U64),
];

/// Compares float data by bit pattern so -0.0/NaN differences cannot hide.
fn assert_bit_exact(name: &str, got: &RasterData, want: &RasterData) {
    assert_eq!(got.dtype(), want.dtype(), "{name}: dtype");
    assert_eq!(got.len(), want.len(), "{name}: length");
    let same = match (got, want) {
        (RasterData::F32(a), RasterData::F32(b)) => {
            a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        (RasterData::F64(a), RasterData::F64(b)) => {
            a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        _ => got == want,
    };
    assert!(same, "{name}: decoded values differ from the formula");
}

#[test]
fn every_variant_decodes_bit_exactly_in_chw_order() {
    for &(name, dtype) in VARIANTS {
        let r = read_geotiff(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (r.bands, r.height, r.width),
            (BANDS, HEIGHT, WIDTH),
            "{name}: shape"
        );
        assert_eq!(r.dtype(), dtype, "{name}");
        assert_bit_exact(name, &r.data, &expected(dtype, BANDS));
    }
}

#[test]
fn header_matches_decoded_raster_without_decoding() {
    for &(name, dtype) in VARIANTS {
        let h = read_geotiff_header(&fixture(name)).unwrap();
        let r = read_geotiff(&fixture(name)).unwrap();
        assert_eq!(
            (h.bands, h.height, h.width, h.dtype),
            (r.bands, r.height, r.width, dtype)
        );
        assert_eq!(h.geo, r.geo, "{name}");
        assert_eq!(
            h.nodata.map(f64::to_bits),
            r.nodata.map(f64::to_bits),
            "{name}"
        );
    }
}

#[test]
fn nodata_tags_are_parsed_including_nan() {
    let nan = read_geotiff(&fixture("f32_none_planar2_nodata_nan.tif")).unwrap();
    assert!(nan.nodata.is_some_and(f64::is_nan), "{:?}", nan.nodata);
    let zero = read_geotiff(&fixture("i16_deflate_pred2_planar2_epsg4326.tif")).unwrap();
    assert_eq!(zero.nodata, Some(0.0));
    let none = read_geotiff(&fixture("f32_lzw_pred3.tif")).unwrap();
    assert_eq!(none.nodata, None);
    assert_eq!(none.geo, None);
}

#[test]
fn hls_format_fixture_has_nodata_and_utm_georeference() {
    let r = read_geotiff(&fixture("f32_hls_nodata_epsg32610.tif")).unwrap();
    assert_eq!((r.bands, r.height, r.width), (6, HEIGHT, WIDTH));
    assert_eq!(r.nodata, Some(-9999.0));
    assert_bit_exact("hls", &r.data, &RasterData::F32(expected_hls()));
    let geo = r.geo.expect("georeferenced");
    assert_eq!(geo.epsg, Some(32610));
    assert_eq!(geo.pixel_scale, [30.0, 30.0, 0.0]);
    assert_eq!(geo.tiepoint, [0.0, 0.0, 0.0, 500000.0, 4200000.0, 0.0]);
    assert_eq!(geo.origin(), (500000.0, 4200000.0));
    assert_eq!(
        geo.transform(),
        [500000.0, 30.0, 0.0, 4200000.0, 0.0, -30.0]
    );
    assert!(!geo.is_geographic());
    // GTModelType=1 projected, GTRasterType=1 PixelIsArea, as GDAL writes them.
    assert_eq!(&geo.geo_keys[..4], &[1, 1, 0, geo.geo_keys[3]]);
    assert_eq!(geo.geo_key(1024), Some(1));
    assert_eq!(geo.geo_key(1025), Some(1));
}

#[test]
fn geographic_fixture_reads_epsg_from_key_2048() {
    let r = read_geotiff(&fixture("i16_deflate_pred2_planar2_epsg4326.tif")).unwrap();
    let geo = r.geo.expect("georeferenced");
    assert_eq!(geo.epsg, Some(4326));
    assert!(geo.is_geographic());
    assert_eq!(geo.origin(), (-1.5, 39.25));
    assert_eq!(geo.pixel_scale[..2], [0.0001, 0.0001]);
}

#[test]
fn mask_fixture_keeps_minus_one_and_converts_to_i64() {
    let r = read_geotiff(&fixture("i16_mask_none.tif")).unwrap();
    assert_eq!((r.bands, r.height, r.width), (1, HEIGHT, WIDTH));
    assert_eq!(r.nodata, Some(-1.0));
    assert_eq!(r.data, RasterData::I16(expected_mask()));
    let labels = r.data.to_i64().unwrap();
    assert!(labels.contains(&-1) && labels.contains(&0) && labels.contains(&1));
    assert_eq!(r.geo.and_then(|g| g.epsg), Some(32610));
}
