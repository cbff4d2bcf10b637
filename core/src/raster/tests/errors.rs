//! Bad input is an error naming the file, never a panic.

use std::path::Path;

use super::fixture;
use crate::raster::{
    Raster, RasterData, RasterError, ReadOptions, read_geotiff, read_geotiff_header,
    read_geotiff_with,
};

/// Copies `bytes` to a temp file and reads it.
fn read_bytes(bytes: &[u8]) -> (tempfile::TempDir, Result<Raster, RasterError>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("patched.tif");
    std::fs::write(&path, bytes).unwrap();
    let result = read_geotiff(&path);
    (dir, result)
}

/// Sets the inline SHORT value of `tag` in the first IFD of a little-endian classic TIFF.
fn patch_short_tag(bytes: &mut [u8], tag: u16, value: u16) {
    assert_eq!(&bytes[..4], b"II*\0", "classic little-endian TIFF expected");
    let ifd = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([bytes[ifd], bytes[ifd + 1]]) as usize;
    for e in 0..n {
        let at = ifd + 2 + 12 * e;
        if u16::from_le_bytes([bytes[at], bytes[at + 1]]) == tag {
            assert_eq!(
                u16::from_le_bytes([bytes[at + 2], bytes[at + 3]]),
                3,
                "SHORT"
            );
            bytes[at + 8..at + 10].copy_from_slice(&value.to_le_bytes());
            return;
        }
    }
    panic!("tag {tag} not found");
}

#[test]
fn missing_file_is_not_found_naming_the_path() {
    let path = Path::new("/nonexistent/dir/scene_merged.tif");
    let err = read_geotiff(path).unwrap_err();
    assert!(matches!(err, RasterError::NotFound { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("/nonexistent/dir/scene_merged.tif"),
        "{err}"
    );
    assert!(matches!(
        read_geotiff_header(path),
        Err(RasterError::NotFound { .. })
    ));
}

#[test]
fn non_tiff_and_empty_files_are_not_tiff() {
    for bytes in [
        &b"hello, this is a CSV file\n1,2,3\n"[..],
        b"",
        b"\x89PNG\r\n\x1a\n",
    ] {
        let (_dir, result) = read_bytes(bytes);
        let err = result.unwrap_err();
        assert!(matches!(err, RasterError::NotTiff { .. }), "{err:?}");
        assert!(err.to_string().contains("patched.tif"), "{err}");
    }
}

#[test]
fn truncated_files_are_errors_not_panics() {
    let names = [
        "f32_none_planar1_strip8.tif",
        "f32_none_planar2_nodata_nan.tif",
        "f32_lzw_pred3.tif",
        "f32_deflate_pred3_tiled16_planar2.tif",
        "f32_zstd_pred3_tiled16.tif",
        "f32_bigtiff_deflate.tif",
        "i16_deflate_pred2_planar2_epsg4326.tif",
    ];
    for name in names {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let len = bytes.len();
        let full = read_geotiff(&fixture(name)).unwrap();
        for cut in [3, 8, 16, 100, len / 3, len / 2, len - 100, len - 1] {
            let (_dir, result) = read_bytes(&bytes[..cut]);
            match result {
                Err(RasterError::Corrupt { .. } | RasterError::NotTiff { .. }) => {}
                // A compressed stream may end in bytes not needed for the samples (LZW's
                // end-of-information code); then the data must still be complete and exact.
                Ok(r) if cut == len - 1 => assert_eq!(r, full, "{name}: cut {cut}"),
                Ok(_) => panic!("{name} cut at {cut}/{len}: decoded without error"),
                Err(e) => panic!("{name} cut at {cut}/{len}: expected Corrupt, got {e:?}"),
            }
        }
    }
}

#[test]
fn predictor_3_on_integers_is_reported() {
    let mut bytes = std::fs::read(fixture("i16_deflate_pred2_planar2_epsg4326.tif")).unwrap();
    patch_short_tag(&mut bytes, 317, 3);
    let (_dir, result) = read_bytes(&bytes);
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            RasterError::FloatPredictorOnIntegers { dtype: "int16", .. }
        ),
        "{err:?}"
    );
}

#[test]
fn unsupported_compression_is_named() {
    let mut bytes = std::fs::read(fixture("i16_mask_none.tif")).unwrap();
    patch_short_tag(&mut bytes, 259, 34887);
    let (_dir, result) = read_bytes(&bytes);
    let err = result.unwrap_err();
    assert!(
        matches!(err, RasterError::UnsupportedCompression { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("LERC"), "{err}");
}

#[test]
fn unsupported_bit_depth_is_reported() {
    let mut bytes = std::fs::read(fixture("i16_mask_none.tif")).unwrap();
    patch_short_tag(&mut bytes, 258, 12);
    let (_dir, result) = read_bytes(&bytes);
    assert!(
        matches!(result, Err(RasterError::Unsupported { .. })),
        "{result:?}"
    );
}

#[test]
fn decode_limit_is_enforced() {
    let options = ReadOptions {
        max_decoded_bytes: 1000,
    };
    let result = read_geotiff_with(&fixture("f32_lzw_pred1.tif"), &options);
    assert!(
        matches!(result, Err(RasterError::TooLarge { needed: 12876, .. })),
        "{result:?}"
    );
}

#[test]
fn data_conversions_refuse_what_they_cannot_do_exactly() {
    let floats = RasterData::F32(vec![1.0, 2.5]);
    assert!(matches!(
        floats.to_i64(),
        Err(RasterError::NotInteger {
            dtype: "float32",
            ..
        })
    ));
    assert_eq!(floats.to_f32(), vec![1.0, 2.5]);
    assert!(RasterData::U64(vec![u64::MAX]).to_i64().is_err());
    assert_eq!(
        RasterData::I16(vec![-1, 0, 1]).to_i64().unwrap(),
        vec![-1, 0, 1]
    );
    let err = Raster::new(2, 3, 4, RasterData::U8(vec![0; 23])).unwrap_err();
    assert!(matches!(
        err,
        RasterError::ShapeMismatch {
            expected: 24,
            actual: 23,
            ..
        }
    ));
}

/// Overwrites single header/IFD bytes of several layouts: every result must be `Ok` or an
/// error, and the `tiff` crate must not panic on these inputs (a `DecoderPanic` here means
/// a new crate bug to work around, as was done for tiled planar files).
#[test]
fn corrupted_header_bytes_never_panic() {
    let names = [
        "f32_none_planar1_strip8.tif",
        "f32_deflate_pred3_tiled16_planar2.tif",
        "i16_deflate_pred2_planar2_epsg4326.tif",
        "u16_lzw_pred2_tiled16.tif",
    ];
    let mut panics = Vec::new();
    for name in names {
        let original = std::fs::read(fixture(name)).unwrap();
        for at in 0..original.len().min(400) {
            for value in [0x00, 0xFF, 0x7F] {
                let mut bytes = original.clone();
                if bytes[at] == value {
                    continue;
                }
                bytes[at] = value;
                let (_dir, result) = read_bytes(&bytes);
                if let Err(RasterError::DecoderPanic { message, .. }) = result {
                    panics.push(format!("{name}[{at}]={value:#x}: {message}"));
                }
            }
        }
    }
    assert!(
        panics.is_empty(),
        "{} panics, e.g. {:?}",
        panics.len(),
        &panics[..panics.len().min(5)]
    );
}
