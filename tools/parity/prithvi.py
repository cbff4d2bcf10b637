"""Prithvi parity fixtures for eobench-encoder-prithvi (plugins/encoders/prithvi/tests/fixtures/).

Reference: TerraTorch 1.2.11 `terratorch.models.backbones.prithvi_mae` (`PrithviMAE`, `PrithviViT`,
`get_3d_sincos_pos_embed`, `TemporalEncoder`), run with torch 2.15.0, timm 1.0.31, numpy 2.4.6,
einops 0.8.2, safetensors (any recent):

    .venv-parity/bin/pip install torch==2.15.0 terratorch==1.2.11 timm==1.0.31 einops==0.8.2 safetensors numpy
    .venv-parity/bin/python tools/parity/prithvi.py              # reduced models -> fixtures
    .venv-parity/bin/python tools/parity/prithvi.py --full v1 Prithvi_100M.pt OUT_DIR
    .venv-parity/bin/python tools/parity/prithvi.py --full v2 Prithvi_EO_V2_300M.pt OUT_DIR
                                   # real weights -> OUT_DIR/prithvi_{v1,v2}_full_io.safetensors
    .venv-parity/bin/python tools/parity/prithvi.py --fake-checkpoint v2 FAKE.pt
                                   # full-size random perturbed weights in the official layout, for
                                   # the full-size check where the real file cannot be downloaded

Reduced models (seeded, every parameter perturbed so biases / LayerNorms are not at their trivial
init): `PrithviMAE(img_size=48, patch_size=(1,16,16), in_chans=6, embed_dim=32, depth=4,
num_heads=4, decoder_embed_dim=16, decoder_depth=1, decoder_num_heads=2)`, 3x3 tokens per frame.
  v1: num_frames=3 (as Prithvi-100M, so the stored pos_embed is the T=3 table), no coords
      encoding. Saved in the *official Prithvi_100M.pt layout*: one flat state dict (encoder keys
      `cls_token`, `pos_embed`, `patch_embed.proj.*`, `blocks.{i}.*`, `norm.*`; decoder keys
      `decoder_*`, `mask_token`) -- the reverse of TerraTorch's `checkpoint_filter_fn_mae`
      "Convert Prithvi V1 weights" branch.
  v2: num_frames=1, coords_encoding=["time", "location"], coords_scale_learn=True (as the
      Prithvi-EO-2.0 *_TL checkpoints). Saved in the *official Prithvi_EO_V2_*.pt layout*: the
      PrithviMAE state dict itself (`encoder.*`, `decoder.*`).

Outputs (safetensors, f32), per variant v in {v1, v2}:
  {v}.input                 (B, C, T=1, 48, 48)
  {v}.block{i}              (B, N, D) tokens after block i, class token dropped (Pangaea's outputs)
  {v}.block{last}.norm      (B, N, D) the final `norm` on the last block (TerraTorch forward_features)
  v1.pos_embed_t3           (1, 1 + 3*9, D) pos_embed stored in the v1 checkpoint (T=3)
  v2.time.block{i}          as above with temporal_coords (year, day-of-year - 1) = v2.time.coords
  v2.time.coords            (B, 1, 2)
All runs use a T=1 input: TerraTorch recomputes the 3-D sin-cos table for T=1 (interpolate_pos_encoding).
"""
import argparse
import pathlib

import numpy as np
import torch
from safetensors.torch import save_file
from terratorch.models.backbones.prithvi_mae import PrithviMAE, PrithviViT

FIX = pathlib.Path(__file__).resolve().parents[2] / "plugins/encoders/prithvi/tests/fixtures"

TINY = dict(img_size=48, patch_size=(1, 16, 16), in_chans=6, embed_dim=32, depth=4, num_heads=4,
            decoder_embed_dim=16, decoder_depth=1, decoder_num_heads=2)


def perturb(module, gen):
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith(".scale"):
                p.copy_(0.3 + 0.2 * torch.rand(p.shape, generator=gen))
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * noise)
            elif name.endswith("bias"):
                p.copy_(0.05 * noise)
            else:
                p.add_(0.02 * noise)


def block_outputs(enc: PrithviViT, x, temporal_coords=None):
    """Per-block tokens (cls dropped) via forward hooks + TerraTorch's own forward_features."""
    raw = []
    hooks = [b.register_forward_hook(lambda m, i, o: raw.append(o.detach().clone())) for b in enc.blocks]
    feats = enc.forward_features(x, temporal_coords=temporal_coords)
    for h in hooks:
        h.remove()
    assert len(raw) == len(enc.blocks)
    for a, b in zip(raw[:-1], feats[:-1]):
        assert torch.equal(a, b)
    out = {f"block{i}": r[:, 1:, :].contiguous() for i, r in enumerate(raw)}
    out[f"block{len(raw) - 1}.norm"] = feats[-1][:, 1:, :].contiguous()
    return out


def v1_flat(sd):
    """PrithviMAE state dict -> official Prithvi_100M.pt flat layout."""
    flat = {}
    for k, v in sd.items():
        if k.startswith("encoder."):
            flat[k[len("encoder."):]] = v
        elif k.startswith("decoder."):
            flat[k[len("decoder."):]] = v
        else:
            raise KeyError(k)
    assert "mask_token" in flat and "decoder_pred.weight" in flat and "pos_embed" in flat
    return flat


