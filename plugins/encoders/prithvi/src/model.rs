use eobench_core::burn;
use eobench_core::burn::module::{Module, Param};
use eobench_core::burn::nn::conv::{Conv3d, Conv3dConfig};
use eobench_core::burn::nn::{LayerNorm, LayerNormConfig};
use eobench_core::burn::tensor::{Device, Tensor, TensorData};
use eobench_core::component::{
    ComponentError, EncoderContext, EncoderModel, EncoderSpec, ModalitySpec,
};
use eobench_core::sample::{AcquisitionDate, Batch};
use eobench_core::weights::{
    CheckpointLayout, LoadReport, WeightsSource, load_weights, resolve_weights,
};
use eobench_layers::{Block, BlockConfig, sincos_3d_pos_embed, timm_normal, tokens_to_map};

use crate::config::{PrithviConfig, PrithviKind};

/// torch `nn.LayerNorm` default: Prithvi (hls-foundation-os, TerraTorch, Pangaea) builds its
/// blocks with `norm_layer=nn.LayerNorm`, not timm's 1e-6.
pub const PRITHVI_LN_EPS: f64 = 1e-5;

/// The 3-D patch embedding: `Conv3d(C → D, (tubelet, p, p), stride = kernel)` on (B, C, T, H, W),
/// tokens flattened frame-major (checkpoint key `patch_embed.proj`, weight (D, C, tubelet, p, p)).
#[derive(Module, Debug)]
pub struct PatchEmbed3d {
    /// The convolution.
    pub proj: Conv3d,
}

/// Prithvi-EO-2.0 `TemporalEncoder`: `scale · [sincos(year, D/2) ‖ sincos(day-of-year − 1, D − D/2)]`
/// added to every token of a frame (checkpoint key `temporal_embed_enc.scale`).
#[derive(Module, Debug)]
pub struct TemporalEncoder {
    /// Learned (`_TL`, `coords_scale_learn`) or fixed scale, shape (1,).
    pub scale: Param<Tensor<1>>,
}

/// TerraTorch `PrithviViT` without the MAE parts: patch embedding, class token, fixed 3-D sin-cos
/// position table (recomputed, never loaded), optional temporal encoding, timm blocks, `norm`.
#[derive(Module, Debug)]
pub struct PrithviViT {
    /// Conv3d patch embedding.
    pub patch_embed: PatchEmbed3d,
    /// Class token (1, 1, D); takes part in attention, dropped from the outputs.
    pub cls_token: Param<Tensor<3>>,
    /// Temporal encoding (`coords_encoding: [time]`).
    pub temporal_embed_enc: Option<TemporalEncoder>,
    /// Transformer blocks (timm layout, LayerNorm eps 1e-5).
    pub blocks: Vec<Block>,
    /// Final LayerNorm; loaded always, applied only with `final_norm` (Pangaea ignores it).
    pub norm: LayerNorm,
    /// The 3-D sin-cos table (1 + T'·h·w rows, D), class-token row first (zeros).
    #[module(skip)]
    pub pos_table: Vec<f32>,
    /// Token grid (T', h, w).
    #[module(skip)]
    pub grid: [usize; 3],
    /// Apply `norm` on the last block's output.
    #[module(skip)]
    pub final_norm: bool,
    /// The declaration the forward pass follows.
    #[module(skip)]
    pub spec: EncoderSpec,
}

