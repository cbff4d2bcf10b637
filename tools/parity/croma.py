"""CROMA parity fixtures for eobench-encoder-croma (plugins/encoders/croma/tests/fixtures/).

Reference: torchgeo 0.8.1 `torchgeo.models.croma` (a port of antofuller/CROMA `use_croma.py`,
identical ViT / BaseTransformer / get_2dalibi for power-of-two head counts), run with
torch 2.15.0, einops 0.8.2, safetensors 0.8.0, numpy 2.4.6:

    .venv-parity/bin/pip install torch==2.15.0 torchgeo==0.8.1 einops==0.8.2 safetensors==0.8.0 numpy
    .venv-parity/bin/python tools/parity/croma.py            # reduced model -> fixtures
    .venv-parity/bin/python tools/parity/croma.py --full CROMA_base.pt OUT_DIR
                                                                   # real weights -> OUT_DIR/croma_base_io.safetensors

Reduced model: torchgeo `CROMA(encoder_dim=48, encoder_depth=4, num_heads=16, image_size=48)`, i.e.
optical 4 blocks, SAR 2 blocks (CROMA's SAR encoder has half the optical depth), 16 heads (the
reference ViT hard-codes 16), patch 8, 6x6 tokens. Weights are seeded random, perturbed so
LayerNorms and biases are not at their trivial init. The checkpoint is written in the official
CROMA_base.pt layout: a dict of per-part state dicts {"s1_encoder", "s1_GAP_FFN", "s2_encoder",
"s2_GAP_FFN", "joint_encoder"}; the Rust test loads it through the same strict loader real
weights use (top-level key s2_encoder / s1_encoder).

Outputs (safetensors, f32): for every modality m in {optical, sar} and block i:
  {m}.input            (B, C, 48, 48)
  {m}.block{i}         (B, N, D) tokens after block i (pre norm_out)
  {m}.block{i}.norm    (B, N, D) norm_out(tokens after block i)
  attn_bias            (1, 16, N, N) torchgeo get_2dalibi(16, 36)
Pangaea's CROMA encoders return block outputs for `output_layers`, with norm_out applied to the
last requested one only, so any output_layers choice can be checked against these tensors.
"""
import argparse
import pathlib

import numpy as np
import torch
from safetensors.torch import save_file
from torchgeo.models.croma import CROMA, ViT, get_2dalibi

FIX = pathlib.Path(__file__).resolve().parents[2] / "plugins/encoders/croma/tests/fixtures"


def block_outputs(vit, imgs, bias):
    """Runs the reference ViT block by block; returns [(x_i, norm_out(x_i))]."""
    from einops import rearrange

    p = vit.patch_size
    x = rearrange(imgs, "b c (h i) (w j) -> b (h w) (c i j)", i=p, j=p)
    x = vit.linear_input(x)
    outs = []
    for attn, ffn in vit.transformer.layers:
        x = attn(x, bias) + x
        x = ffn(x) + x
        outs.append((x.clone(), vit.transformer.norm_out(x)))
    # The module's own forward must agree with the manual loop on the final output.
    full = vit(imgs, bias)
    assert torch.equal(full, outs[-1][1]) or (full - outs[-1][1]).abs().max() < 1e-6
    return outs


def perturb(module, gen):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("norm.weight") or name.endswith("norm_out.weight") or ".input_norm.weight" in name:
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=gen))


def reduced():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = CROMA(
        modalities=["sar", "optical"], encoder_dim=48, encoder_depth=4, num_heads=16,
        patch_size=8, image_size=48,
    ).eval()
    perturb(model, gen)
    FIX.mkdir(parents=True, exist_ok=True)
    ckpt = {
        "s1_encoder": model.s1_encoder.state_dict(),
        "s1_GAP_FFN": model.s1_GAP_FFN.state_dict(),
        "s2_encoder": model.s2_encoder.state_dict(),
        "s2_GAP_FFN": model.s2_GAP_FFN.state_dict(),
        "joint_encoder": model.joint_encoder.state_dict(),
    }
    torch.save(ckpt, FIX / "croma_tiny.pt")
    bias = model.attn_bias
    assert torch.equal(bias, get_2dalibi(16, 36))
    tensors = {"attn_bias": bias.contiguous()}
    with torch.no_grad():
        for m, vit, c in [("optical", model.s2_encoder, 12), ("sar", model.s1_encoder, 2)]:
            x = torch.randn(2, c, 48, 48, generator=gen)
            tensors[f"{m}.input"] = x
            for i, (raw, normed) in enumerate(block_outputs(vit, x, bias)):
                tensors[f"{m}.block{i}"] = raw.contiguous()
                tensors[f"{m}.block{i}.norm"] = normed.contiguous()
    save_file(tensors, str(FIX / "croma_tiny_io.safetensors"))
    print("wrote", sorted((p.name, p.stat().st_size) for p in FIX.iterdir()))


def full(ckpt_path, out_dir):
    """Real CROMA_base.pt: optical (12 blocks) and SAR (6 blocks) at 120 px, batch 1."""
    ckpt = torch.load(ckpt_path, map_location="cpu")
    bias = get_2dalibi(16, 225)
    gen = torch.Generator().manual_seed(2)
    tensors = {}
    with torch.no_grad():
        for m, key, depth, c in [("optical", "s2_encoder", 12, 12), ("sar", "s1_encoder", 6, 2)]:
            vit = ViT(dim=768, depth=depth, in_channels=c).eval()
            vit.load_state_dict(ckpt[key], strict=True)
            x = torch.randn(1, c, 120, 120, generator=gen)
            tensors[f"{m}.input"] = x
            for i, (raw, normed) in enumerate(block_outputs(vit, x, bias)):
                tensors[f"{m}.block{i}"] = raw.contiguous()
                tensors[f"{m}.block{i}.norm"] = normed.contiguous()
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out / "croma_base_io.safetensors"))
    print("wrote", out / "croma_base_io.safetensors")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", nargs=2, metavar=("CKPT", "OUT_DIR"))
    a = ap.parse_args()
    np.random.seed(0)
    if a.full:
        full(*a.full)
    else:
        reduced()
