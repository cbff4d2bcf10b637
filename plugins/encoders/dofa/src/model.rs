use eobench_core::burn;
use eobench_core::burn::module::{Module, Param};
use eobench_core::burn::nn::{Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use eobench_core::burn::tensor::activation::relu;
use eobench_core::burn::tensor::module::{attention, conv2d};
use eobench_core::burn::tensor::ops::{AttentionModuleOptions, ConvOptions};
use eobench_core::burn::tensor::{Device, Tensor, TensorData};
use eobench_core::component::{ComponentError, EncoderContext, EncoderModel, EncoderSpec};
use eobench_core::sample::Batch;
use eobench_core::weights::{
    CheckpointLayout, LoadReport, WeightsSource, load_weights, resolve_weights,
};
use eobench_layers::gelu;
use eobench_layers::{
    Block, BlockConfig, TIMM_LN_EPS, drop_prefix_tokens, map_to_tokens, resolve_modalities,
    sincos_2d_pos_embed, stack_modalities, timm_normal, tokens_to_map,
};

use crate::config::{DofaConfig, WG_NUM_HEADS};

/// Number of learned weight tokens in the weight generator (hard-coded 128 in DOFA).
pub const WEIGHT_TOKENS: usize = 128;
/// Hidden width of the weight generator's feed-forward (torch `nn.TransformerEncoderLayer` default).
pub const WG_FEEDFORWARD: usize = 2048;
/// LayerNorm epsilon inside the weight generator (torch `nn.TransformerEncoderLayer` default).
pub const WG_LN_EPS: f64 = 1e-5;
/// DOFA scales the generated kernel and bias by this factor (`self.scaler = 0.01`).
pub const DOFA_SCALER: f32 = 0.01;

/// torch `nn.MultiheadAttention` (self-attention only, unbatched (S, E) input), with torch's
/// parameter names: fused `in_proj_weight` (3E, E) / `in_proj_bias` (3E) kept in torch's
/// (out, in) layout as plain parameters, and `out_proj` a Linear.
#[derive(Module, Debug)]
pub struct TorchMultiheadAttention {
    /// Stacked q, k, v projection weights, (3E, E) as torch stores them.
    pub in_proj_weight: Param<Tensor<2>>,
    /// Stacked q, k, v biases (3E).
    pub in_proj_bias: Param<Tensor<1>>,
    /// Output projection.
    pub out_proj: Linear,
    /// Heads.
    pub num_heads: usize,
}

impl TorchMultiheadAttention {
    fn new(dim: usize, num_heads: usize, device: &Device) -> Self {
        Self {
            // torch: xavier_uniform_(in_proj_weight), in_proj_bias = 0.
            in_proj_weight: Initializer::XavierUniform { gain: 1.0 }.init_with(
                [3 * dim, dim],
                Some(dim),
                Some(3 * dim),
                device,
            ),
            in_proj_bias: Initializer::Zeros.init([3 * dim], device),
            out_proj: xavier_linear(dim, dim, device),
            num_heads,
        }
    }

    /// (S, E) → (S, E).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [s, e] = x.dims();
        let (h, hd) = (self.num_heads, e / self.num_heads);
        let qkv = x.matmul(self.in_proj_weight.val().transpose())
            + self.in_proj_bias.val().unsqueeze_dim(0);
        let head = |i: usize| {
            qkv.clone()
                .slice([0..s, i * e..(i + 1) * e])
                .reshape([1, s, h, hd])
                .swap_dims(1, 2)
        };
        let out = attention(
            head(0),
            head(1),
            head(2),
            None,
            None,
            AttentionModuleOptions::default(),
        );
        self.out_proj.forward(out.swap_dims(1, 2).reshape([s, e]))
    }
}

