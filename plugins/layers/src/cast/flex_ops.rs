//! The cast on burn-flex tensors: f32 ↔ bf16 through [`super::kernels`], anything else through
//! burn-flex's own `float_cast`.

use super::kernels;
use crate::flex_slices::{with_bf16, with_f32};
use eobench_core::burn::backend::Flex;
use eobench_core::burn::backend::flex::FlexTensor;
use eobench_core::burn::backend::ops::FloatTensorOps;
use eobench_core::burn::tensor::{DType, FloatDType, TensorData};

/// `x` in `dtype`, same shape, contiguous.
pub fn cast(x: FlexTensor, dtype: FloatDType) -> FlexTensor {
    let shape = x.layout().shape().clone();
    match (x.dtype(), dtype) {
        (DType::F32, FloatDType::BF16) => {
            let out = with_f32(&x, kernels::f32_to_bf16);
            FlexTensor::from_data(TensorData::new(out, shape))
        }
        (DType::BF16, FloatDType::F32) => {
            let out = with_bf16(&x, kernels::bf16_to_f32);
            FlexTensor::from_data(TensorData::new(out, shape))
        }
        _ => <Flex as FloatTensorOps<Flex>>::float_cast(x, dtype),
    }
}