/// How the official checkpoints map onto [`PrithviViT`]:
/// - `Prithvi_100M.pt` (EO-1.0): flat keys; `Prithvi_EO_V2_*.pt` (EO-2.0): a PrithviMAE state dict,
///   encoder under `encoder.` → stripped;
/// - ignored on purpose: the MAE decoder (`decoder_*`, `mask_token` flat; `decoder.*` in EO-2.0),
///   the stored `pos_embed` (fixed sin-cos for the pre-training T, recomputed here — parity tests
///   check it equals the recomputed T=3 table), the location-encoding scale (no coordinates in
///   batches) and, unless `coords_encoding: [time]`, the temporal-encoding scale (`_TL` weights
///   then run as TerraTorch runs them without `temporal_coords`).
pub fn checkpoint_layout(time_encoding: bool, allow_missing: &[String]) -> CheckpointLayout {
    let mut ignore_unused: Vec<String> = [
        r"^decoder[._]",
        r"^mask_token$",
        r"^pos_embed$",
        r"^location_embed_enc\.",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if !time_encoding {
        ignore_unused.push(r"^temporal_embed_enc\.".into());
    }
    CheckpointLayout {
        top_level_key: None,
        remap: vec![(r"^encoder\.".into(), String::new())],
        ignore_unused,
        allow_missing: allow_missing.to_vec(),
    }
}

/// Builds the (randomly initialised) module and its spec; no weights are read.
pub fn build_random(
    kind: PrithviKind,
    cfg: &PrithviConfig,
    device: &Device,
) -> (EncoderSpec, PrithviViT) {
    let n_out = cfg.output_layers.len();
    let spec = EncoderSpec {
        name: kind.name().into(),
        modalities: vec![ModalitySpec {
            name: "optical".into(),
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
    let (p, tub) = (cfg.patch_size, cfg.tubelet_size);
    let grid = [cfg.num_frames / tub, cfg.grid(), cfg.grid()];
    let block = BlockConfig {
        norm_eps: PRITHVI_LN_EPS,
        ..BlockConfig::new(d, cfg.num_heads)
    };
    let model = PrithviViT {
        patch_embed: PatchEmbed3d {
            proj: Conv3dConfig::new([cfg.bands.len(), d], [tub, p, p])
                .with_stride([tub, p, p])
                .init(device),
        },
        cls_token: timm_normal([1, 1, d], 0.02, device),
        temporal_embed_enc: cfg.time_encoding().then(|| TemporalEncoder {
            scale: Param::from_tensor(Tensor::ones([1], device)),
        }),
        blocks: (0..cfg.depth).map(|_| block.init(device)).collect(),
        norm: LayerNormConfig::new(d)
            .with_epsilon(PRITHVI_LN_EPS)
            .init(device),
        pos_table: sincos_3d_pos_embed(d, grid[0], grid[1], grid[2], true),
        grid,
        final_norm: cfg.final_norm,
        spec: spec.clone(),
    };
    (spec, model)
}

/// Builds the module and loads `cfg.weights` (strictly) unless it is `random`.
pub(crate) fn build_model(
    kind: PrithviKind,
    cfg: &PrithviConfig,
    ctx: &EncoderContext,
) -> Result<(EncoderSpec, PrithviViT, Option<LoadReport>), ComponentError> {
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
                &checkpoint_layout(cfg.time_encoding(), &cfg.allow_missing),
            )
            .map_err(|e| file_err(path.clone(), e.to_string()))?,
        ),
    };
    Ok((spec, model, report))
}

/// TerraTorch `_get_1d_sincos_embed_from_grid_torch` for one position, in f32 as torch computes it.
fn sincos_1d_f32(out: &mut Vec<f32>, dim: usize, pos: f32) {
    let half = dim / 2;
    let omega: Vec<f32> = (0..half)
        .map(|k| 1.0f32 / 10000f32.powf(k as f32 / (dim as f32 / 2.0)))
        .collect();
    out.extend(omega.iter().map(|w| (pos * w).sin()));
    out.extend(omega.iter().map(|w| (pos * w).cos()));
}

/// Unscaled temporal encoding (B, T, D) for `(year, day-of-year − 1)` pairs (TerraTorch's
/// `temporal_coords`, as its datasets build them: `[date.year, date.dayofyear - 1]`).
pub fn temporal_embedding(coords: &[Vec<(f32, f32)>], dim: usize) -> Vec<f32> {
    let year_dim = dim / 2;
    let mut out = Vec::with_capacity(coords.len() * dim);
    for sample in coords {
        for &(year, doy) in sample {
            sincos_1d_f32(&mut out, year_dim, year);
            sincos_1d_f32(&mut out, dim - year_dim, doy);
        }
    }
    out
}

fn year_doy0(d: AcquisitionDate) -> (f32, f32) {
    let (y, _, _) = d.to_ymd();
    let jan1 = AcquisitionDate::from_ymd(y, 1, 1);
    (y as f32, (d.0 - jan1.0) as f32)
}

impl PrithviViT {
    fn component(&self) -> String {
        format!("encoder '{}'", self.spec.name)
    }

    /// (B, C, T, H, W) → per output layer the tokens (B, T'·h·w, D) without the class token.
    ///
    /// `time`: per sample and frame `(year, day-of-year − 1)`, required when the temporal
    /// encoding is on. Blocks after the last output layer are skipped.
    pub fn forward_tokens(
        &self,
        x: Tensor<5>,
        time: Option<&[Vec<(f32, f32)>]>,
    ) -> Result<Vec<Tensor<3>>, ComponentError> {
        let [b, _, t, h, w] = x.dims();
        let s = self.spec.input_size;
        let shape_err = |message: String| ComponentError::Shape {
            component: self.component(),
            message,
        };
        if [h, w] != [s, s] {
            return Err(shape_err(format!(
                "input {h}x{w}, but the position table is for {s}x{s} (crop or resize to encoder.input_size)"
            )));
        }
        let tub = self.patch_embed.proj.kernel_size[0];
        if t != self.grid[0] * tub {
            return Err(shape_err(format!(
                "input has {t} frames, the encoder is built for num_frames {}",
                self.grid[0] * tub
            )));
        }
        let device = x.device();
        let d = self.cls_token.dims()[2];
        let y = self.patch_embed.proj.forward(x); // (B, D, T', h, w)
        let n = self.grid.iter().product::<usize>();
        let tokens = y.reshape([b, d, n]).swap_dims(1, 2);
        let pos = Tensor::<3>::from_data(
            TensorData::new(self.pos_table.clone(), [1, n + 1, d]),
            &device,
        );
        let mut x = tokens + pos.clone().slice([0..1, 1..n + 1, 0..d]);
        if let Some(enc) = &self.temporal_embed_enc {
            let coords = time.ok_or_else(|| ComponentError::Config {
                component: self.component(),
                message:
                    "coords_encoding: [time] needs acquisition dates for every sample and frame; \
                          this dataset provides none (use coords_encoding: [] )"
                        .into(),
            })?;
            let tp = self.grid[0];
            if coords.len() != b || coords.iter().any(|c| c.len() != tp) {
                return Err(shape_err(format!(
                    "temporal encoding needs {tp} date(s) for each of the {b} samples"
                )));
            }
            let emb = Tensor::<3>::from_data(
                TensorData::new(temporal_embedding(coords, d), [b, tp, d]),
                &device,
            ) * enc.scale.val().reshape([1, 1, 1]);
            let per_frame = n / tp;
            x = (x.reshape([b, tp, per_frame, d]) + emb.reshape([b, tp, 1, d])).reshape([b, n, d]);
        }
        let cls = (self.cls_token.val() + pos.slice([0..1, 0..1, 0..d])).repeat_dim(0, b);
        let mut x = Tensor::cat(vec![cls, x], 1);
        let outs_at = &self.spec.output_layers;
        let last_out = *outs_at.last().expect("validated non-empty");
        let last_block = self.blocks.len() - 1;
        let mut outs = Vec::with_capacity(outs_at.len());
        for (i, block) in self.blocks.iter().enumerate().take(last_out + 1) {
            x = block.forward(x);
            if outs_at.contains(&i) {
                let y = if self.final_norm && i == last_block {
                    self.norm.forward(x.clone())
                } else {
                    x.clone()
                };
                outs.push(y.slice([0..b, 1..n + 1, 0..d]));
            }
        }
        Ok(outs)
    }
}

impl EncoderModel for PrithviViT {
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError> {
        let m = batch
            .modality("optical")
            .ok_or_else(|| ComponentError::Bands {
                component: self.component(),
                message: "the batch has no 'optical' modality".into(),
            })?;
        // (B, T, C, H, W) → (B, C, T, H, W).
        let x = m.data.clone().swap_dims(1, 2);
        let time: Option<Vec<Vec<(f32, f32)>>> =
            (!m.dates.is_empty() && m.dates.iter().all(|d| d.len() == m.frames())).then(|| {
                m.dates
                    .iter()
                    .map(|s| s.iter().map(|d| year_doy0(*d)).collect())
                    .collect()
            });
        let tokens = self.forward_tokens(x, time.as_deref())?;
        let [tp, gh, gw] = self.grid;
        if tp != 1 {
            return Err(ComponentError::Shape {
                component: self.component(),
                message: format!(
                    "{tp} temporal patches: multi-temporal (B, D, T, h, w) features are not supported yet"
                ),
            });
        }
        Ok(tokens
            .into_iter()
            .map(|t| tokens_to_map(t, [gh, gw]))
            .collect())
    }
}
