use std::path::Path;

use crate::burn::module::{Module, ModuleVisitor, Param};
use crate::burn::optim::{GradientsParams, ModuleOptimizer};
use crate::burn::tensor::{Gradients, Tensor};

use super::ComponentError;

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
    }

    fn is_frozen(&self) -> bool {
        self.frozen
    }

    fn step(&mut self, optim: &mut ModuleOptimizer, lr: f64, grads: &mut Gradients) {
        if self.frozen {
            return;
        }
        let params = GradientsParams::from_module(grads, self.get());
        self.update(|m| optim.step(lr, m, params));
    }

    fn save(&self, path: &Path) -> Result<(), ComponentError> {
        self.get()
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
        self.module = Some(loaded);
        Ok(())
    }
}