/// torch `nn.TransformerEncoderLayer(d, nhead, activation="gelu", norm_first=False, dropout=0)`:
/// post-norm, `x = norm1(x + sa(x))`, `x = norm2(x + linear2(gelu(linear1(x))))`.
#[derive(Module, Debug)]
pub struct TorchEncoderLayer {
    /// Self-attention.
    pub self_attn: TorchMultiheadAttention,
    /// d → 2048.
    pub linear1: Linear,
    /// 2048 → d.
    pub linear2: Linear,
    /// Post-attention norm (eps 1e-5).
    pub norm1: LayerNorm,
    /// Post-feed-forward norm (eps 1e-5).
    pub norm2: LayerNorm,
}

impl TorchEncoderLayer {
    fn new(dim: usize, device: &Device) -> Self {
        let norm = || {
            LayerNormConfig::new(dim)
                .with_epsilon(WG_LN_EPS)
                .init(device)
        };
        Self {
            self_attn: TorchMultiheadAttention::new(dim, WG_NUM_HEADS, device),
            linear1: xavier_linear(dim, WG_FEEDFORWARD, device),
            linear2: xavier_linear(WG_FEEDFORWARD, dim, device),
            norm1: norm(),
            norm2: norm(),
        }
    }

    /// (S, E) → (S, E).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.norm1.forward(x.clone() + self.self_attn.forward(x));
        let ff = self.linear2.forward(gelu(self.linear1.forward(x.clone())));
        self.norm2.forward(x + ff)
    }
}

/// torch `nn.TransformerEncoder` (no final norm); key `transformer_encoder.layers.{i}`.
#[derive(Module, Debug)]
pub struct TorchTransformerEncoder {
    /// The layers (one in DOFA).
    pub layers: Vec<TorchEncoderLayer>,
}

/// DOFA `TransformerWeightGenerator`: a transformer over
/// `[weight_tokens (128); wave tokens (C); bias_token (1)]`; `fc_weight` maps each wave token
/// (+ its input) to one input channel's p·p·D kernel slice, `fc_bias` the bias token to D biases.
#[derive(Module, Debug)]
pub struct TransformerWeightGenerator {
    /// One post-norm encoder layer, 4 heads.
    pub transformer_encoder: TorchTransformerEncoder,
    /// d → p·p·D.
    pub fc_weight: Linear,
    /// d → D.
    pub fc_bias: Linear,
    /// (128, d).
    pub weight_tokens: Param<Tensor<2>>,
    /// (1, d).
    pub bias_token: Param<Tensor<2>>,
}

impl TransformerWeightGenerator {
    /// Wave embeddings (C, d) → (kernel rows (C, p·p·D), bias (D)).
    pub fn forward(&self, waves: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let [c, d] = waves.dims();
        let mut x = Tensor::cat(
            vec![
                self.weight_tokens.val(),
                waves.clone(),
                self.bias_token.val(),
            ],
            0,
        );
        for layer in &self.transformer_encoder.layers {
            x = layer.forward(x);
        }
        let w = self
            .fc_weight
            .forward(x.clone().slice([WEIGHT_TOKENS..WEIGHT_TOKENS + c, 0..d]) + waves);
        let last = WEIGHT_TOKENS + c;
        let b = self.fc_bias.forward(x.slice([last..last + 1, 0..d]));
        let n = b.dims()[1];
        (w, b.reshape([n]))
    }
}

/// DOFA `FCResLayer`: `x + relu(w2(relu(w1(x))))`.
#[derive(Module, Debug)]
pub struct FcResLayer {
    /// d → d.
    pub w1: Linear,
    /// d → d.
    pub w2: Linear,
}

impl FcResLayer {
    /// (…, d) → (…, d).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.clone() + relu(self.w2.forward(relu(self.w1.forward(x))))
    }
}

/// DOFA's wavelength-conditioned patch embedding (torchgeo `DOFAEmbedding`, Pangaea / authors'
/// `Dynamic_MLP_OFA`).
#[derive(Module, Debug)]
pub struct DofaEmbedding {
    /// Kernel / bias generator.
    pub weight_generator: TransformerWeightGenerator,
    /// Residual MLP on the wavelength embeddings.
    pub fclayer: FcResLayer,
    /// Patch side (kernel = stride).
    pub patch_size: usize,
    /// Token width D.
    pub embed_dim: usize,
}

