//! The parallel cast against burn's `cast`: bit for bit on special values and random data,
//! strided views, and gradients.

use super::*;
use eobench_core::burn::tensor::{Device, Distribution, TensorData};

fn bits_f32(t: Tensor<1>) -> Vec<u32> {
    t.into_data()
        .try_to_vec::<f32>()
        .unwrap()
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

/// Values where rounding decides: ties to even in both directions, carries into the exponent,
/// overflow to ∞, subnormals, signed zeros, infinities and NaNs with payloads.
fn special_values() -> Vec<f32> {
    let bits: [u32; 16] = [
        0x3F80_8000, // 1 + 2⁻⁸: a tie, rounds down to the even 1.0
        0x3F81_8000, // a tie that rounds up to even
        0x3F80_8001, // just above a tie
        0x3F80_7FFF, // just below a tie
        0x3FFF_FFFF, // carries into the exponent
        0x7F7F_FFFF, // f32::MAX rounds to ∞
        0x7F7F_7FFF, // the largest that stays finite
        0x0000_0001, // smallest subnormal
        0x807F_FFFF, // negative subnormal carrying to the smallest normal
        0x0000_0000,
        0x8000_0000,
        0x7F80_0000,
        0xFF80_0000,
        0x7FC0_0000, // quiet NaN
        0x7F80_0001, // signalling NaN whose payload sits below bf16's bits
        0xFFA0_1234, // negative NaN with payload
    ];
    bits.iter().map(|&b| f32::from_bits(b)).collect()
}

#[test]
fn f32_to_bf16_matches_burn_bit_for_bit() {
    let device = Device::flex();
    let mut values = special_values();
    // Enough random values for several parallel chunks, across many binades.
    let random = Tensor::<1>::random([100_003], Distribution::Normal(0.0, 1.0), &device)
        .exp()
        .mul_scalar(1e-3);
    values.extend(random.into_data().try_to_vec::<f32>().unwrap());
    let x = Tensor::<1>::from_data(TensorData::new(values.clone(), [values.len()]), &device);
    assert!(uses_parallel_cast(&x, DType::BF16));
    let ours = cast(x.clone(), DType::BF16);
    assert_eq!(ours.dtype(), DType::BF16);
    let reference = x.cast(DType::BF16);
    // Widening is exact, so equal f32 bits mean equal bf16 bits.
    let ours = bits_f32(ours.cast(DType::F32));
    let reference = bits_f32(reference.cast(DType::F32));
    for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
        assert_eq!(a, b, "element {i}: input {:#010x}", values[i].to_bits());
    }
}

#[test]
fn bf16_to_f32_is_exact_and_strided_views_are_read_in_order() {
    let device = Device::flex();
    let x =
        Tensor::<2>::random([300, 257], Distribution::Normal(0.0, 10.0), &device).cast(DType::BF16);
    let widened = cast(x.clone(), DType::F32);
    assert_eq!(widened.dtype(), DType::F32);
    assert_eq!(
        bits_f32(widened.reshape([300 * 257])),
        bits_f32(x.clone().cast(DType::F32).reshape([300 * 257]))
    );
    let transposed = x.swap_dims(0, 1);
    let ours = cast(transposed.clone(), DType::F32);
    assert_eq!(ours.dims(), [257, 300]);
    assert_eq!(
        bits_f32(ours.reshape([300 * 257])),
        bits_f32(transposed.cast(DType::F32).reshape([300 * 257]))
    );
}

#[test]
fn gradients_are_cast_back_to_the_input_dtype() {
    let device = Device::flex().autodiff();
    let x = Tensor::<2>::random([7, 9], Distribution::Normal(0.0, 1.0), &device).require_grad();
    let y = cast(cast(x.clone(), DType::BF16).mul_scalar(3.0), DType::F32);
    assert_eq!(y.dtype(), DType::F32);
    let grads = (y.clone() * y).sum().backward();
    let dx = x.grad(&grads).unwrap();
    assert_eq!(dx.dtype(), DType::F32);
    // d/dx (3·bf16(x))² = 18·bf16(x), each factor rounded to bf16 on the way back.
    let expected = x
        .inner()
        .cast(DType::BF16)
        .cast(DType::F32)
        .mul_scalar(18.0);
    let err: f32 = (dx - expected.clone()).abs().max().into_scalar();
    let scale: f32 = expected.abs().max().into_scalar();
    assert!(err <= scale * 1e-2, "{err} vs {scale}");
}

#[test]
fn other_pairs_and_same_dtype_take_burns_path() {
    let device = Device::flex();
    let x = Tensor::<1>::random([5], Distribution::Normal(0.0, 1.0), &device);
    assert!(!uses_parallel_cast(&x, DType::F16));
    assert!(!uses_parallel_cast(&x, DType::F32));
    assert_eq!(cast(x.clone(), DType::F16).dtype(), DType::F16);
    assert_eq!(bits_f32(cast(x.clone(), DType::F32)), bits_f32(x));
}
