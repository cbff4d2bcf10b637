use crate::burn::tensor::{Device, Tensor};

use super::{ComponentError, EncoderSpec, Features, ModuleSlot, Trainable};

/// What a decoder factory gets besides its own config section.
pub struct DecoderContext<'a> {
    /// Device the parameters are created on.
    pub device: &'a Device,
    /// The encoder whose features the decoder consumes (dims, strides, patch size).
    pub encoder: &'a EncoderSpec,
    /// Output classes.
    pub num_classes: usize,
}

/// Author-facing decoder: implemented on a `#[derive(Module)]` struct.
pub trait DecoderModel: crate::burn::module::Module + Send + 'static {
    /// Logits (B, K, H, W) at `output_size` from the encoder's feature maps.
    fn forward(&self, features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4>;
}

/// Engine-facing decoder.
pub trait Decoder: Send {
    /// Registry name.
    fn name(&self) -> &str;
    /// Logits (B, K, H, W).
    fn forward(
        &self,
        features: Features,
        output_size: [usize; 2],
    ) -> Result<Tensor<4>, ComponentError>;
    /// Parameter operations.
    fn params(&mut self) -> &mut dyn Trainable;
    /// Read-only parameter operations.
    fn params_ref(&self) -> &dyn Trainable;
    /// A copy for evaluation.
    fn inference_copy(&self) -> Box<dyn Decoder>;
}

/// Adapts a [`DecoderModel`] to [`Decoder`].
pub struct ModuleDecoder<M: DecoderModel> {
    name: String,
    num_classes: usize,
    slot: ModuleSlot<M>,
}

impl<M: DecoderModel> ModuleDecoder<M> {
    /// Wraps a built model.
    pub fn new(name: impl Into<String>, num_classes: usize, model: M) -> Self {
        Self {
            name: name.into(),
            num_classes,
            slot: ModuleSlot::new(model),
        }
    }
}

impl<M: DecoderModel> Decoder for ModuleDecoder<M> {
    fn name(&self) -> &str {
        &self.name
    }

    fn forward(
        &self,
        features: Features,
        output_size: [usize; 2],
    ) -> Result<Tensor<4>, ComponentError> {
        let logits = self.slot.get().forward(features.maps, output_size);
        let [_, k, h, w] = logits.dims();
        if k != self.num_classes || [h, w] != output_size {
            return Err(ComponentError::Shape {
                component: format!("decoder '{}'", self.name),
                message: format!(
                    "returned logits with {k} classes at {h}x{w}, expected {} at {}x{}",
                    self.num_classes, output_size[0], output_size[1]
                ),
            });
        }
        Ok(logits)
    }

    fn params(&mut self) -> &mut dyn Trainable {
        &mut self.slot
    }

    fn params_ref(&self) -> &dyn Trainable {
        &self.slot
    }

    fn inference_copy(&self) -> Box<dyn Decoder> {
        Box::new(Self {
            name: self.name.clone(),
            num_classes: self.num_classes,
            slot: self.slot.valid(),
        })
    }
}
