use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use eobench_core::burn::tensor::{Device, Tensor};
use eobench_core::component::{
    ComponentError, EncoderContext, EncoderModel, EncoderSpec, ModalitySpec,
};
use eobench_core::sample::Batch;
use eobench_core::weights::{
    CheckpointLayout, LoadReport, WeightsSource, load_weights, resolve_weights,
};
use eobench_layers::{Attention, Mlp, alibi_2d_bias_tensor, stack_modalities, tokens_to_map};

use crate::config::{CromaConfig, CromaKind};

/// torch `nn.LayerNorm` default, used throughout CROMA (not timm's 1e-6).
pub const CROMA_LN_EPS: f64 = 1e-5;

/// One pre-norm CROMA block: `x += to_out(attn(input_norm(x)) + ALiBi)`, `x += net(input_norm(x))`.
///
/// Checkpoint keys `transformer.layers.{i}.0.{input_norm,to_qkv,to_out}` and
/// `transformer.layers.{i}.1.{input_norm,net.0,net.3}` are mapped onto these fields by
/// [`checkpoint_layout`].
#[derive(Module, Debug)]
pub struct CromaLayer {
    /// Attention `input_norm` (`.0.input_norm`).
    pub attn_norm: LayerNorm,
    /// `to_qkv` (no bias) → `qkv`, `to_out` → `proj`.
    pub attn: Attention,
    /// FFN `input_norm` (`.1.input_norm`).
    pub ffn_norm: LayerNorm,
    /// `net.0` → `fc1`, exact GELU, `net.3` → `fc2` (×4 hidden).
    pub mlp: Mlp,
}

impl CromaLayer {
    fn forward(&self, x: Tensor<3>, bias: Tensor<4>) -> Tensor<3> {
        let x = self
            .attn
            .forward_with_bias(self.attn_norm.forward(x.clone()), Some(bias))
            + x;
        self.mlp.forward(self.ffn_norm.forward(x.clone())) + x
    }
}

/// CROMA `BaseTransformer`: blocks + `norm_out`.
#[derive(Module, Debug)]
pub struct CromaTransformer {
    /// Blocks.
    pub layers: Vec<CromaLayer>,
    /// Final LayerNorm (applied to the last requested output).
    pub norm_out: LayerNorm,
}

/// CROMA's ViT (`s2_encoder` / `s1_encoder`): patchify by rearrange + `linear_input`
/// (Linear(p·p·C → D)), no position embedding, no class token, 2-D ALiBi attention bias.
#[derive(Module, Debug)]
pub struct CromaVit {
    /// Linear patch embedding over `(c, i, j)`-ordered patch pixels.
    pub linear_input: Linear,
    /// The transformer.
    pub transformer: CromaTransformer,
    /// Patch side.
    pub patch_size: usize,
    /// The declaration the forward pass follows.
    #[module(skip)]
    pub spec: EncoderSpec,
}

/// How the official `CROMA_base.pt` / `CROMA_large.pt` maps onto [`CromaVit`]: the sub-dict
/// `s2_encoder` / `s1_encoder`, keys renamed block by block; nothing else is dropped.
pub fn checkpoint_layout(kind: CromaKind, allow_missing: &[String]) -> CheckpointLayout {
    let l = r"^transformer\.layers\.(\d+)\.";
    let to = "transformer.layers.${1}.";
    let remap = [
        ("0\\.input_norm\\.", "attn_norm."),
        ("0\\.to_qkv\\.", "attn.qkv."),
        ("0\\.to_out\\.", "attn.proj."),
        ("1\\.input_norm\\.", "ffn_norm."),
        ("1\\.net\\.0\\.", "mlp.fc1."),
        ("1\\.net\\.3\\.", "mlp.fc2."),
    ]
    .iter()
    .map(|(from, dst)| (format!("{l}{from}"), format!("{to}{dst}")))
    .collect();
    CheckpointLayout {
        top_level_key: Some(kind.checkpoint_key().into()),
        remap,
        ignore_unused: vec![],
        allow_missing: allow_missing.to_vec(),
    }
}

fn layer_norm(d: usize, device: &Device) -> LayerNorm {
    LayerNormConfig::new(d)
        .with_epsilon(CROMA_LN_EPS)
        .init(device)
}

