use std::path::Path;

use crate::burn::module::{Module, ModuleVisitor, Param};
use crate::burn::optim::{GradientsParams, ModuleOptimizer};
use crate::burn::tensor::{DType, Gradients, Tensor};

use super::ComponentError;
use super::master_weights::{CastLearnable, copy_learnable, grads_to_f32, learnable_dtype};

/// The parameter-level operations the engine needs, object-safe. burn's `Module` is not
/// (it is `Clone` and has generic visitors), so each component wraps its concrete module in a
/// [`ModuleSlot`], which implements this once for every module type.
pub trait Trainable: Send {
    /// Learnable parameters, counted like PyTorch's `parameters()` (batch-norm running
    /// statistics excluded), so counts compare with the reference implementations.
    fn num_params(&self) -> usize;
    /// Parameters the optimizer updates (0 when frozen).
    fn num_trainable_params(&self) -> usize;
    /// Stops gradients *and* training behaviour (dropout, batch-norm statistics): a frozen
    /// encoder runs in eval mode, unlike Pangaea which leaves it in train mode.
    fn freeze(&mut self);
    /// Whether [`Trainable::freeze`] was called.
    fn is_frozen(&self) -> bool;
    /// Mixed precision: from now on the optimizer updates an f32 copy of the learnable
    /// parameters and casts it back into the module after each step (see
    /// [`crate::precision::Precision::Bf16`]). Nothing to do for an f32 or frozen module.
    fn keep_f32_master(&mut self);
    /// Takes this module's gradients out of `grads` and applies one optimizer step.
    fn step(&mut self, optim: &mut ModuleOptimizer, lr: f64, grads: &mut Gradients);
    /// Writes the parameters to a burnpack file.
    fn save(&self, path: &Path) -> Result<(), ComponentError>;
    /// Reads parameters written by [`Trainable::save`].
    fn load(&mut self, path: &Path) -> Result<(), ComponentError>;
}

/// Holds a burn module by value so the by-value `Module` API (`step`, `freeze`, ...) can be used
/// through `&mut self` without cloning the parameters.
#[derive(Debug)]
pub struct ModuleSlot<M: Module> {
    module: Option<M>,
    frozen: bool,
    learnable: usize,
    /// f32 copy of the learnable parameters when the module computes in a lower precision.
    pub(super) master: Option<M>,
}

/// Counts elements of parameters that take gradients; running statistics never do.
struct LearnableCounter(usize);

impl ModuleVisitor for LearnableCounter {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        if value.is_require_grad() {
            self.0 += value.shape().num_elements();
        }
    }
}

impl<M: Module> ModuleSlot<M> {
    /// Wraps a freshly built module. On an autodiff device the learnable parameters are counted
    /// now, before any freezing; elsewhere burn's count (which includes running statistics) is used.
    pub fn new(module: M) -> Self {
        let mut counter = LearnableCounter(0);
        module.visit(&mut counter);
        let learnable = if counter.0 > 0 {
            counter.0
        } else {
            module.num_params()
        };
        Self {
            module: Some(module),
            frozen: false,
            learnable,
            master: None,
        }
    }

    /// The module.
    pub fn get(&self) -> &M {
        self.module
            .as_ref()
            .expect("module slot is only empty inside a by-value update")
    }

    fn update(&mut self, f: impl FnOnce(M) -> M) {
        let module = self
            .module
            .take()
            .expect("module slot is only empty inside a by-value update");
        self.module = Some(f(module));
    }

    /// A copy for inference: no autodiff, no training flags.
    pub fn valid(&self) -> Self {
        Self {
            module: Some(self.get().valid()),
            frozen: self.frozen,
            learnable: self.learnable,
            master: None,
        }
    }
}

impl<M: Module + Send + 'static> Trainable for ModuleSlot<M> {
    fn num_params(&self) -> usize {
        self.learnable
    }

    fn num_trainable_params(&self) -> usize {
        if self.frozen { 0 } else { self.num_params() }
    }

    fn freeze(&mut self) {
        self.update(|m| m.freeze());
        self.frozen = true;
        self.master = None;
    }

    fn is_frozen(&self) -> bool {
        self.frozen
    }

    fn keep_f32_master(&mut self) {
        if self.frozen || self.master.is_some() {
            return;
        }
        if learnable_dtype(self.get()).is_none_or(|d| d == DType::F32) {
            return;
        }
        self.master = Some(self.get().clone().map(&mut CastLearnable(DType::F32)));
    }

    fn step(&mut self, optim: &mut ModuleOptimizer, lr: f64, grads: &mut Gradients) {
        if self.frozen {
            return;
        }
        let mut params = GradientsParams::from_module(grads, self.get());
        match self.master.take() {
            None => self.update(|m| optim.step(lr, m, params)),
            Some(master) => {
                grads_to_f32(self.get(), &mut params);
                let master = optim.step(lr, master, params);
                self.update(|m| copy_learnable(&master, m));
                self.master = Some(master);
            }
        }
    }

    /// With master weights the f32 copy is written (it shares the running statistics).
    fn save(&self, path: &Path) -> Result<(), ComponentError> {
        self.master
            .as_ref()
            .unwrap_or_else(|| self.get())
            .clone()
            .save_file(path)
            .map_err(|e| ComponentError::File {
                path: path.to_path_buf(),
                message: format!("cannot write checkpoint: {e}"),
            })
    }

    fn load(&mut self, path: &Path) -> Result<(), ComponentError> {
        let loaded = self
            .get()
            .clone()
            .try_load_file(path)
            .map_err(|e| ComponentError::File {
                path: path.to_path_buf(),
                message: format!("cannot read checkpoint: {e}"),
            })?;
        match (&self.master, learnable_dtype(self.get())) {
            (Some(_), Some(dtype)) => {
                // The file holds f32 learnables (see `save`): the master takes them as they
                // are, the module its own dtype's rounding of them.
                self.master = Some(loaded.clone().map(&mut CastLearnable(DType::F32)));
                self.module = Some(loaded.map(&mut CastLearnable(dtype)));
            }
            _ => self.module = Some(loaded),
        }
        Ok(())
    }
}
