//! The writer round-trips through the reader and is byte-deterministic.

use crate::raster::{
    DType, GeoReference, Raster, RasterData, RasterError, encode_geotiff, read_geotiff,
    write_geotiff,
};

use super::formula::expected;

/// 6-band HLS-like scene (f32 reflectance, -9999 holes, EPSG:32610, 30 m), large enough
/// for several strips with a partial last one.
fn hls_like(height: usize, width: usize) -> Raster {
    let n = 6 * height * width;
    let data = (0..n)
        .map(|i| {
            if i % 101 == 0 {
                -9999.0
            } else {
                (i % 1000) as f32 * 1e-3 + 0.0001
            }
        })
        .collect();
    let mut r = Raster::new(6, height, width, RasterData::F32(data)).unwrap();
    r.nodata = Some(-9999.0);
    r.geo = Some(GeoReference::new(32610, 500000.0, 4200000.0, 30.0, 30.0).unwrap());
    r
}

fn mask(height: usize, width: usize) -> Raster {
    let data = (0..height * width).map(|i| (i % 3) as i16 - 1).collect();
    let mut r = Raster::new(1, height, width, RasterData::I16(data)).unwrap();
    r.geo = Some(GeoReference::new(32610, 500000.0, 4200000.0, 30.0, 30.0).unwrap());
    r
}

fn round_trip(r: &Raster) -> Raster {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.tif");
    write_geotiff(&path, r).unwrap();
    read_geotiff(&path).unwrap()
}

#[test]
fn hls_like_scene_round_trips_with_nodata_and_epsg() {
    let r = hls_like(100, 90); // 6*90*4 = 2160 B/row → 30 rows per strip → 4 strips
    let back = round_trip(&r);
    assert_eq!(back, r);
    assert_eq!(back.geo.unwrap().epsg, Some(32610));
}

#[test]
fn i16_mask_round_trips() {
    let r = mask(37, 29);
    assert_eq!(round_trip(&r), r);
}

#[test]
fn every_dtype_round_trips() {
    let dtypes = [
        DType::U8,
        DType::I8,
        DType::U16,
        DType::I16,
        DType::U32,
        DType::I32,
        DType::U64,
        DType::I64,
        DType::F32,
        DType::F64,
    ];
    for dtype in dtypes {
        let r = Raster::new(3, 37, 29, expected(dtype, 3)).unwrap();
        assert_eq!(round_trip(&r), r, "{dtype}");
    }
}

#[test]
fn nan_nodata_and_geographic_crs_round_trip() {
    let mut r = Raster::new(2, 5, 7, RasterData::F32(vec![f32::NAN; 70])).unwrap();
    r.nodata = Some(f64::NAN);
    r.geo = Some(GeoReference::new(4326, -1.5, 39.25, 0.0001, 0.0001).unwrap());
    let back = round_trip(&r);
    assert!(back.nodata.is_some_and(f64::is_nan));
    let RasterData::F32(v) = &back.data else {
        panic!("dtype {}", back.dtype())
    };
    assert!(v.iter().all(|x| x.is_nan()));
    let geo = back.geo.unwrap();
    assert!(geo.is_geographic());
    assert_eq!((geo.epsg, geo.origin()), (Some(4326), (-1.5, 39.25)));
}

#[test]
fn output_is_byte_deterministic() {
    let r = hls_like(64, 48);
    let a = encode_geotiff(&r).unwrap();
    assert_eq!(a, encode_geotiff(&r.clone()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2) = (dir.path().join("a.tif"), dir.path().join("b.tif"));
    write_geotiff(&p1, &r).unwrap();
    write_geotiff(&p2, &r).unwrap();
    assert_eq!(std::fs::read(&p1).unwrap(), a);
    assert_eq!(std::fs::read(&p2).unwrap(), a);
    // Uncompressed: data plus a small header, like the real HLS scenes (3,712 B header).
    assert!(
        a.len() > 6 * 64 * 48 * 4 && a.len() < 6 * 64 * 48 * 4 + 1024,
        "{}",
        a.len()
    );
}

#[test]
fn invalid_rasters_are_rejected_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tif");
    let empty = Raster::new(0, 0, 0, RasterData::U8(vec![])).unwrap();
    let err = write_geotiff(&path, &empty).unwrap_err();
    assert!(matches!(err, RasterError::Write { .. }) && err.to_string().contains("bad.tif"));
    let mut r = mask(4, 4);
    r.geo.as_mut().unwrap().epsg = Some(100_000);
    let err = write_geotiff(&path, &r).unwrap_err();
    assert!(err.to_string().contains("EPSG code 100000"), "{err}");
    let mut r = mask(4, 4);
    r.width = 5;
    assert!(matches!(
        encode_geotiff(&r),
        Err(RasterError::ShapeMismatch { .. })
    ));
    assert!(!path.exists(), "nothing written on error");
}

/// Writes the HLS-like scene and mask to `$EOBENCH_WRITER_OUT` for an external GDAL check
/// (`tools/fixtures` README); a no-op otherwise.
#[test]
fn dump_for_external_gdal_check() {
    let Some(dir) = std::env::var_os("EOBENCH_WRITER_OUT") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    write_geotiff(&dir.join("hls_like.tif"), &hls_like(100, 90)).unwrap();
    write_geotiff(&dir.join("mask.tif"), &mask(37, 29)).unwrap();
}
