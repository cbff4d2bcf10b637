"""Throughput of eobench next to PyTorch on the same models, modes, batch and threads (CPU).

Builds PyTorch twins of three eobench encoder + decoder pairs, written from eobench's Rust code
(plugins/encoders/vit, plugins/encoders/unet, plugins/decoders/seg_upernet, plugins/layers):

    vit_s   ViT-S/16 (embed 384, depth 12, heads 6) + UPerNet (Feature2Pyramid neck)
    vit_b   ViT-B/16 (embed 768, depth 12, heads 12) + UPerNet (Feature2Pyramid neck)
    unet    UNet encoder (channels 64,128,256,512) + UPerNet over its 4-level pyramid

times them in PyTorch (eager, CPU), then runs `eobench bench` with the same settings and prints one
markdown table: model x mode x precision -> img/s of both, the eobench/PyTorch ratio, GFLOP per
image and achieved GFLOP/s. See tools/bench/README.md for what every mode does and the pinned
versions (torch 2.15.0, CPU):

    .venv-bench/bin/python tools/bench/compare.py --quick                 # smoke run
    .venv-bench/bin/python tools/bench/compare.py --models vit_s,unet --out tools/bench/results.md

Input: batch x 6 bands x size x size, N(0, 1) (the 6 HLS bands of the default dataset
hlsburnscars_sample), 2 classes, uniform random labels, cross-entropy (ignore_index -1, nothing
ignored), AdamW lr 1e-4, weight decay 0.05, eps 1e-8.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

REPO = pathlib.Path(__file__).resolve().parents[2]
IN_CHANS = 6  # hlsburnscars_sample: B2, B3, B4, B8A, B11, B12
NUM_CLASSES = 2  # Not burned, Burn scar
LN_EPS = 1e-6  # timm ViT LayerNorm (eobench_layers::TIMM_LN_EPS)


# --------------------------------------------------------------------------------------------
# ViT (plugins/encoders/vit/src/model.rs, plugins/layers/src/{block,attention,mlp,patch_embed}.rs)
# --------------------------------------------------------------------------------------------


class Attention(nn.Module):
    """Fused qkv (D -> 3D) + proj; softmax(QK^T / sqrt(d)) V."""

    # False = explicit matmuls (used while counting FLOPs: every op is then a counted matmul).
    fused = True

    def __init__(self, dim, num_heads, qkv_bias):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        h = self.num_heads
        qkv = self.qkv(x).reshape(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        if Attention.fused:
            out = F.scaled_dot_product_attention(q, k, v)
        else:
            attn = (q @ k.transpose(-2, -1)) * (d // h) ** -0.5
            out = attn.softmax(dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # exact (erf) GELU


class Block(nn.Module):
    """Pre-norm block: x + attn(norm1(x)), then x + mlp(norm2(x)); drop path 0 = identity."""

    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, in_chans, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    """eobench `vit`: returns (B, D, H/p, W/p) maps after the output blocks (cls token dropped);
    the final norm applies only to the last block's output; blocks after the last output layer
    are skipped."""

    def __init__(self, in_chans, size, patch=16, dim=768, depth=12, heads=12, mlp_ratio=4.0,
                 qkv_bias=True, output_layers=(3, 5, 7, 11)):
        super().__init__()
        self.output_layers = list(output_layers)
        self.grid = size // patch
        self.patch_embed = PatchEmbed(in_chans, dim, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 1e-6)
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + self.grid**2, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio, qkv_bias) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=LN_EPS)
        for m in self.modules():  # timm init_weights_vit_timm: N(0, 0.02) weights, zero bias
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        b = x.shape[0]
        x = torch.cat([self.cls_token.expand(b, -1, -1), self.patch_embed(x)], 1) + self.pos_embed
        outs = []
        last = len(self.blocks) - 1
        for i, block in enumerate(self.blocks[: self.output_layers[-1] + 1]):
            x = block(x)
            if i in self.output_layers:
                y = self.norm(x) if i == last else x
                y = y[:, 1:]
                outs.append(y.transpose(1, 2).reshape(b, -1, self.grid, self.grid))
        return outs


# --------------------------------------------------------------------------------------------
# UNet encoder (plugins/encoders/unet/src/model.rs)
# --------------------------------------------------------------------------------------------


class ConvBnAct(nn.Module):
    """plugins/layers/src/conv_bn_act.rs: Conv k x k (pad k//2, bias) -> BatchNorm2d -> ReLU/GELU."""

    def __init__(self, c_in, c_out, k, act="relu"):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=True)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = F.relu if act == "relu" else F.gelu

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class DoubleConv(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv1 = ConvBnAct(c_in, c_out, 3)
        self.conv2 = ConvBnAct(c_out, c_out, 3)

    def forward(self, x):
        return self.conv2(self.conv1(x))


class UNetEncoder(nn.Module):
    """`inc` at full resolution, then MaxPool 2x2 + DoubleConv per further stage; every stage is
    an output (strides 1, 2, 4, 8)."""

    def __init__(self, in_chans, channels=(64, 128, 256, 512)):
        super().__init__()
        self.inc = DoubleConv(in_chans, channels[0])
        self.down = nn.ModuleList(DoubleConv(a, b) for a, b in zip(channels, channels[1:]))

    def forward(self, x):
        outs = [self.inc(x)]
        for stage in self.down:
            outs.append(stage(F.max_pool2d(outs[-1], 2)))
        return outs


# --------------------------------------------------------------------------------------------
# UPerNet (plugins/decoders/seg_upernet/src/model.rs, plugins/layers/src/neck.rs)
# --------------------------------------------------------------------------------------------


def resize(x, size):
    """eobench_layers::resize_bilinear: align_corners=False, identity at the same size."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


class Feature2Pyramid(nn.Module):
    """Map i of n equal-stride maps gets slot floor(4i/n): x4 (ConvT 2/2 -> BN -> GELU -> ConvT
    2/2), x2 (ConvT 2/2), x1, x0.5 (max pool 2)."""

    def __init__(self, channels):
        super().__init__()
        n = len(channels)
        ops = []
        for i, c in enumerate(channels):
            slot = i * 4 // n
            if slot == 0:
                ops.append(nn.Sequential(nn.ConvTranspose2d(c, c, 2, stride=2), nn.BatchNorm2d(c),
                                         nn.GELU(), nn.ConvTranspose2d(c, c, 2, stride=2)))
            elif slot == 1:
                ops.append(nn.ConvTranspose2d(c, c, 2, stride=2))
            elif slot == 2:
                ops.append(nn.Identity())
            else:
                ops.append(nn.MaxPool2d(2))
        self.ops = nn.ModuleList(ops)

    def forward(self, maps):
        return [op(x) for op, x in zip(self.ops, maps)]


class UPerNet(nn.Module):
    def __init__(self, dims, strides, num_classes, channels=512, pool_scales=(1, 2, 3, 6),
                 dropout=0.1):
        super().__init__()
        c = channels
        last = dims[-1]
        n = len(dims)
        single_scale = all(s == strides[0] for s in strides)
        self.neck = Feature2Pyramid(dims) if single_scale else None
        self.psp_modules = nn.ModuleList(
            nn.Sequential(nn.AdaptiveAvgPool2d(s), ConvBnAct(last, c, 1)) for s in pool_scales)
        self.bottleneck = ConvBnAct(last + len(pool_scales) * c, c, 3)
        self.lateral_convs = nn.ModuleList(ConvBnAct(d, c, 1) for d in dims[:-1])
        self.fpn_convs = nn.ModuleList(ConvBnAct(c, c, 3) for _ in range(n - 1))
        self.fpn_bottleneck = ConvBnAct(n * c, c, 3)
        self.dropout = nn.Dropout2d(dropout)
        self.conv_seg = nn.Conv2d(c, num_classes, 1)

    def psp_forward(self, x):
        size = x.shape[-2:]
        parts = [x] + [resize(branch(x), size) for branch in self.psp_modules]
        return self.bottleneck(torch.cat(parts, 1))

    def forward(self, features, output_size):
        maps = self.neck(features) if self.neck is not None else list(features)
        laterals = [conv(x) for conv, x in zip(self.lateral_convs, maps[:-1])]
        laterals.append(self.psp_forward(maps[-1]))
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + resize(laterals[i], laterals[i - 1].shape[-2:])
        outs = [conv(x) for conv, x in zip(self.fpn_convs, laterals[:-1])] + [laterals[-1]]
        size = outs[0].shape[-2:]
        fused = self.fpn_bottleneck(torch.cat([resize(x, size) for x in outs], 1))
        return resize(self.conv_seg(self.dropout(fused)), output_size)


# --------------------------------------------------------------------------------------------
# Model table: PyTorch twin + the eobench arguments that build the same thing
# --------------------------------------------------------------------------------------------

MODELS = {
    "vit_s": {
        "title": "ViT-S/16 + UPerNet",
        "encoder": lambda size: ViT(IN_CHANS, size, dim=384, depth=12, heads=6),
        "dims": [384] * 4,
        "strides": [16] * 4,
        "eobench": ["encoder=vit", "encoder.embed_dim=384", "encoder.num_heads=6",
                    "encoder.depth=12", "decoder=seg_upernet"],
    },
    "vit_b": {
        "title": "ViT-B/16 + UPerNet",
        "encoder": lambda size: ViT(IN_CHANS, size, dim=768, depth=12, heads=12),
        "dims": [768] * 4,
        "strides": [16] * 4,
        "eobench": ["encoder=vit", "decoder=seg_upernet"],
    },
    "unet": {
        "title": "UNet enc. + UPerNet",
        "encoder": lambda size: UNetEncoder(IN_CHANS),
        "dims": [64, 128, 256, 512],
        "strides": [1, 2, 4, 8],
        "eobench": ["encoder=unet", "decoder=seg_upernet"],
    },
}
# The sample dataset's presets set decoder.channels=128 for its quick start; the benchmark wants
# the real 512-channel head, so it is always passed explicitly.
EOBENCH_COMMON = ["decoder.channels=512", "decoder.pool_scales=[1,2,3,6]", "decoder.dropout=0.1"]

# Learnable parameters eobench reports at size 224 (`eobench run` log line "encoder vit (N params
# ...), decoder seg_upernet (M params)", see README.md); BatchNorm running statistics excluded.
EOBENCH_PARAMS_224 = {
    "vit_s": (21_960_576, 30_888_834),
    "vit_b": (86_388_480, 39_344_898),
    "unet": (4_690_944, 29_608_962),
}


def build(name, size):
    spec = MODELS[name]
    encoder = spec["encoder"](size)
    decoder = UPerNet(spec["dims"], spec["strides"], NUM_CLASSES)
    return encoder, decoder


def n_params(module):
    return sum(p.numel() for p in module.parameters())


# --------------------------------------------------------------------------------------------
# One timed step per mode (the same work as src/cli/bench.rs)
# --------------------------------------------------------------------------------------------


def autocast(precision):
    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


def make_step(mode, precision, encoder, decoder, x, target):
    """Returns a closure running one iteration of `mode`."""
    size = tuple(x.shape[-2:])
    if mode == "infer":
        encoder.eval()
        decoder.eval()

        def step():
            with torch.inference_mode(), autocast(precision):
                logits = decoder(encoder(x), size)
            logits.float().sum().item()  # eobench reads a scalar too

        return step
    if mode == "frozen":
        encoder.eval()  # eobench's freeze(): no gradients and eval behaviour (BatchNorm)
        encoder.requires_grad_(False)
        decoder.train()
        params = list(decoder.parameters())
    else:
        encoder.train()
        decoder.train()
        encoder.requires_grad_(True)
        params = list(encoder.parameters()) + list(decoder.parameters())
    optim = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)

    def step():
        optim.zero_grad(set_to_none=True)
        with autocast(precision):
            if mode == "frozen":
                with torch.no_grad():
                    feats = [f.detach() for f in encoder(x)]
            else:
                feats = encoder(x)
            logits = decoder(feats, size)
            loss = F.cross_entropy(logits.float(), target, ignore_index=-1)
        loss.backward()
        optim.step()

    return step


def time_torch(name, mode, precision, batch, size, warmup, repeats):
    torch.manual_seed(234)
    encoder, decoder = build(name, size)
    x = torch.randn(batch, IN_CHANS, size, size)
    target = torch.randint(0, NUM_CLASSES, (batch, size, size))
    step = make_step(mode, precision, encoder, decoder, x, target)
    seconds = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        step()
        if i >= warmup:
            seconds.append(time.perf_counter() - t0)
    return seconds


def count_gflop_per_image(name, size, mode="infer"):
    """GFLOP per image PyTorch's FlopCounterMode counts for one `mode` step (fp32; matmuls,
    convolutions and their backward passes, 2 FLOP per multiply-add; not element-wise ops,
    norms, pooling, resizes, softmax or the optimizer). Counted at batch 2 (BatchNorm in
    training mode needs more than one value per channel after the 1x1 pool) and divided by 2."""
    torch.manual_seed(0)
    encoder, decoder = build(name, size)
    b = 2
    x = torch.randn(b, IN_CHANS, size, size)
    target = torch.randint(0, NUM_CLASSES, (b, size, size))
    Attention.fused = False  # explicit matmuls: counted whatever SDPA kernel would run
    try:
        if mode == "infer":
            encoder.eval()
            decoder.eval()
        else:
            encoder.train(mode == "finetune")
            encoder.requires_grad_(mode == "finetune")
            decoder.train()
        with FlopCounterMode(display=False) as counter:
            if mode == "infer":
                with torch.no_grad():
                    decoder(encoder(x), (size, size))
            else:
                if mode == "frozen":
                    with torch.no_grad():
                        feats = encoder(x)
                else:
                    feats = encoder(x)
                F.cross_entropy(decoder(feats, (size, size)), target).backward()
    finally:
        Attention.fused = True
    return counter.get_total_flops() / b / 1e9


# --------------------------------------------------------------------------------------------
# eobench
# --------------------------------------------------------------------------------------------


def run_eobench(binary, name, mode, precision, batch, size, warmup, repeats, gflop, threads,
                workdir):
    out = workdir / f"{name}-{mode}-{precision}.json"
    cmd = [str(binary), "bench", *MODELS[name]["eobench"], *EOBENCH_COMMON,
           f"batch={batch}", f"size={size}", f"mode={mode}", f"precision={precision}",
           f"warmup={warmup}", f"repeats={repeats}", f"gflop_per_image={gflop:.4f}", f"json={out}"]
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    # Shown without machine paths: the binary relative to the repository, the JSON under $TMP.
    try:
        exe = str(pathlib.Path(binary).resolve().relative_to(REPO))
    except ValueError:
        exe = pathlib.Path(binary).name
    shown_cmd = [exe, *cmd[1:-1], f"json=$TMP/{out.name}"]
    shown = f"RAYON_NUM_THREADS={threads} " + " ".join(shlex.quote(c) for c in shown_cmd)
    if proc.returncode != 0:
        return None, shown, short_error(proc.stdout + proc.stderr)
    doc = json.loads(out.read_text())
    rows = [m for m in doc["modes"] if m["mode"] == mode]
    if not rows:
        return None, shown, f"no '{mode}' row in {out}: {doc}"
    return {"seconds": rows[0]["seconds"], "peak_rss_mib": doc.get("peak_rss_mib"),
            "eobench_gflop_per_s": rows[0].get("gflop_per_s")}, shown, proc.stdout.strip()


def short_error(text):
    """The panic / error lines of a failed run, without backtraces or home-directory paths."""
    keep = [l for l in text.splitlines() if "panicked" in l or l.startswith("error")
            or "out of bounds" in l]
    keep = [re.sub(r"/\S*/\.cargo/registry/src/[^/]+/", "~/.cargo/registry/src/…/", l)
            for l in keep]
    return "\n".join(keep) or text.strip()[-1500:]


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def machine_summary():
    lines = []
    try:
        info = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        info = ""
    fields = dict(l.split(":", 1) for l in info.splitlines() if ":" in l)
    model = fields.get("Model name", platform.processor() or "?").strip()
    flags = set(fields.get("Flags", "").split())
    cores = os.cpu_count()
    simd = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile",
                        "amx_bf16") if f in flags]
    lines.append(f"CPU: {model}, {cores} logical CPUs; "
                 f"SIMD flags: {', '.join(simd) or 'none of avx2/avx512/amx'}; "
                 f"AVX-512: {'yes' if 'avx512f' in flags else 'no'}, "
                 f"AVX512-BF16: {'yes' if 'avx512_bf16' in flags else 'no'}, "
                 f"AMX: {'yes' if 'amx_tile' in flags else 'no'}")
    lines.append(f"torch {torch.__version__} (CPU capability "
                 f"{torch.backends.cpu.get_cpu_capability()}), Python {platform.python_version()}")
    return lines


def fmt(v, spec=".2f"):
    return "–" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="vit_s,vit_b,unet")
    ap.add_argument("--modes", default="infer,frozen,finetune")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--unet-size", type=int, default=None,
                    help="input side for the unet model only (default: --size); its 512-channel "
                         "UPerNet runs at full resolution and costs ~1.3 TFLOP per 224 px image")
    ap.add_argument("--warmup", type=int, default=2,
                    help="untimed steps first; 2 because eobench's heap reaches its peak only in "
                         "the second training step (the AdamW moments live from the first "
                         "optimizer step on), whose first-touch page faults would otherwise land "
                         "in a timed step")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each cell this many times, alternating which framework runs "
                         "first; the ratio is the median of the per-round ratios")
    ap.add_argument("--threads", type=int, default=2,
                    help="torch.set_num_threads and RAYON_NUM_THREADS for eobench")
    ap.add_argument("--quick", action="store_true", help="batch 2, size 64, repeats 2 (smoke run)")
    ap.add_argument("--eobench", type=pathlib.Path, default=REPO / "target/release/eobench")
    ap.add_argument("--skip-eobench", action="store_true", help="PyTorch side only")
    ap.add_argument("--only", default=None,
                    help="comma list of model:mode:precision triples to run (e.g. "
                         "unet:infer:bf16); the other combinations are skipped")
    ap.add_argument("--out", type=pathlib.Path, default=None,
                    help="also write the report (markdown) to this file")
    args = ap.parse_args()
    if args.quick:
        args.batch, args.size, args.repeats = 2, 64, 2
    models = [m for m in args.models.split(",") if m]
    modes = [m for m in args.modes.split(",") if m]
    precisions = [p for p in args.precisions.split(",") if p]
    for m in models:
        if m not in MODELS:
            ap.error(f"unknown model {m}; use {', '.join(MODELS)}")
    for m in modes:
        if m not in ("infer", "frozen", "finetune"):
            ap.error(f"unknown mode {m}; use infer, frozen, finetune")
    for p in precisions:
        if p not in ("fp32", "bf16"):
            ap.error(f"unknown precision {p}; use fp32, bf16")
    only = set(args.only.split(",")) if args.only else None
    if not args.skip_eobench and not args.eobench.exists():
        ap.error(f"{args.eobench} does not exist: build it with `cargo build --release` "
                 f"or pass --eobench PATH")
    torch.set_num_threads(args.threads)
    command = "python tools/bench/compare.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    header = [f"# eobench vs PyTorch, CPU throughput",
              "",
              f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
              *[f"- {l}" for l in machine_summary()],
              f"- threads: {args.threads} (torch.set_num_threads; RAYON_NUM_THREADS for eobench)",
              f"- batch {args.batch}, {IN_CHANS} bands, {NUM_CLASSES} classes, warm-up "
              f"{args.warmup} + median of {args.repeats}"
              + (f", {args.rounds} rounds per cell alternating which framework runs first "
                 f"(ratio = median of the per-round ratios)" if args.rounds > 1 else ""),
              f"- command: `{command}`",
              f"- load average at start: {os.getloadavg()[0]:.2f} (1 min)"]
    print("\n".join(header), flush=True)

    rows, notes, details, params, timings = [], [], [], [], []
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="eobench-compare-"))
    for name in models:
        size = args.unet_size if (name == "unet" and args.unet_size) else args.size
        enc, dec = build(name, size)
        pe, pd = n_params(enc), n_params(dec)
        del enc, dec
        check = ""
        if size == 224 or name == "unet":  # the UNet has no size-dependent parameter
            ee, ed = EOBENCH_PARAMS_224[name]
            check = ("= eobench" if (pe, pd) == (ee, ed)
                     else f"MISMATCH vs eobench {ee:,} / {ed:,}")
        params.append(f"| {MODELS[name]['title']} | {pe:,} | {pd:,} | {check or '(not checked at this size)'} |")
        gfwd = count_gflop_per_image(name, size, "infer")
        gstep = {m: (gfwd if m == "infer" else count_gflop_per_image(name, size, m)) for m in modes}
        print(f"\n{MODELS[name]['title']} @ {size}px: encoder {pe:,} + decoder {pd:,} parameters, "
              f"{gfwd:.2f} GFLOP/img forward, per step "
              + ", ".join(f"{m} {g:.2f}" for m, g in gstep.items()), flush=True)
        for precision in precisions:
            for mode in modes:
                if only is not None and f"{name}:{mode}:{precision}" not in only:
                    continue
                load0 = os.getloadavg()[0]
                t, e_secs, round_ratios = [], [], []
                e, shown, out = (None, None, None)
                for r in range(args.rounds):
                    # Alternate which framework goes first, so a slow or fast phase of a shared
                    # machine does not always land on the same one.
                    order = ("torch", "eobench") if r % 2 == 0 else ("eobench", "torch")
                    t_r = e_r = None
                    for side in order:
                        if side == "torch":
                            t_r = time_torch(name, mode, precision, args.batch, size,
                                             args.warmup, args.repeats)
                        elif not args.skip_eobench:
                            e, shown, out = run_eobench(args.eobench, name, mode, precision,
                                                        args.batch, size, args.warmup,
                                                        args.repeats, gfwd, args.threads, workdir)
                            e_r = e["seconds"] if e else None
                    t += t_r
                    if e_r is None:
                        e_secs = None
                    elif e_secs is not None:
                        e_secs += e_r
                        round_ratios.append(median(t_r) / median(e_r))
                    if not args.skip_eobench and e is None:
                        break
                tm = median(t)
                e = {**e, "seconds": e_secs} if (e and e_secs) else None
                load1 = os.getloadavg()[0]
                t_ips = args.batch / tm
                e_ips = args.batch / median(e["seconds"]) if e else None
                row = {
                    "model": MODELS[name]["title"], "size": size, "mode": mode,
                    "precision": precision, "torch_ips": t_ips, "eobench_ips": e_ips,
                    # With several rounds: the median of the per-round ratios (each from two
                    # back-to-back runs), less exposed to the machine's phases than a ratio of
                    # pooled medians.
                    "ratio": median(round_ratios) if (e_ips and round_ratios) else None,
                    "round_ratios": round_ratios, "gflop_fwd": gfwd,
                    "gflop_step": gstep[mode], "torch_gflops": gstep[mode] * t_ips,
                    "eobench_gflops": gstep[mode] * e_ips if e_ips else None,
                    "load": (load0, load1),
                }
                rows.append(row)
                line = (f"{name} {size}px {mode} {precision}: PyTorch {t_ips:.3f} img/s "
                        f"(s: {', '.join(f'{s:.2f}' for s in t)}), eobench "
                        + (f"{e_ips:.3f} img/s (s: {', '.join(f'{s:.2f}' for s in e['seconds'])}, "
                           f"peak RSS {fmt(e['peak_rss_mib'], '.0f')} MiB)" if e else "–")
                        + (f", per-round ratios {', '.join(f'{x:.2f}' for x in round_ratios)}"
                           if len(round_ratios) > 1 else "")
                        + f", load {load0:.2f}->{load1:.2f}")
                timings.append(f"- {line}")
                print(f"  {line}", flush=True)
                if shown:
                    details.append(f"- `{shown}`")
                if not args.skip_eobench and e is None:
                    notes.append(f"- eobench FAILED for {name} {mode} {precision}: `{shown}`\n\n"
                                 + "  ```\n" + "\n".join("  " + l for l in out.splitlines())
                                 + "\n  ```")
                    print(f"    eobench failed:\n{out}", flush=True)

    table = ["| model | px | mode | precision | PyTorch img/s | eobench img/s | eobench/PyTorch "
             "| GFLOP/img fwd | GFLOP/img step | PyTorch GFLOP/s | eobench GFLOP/s | load 1-min |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        table.append(
            f"| {r['model']} | {r['size']} | {r['mode']} | {r['precision']} | "
            f"{r['torch_ips']:.3f} | {fmt(r['eobench_ips'], '.3f')} | "
            f"{fmt(r['ratio'], '.2f')} | {r['gflop_fwd']:.1f} | {r['gflop_step']:.1f} | "
            f"{r['torch_gflops']:.0f} | {fmt(r['eobench_gflops'], '.0f')} | "
            f"{r['load'][0]:.1f}→{r['load'][1]:.1f} |")
    report = header + [
        "",
        "## Throughput",
        "",
        *table,
        "",
        "GFLOP/img step: what FlopCounterMode counts for one step of the mode (infer: forward; "
        "frozen: encoder forward + decoder forward and backward; finetune: forward and backward "
        "of both), matmuls and convolutions only. Achieved GFLOP/s = that x img/s, for both "
        "frameworks. (`eobench bench` itself multiplies the forward count by 3 for both training "
        "modes; its JSON `gflop_per_s` therefore differs for frozen.) load 1-min: the machine's "
        "1-minute load average before -> after the pair of measurements; more than the thread "
        "count means other processes competed for the cores.",
        "",
        "## Per-iteration seconds",
        "",
        *timings,
        "",
        "## Parameters (PyTorch twins)",
        "",
        "| model | encoder | decoder | check |",
        "|---|---|---|---|",
        *params,
        "",
        "## eobench commands",
        "",
        *details,
        *(["", "## Failures", "", *notes] if notes else []),
        "",
        f"- load average at end: {os.getloadavg()[0]:.2f} (1 min)",
    ]
    print("\n" + "\n".join(report[len(header):]))
    if args.out:
        args.out.write_text("\n".join(report) + "\n")
        print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
