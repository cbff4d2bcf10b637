//! Real files from `../shared/data` decode with the facts in their READMEs.

use super::shared_dir;
use crate::raster::{DType, RasterData, read_geotiff};

fn sen1floods11(kind: &str) -> std::path::PathBuf {
    shared_dir().join(format!(
        "data/sen1floods11/v1.1/data/flood_events/HandLabeled/{kind}/Spain_7370579_{kind}.tif"
    ))
}

fn min_max(v: &[f32]) -> (f32, f32) {
    v.iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

#[test]
fn sen1floods11_s2hand_int16_deflate_planar2_all_13_planes() {
    let r = read_geotiff(&sen1floods11("S2Hand")).unwrap();
    assert_eq!((r.bands, r.height, r.width), (13, 512, 512));
    assert_eq!(r.dtype(), DType::I16);
    assert_eq!(r.nodata, Some(0.0));
    let RasterData::I16(v) = &r.data else {
        unreachable!()
    };
    assert_eq!(v.iter().min(), Some(&7));
    assert_eq!(v.iter().max(), Some(&6060));
    // Planar trap: every plane, not only the first, must hold real data.
    for b in 0..13 {
        let band = &v[b * 512 * 512..(b + 1) * 512 * 512];
        assert!(
            band.iter().all(|&x| x > 0),
            "band {b} has zeros: planes missing?"
        );
    }
    assert_ne!(
        v[..512 * 512],
        v[512 * 512..2 * 512 * 512],
        "bands 0 and 1 identical"
    );
    assert_eq!(r.geo.expect("georeferenced").epsg, Some(4326));
}

#[test]
fn sen1floods11_s1hand_float32_two_planes_nan_nodata() {
    let r = read_geotiff(&sen1floods11("S1Hand")).unwrap();
    assert_eq!((r.bands, r.height, r.width), (2, 512, 512));
    assert_eq!(r.dtype(), DType::F32);
    assert!(r.nodata.is_some_and(f64::is_nan), "nodata {:?}", r.nodata);
    let RasterData::F32(v) = &r.data else {
        unreachable!()
    };
    assert!(!v.iter().any(|x| x.is_nan()), "README: no NaN in this chip");
    let (lo, hi) = min_max(v);
    assert!(
        (-47.2..=-47.0).contains(&lo) && (25.5..=25.7).contains(&hi),
        "{lo}..{hi}"
    );
    let (vv, vh) = v.split_at(512 * 512);
    assert!(
        min_max(vv) != min_max(vh),
        "second plane must differ from the first"
    );
}

#[test]
fn sen1floods11_label_counts() {
    let r = read_geotiff(&sen1floods11("LabelHand")).unwrap();
    assert_eq!((r.bands, r.height, r.width), (1, 512, 512));
    assert_eq!(r.dtype(), DType::I16);
    let labels = r.data.to_i64().unwrap();
    let count = |k: i64| labels.iter().filter(|&&x| x == k).count();
    assert_eq!((count(-1), count(0), count(1)), (99, 192_010, 70_035));
}

#[test]
fn terratorch_texas_chip_10band_lzw_utm14n() {
    let path = shared_dir().join("data/terratorch_hls_chip/texas_30m_10band_float32_lzw.tif");
    let r = read_geotiff(&path).unwrap();
    assert_eq!((r.bands, r.height, r.width), (10, 224, 224));
    assert_eq!(r.dtype(), DType::F32);
    assert_eq!(r.nodata, Some(-9999.0));
    let geo = r.geo.clone().expect("georeferenced");
    assert_eq!(geo.epsg, Some(32614));
    assert_eq!(geo.origin(), (440280.0, 3159720.0));
    assert_eq!(geo.pixel_scale[..2], [30.0, 30.0]);
    let RasterData::F32(v) = &r.data else {
        unreachable!()
    };
    assert_eq!(min_max(v), (-1597.0, 11317.0));
    // (C,H,W): band 0 mean ≈ 458 and band 1 mean ≈ 626 per the README; an (H,W,C)
    // layout would mix bands and miss both.
    let mean = |b: usize| {
        let band = &v[b * 224 * 224..(b + 1) * 224 * 224];
        band.iter().map(|&x| x as f64).sum::<f64>() / band.len() as f64
    };
    assert!((mean(0) - 458.0).abs() < 1.0, "band 0 mean {}", mean(0));
    assert!((mean(1) - 626.0).abs() < 1.0, "band 1 mean {}", mean(1));
}
