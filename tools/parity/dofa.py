"""DOFA parity fixtures for eobench-encoder-dofa (plugins/encoders/dofa/tests/fixtures/).

Reference: torchgeo 0.8.1 `torchgeo.models.dofa` (`DOFA`, `DOFAEmbedding`,
`TransformerWeightGenerator`, `FCResLayer`, `position_embedding`), run with torch 2.15.0,
timm 1.0.31, numpy 2.4.6, safetensors 0.8.0 (the venv .venv-parity):

    .venv-parity/bin/pip install torch==2.15.0 torchgeo==0.8.1 timm==1.0.31 safetensors==0.8.0 numpy==2.4.6
    .venv-parity/bin/python tools/parity/dofa.py                  # reduced model -> fixtures
    .venv-parity/bin/python tools/parity/dofa.py --full OUT_DIR   # random-init DOFA ViT-B/16 at 224
    DOFA_FULL_DIR=OUT_DIR cargo test --release -p eobench-encoder-dofa -- --ignored --nocapture

torchgeo's `DOFAEmbedding` / `TransformerWeightGenerator` / `FCResLayer` are line-for-line the
same computation as Pangaea's `Dynamic_MLP_OFA` (pangaea/encoders/dofa_encoder.py, "Obtained from
zhu-xlab/DOFA"): sin-cos(wavelength_um * 1000) -> FCResLayer -> 1-layer post-norm
nn.TransformerEncoder (4 heads, GELU, FF 2048) over [128 weight tokens; wave tokens; bias token]
-> fc_weight / fc_bias, both x 0.01 -> conv2d(stride = patch, padding = 1).

Feature extraction follows Pangaea's `DOFA_Encoder.forward` (sig-gis fork): patch embed, + pos_embed
(cls row on the cls token), blocks, `norm` applied right after the *last* block, outputs =
tokens without cls as (B, D, S/p, S/p) for each output layer.

Reduced model (fixtures, ~1 MB): img 32, patch 8 (4x4 tokens; the padding=1 quirk is exercised),
embed_dim 32, depth 4, 4 heads, wave_embed_dim 32 (torchgeo hard-codes 128 in `DOFA.__init__`, so
the script swaps in `DOFAEmbedding(dynamic_embed_dim=32, ...)`; the FF width stays 2048 as in
torch's default), output layers [0, 1, 2, 3]. Seeded; every tensor is perturbed so LayerNorms,
biases, cls_token and pos_embed are not at their trivial init.

Files:
  dofa_tiny.pth                state_dict in the official key layout (cls_token, pos_embed,
                               patch_embed.weight_generator.*, patch_embed.fclayer.*, blocks.*, norm.*)
  dofa_tiny_io.safetensors     input (2, 6, 32, 32), wavelengths (6,) um, out{k} (B, D, h, w)
                               for the k-th output layer; metadata: config as JSON
"""

import argparse
import json
import os
import sys

import torch
from safetensors.torch import save_file
from torchgeo.models.dofa import DOFA, DOFAEmbedding

HLS_WAVELENGTHS = [0.49, 0.56, 0.665, 0.864, 1.61, 2.2]


def build(cfg, seed):
    torch.manual_seed(seed)
    m = DOFA(
        img_size=cfg["input_size"],
        patch_size=cfg["patch_size"],
        embed_dim=cfg["embed_dim"],
        depth=cfg["depth"],
        num_heads=cfg["num_heads"],
        mlp_ratio=cfg["mlp_ratio"],
        num_classes=0,
        global_pool=False,
    )
    if cfg["wave_embed_dim"] != 128:
        m.patch_embed = DOFAEmbedding(
            dynamic_embed_dim=cfg["wave_embed_dim"],
            kernel_size=cfg["patch_size"],
            embed_dim=cfg["embed_dim"],
        )
    with torch.no_grad():
        for name, p in m.state_dict().items():
            scale = 0.1 if (name.endswith("norm.weight") or "norm1" in name or "norm2" in name) else 0.05
            p.add_(torch.randn_like(p) * scale)
    return m.eval()


@torch.no_grad()
def pangaea_features(m, x, wavelengths, output_layers):
    waves = torch.tensor(wavelengths).float()
    t, _ = m.patch_embed(x, waves)
    t = t + m.pos_embed[:, 1:, :]
    cls = (m.cls_token + m.pos_embed[:, :1, :]).expand(t.shape[0], -1, -1)
    t = torch.cat((cls, t), dim=1)
    g = m.img_size // m.patch_size
    outs = []
    for i, blk in enumerate(m.blocks):
        t = blk(t)
        if i == len(m.blocks) - 1:
            t = m.norm(t)
        if i in output_layers:
            outs.append(t[:, 1:].permute(0, 2, 1).reshape(t.shape[0], -1, g, g).contiguous())
    return outs


def run(cfg, out_dir, stem, batch, seed):
    os.makedirs(out_dir, exist_ok=True)
    m = build(cfg, seed)
    torch.manual_seed(seed + 1)
    c = len(cfg["wavelengths"])
    x = torch.randn(batch, c, cfg["input_size"], cfg["input_size"])
    outs = pangaea_features(m, x, cfg["wavelengths"], cfg["output_layers"])
    sd = {k: v.contiguous() for k, v in m.state_dict().items()}
    torch.save(sd, os.path.join(out_dir, f"{stem}.pth"))
    tensors = {"input": x.contiguous(), "wavelengths": torch.tensor(cfg["wavelengths"]).float()}
    for k, o in enumerate(outs):
        tensors[f"out{k}"] = o
    save_file(tensors, os.path.join(out_dir, f"{stem}_io.safetensors"), metadata={"config": json.dumps(cfg)})
    print(f"wrote {out_dir}/{stem}.pth ({len(sd)} tensors) and {stem}_io.safetensors")
    for k, o in enumerate(outs):
        print(f"  out{k} (block {cfg['output_layers'][k]}): {tuple(o.shape)} std {o.std():.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", metavar="OUT_DIR", help="random-init full-size DOFA ViT-B/16 at 224")
    args = ap.parse_args()
    if args.full:
        cfg = dict(input_size=224, patch_size=16, embed_dim=768, depth=12, num_heads=12, mlp_ratio=4.0,
                   wave_embed_dim=128, output_layers=[3, 5, 7, 11], wavelengths=HLS_WAVELENGTHS + [3.75])
        run(cfg, args.full, "dofa_full", batch=1, seed=7)
        print(f"check: DOFA_FULL_DIR={args.full} cargo test --release -p eobench-encoder-dofa "
              "-- --ignored --nocapture")
        return
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "plugins", "encoders", "dofa", "tests", "fixtures")
    cfg = dict(input_size=32, patch_size=8, embed_dim=32, depth=4, num_heads=4, mlp_ratio=4.0,
               wave_embed_dim=32, output_layers=[0, 1, 2, 3], wavelengths=HLS_WAVELENGTHS)
    run(cfg, os.path.normpath(out), "dofa_tiny", batch=2, seed=0)
    print("full-size check: .venv-parity/bin/python tools/parity/dofa.py --full DOFA_DIR && "
          "DOFA_FULL_DIR=DOFA_DIR cargo test --release -p eobench-encoder-dofa -- --ignored --nocapture",
          file=sys.stderr)


if __name__ == "__main__":
    main()
