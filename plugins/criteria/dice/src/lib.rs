//! Soft Dice loss (see README.md).

use eobench_core::burn::tensor::activation::softmax;
use eobench_core::burn::tensor::{Int, Tensor};
use eobench_core::component::{ComponentError, Criterion, CriterionContext, parse_config};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {}

/// Soft Dice over (B, K, H, W) logits.
pub struct Dice {
    num_classes: usize,
    ignore_index: Option<i64>,
}

fn build(
    value: &serde_json::Value,
    ctx: &CriterionContext,
) -> Result<Box<dyn Criterion>, ComponentError> {
    let _: Config = parse_config("criterion", "dice", value)?;
    Ok(Box::new(Dice {
        num_classes: ctx.num_classes,
        ignore_index: ctx.ignore_index,
    }))
}

eobench_registry::register_criterion!(
    "dice",
    "Soft Dice loss over softmax probabilities, ignore index masked",
    build
);

impl Criterion for Dice {
    fn name(&self) -> &str {
        "dice"
    }

    fn loss(&self, logits: Tensor<4>, target: Tensor<3, Int>) -> Tensor<1> {
        let [b, k, h, w] = logits.dims();
        let probs = softmax(logits, 1);
        let valid = match self.ignore_index {
            Some(ignore) => target.clone().not_equal_elem(ignore),
            None => target.clone().equal(target.clone()),
        };
        let safe = target.mask_fill(valid.clone().bool_not(), 0);
        let one_hot: Tensor<4> = safe
            .one_hot::<4>(self.num_classes)
            .float()
            .permute([0, 3, 1, 2]);
        let mask = valid.float().unsqueeze_dim::<4>(1);
        let p = (probs * mask.clone()).reshape([b, k, h * w]);
        let y = (one_hot * mask).reshape([b, k, h * w]);
        let inter = (p.clone() * y.clone()).sum_dim(2);
        let union = p.sum_dim(2) + y.sum_dim(2);
        let dice = (inter * 2.0 + 1e-6) / (union + 1e-6);
        dice.mean().neg() + 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eobench_core::burn::tensor::{Device, TensorData};

    #[test]
    fn confident_correct_prediction_has_near_zero_loss_and_wrong_has_high() {
        let device = Device::flex();
        let target =
            Tensor::<3, Int>::from_data(TensorData::new(vec![0i64, 1, 1, -1], [1, 2, 2]), &device);
        let good = Tensor::<4>::from_data(
            TensorData::new(
                vec![20.0f32, -20.0, -20.0, 0.0, -20.0, 20.0, 20.0, 0.0],
                [1, 2, 2, 2],
            ),
            &device,
        );
        let dice = Dice {
            num_classes: 2,
            ignore_index: Some(-1),
        };
        let l: f32 = dice.loss(good.clone(), target.clone()).into_scalar();
        assert!(l < 1e-4, "{l}");
        let bad: f32 = dice.loss(good.neg(), target).into_scalar();
        assert!(bad > 0.99, "{bad}");
    }
}
