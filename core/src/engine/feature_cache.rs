//! Reuse of frozen-encoder features.
//!
//! With a frozen encoder the features of a *deterministic* view of a scene never change, so
//! they are computed once and reused across epochs, validation passes and the runs of a sweep.
//! The deterministic views are the sliding windows of each preprocessed scene (the windows the
//! evaluator uses). Training then samples, per scene and epoch, one of those windows instead of
//! a free random crop, and applies flips to the cached feature maps and the target together:
//! - valid: window crops (exact features) and flips of cached maps (the flip of a feature map
//!   equals the features of the flipped input for convolutional encoders and is the standard
//!   feature-space approximation for ViTs);
//! - refused: any other augmentation (its output would need the encoder again).
//!
//! Storage: an in-memory map up to `memory_bytes`, plus (optionally) one file per view under a
//! directory named by the cache key, written atomically (temporary file + rename) so concurrent
//! runs sharing the directory never read half a file; the directory tree is bounded by
//! `disk_bytes`, evicting the least recently used key directories first.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::burn::tensor::{Device, Tensor, TensorData};

use super::EngineError;

/// How a run caches features (built by the CLI from `feature_cache:` and the run's config).
#[derive(Clone, Debug)]
pub struct FeatureCacheSettings {
    /// Identity of encoder (config, weights), dataset and evaluation preprocessing; features
    /// are only shared between runs with the same key.
    pub key: String,
    /// Root directory of the disk cache (`None` = memory only).
    pub dir: Option<PathBuf>,
    /// In-memory budget.
    pub memory_bytes: u64,
    /// Disk budget for the whole cache root.
    pub disk_bytes: u64,
}

/// One view's feature maps on the CPU: (C, h, w) per level.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedFeatures {
    /// Per level: dims (C, h, w) and values.
    pub levels: Vec<([usize; 3], Vec<f32>)>,
}

impl CachedFeatures {
    /// One entry per batch element of a (B, C, h, w)-per-level feature list; each level is read
    /// back from the device once for the whole batch.
    pub fn split_batch(maps: &[Tensor<4>]) -> Result<Vec<Self>, EngineError> {
        let batch = maps.first().map_or(0, |m| m.dims()[0]);
        let mut views: Vec<Self> = (0..batch).map(|_| Self { levels: Vec::new() }).collect();
        for m in maps {
            let [b, c, h, w] = m.dims();
            if b != batch {
                return Err(EngineError::Metrics(format!(
                    "feature maps disagree on the batch size ({b} vs {batch})"
                )));
            }
            let data = m
                .clone()
                .into_data()
                .convert::<f32>()
                .try_into_vec::<f32>()
                .map_err(|e| EngineError::Metrics(format!("cannot read features: {e:?}")))?;
            let per = c * h * w;
            for (view, chunk) in views.iter_mut().zip(data.chunks_exact(per.max(1))) {
                view.levels.push(([c, h, w], chunk.to_vec()));
            }
        }
        Ok(views)
    }

    /// Size of the values in bytes.
    pub fn bytes(&self) -> u64 {
        self.levels.iter().map(|(_, d)| d.len() as u64 * 4).sum()
    }

    /// Left-right / up-down flipped copy (applied to every level).
    pub fn flipped(&self, horizontal: bool, vertical: bool) -> Self {
        let levels = self
            .levels
            .iter()
            .map(|([c, h, w], data)| {
                let mut out = data.clone();
                for ch in 0..*c {
                    for y in 0..*h {
                        for x in 0..*w {
                            let sy = if vertical { h - 1 - y } else { y };
                            let sx = if horizontal { w - 1 - x } else { x };
                            out[(ch * h + y) * w + x] = data[(ch * h + sy) * w + sx];
                        }
                    }
                }
                ([*c, *h, *w], out)
            })
            .collect();
        Self { levels }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = b"EOBF1".to_vec();
        out.extend((self.levels.len() as u32).to_le_bytes());
        for (dims, _) in &self.levels {
            for d in dims {
                out.extend((*d as u64).to_le_bytes());
            }
        }
        for (_, data) in &self.levels {
            for v in data {
                out.extend(v.to_le_bytes());
            }
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let rest = bytes.strip_prefix(b"EOBF1")?;
        let n = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let mut pos = 4;
        let mut dims = Vec::with_capacity(n);
        for _ in 0..n {
            let mut d = [0usize; 3];
            for slot in &mut d {
                *slot = u64::from_le_bytes(rest.get(pos..pos + 8)?.try_into().ok()?) as usize;
                pos += 8;
            }
            dims.push(d);
        }
        let mut levels = Vec::with_capacity(n);
        for d in dims {
            let len = d[0] * d[1] * d[2];
            let raw = rest.get(pos..pos + len * 4)?;
            pos += len * 4;
            let data = raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            levels.push((d, data));
        }
        (pos == rest.len()).then_some(Self { levels })
    }
}

/// Stacks views into per-level (B, C, h, w) tensors on `device`.
pub fn collate_features(views: &[CachedFeatures], device: &Device) -> Vec<Tensor<4>> {
    let levels = views.first().map_or(0, |v| v.levels.len());
    (0..levels)
        .map(|l| {
            let [c, h, w] = views[0].levels[l].0;
            let data: Vec<f32> = views
                .iter()
                .flat_map(|v| v.levels[l].1.iter().copied())
                .collect();
            Tensor::from_data(TensorData::new(data, [views.len(), c, h, w]), device)
        })
        .collect()
}

/// The cache of one run.
pub struct FeatureCache {
    settings: FeatureCacheSettings,
    memory: Mutex<(HashMap<String, CachedFeatures>, u64)>,
    stats: Mutex<(u64, u64)>,
}

impl FeatureCache {
    /// Opens the cache; trims the disk cache to its budget first.
    pub fn open(settings: FeatureCacheSettings) -> Self {
        if let Some(root) = &settings.dir {
            trim_disk(root, settings.disk_bytes, &settings.key);
        }
        Self {
            settings,
            memory: Mutex::new((HashMap::new(), 0)),
            stats: Mutex::new((0, 0)),
        }
    }

