use eobench_core::bands::Band;
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{ComponentError, DatasetSpec, EncoderSpec, ModalitySpec};
use eobench_core::sample::Batch;
use serde_json::Value;

/// Concatenates the first frame of every modality the encoder declares, in spec order, along
/// channels: (B, ΣC, H, W).
///
/// Band-agnostic baselines (UNet, scratch ViT) have one input conv over "all the bands there
/// are"; Pangaea feeds them `image["optical"]` only, this generalises it to every declared
/// modality (optical + SAR for Sen1Floods11). Multi-temporal batches contribute frame 0.
pub fn stack_modalities(batch: &Batch, spec: &EncoderSpec) -> Result<Tensor<4>, ComponentError> {
    let mut maps = Vec::with_capacity(spec.modalities.len());
    for m in &spec.modalities {
        let got = batch
            .modality(&m.name)
            .ok_or_else(|| ComponentError::Bands {
                component: format!("encoder '{}'", spec.name),
                message: format!("the batch has no '{}' modality", m.name),
            })?;
        maps.push(got.first_frame());
    }
    if maps.is_empty() {
        return Err(ComponentError::Bands {
            component: format!("encoder '{}'", spec.name),
            message: "the encoder declares no input modality".into(),
        });
    }
    Ok(if maps.len() == 1 {
        maps.pop().unwrap()
    } else {
        Tensor::cat(maps, 1)
    })
}

/// The modalities a band-agnostic encoder declares, from its `bands` config key.
///
/// - `null` → every dataset modality with all its bands (the encoder adapts to the dataset);
/// - `{modality: [band, ...], ...}` → those, in the order written (Pangaea's `input_bands`);
///   band metadata (wavelength, GSD) is copied from the dataset when it has the band, and bands
///   it lacks are zero-filled later by the `band_match` preprocessing step.
///
/// `component` names the encoder in errors (e.g. `encoder 'vit'`).
pub fn resolve_modalities(
    component: &str,
    bands: &Value,
    dataset: &DatasetSpec,
) -> Result<Vec<ModalitySpec>, ComponentError> {
    let err = |message: String| ComponentError::Config {
        component: component.to_string(),
        message,
    };
    match bands {
        Value::Null => {
            let mods: Vec<ModalitySpec> = dataset
                .modalities
                .iter()
                .map(|m| ModalitySpec {
                    name: m.name.clone(),
                    bands: m.bands.clone(),
                })
                .collect();
            if mods.iter().all(|m| m.bands.is_empty()) {
                return Err(err(format!(
                    "bands: null takes the dataset's bands, but dataset '{}' declares none",
                    dataset.name
                )));
            }
            Ok(mods)
        }
        Value::Object(map) => {
            let mut mods = Vec::with_capacity(map.len());
            for (name, list) in map {
                let names = list
                    .as_array()
                    .ok_or_else(|| err(format!("bands.{name}: expected a list of band names")))?;
                let known = dataset.modalities.iter().find(|m| &m.name == name);
                let mut bands = Vec::with_capacity(names.len());
                for b in names {
                    let b = b.as_str().ok_or_else(|| {
                        err(format!(
                            "bands.{name}: expected band names (strings), got {b}"
                        ))
                    })?;
                    let found =
                        known.and_then(|m| m.bands.iter().find(|x| x.name.eq_ignore_ascii_case(b)));
                    bands.push(found.cloned().unwrap_or_else(|| Band::named(b)));
                }
                if bands.is_empty() {
                    return Err(err(format!("bands.{name}: empty band list")));
                }
                mods.push(ModalitySpec {
                    name: name.clone(),
                    bands,
                });
            }
            if mods.is_empty() {
                return Err(err(
                    "bands: empty map; use null for all dataset bands".into()
                ));
            }
            Ok(mods)
        }
        other => Err(err(format!(
            "bands: expected null or a map {{modality: [band, ...]}}, got {other}"
        ))),
    }
}