impl DofaEmbedding {
    /// The generated conv kernel (D, C, p, p) and bias (D), already × 0.01.
    pub fn generate(&self, wavelengths_um: &[f32], device: &Device) -> (Tensor<4>, Tensor<1>) {
        let d_wave = self.fclayer.w1.weight.dims()[0];
        let table = wave_embedding(wavelengths_um, d_wave);
        let c = wavelengths_um.len();
        let waves = Tensor::<2>::from_data(TensorData::new(table, [c, d_wave]), device);
        let waves = self.fclayer.forward(waves);
        let (w, b) = self.weight_generator.forward(waves);
        let (p, d) = (self.patch_size, self.embed_dim);
        let weight = w.reshape([c, p, p, d]).permute([3, 0, 1, 2]) * DOFA_SCALER;
        (weight, b * DOFA_SCALER)
    }

    /// (B, C, H, W) → tokens (B, h·w, D) and the grid (h, w).
    pub fn forward(&self, x: Tensor<4>, wavelengths_um: &[f32]) -> (Tensor<3>, [usize; 2]) {
        let (weight, bias) = self.generate(wavelengths_um, &x.device());
        let p = self.patch_size;
        // DOFA: F.conv2d(x, W, b, stride=p, padding=1) — the padding-1 quirk is kept: each
        // patch's window is shifted one pixel up-left and the right/bottom pixel row is unused.
        let map = conv2d(
            x,
            weight,
            Some(bias),
            ConvOptions::new([p, p], [1, 1], [1, 1], 1),
        );
        let [_, _, h, w] = map.dims();
        (map_to_tokens(map), [h, w])
    }
}

/// DOFA's 1-D sin-cos wavelength embedding (`position_embedding(d, wavelengths * 1000)`), in f32
/// exactly as torch computes it: ω_k = 1 / 10000^(k / (d/2)), `[sin(pos·ω) ‖ cos(pos·ω)]`.
pub fn wave_embedding(wavelengths_um: &[f32], dim: usize) -> Vec<f32> {
    let half = dim / 2;
    let omega: Vec<f32> = (0..half)
        .map(|k| 1.0f32 / 10000f32.powf(k as f32 / (dim as f32 / 2.0)))
        .collect();
    let mut out = Vec::with_capacity(wavelengths_um.len() * dim);
    for &wl in wavelengths_um {
        let pos = wl * 1000.0f32;
        let args: Vec<f32> = omega.iter().map(|w| pos * w).collect();
        out.extend(args.iter().map(|a| (*a as f64).sin() as f32));
        out.extend(args.iter().map(|a| (*a as f64).cos() as f32));
    }
    out
}

fn xavier_linear(d_in: usize, d_out: usize, device: &Device) -> Linear {
    // DOFA `weight_init`: xavier_uniform_ weights, bias filled with 0.01.
    let mut l = LinearConfig::new(d_in, d_out)
        .with_bias(false)
        .with_initializer(Initializer::XavierUniform { gain: 1.0 })
        .init(device);
    l.bias = Some(Initializer::Constant { value: 0.01 }.init([d_out], device));
    l
}

/// DOFA ViT encoder as Pangaea's `DOFA_Encoder` runs it.
///
/// Field names are the official checkpoint's keys (`patch_embed.weight_generator.…`,
/// `patch_embed.fclayer.…`, `cls_token`, `pos_embed`, `blocks.{i}.…`, `norm`), so
/// `DOFA_ViT_base_e100.pth` loads without remapping.
#[derive(Module, Debug)]
pub struct Dofa {
    /// Wavelength-conditioned patch embedding.
    pub patch_embed: DofaEmbedding,
    /// Class token (1, 1, D); takes part in attention, dropped from the outputs.
    pub cls_token: Param<Tensor<3>>,
    /// Fixed position table (1, 1 + N, D), loaded from the checkpoint (not trained).
    pub pos_embed: Param<Tensor<3>>,
    /// timm blocks (LayerNorm eps 1e-6).
    pub blocks: Vec<Block>,
    /// Final LayerNorm, applied after the last block (Pangaea sig-gis `DOFA_Encoder`).
    pub norm: LayerNorm,
    /// Wavelength (µm) of every input channel, in input order.
    #[module(skip)]
    pub wavelengths_um: Vec<f32>,
    /// The declaration the forward pass follows.
    #[module(skip)]
    pub spec: EncoderSpec,
}

