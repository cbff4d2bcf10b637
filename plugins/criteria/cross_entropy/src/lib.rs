//! Cross-entropy with an ignore index and optional class weights (see README.md).

use eobench_core::burn::tensor::activation::log_softmax;
use eobench_core::burn::tensor::{Int, Tensor, TensorData};
use eobench_core::component::{ComponentError, Criterion, CriterionContext, parse_config};
use serde::Deserialize;

/// Class weighting, as configured.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ClassWeights {
    /// `inverse_frequency`.
    Named(String),
    /// One weight per class.
    Explicit(Vec<f64>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    class_weights: Option<ClassWeights>,
}

/// Cross-entropy over (B, K, H, W) logits.
pub struct CrossEntropy {
    ignore_index: Option<i64>,
    weights: Option<Tensor<1>>,
}

impl CrossEntropy {
    /// Unweighted, optionally ignoring one label value.
    pub fn new(ignore_index: Option<i64>) -> Self {
        Self {
            ignore_index,
            weights: None,
        }
    }
}

fn resolve_weights(
    cfg: &Config,
    ctx: &CriterionContext,
) -> Result<Option<Vec<f64>>, ComponentError> {
    let err = |message: String| ComponentError::Config {
        component: "criterion 'cross_entropy'".into(),
        message,
    };
    match &cfg.class_weights {
        None => Ok(None),
        Some(ClassWeights::Named(n)) if n == "inverse_frequency" => {
            let dist = ctx.class_distribution;
            if dist.len() != ctx.num_classes {
                return Err(err(format!(
                    "class_weights: inverse_frequency needs the dataset's class_distribution with {} entries, it has {}",
                    ctx.num_classes,
                    dist.len()
                )));
            }
            if let Some(i) = dist.iter().position(|f| *f <= 0.0) {
                return Err(err(format!(
                    "class_weights: inverse_frequency: class {i} has frequency {} (must be > 0)",
                    dist[i]
                )));
            }
            Ok(Some(dist.iter().map(|f| 1.0 / f).collect()))
        }
        Some(ClassWeights::Named(n)) => Err(err(format!(
            "class_weights: unknown value '{n}'; use null, inverse_frequency or a list"
        ))),
        Some(ClassWeights::Explicit(w)) if w.len() != ctx.num_classes => Err(err(format!(
            "class_weights has {} entries, the dataset has {} classes",
            w.len(),
            ctx.num_classes
        ))),
        Some(ClassWeights::Explicit(w)) => Ok(Some(w.clone())),
    }
}

fn build(
    value: &serde_json::Value,
    ctx: &CriterionContext,
) -> Result<Box<dyn Criterion>, ComponentError> {
    let cfg: Config = parse_config("criterion", "cross_entropy", value)?;
    let weights = resolve_weights(&cfg, ctx)?.map(|w| {
        let w: Vec<f32> = w.iter().map(|v| *v as f32).collect();
        let n = w.len();
        Tensor::<1>::from_data(TensorData::new(w, [n]), ctx.device)
    });
    Ok(Box::new(CrossEntropy {
        ignore_index: ctx.ignore_index,
        weights,
    }))
}

eobench_registry::register_criterion!(
    "cross_entropy",
    "Pixel-wise cross-entropy with ignore index and optional class weights",
    build
);

impl Criterion for CrossEntropy {
    fn name(&self) -> &str {
        "cross_entropy"
    }

    fn loss(&self, logits: Tensor<4>, target: Tensor<3, Int>) -> Tensor<1> {
        let [b, _, h, w] = logits.dims();
        let log_p = log_softmax(logits, 1);
        let valid = match self.ignore_index {
            Some(ignore) => target.clone().not_equal_elem(ignore),
            None => target.clone().equal(target.clone()),
        };
        // Ignored pixels index class 0 so gather stays in range; their weight is zero.
        let safe = target.mask_fill(valid.clone().bool_not(), 0);
        let picked: Tensor<3> = log_p
            .gather(1, safe.clone().unsqueeze_dim::<4>(1))
            .squeeze_dim(1);
        let mut pixel_weight = valid.float();
        if let Some(weights) = &self.weights {
            let per_pixel = weights
                .clone()
                .select(0, safe.reshape([b * h * w]))
                .reshape([b, h, w]);
            pixel_weight = pixel_weight * per_pixel;
        }
        let total = pixel_weight.clone().sum().clamp_min(1e-12);
        (picked * pixel_weight).sum().neg() / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eobench_core::burn::tensor::Device;

    fn logits(device: &Device) -> Tensor<4> {
        // B=1, K=2, H=1, W=3
        Tensor::from_data(
            TensorData::new(vec![2.0f32, 0.0, 1.0, 0.0, 1.0, 1.0], [1, 2, 1, 3]),
            device,
        )
    }

    fn nll(l0: f64, l1: f64, y: usize) -> f64 {
        let lse = (l0.exp() + l1.exp()).ln();
        lse - if y == 0 { l0 } else { l1 }
    }

    #[test]
    fn matches_hand_computed_values_with_ignore_and_weights() {
        let device = Device::flex();
        let target =
            Tensor::<3, Int>::from_data(TensorData::new(vec![0i64, 1, -1], [1, 1, 3]), &device);
        let plain = CrossEntropy::new(Some(-1)).loss(logits(&device), target.clone());
        let expected = (nll(2.0, 0.0, 0) + nll(0.0, 1.0, 1)) / 2.0;
        let got: f32 = plain.into_scalar();
        assert!((got as f64 - expected).abs() < 1e-5, "{got} vs {expected}");

        let weights = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 3.0], [2]), &device);
        let weighted = CrossEntropy {
            ignore_index: Some(-1),
            weights: Some(weights),
        };
        let got: f32 = weighted.loss(logits(&device), target).into_scalar();
        let expected = (1.0 * nll(2.0, 0.0, 0) + 3.0 * nll(0.0, 1.0, 1)) / 4.0;
        assert!((got as f64 - expected).abs() < 1e-5, "{got} vs {expected}");
    }

    #[test]
    fn inverse_frequency_refuses_zero_frequencies() {
        let device = Device::flex();
        let ctx = CriterionContext {
            device: &device,
            num_classes: 2,
            ignore_index: None,
            class_distribution: &[1.0, 0.0],
        };
        let cfg = serde_json::json!({"class_weights": "inverse_frequency"});
        let err = build(&cfg, &ctx).err().unwrap().to_string();
        assert!(err.contains("class 1 has frequency 0"), "{err}");
    }
}