/// Builds the (randomly initialised) module and its spec; no weights are read.
pub fn build_random(
    kind: CromaKind,
    cfg: &CromaConfig,
    device: &Device,
) -> (EncoderSpec, CromaVit) {
    let n_out = cfg.output_layers.len();
    let spec = EncoderSpec {
        name: kind.name().into(),
        modalities: vec![ModalitySpec {
            name: kind.modality().into(),
            bands: cfg.bands.clone(),
        }],
        input_size: cfg.input_size,
        patch_size: Some(cfg.patch_size),
        output_layers: cfg.output_layers.clone(),
        output_dims: vec![cfg.embed_dim; n_out],
        output_strides: vec![cfg.patch_size; n_out],
        accepts_any_bands: false,
        finetune_only: false,
        weights: cfg.weights.clone(),
    };
    let d = cfg.embed_dim;
    let c = cfg.bands.len();
    let layers = (0..cfg.depth)
        .map(|_| CromaLayer {
            attn_norm: layer_norm(d, device),
            attn: Attention::new(d, cfg.num_heads, false, device),
            ffn_norm: layer_norm(d, device),
            mlp: Mlp::new(d, 4 * d, device),
        })
        .collect();
    let model = CromaVit {
        linear_input: LinearConfig::new(cfg.patch_size * cfg.patch_size * c, d).init(device),
        transformer: CromaTransformer {
            layers,
            norm_out: layer_norm(d, device),
        },
        patch_size: cfg.patch_size,
        spec: spec.clone(),
    };
    (spec, model)
}

/// Builds the module and loads `cfg.weights` (strictly) unless it is `random`.
pub(crate) fn build_model(
    kind: CromaKind,
    cfg: &CromaConfig,
    ctx: &EncoderContext,
) -> Result<(EncoderSpec, CromaVit, Option<LoadReport>), ComponentError> {
    let (spec, mut model) = build_random(kind, cfg, ctx.device);
    let file_err =
        |path: std::path::PathBuf, message: String| ComponentError::File { path, message };
    let source = resolve_weights(&cfg.weights, &cfg.releases).map_err(|e| {
        file_err(
            cfg.weights.clone().into(),
            format!("{} weights: {e}", kind.name()),
        )
    })?;
    let report = match source {
        WeightsSource::Random => None,
        WeightsSource::File(path) => Some(
            load_weights(
                &mut model,
                &path,
                &checkpoint_layout(kind, &cfg.allow_missing),
            )
            .map_err(|e| file_err(path.clone(), e.to_string()))?,
        ),
    };
    Ok((spec, model, report))
}

impl CromaVit {
    /// (B, C, H, W) → one (B, D, H/p, W/p) map per output layer; `norm_out` on the last one.
    ///
    /// Blocks after the last output layer are skipped (they cannot change the outputs).
    pub fn forward_image(&self, x: Tensor<4>) -> Result<Vec<Tensor<4>>, ComponentError> {
        let [b, c, h, w] = x.dims();
        let p = self.patch_size;
        if h % p != 0 || w % p != 0 {
            return Err(ComponentError::Shape {
                component: format!("encoder '{}'", self.spec.name),
                message: format!("input {h}x{w} is not a multiple of the patch size {p}"),
            });
        }
        let (gh, gw) = (h / p, w / p);
        // rearrange 'b c (h i) (w j) -> b (h w) (c i j)'.
        let tokens = x
            .reshape([b, c, gh, p, gw, p])
            .permute([0, 2, 4, 1, 3, 5])
            .reshape([b, gh * gw, c * p * p]);
        let mut x = self.linear_input.forward(tokens);
        let heads = self.transformer.layers[0].attn.num_heads;
        let bias = alibi_2d_bias_tensor(heads, [gh, gw], &x.device());
        let outs_at = &self.spec.output_layers;
        let last_out = *outs_at.last().expect("validated non-empty");
        let mut outs = Vec::with_capacity(outs_at.len());
        for (i, layer) in self
            .transformer
            .layers
            .iter()
            .enumerate()
            .take(last_out + 1)
        {
            x = layer.forward(x, bias.clone());
            if outs_at.contains(&i) {
                let y = if i == last_out {
                    self.transformer.norm_out.forward(x.clone())
                } else {
                    x.clone()
                };
                outs.push(tokens_to_map(y, [gh, gw]));
            }
        }
        Ok(outs)
    }
}

impl EncoderModel for CromaVit {
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError> {
        self.forward_image(stack_modalities(batch, &self.spec)?)
    }
}