/// How official DOFA checkpoints map onto [`Dofa`]: flat state dict, keys unchanged. Ignored on
/// purpose (not part of the encoder, present in some DOFA checkpoints): a classification `head`,
/// the global-pool `fc_norm`, MAE `mask_token` / `decoder*`.
pub fn checkpoint_layout(allow_missing: &[String]) -> CheckpointLayout {
    CheckpointLayout {
        top_level_key: None,
        remap: vec![],
        ignore_unused: [r"^head\.", r"^fc_norm\.", r"^mask_token$", r"^decoder[._]"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        allow_missing: allow_missing.to_vec(),
    }
}

/// The wavelengths (µm) of the spec's bands in input order; errors on a band without one.
pub fn spec_wavelengths(spec: &EncoderSpec) -> Result<Vec<f32>, ComponentError> {
    let mut out = Vec::new();
    for m in &spec.modalities {
        for b in &m.bands {
            match b.wavelength_um {
                Some(w) if w.is_finite() && w > 0.0 => out.push(w as f32),
                other => {
                    return Err(ComponentError::Bands {
                        component: "encoder 'dofa'".into(),
                        message: format!(
                            "band '{}' of modality '{}' has {}; DOFA generates its patch embedding from each band's wavelength, so every input band needs wavelength_um (micrometres; SAR bands: 3.75 as in DOFA/Pangaea) in the dataset config, or select bands that have one with encoder.bands",
                            b.name,
                            m.name,
                            match other {
                                None => "no wavelength_um".to_string(),
                                Some(w) => format!("an invalid wavelength_um {w}"),
                            }
                        ),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Builds the randomly initialised module and its spec (no weights read).
pub fn build_random(
    cfg: &DofaConfig,
    ctx: &EncoderContext,
) -> Result<(EncoderSpec, Dofa), ComponentError> {
    cfg.validate()?;
    let modalities = resolve_modalities("encoder 'dofa'", &cfg.bands, ctx.dataset)?;
    let n_out = cfg.output_layers.len();
    let spec = EncoderSpec {
        name: "dofa".into(),
        modalities,
        input_size: cfg.input_size,
        patch_size: Some(cfg.patch_size),
        output_layers: cfg.output_layers.clone(),
        output_dims: vec![cfg.embed_dim; n_out],
        output_strides: vec![cfg.patch_size; n_out],
        accepts_any_bands: true,
        finetune_only: false,
        weights: cfg.weights.clone(),
    };
    let wavelengths_um = spec_wavelengths(&spec)?;
    let device = ctx.device;
    let (d, dw, p, g) = (
        cfg.embed_dim,
        cfg.wave_embed_dim,
        cfg.patch_size,
        cfg.grid(),
    );
    let weight_generator = TransformerWeightGenerator {
        transformer_encoder: TorchTransformerEncoder {
            layers: vec![TorchEncoderLayer::new(dw, device)],
        },
        fc_weight: xavier_linear(dw, p * p * d, device),
        fc_bias: xavier_linear(dw, d, device),
        weight_tokens: timm_normal([WEIGHT_TOKENS, dw], 0.02, device),
        bias_token: timm_normal([1, dw], 0.02, device),
    };
    // Random init only: the MAE 2-D sin-cos table DOFA was pre-trained with (cls row zero);
    // checkpoints carry their own `pos_embed`, which replaces it.
    let table = if d.is_multiple_of(4) {
        sincos_2d_pos_embed(d, g, g, true)
    } else {
        vec![0.0; (g * g + 1) * d]
    };
    let pos_embed = Param::from_tensor(Tensor::<3>::from_data(
        TensorData::new(table, [1, g * g + 1, d]),
        device,
    ))
    .set_require_grad(false);
    let block = BlockConfig::new(d, cfg.num_heads).with_mlp_ratio(cfg.mlp_ratio);
    let model = Dofa {
        patch_embed: DofaEmbedding {
            weight_generator,
            fclayer: FcResLayer {
                w1: xavier_linear(dw, dw, device),
                w2: xavier_linear(dw, dw, device),
            },
            patch_size: p,
            embed_dim: d,
        },
        cls_token: timm_normal([1, 1, d], 0.02, device),
        pos_embed,
        blocks: (0..cfg.depth).map(|_| block.init(device)).collect(),
        norm: LayerNormConfig::new(d)
            .with_epsilon(TIMM_LN_EPS)
            .init(device),
        wavelengths_um,
        spec: spec.clone(),
    };
    Ok((spec, model))
}

/// Builds the module and loads `cfg.weights` strictly unless it is `random`.
pub fn build_model(
    cfg: &DofaConfig,
    ctx: &EncoderContext,
) -> Result<(EncoderSpec, Dofa, Option<LoadReport>), ComponentError> {
    let (spec, mut model) = build_random(cfg, ctx)?;
    let file_err =
        |path: std::path::PathBuf, message: String| ComponentError::File { path, message };
    let source = resolve_weights(&cfg.weights, &cfg.releases)
        .map_err(|e| file_err(cfg.weights.clone().into(), format!("dofa weights: {e}")))?;
    let report = match source {
        WeightsSource::Random => None,
        WeightsSource::File(path) => Some(
            load_weights(&mut model, &path, &checkpoint_layout(&cfg.allow_missing))
                .map_err(|e| file_err(path.clone(), e.to_string()))?,
        ),
    };
    Ok((spec, model, report))
}

impl Dofa {
    /// (B, C, S, S) → one (B, D, S/p, S/p) map per output layer (Pangaea `DOFA_Encoder`):
    /// patch embedding, `+ pos_embed`, class token, blocks, `norm` after the *last* block only,
    /// class token dropped. Blocks after the last output layer are skipped.
    pub fn forward_image(&self, x: Tensor<4>) -> Result<Vec<Tensor<4>>, ComponentError> {
        let [b, c, h, w] = x.dims();
        let s = self.spec.input_size;
        if [h, w] != [s, s] {
            return Err(ComponentError::Shape {
                component: "encoder 'dofa'".into(),
                message: format!(
                    "input {h}x{w}, but the fixed pos_embed is for {s}x{s} (crop or resize to encoder.input_size)"
                ),
            });
        }
        if c != self.wavelengths_um.len() {
            return Err(ComponentError::Bands {
                component: "encoder 'dofa'".into(),
                message: format!(
                    "input has {c} channels, but {} wavelengths are declared",
                    self.wavelengths_um.len()
                ),
            });
        }
        let (tokens, grid) = self.patch_embed.forward(x, &self.wavelengths_um);
        let [_, n1, d] = self.pos_embed.dims();
        let pos = self.pos_embed.val();
        let tokens = tokens + pos.clone().slice([0..1, 1..n1, 0..d]);
        let cls = (self.cls_token.val() + pos.slice([0..1, 0..1, 0..d])).repeat_dim(0, b);
        let mut x = Tensor::cat(vec![cls, tokens], 1);
        let last_block = self.blocks.len() - 1;
        let last_out = *self.spec.output_layers.last().expect("validated non-empty");
        let mut outs = Vec::with_capacity(self.spec.output_layers.len());
        for (i, block) in self.blocks.iter().enumerate().take(last_out + 1) {
            x = block.forward(x);
            if i == last_block {
                x = self.norm.forward(x);
            }
            if self.spec.output_layers.contains(&i) {
                outs.push(tokens_to_map(drop_prefix_tokens(x.clone(), 1), grid));
            }
        }
        Ok(outs)
    }
}

impl EncoderModel for Dofa {
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError> {
        self.forward_image(stack_modalities(batch, &self.spec)?)
    }
}