    fn file(&self, view: &str) -> Option<PathBuf> {
        self.settings
            .dir
            .as_ref()
            .map(|d| d.join(&self.settings.key).join(format!("{view}.eobf")))
    }

    /// The features of every view in `views`, in order. The misses are computed by one call of
    /// `compute` with their positions in `views` (so the encoder sees them as one batch), which
    /// must return one entry per position.
    pub fn get_many(
        &self,
        views: &[String],
        compute: impl FnOnce(&[usize]) -> Result<Vec<CachedFeatures>, EngineError>,
    ) -> Result<Vec<CachedFeatures>, EngineError> {
        let names: Vec<String> = views.iter().map(|v| sanitize(v)).collect();
        let mut out: Vec<Option<CachedFeatures>> = names.iter().map(|n| self.lookup(n)).collect();
        let missing: Vec<usize> = (0..out.len()).filter(|&i| out[i].is_none()).collect();
        {
            let mut stats = self.stats.lock().expect("cache lock");
            stats.0 += (out.len() - missing.len()) as u64;
            stats.1 += missing.len() as u64;
        }
        if !missing.is_empty() {
            let computed = compute(&missing)?;
            if computed.len() != missing.len() {
                return Err(EngineError::Metrics(format!(
                    "feature cache: {} views computed for {} misses",
                    computed.len(),
                    missing.len()
                )));
            }
            for (&i, f) in missing.iter().zip(computed) {
                self.remember(&names[i], &f);
                if let Some(path) = self.file(&names[i]) {
                    // A full or read-only disk costs reuse, not the run.
                    let _ = write_atomic(&path, &f.encode());
                }
                out[i] = Some(f);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn lookup(&self, view: &str) -> Option<CachedFeatures> {
        if let Some(f) = self.memory.lock().expect("cache lock").0.get(view) {
            return Some(f.clone());
        }
        let f = read_file(&self.file(view)?)?;
        self.remember(view, &f);
        Some(f)
    }

    fn remember(&self, view: &str, f: &CachedFeatures) {
        let mut m = self.memory.lock().expect("cache lock");
        if m.1 + f.bytes() <= self.settings.memory_bytes {
            m.1 += f.bytes();
            m.0.insert(view.to_string(), f.clone());
        }
    }

    /// Whether `views` entries of `bytes_per_view` each stay cached: always with a disk cache,
    /// otherwise only within the memory budget.
    pub fn can_hold(&self, views: usize, bytes_per_view: u64) -> bool {
        self.settings.dir.is_some()
            || (views as u64).saturating_mul(bytes_per_view) <= self.settings.memory_bytes
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        *self.stats.lock().expect("cache lock")
    }
}

fn sanitize(view: &str) -> String {
    view.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn read_file(path: &Path) -> Option<CachedFeatures> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .read_to_end(&mut bytes)
        .ok()?;
    CachedFeatures::decode(&bytes)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache file has a directory");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    std::fs::rename(&tmp, path)
}

/// Keeps the cache root under `budget` bytes by deleting whole key directories, least recently
/// modified first, never the one in use.
fn trim_disk(root: &Path, budget: u64, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut dirs: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let size = std::fs::read_dir(e.path())
                .map(|files| {
                    files
                        .flatten()
                        .filter_map(|f| f.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0);
            let time = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (time, size, e.path())
        })
        .collect();
    let mut total: u64 = dirs.iter().map(|d| d.1).sum();
    dirs.sort();
    for (_, size, path) in dirs {
        if total <= budget {
            break;
        }
        if path.file_name().is_some_and(|n| n == keep) {
            continue;
        }
        if std::fs::remove_dir_all(&path).is_ok() {
            total = total.saturating_sub(size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl FeatureCache {
        /// The features of `view` (a sample id and window), computing them on a miss.
        fn get_or_compute(
            &self,
            view: &str,
            compute: impl FnOnce() -> Result<CachedFeatures, EngineError>,
        ) -> Result<CachedFeatures, EngineError> {
            let mut found = self.get_many(&[view.to_string()], |_| Ok(vec![compute()?]))?;
            Ok(found.remove(0))
        }
    }

    fn features(seed: f32) -> CachedFeatures {
        CachedFeatures {
            levels: vec![
                ([2, 2, 3], (0..12).map(|i| i as f32 + seed).collect()),
                ([1, 1, 2], vec![seed, -seed]),
            ],
        }
    }

    #[test]
    fn encode_decode_round_trip_and_flips() {
        let f = features(0.5);
        assert_eq!(CachedFeatures::decode(&f.encode()), Some(f.clone()));
        assert_eq!(CachedFeatures::decode(b"EOBF1\x01\x00"), None);
        let h = f.flipped(true, false);
        assert_eq!(&h.levels[0].1[..3], &[2.5, 1.5, 0.5]);
        assert_eq!(h.flipped(true, false), f);
        let v = f.flipped(false, true);
        assert_eq!(&v.levels[0].1[..3], &[3.5, 4.5, 5.5]);
    }

    #[test]
    fn computes_once_then_hits_memory_and_disk() {
        let dir = tempfile::tempdir().unwrap();
        let settings = FeatureCacheSettings {
            key: "k1".into(),
            dir: Some(dir.path().to_path_buf()),
            memory_bytes: 1 << 20,
            disk_bytes: 1 << 30,
        };
        let cache = FeatureCache::open(settings.clone());
        let mut computed = 0;
        for _ in 0..3 {
            let f = cache
                .get_or_compute("scene/1@0,0", || {
                    computed += 1;
                    Ok(features(1.0))
                })
                .unwrap();
            assert_eq!(f, features(1.0));
        }
        assert_eq!(computed, 1);
        assert_eq!(cache.stats(), (2, 1));
        // A second run (new process) finds it on disk.
        let again = FeatureCache::open(settings);
        let f = again
            .get_or_compute("scene/1@0,0", || panic!("recomputed"))
            .unwrap();
        assert_eq!(f, features(1.0));
        assert!(dir.path().join("k1").join("scene_1_0_0.eobf").is_file());
    }

    #[test]
    fn misses_of_a_request_are_computed_in_one_call_in_order() {
        let cache = FeatureCache::open(FeatureCacheSettings {
            key: "k".into(),
            dir: None,
            memory_bytes: 1 << 20,
            disk_bytes: 0,
        });
        cache.get_or_compute("b", || Ok(features(2.0))).unwrap();
        let keys: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let mut calls = Vec::new();
        let got = cache
            .get_many(&keys, |missing| {
                calls.push(missing.to_vec());
                Ok(missing.iter().map(|&i| features(i as f32 * 10.0)).collect())
            })
            .unwrap();
        assert_eq!(calls, vec![vec![0, 2]]);
        assert_eq!(got, vec![features(0.0), features(2.0), features(20.0)]);
        assert_eq!(cache.stats(), (1, 3));
        let wrong = cache.get_many(&["d".to_string()], |_| Ok(Vec::new()));
        assert!(wrong.is_err());
        // Memory only: bounded by the budget; with a disk cache everything stays.
        assert!(cache.can_hold(1024, 1024) && !cache.can_hold(1025, 1024));
        let disk = FeatureCache::open(FeatureCacheSettings {
            key: "k".into(),
            dir: Some(tempfile::tempdir().unwrap().path().to_path_buf()),
            memory_bytes: 0,
            disk_bytes: 1 << 30,
        });
        assert!(disk.can_hold(usize::MAX, u64::MAX));
        assert_eq!(features(1.0).bytes(), 14 * 4);
    }

    #[test]
    fn a_batch_of_maps_splits_into_views() {
        let device = Device::default();
        let maps = vec![
            Tensor::<4>::from_data(
                TensorData::new((0..8).map(|v| v as f32).collect::<Vec<_>>(), [2, 1, 2, 2]),
                &device,
            ),
            Tensor::<4>::from_data(TensorData::new(vec![7.0f32, 9.0], [2, 1, 1, 1]), &device),
        ];
        let views = CachedFeatures::split_batch(&maps).unwrap();
        assert_eq!(views.len(), 2);
        assert_eq!(views[1].levels[0], ([1, 2, 2], vec![4.0, 5.0, 6.0, 7.0]));
        assert_eq!(views[1].levels[1], ([1, 1, 1], vec![9.0]));
        assert_eq!(collate_features(&views, &device)[0].dims(), [2, 1, 2, 2]);
    }

    #[test]
    fn disk_budget_evicts_other_keys_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        for key in ["old", "new"] {
            let path = dir.path().join(key).join("v.eobf");
            write_atomic(&path, &vec![0u8; 1000]).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        trim_disk(dir.path(), 1500, "current");
        assert!(!dir.path().join("old").exists());
        assert!(dir.path().join("new").exists());
    }
}