def make_tiny():
    FIX.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    io = {}
    x = torch.randn(2, 6, 1, 48, 48, generator=gen)

    # v1: Prithvi-100M-like (T=3 pos_embed stored), flat checkpoint.
    m1 = PrithviMAE(num_frames=3, coords_encoding=[], **TINY).eval()
    perturb(m1, gen)
    sd1 = {k: v.contiguous() for k, v in v1_flat(m1.state_dict()).items()}
    torch.save(sd1, FIX / "prithvi_v1_tiny.pt")
    io["v1.input"] = x
    io["v1.pos_embed_t3"] = sd1["pos_embed"].float()
    with torch.no_grad():
        for k, v in block_outputs(m1.encoder, x).items():
            io[f"v1.{k}"] = v

    # v2: Prithvi-EO-2.0-TL-like, PrithviMAE layout (encoder./decoder.).
    m2 = PrithviMAE(num_frames=1, coords_encoding=["time", "location"], coords_scale_learn=True, **TINY).eval()
    perturb(m2, gen)
    sd2 = {k: v.contiguous() for k, v in m2.state_dict().items()}
    torch.save(sd2, FIX / "prithvi_v2_tiny.pt")
    x2 = torch.randn(2, 6, 1, 48, 48, generator=gen)
    io["v2.input"] = x2
    coords = torch.tensor([[[2019.0, 187.0]], [[2023.0, 5.0]]])  # (year, day-of-year - 1)
    io["v2.time.coords"] = coords
    with torch.no_grad():
        for k, v in block_outputs(m2.encoder, x2).items():
            io[f"v2.{k}"] = v
        for k, v in block_outputs(m2.encoder, x2, temporal_coords=coords).items():
            io[f"v2.time.{k}"] = v
    save_file({k: v.float().contiguous() for k, v in io.items()}, FIX / "prithvi_tiny_io.safetensors")
    for f in sorted(FIX.iterdir()):
        print(f.name, f.stat().st_size)


def make_full(variant, ckpt, out_dir):
    """Full-size reference outputs from an official checkpoint (single frame, 224 px)."""
    sd = torch.load(ckpt, map_location="cpu", weights_only=True)
    if variant == "v1":
        cfg = dict(embed_dim=768, depth=12, num_heads=12)
        enc_sd = {k: v for k, v in sd.items() if not (k.startswith("decoder") or k == "mask_token")}
        stored_t = (sd["pos_embed"].shape[1] - 1) // 196
    else:
        cfg = dict(embed_dim=1024, depth=24, num_heads=16)
        enc_sd = {k[len("encoder."):]: v for k, v in sd.items() if k.startswith("encoder.")}
        stored_t = (sd["encoder.pos_embed"].shape[1] - 1) // 196
    tl = any("temporal_embed_enc" in k for k in enc_sd)
    enc = PrithviViT(img_size=224, patch_size=(1, 16, 16), num_frames=stored_t, in_chans=6,
                     coords_encoding=["time", "location"] if tl else [], coords_scale_learn=tl, **cfg).eval()
    stored_pos = enc_sd["pos_embed"].clone()
    missing, unexpected = enc.load_state_dict(enc_sd, strict=True), None
    print("loaded", variant, "T stored", stored_t, "TL", tl, missing)
    print("stored pos_embed vs recomputed: max abs", (stored_pos - enc.pos_embed).abs().max().item())
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(1, 6, 1, 224, 224, generator=gen)
    io = {f"{variant}.input": x, f"{variant}.pos_embed_stored": stored_pos.float()}
    with torch.no_grad():
        for k, v in block_outputs(enc, x).items():
            io[f"{variant}.{k}"] = v
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.float().contiguous() for k, v in io.items()}, out / f"prithvi_{variant}_full_io.safetensors")


def make_fake_checkpoint(variant, out):
    """A full-size checkpoint with perturbed random weights in the official layout."""
    gen = torch.Generator().manual_seed(11)
    if variant == "v1":
        m = PrithviMAE(img_size=224, patch_size=(1, 16, 16), in_chans=6, embed_dim=768, depth=12,
                       num_heads=12, decoder_embed_dim=512, decoder_depth=8, decoder_num_heads=16,
                       num_frames=3, coords_encoding=[]).eval()
        perturb(m, gen)
        sd = v1_flat(m.state_dict())
    else:
        m = PrithviMAE(img_size=224, patch_size=(1, 16, 16), in_chans=6, embed_dim=1024, depth=24,
                       num_heads=16, decoder_embed_dim=512, decoder_depth=8, decoder_num_heads=16,
                       num_frames=4, coords_encoding=["time", "location"], coords_scale_learn=True).eval()
        perturb(m, gen)
        sd = m.state_dict()
    torch.save({k: v.contiguous() for k, v in sd.items()}, out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", nargs=3, metavar=("VARIANT", "CKPT", "OUT_DIR"))
    ap.add_argument("--fake-checkpoint", nargs=2, metavar=("VARIANT", "OUT_PT"))
    a = ap.parse_args()
    if a.fake_checkpoint:
        make_fake_checkpoint(*a.fake_checkpoint)
    elif a.full:
        make_full(*a.full)
    else:
        make_tiny()
