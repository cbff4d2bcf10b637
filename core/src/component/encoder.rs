use crate::burn::tensor::{Device, Tensor};
use serde::Serialize;

use super::{ComponentError, DatasetSpec, ModuleSlot, Trainable};
use crate::bands::Band;
use crate::sample::Batch;

/// The bands an encoder consumes from one modality.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModalitySpec {
    /// Modality key, e.g. `optical`.
    pub name: String,
    /// Channels in the order the encoder expects them.
    pub bands: Vec<Band>,
}

/// What an encoder declares about itself; the engine checks inputs and wires decoders from it.
#[derive(Clone, Debug, Serialize)]
pub struct EncoderSpec {
    /// Registry name.
    pub name: String,
    /// Inputs, per modality (after building: for band-agnostic encoders, the dataset's bands).
    pub modalities: Vec<ModalitySpec>,
    /// Side of the square input the encoder is built for (crop and sliding-window size).
    pub input_size: usize,
    /// Patch size for ViT-style encoders; inputs must be a multiple of it.
    pub patch_size: Option<usize>,
    /// Which blocks/stages produce the outputs (documentation and logs).
    pub output_layers: Vec<usize>,
    /// Channels of each output map.
    pub output_dims: Vec<usize>,
    /// Downsampling factor of each output map relative to the input.
    pub output_strides: Vec<usize>,
    /// True when any band set works (the encoder adapts to the dataset's bands).
    pub accepts_any_bands: bool,
    /// Supervised baselines that make no sense frozen (UNet, scratch ViT).
    pub finetune_only: bool,
    /// Where the weights came from: `random`, a path, or a release name.
    pub weights: String,
}

/// Multi-level feature maps (B, C_i, H_i, W_i), one per output layer.
#[derive(Clone, Debug)]
pub struct Features {
    /// Maps in the order of [`EncoderSpec::output_dims`].
    pub maps: Vec<Tensor<4>>,
}

impl Features {
    /// Detached copies (no gradient flows back into the encoder).
    pub fn detach(self) -> Self {
        Self {
            maps: self.maps.into_iter().map(|m| m.detach()).collect(),
        }
    }
}

/// What an encoder factory gets besides its own config section.
pub struct EncoderContext<'a> {
    /// Device the parameters are created on (an autodiff device when training).
    pub device: &'a Device,
    /// The dataset the encoder will see, for band-agnostic encoders.
    pub dataset: &'a DatasetSpec,
}

/// Author-facing encoder: implemented on a `#[derive(Module)]` struct.
pub trait EncoderModel: crate::burn::module::Module + Send + 'static {
    /// Computes the feature maps for a batch whose bands were already matched to the spec.
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError>;
}

/// Engine-facing encoder.
pub trait Encoder: Send {
    /// The declaration.
    fn spec(&self) -> &EncoderSpec;
    /// Feature maps, after checking the batch against the spec.
    fn forward(&self, batch: &Batch) -> Result<Features, ComponentError>;
    /// Parameter operations.
    fn params(&mut self) -> &mut dyn Trainable;
    /// Read-only parameter operations.
    fn params_ref(&self) -> &dyn Trainable;
    /// A copy for evaluation (no autodiff, eval-mode layers).
    fn inference_copy(&self) -> Box<dyn Encoder>;
}

/// Adapts an [`EncoderModel`] to [`Encoder`], adding the input and output checks every encoder
/// needs so that burn's shape panics never become the user's error message.
pub struct ModuleEncoder<M: EncoderModel> {
    spec: EncoderSpec,
    slot: ModuleSlot<M>,
}

impl<M: EncoderModel> ModuleEncoder<M> {
    /// Wraps a built model with its declaration.
    pub fn new(spec: EncoderSpec, model: M) -> Self {
        Self {
            spec,
            slot: ModuleSlot::new(model),
        }
    }

    fn check_input(&self, batch: &Batch) -> Result<(), ComponentError> {
        let bands_err = |message: String| ComponentError::Bands {
            component: format!("encoder '{}'", self.spec.name),
            message,
        };
        for m in &self.spec.modalities {
            let got = batch.modality(&m.name).ok_or_else(|| {
                bands_err(format!(
                    "the batch has no '{}' modality (it has: {})",
                    m.name,
                    names(batch)
                ))
            })?;
            let want: Vec<&str> = m.bands.iter().map(|b| b.name.as_str()).collect();
            let have: Vec<&str> = got.bands.iter().map(|b| b.name.as_str()).collect();
            if want != have {
                return Err(bands_err(format!(
                    "modality '{}' expects bands {:?}, got {:?}; add a band_match preprocessing step",
                    m.name, want, have
                )));
            }
            let [_, _, _, h, w] = got.data.dims();
            if let Some(p) = self.spec.patch_size
                && (h % p != 0 || w % p != 0)
            {
                return Err(ComponentError::Shape {
                    component: format!("encoder '{}'", self.spec.name),
                    message: format!("input {h}x{w} is not a multiple of the patch size {p}"),
                });
            }
        }
        Ok(())
    }
}

fn names(batch: &Batch) -> String {
    batch
        .modalities
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl<M: EncoderModel> Encoder for ModuleEncoder<M> {
    fn spec(&self) -> &EncoderSpec {
        &self.spec
    }

    fn forward(&self, batch: &Batch) -> Result<Features, ComponentError> {
        self.check_input(batch)?;
        let maps = self.slot.get().forward(batch)?;
        if maps.len() != self.spec.output_dims.len() {
            return Err(ComponentError::Shape {
                component: format!("encoder '{}'", self.spec.name),
                message: format!(
                    "returned {} feature maps, declared {}",
                    maps.len(),
                    self.spec.output_dims.len()
                ),
            });
        }
        let input_hw = self
            .spec
            .modalities
            .first()
            .and_then(|m| batch.modality(&m.name))
            .map(|m| {
                let [_, _, _, h, w] = m.data.dims();
                (h, w)
            });
        for (i, (m, dim)) in maps.iter().zip(&self.spec.output_dims).enumerate() {
            let [_, _, h, w] = m.dims();
            if let (Some((ih, iw)), Some(&stride)) = (input_hw, self.spec.output_strides.get(i))
                && stride > 0
                && (h != ih / stride || w != iw / stride)
            {
                return Err(ComponentError::Shape {
                    component: format!("encoder '{}'", self.spec.name),
                    message: format!(
                        "feature map {i} is {h}x{w}; an {ih}x{iw} input at the declared stride {stride} gives {}x{}",
                        ih / stride,
                        iw / stride
                    ),
                });
            }
            if m.dims()[1] != *dim {
                return Err(ComponentError::Shape {
                    component: format!("encoder '{}'", self.spec.name),
                    message: format!(
                        "feature map {i} has {} channels, declared {dim}",
                        m.dims()[1]
                    ),
                });
            }
        }
        Ok(Features { maps })
    }

    fn params(&mut self) -> &mut dyn Trainable {
        &mut self.slot
    }

    fn params_ref(&self) -> &dyn Trainable {
        &self.slot
    }

    fn inference_copy(&self) -> Box<dyn Encoder> {
        Box::new(Self {
            spec: self.spec.clone(),
            slot: self.slot.valid(),
        })
    }
}
