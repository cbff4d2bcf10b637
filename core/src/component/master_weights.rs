//! f32 master weights for mixed-precision training (`precision=bf16`).
//!
//! The model computes in bf16; its learnable parameters also live as f32 copies in a second
//! module of the same type (the *master*), which is what the optimizer updates. After each
//! step the master is cast back into the model. Batch-norm running statistics are not
//! learnable: the master shares them with the model (clones of a `RunningState` share its
//! value), so they stay in the model's dtype and are never stale in either copy.

use std::collections::HashMap;

use crate::burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use crate::burn::optim::GradientsParams;
use crate::burn::tensor::{DType, Tensor};

/// Casts every learnable (gradient-taking) float parameter to `dtype`, leaving running
/// statistics and fixed tensors as they are.
pub(super) struct CastLearnable(pub DType);

impl ModuleMapper for CastLearnable {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let tensor = if tensor.is_require_grad() && tensor.dtype() != self.0 {
            // Through the inner (non-autodiff) tensor: a cast recorded on the graph would not be
            // a leaf, and only leaves can take gradients.
            Tensor::from_inner(tensor.inner().cast(self.0)).require_grad()
        } else {
            tensor
        };
        Param::from_mapped_value(id, tensor, mapper)
    }
}

/// The dtype of the first learnable parameter, i.e. what the model computes in.
pub(super) fn learnable_dtype<M: Module>(module: &M) -> Option<DType> {
    struct First(Option<DType>);
    impl ModuleVisitor for First {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let value = param.val();
            if self.0.is_none() && value.is_require_grad() {
                self.0 = Some(value.dtype());
            }
        }
    }
    let mut first = First(None);
    module.visit(&mut first);
    first.0
}

/// Re-registers each gradient of `module`'s parameters in f32, the dtype of the master copy
/// the optimizer (and its moment estimates) work in.
pub(super) fn grads_to_f32<M: Module>(module: &M, grads: &mut GradientsParams) {
    struct ToF32<'a>(&'a mut GradientsParams);
    impl ModuleVisitor for ToF32<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(grad) = self.0.remove::<D>(param.id) {
                self.0.register(param.id, grad.cast(DType::F32));
            }
        }
    }
    module.visit(&mut ToF32(grads));
}

/// Copies the master's learnable parameters into the model, cast to the model's dtype; ids are
/// kept, so the optimizer's state (keyed by parameter id) carries over.
pub(super) fn copy_learnable<M: Module>(master: &M, model: M) -> M {
    struct Collect(HashMap<ParamId, Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let value = param.val();
            if value.is_require_grad() {
                let n = value.shape().num_elements();
                self.0
                    .insert(param.id, Tensor::from_inner(value.inner().reshape([n])));
            }
        }
    }
    struct Assign(HashMap<ParamId, Tensor<1>>);
    impl ModuleMapper for Assign {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let tensor = match self.0.remove(&id) {
                Some(flat) if tensor.is_require_grad() => {
                    Tensor::from_inner(flat.inner().reshape(tensor.shape()).cast(tensor.dtype()))
                        .require_grad()
                }
                _ => tensor,
            };
            Param::from_mapped_value(id, tensor, mapper)
        }
    }
    let mut collect = Collect(HashMap::new());
    master.visit(&mut collect);
    model.map(&mut Assign(collect.0))
}

#[cfg(test)]
mod tests {
    use super::super::{ModuleSlot, Trainable};
    use super::*;
    use crate::burn::nn::{Linear, LinearConfig};
    use crate::burn::optim::AdamWConfig;
    use crate::burn::tensor::{Device, TensorData};

    /// A 1→1 linear layer with weight 1 and bias 0, its learnables in bf16, on an autodiff
    /// device whose default float type stays f32 (configuring the shared flex device would
    /// leak bf16 into concurrently running tests).
    fn bf16_layer(device: &Device) -> Linear {
        let layer: Linear = LinearConfig::new(1, 1).init(device);
        let ones = |t: Tensor<2>| Tensor::<2>::ones(t.shape(), device).require_grad();
        let layer = Linear {
            weight: layer.weight.map(ones),
            bias: layer.bias.map(|p| p.map(|b| b.zeros_like().require_grad())),
        };
        layer.map(&mut CastLearnable(DType::BF16))
    }

    /// Trains `steps` Adam steps of lr 1e-4 on loss = output: each moves the weight by ~1e-4,
    /// 78× below bf16's spacing at 1.0 (2⁻⁷).
    fn train(slot: &mut ModuleSlot<Linear>, device: &Device, steps: usize) {
        let mut optim = AdamWConfig::new().with_weight_decay(0.0).init();
        let x =
            Tensor::<2>::from_data(TensorData::new(vec![1.0f32], [1, 1]), device).cast(DType::BF16);
        for _ in 0..steps {
            let mut grads = slot.get().forward(x.clone()).sum().backward();
            slot.step(&mut optim, 1e-4, &mut grads);
        }
    }

    fn weight(layer: &Linear) -> (f32, DType) {
        let w = layer.weight.val();
        let dtype = w.dtype();
        (
            w.into_data().convert::<f32>().try_to_vec::<f32>().unwrap()[0],
            dtype,
        )
    }

    #[test]
    fn updates_below_bf16_resolution_accumulate_in_the_f32_master() {
        let device = Device::flex().autodiff();
        let mut plain = ModuleSlot::new(bf16_layer(&device));
        train(&mut plain, &device, 100);
        assert_eq!(
            weight(plain.get()),
            (1.0, DType::BF16),
            "without master weights bf16 rounds every update away"
        );

        let mut mixed = ModuleSlot::new(bf16_layer(&device));
        mixed.keep_f32_master();
        train(&mut mixed, &device, 100);
        let master = weight(mixed.master.as_ref().unwrap());
        assert_eq!(master.1, DType::F32);
        assert!(
            (master.0 - 0.99).abs() < 1e-3,
            "100 steps of ~1e-4: {}",
            master.0
        );
        let (w, dtype) = weight(mixed.get());
        assert_eq!(dtype, DType::BF16, "the model keeps computing in bf16");
        assert_eq!(
            w,
            253.0 / 256.0,
            "bf16 rounding of the master's {}",
            master.0
        );

        // The checkpoint holds the master; loading restores it exactly and the model's rounding.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ckpt.bpk");
        mixed.save(&path).unwrap();
        let mut restored = ModuleSlot::new(bf16_layer(&device));
        restored.keep_f32_master();
        restored.load(&path).unwrap();
        assert_eq!(weight(restored.master.as_ref().unwrap()), master);
        assert_eq!(weight(restored.get()), (w, DType::BF16));
    }

    #[test]
    fn f32_and_frozen_modules_keep_no_copy() {
        let device = Device::flex().autodiff();
        let mut f32_slot = ModuleSlot::new(LinearConfig::new(2, 2).init(&device));
        f32_slot.keep_f32_master();
        assert!(f32_slot.master.is_none());
        let mut frozen = ModuleSlot::new(bf16_layer(&device));
        frozen.freeze();
        frozen.keep_f32_master();
        assert!(frozen.master.is_none());
    }
}
