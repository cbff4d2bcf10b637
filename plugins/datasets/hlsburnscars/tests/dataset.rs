//! The loader against synthetic data in the real HLS Burn Scars format.

use std::path::{Path, PathBuf};

use eobench_core::component::{Dataset, DatasetContext, Split};
use eobench_core::raster::{Raster, RasterData, write_geotiff};
use eobench_dataset_hlsburnscars::synthetic::{SHIPPED_SAMPLE, SyntheticSpec, write_dataset};
use eobench_dataset_hlsburnscars::{HlsBurnScars, HlsBurnScarsConfig};

fn config(root: &Path) -> HlsBurnScarsConfig {
    let text = std::fs::read_to_string(repo().join("configs/dataset/hlsburnscars.yaml")).unwrap();
    let mut value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    value["root"] = serde_json::Value::String(root.display().to_string());
    serde_json::from_value(value).unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn open(root: &Path, split: Split) -> Result<HlsBurnScars, String> {
    let ctx = DatasetContext {
        split,
        base_dir: &repo(),
    };
    HlsBurnScars::open("hlsburnscars", config(root), &ctx).map_err(|e| e.to_string())
}

fn small(dir: &Path) {
    write_dataset(
        dir,
        SyntheticSpec {
            n_train: 10,
            n_val: 3,
            size: 16,
            seed: 1,
        },
    )
    .unwrap();
}

#[test]
fn pangaea_split_sizes_and_sample_contents() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path());
    let train = open(dir.path(), Split::Train).unwrap();
    let val = open(dir.path(), Split::Val).unwrap();
    let test = open(dir.path(), Split::Test).unwrap();
    assert_eq!((train.len(), val.len(), test.len()), (9, 1, 3));
    let s = train.get(0).unwrap();
    let m = &s.modalities[0];
    assert_eq!((m.channels(), m.height, m.width, m.frames), (6, 16, 16, 1));
    assert_eq!(m.nodata, Some(-9999.0));
    assert_eq!(m.bands[3].name, "B8A");
    assert_eq!(m.dates.len(), 1);
    let t = s.target.unwrap();
    assert!(t.data.iter().all(|v| [-1, 0, 1].contains(v)));
    assert!(s.id.starts_with("subsetted_512x512_HLS.S30.T"));
}

#[test]
fn missing_root_names_url_layout_and_override() {
    let err = open(Path::new("/nonexistent/hls"), Split::Train)
        .err()
        .unwrap();
    assert!(
        err.contains("/nonexistent/hls")
            && err.contains("huggingface.co")
            && err.contains("dataset.root="),
        "{err}"
    );
    assert!(err.contains("training/"), "{err}");
}

#[test]
fn wrong_band_count_and_corrupt_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path());
    let training = dir.path().join("training");
    let victim = std::fs::read_dir(&training)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_merged.tif"))
        .unwrap();
    let three = Raster::new(3, 16, 16, RasterData::F32(vec![0.1; 3 * 256])).unwrap();
    write_geotiff(&victim, &three).unwrap();
    // train and val partition training/: exactly one of them holds the victim and must refuse it.
    let errors: Vec<String> = [Split::Train, Split::Val]
        .into_iter()
        .filter_map(|s| open(dir.path(), s).err())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let name = victim.file_name().unwrap().to_str().unwrap();
    assert!(
        errors[0].contains(name) && errors[0].contains("has 3 bands"),
        "{}",
        errors[0]
    );
    assert!(open(dir.path(), Split::Test).is_ok());

    // Digital numbers instead of reflectance: refused by dtype, naming the file.
    let int16 = Raster::new(6, 16, 16, RasterData::I16(vec![500; 6 * 256])).unwrap();
    write_geotiff(&victim, &int16).unwrap();
    let errors: Vec<String> = [Split::Train, Split::Val]
        .into_iter()
        .filter_map(|s| open(dir.path(), s).err())
        .collect();
    assert!(
        errors.len() == 1 && errors[0].contains(name) && errors[0].contains("int16"),
        "{errors:?}"
    );

    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap();
    let mut messages = String::new();
    for split in [Split::Train, Split::Val] {
        match open(dir.path(), split) {
            Err(e) => messages.push_str(&e),
            Ok(d) => {
                for i in 0..d.len() {
                    if let Err(e) = d.get(i) {
                        messages.push_str(&e.to_string());
                    }
                }
            }
        }
    }
    assert!(
        messages.contains(victim.file_name().unwrap().to_str().unwrap()),
        "{messages}"
    );
}

#[test]
fn shipped_sample_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(dir.path(), SHIPPED_SAMPLE).unwrap();
    let shipped = repo().join("plugins/datasets/hlsburnscars/sample");
    for folder in ["training", "validation"] {
        let mut names: Vec<_> = std::fs::read_dir(dir.path().join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), if folder == "training" { 48 } else { 16 });
        for name in names {
            let fresh = std::fs::read(dir.path().join(folder).join(&name)).unwrap();
            let committed = std::fs::read(shipped.join(folder).join(&name)).unwrap_or_else(|e| {
                panic!("{folder}/{name:?} missing from the shipped sample: {e}")
            });
            assert!(
                fresh == committed,
                "{folder}/{name:?} differs from the generator output: regenerate with the make_sample example"
            );
        }
    }
}
