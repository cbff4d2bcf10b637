use std::path::{Path, PathBuf};

use eobench_core::component::ComponentError;
use eobench_core::sample::AcquisitionDate;

const SCENE_SUFFIX: &str = "_merged.tif";
const MASK_SUFFIX: &str = ".mask.tif";

/// A scene and its mask, paired by their common stem
/// `subsetted_512x512_HLS.S30.<tile>.<YYYYDDD>.v1.4`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenePair {
    /// The common stem (sample id).
    pub stem: String,
    /// `<stem>_merged.tif`.
    pub scene: PathBuf,
    /// `<stem>.mask.tif`.
    pub mask: PathBuf,
    /// Acquisition date from the `YYYYDDD` field, when the name has one.
    pub date: Option<AcquisitionDate>,
}

/// Lists a split folder, pairing scenes with masks by stem (sorted by stem, like Pangaea's
/// sorted globs). A scene without a mask or a mask without a scene is an error naming the file.
pub fn scan_split_dir(dir: &Path) -> Result<Vec<ScenePair>, ComponentError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ComponentError::File {
        path: dir.to_path_buf(),
        message: format!("cannot list the split folder: {e}"),
    })?;
    let mut scenes = std::collections::BTreeMap::new();
    let mut masks = std::collections::BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| ComponentError::File {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(SCENE_SUFFIX) {
            scenes.insert(stem.to_string(), entry.path());
        } else if let Some(stem) = name.strip_suffix(MASK_SUFFIX) {
            masks.insert(stem.to_string(), entry.path());
        }
    }
    if let Some((stem, path)) = scenes.iter().find(|(s, _)| !masks.contains_key(*s)) {
        return Err(ComponentError::File {
            path: path.clone(),
            message: format!("scene has no mask: expected {stem}{MASK_SUFFIX} beside it"),
        });
    }
    if let Some((stem, path)) = masks.iter().find(|(s, _)| !scenes.contains_key(*s)) {
        return Err(ComponentError::File {
            path: path.clone(),
            message: format!("mask has no scene: expected {stem}{SCENE_SUFFIX} beside it"),
        });
    }
    Ok(scenes
        .into_iter()
        .map(|(stem, scene)| {
            let mask = masks.remove(&stem).expect("checked above");
            let date = parse_date(&stem);
            ScenePair {
                stem,
                scene,
                mask,
                date,
            }
        })
        .collect())
}

/// `...HLS.S30.T10SEH.2018190.v1.4` → 2018, day 190.
fn parse_date(stem: &str) -> Option<AcquisitionDate> {
    let field = stem
        .split('.')
        .find(|p| p.len() == 7 && p.chars().all(|c| c.is_ascii_digit()))?;
    let year: i32 = field[..4].parse().ok()?;
    let doy: u32 = field[4..].parse().ok()?;
    (1..=366)
        .contains(&doy)
        .then(|| AcquisitionDate::from_year_doy(year, doy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_from_the_file_name() {
        let d = parse_date("subsetted_512x512_HLS.S30.T10SEH.2018190.v1.4").unwrap();
        assert_eq!(d.to_string(), "2018-07-09");
        assert!(parse_date("no_date_here").is_none());
    }

    #[test]
    fn orphans_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.v1.4_merged.tif"), b"x").unwrap();
        std::fs::write(dir.path().join("a.v1.4.mask.tif"), b"x").unwrap();
        std::fs::write(dir.path().join("b.v1.4_merged.tif"), b"x").unwrap();
        let err = scan_split_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("b.v1.4_merged.tif") && err.contains("no mask"),
            "{err}"
        );
        std::fs::remove_file(dir.path().join("b.v1.4_merged.tif")).unwrap();
        std::fs::write(dir.path().join("c.v1.4.mask.tif"), b"x").unwrap();
        let err = scan_split_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("c.v1.4.mask.tif") && err.contains("no scene"),
            "{err}"
        );
    }
}
