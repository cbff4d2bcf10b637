"""PyTorch side of `cargo bench -p eobench-layers --bench conv`: the same conv2d shapes, forward
and forward+backward, and the same gemm, with the same thread count (CPU, fp32).

    .venv-bench/bin/python tools/bench/conv_kernels.py [--threads 2] [--repeats 3]
        [--shapes "8,512,512,56,3;8,2048,512,56,3;8,384,512,56,1"]
"""

import argparse
import time

import torch

DEFAULT_SHAPES = "8,512,512,56,3;8,2048,512,56,3;8,384,512,56,1"


def timed(repeats, fn):
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return sorted(out)


def report(name, s, gflop):
    median = s[len(s) // 2]
    print(f"  {name:<18} median {median:7.3f} s  min {s[0]:7.3f}  max {s[-1]:7.3f}  {gflop / median:6.1f} GFLOP/s")


def conv_shape(b, ci, co, h, k, repeats):
    gflop = 2.0 * b * ci * co * h * h * k * k / 1e9
    print(f"conv {k}x{k} {ci}->{co} at {h}x{h}, batch {b}: {gflop:.1f} GFLOP forward")
    conv = torch.nn.Conv2d(ci, co, k, padding=k // 2)
    x = torch.randn(b, ci, h, h)
    with torch.inference_mode():
        report("forward", timed(repeats, lambda: conv(x).sum().item()), gflop)
    xg = torch.randn(b, ci, h, h, requires_grad=True)

    def step():
        conv.zero_grad(set_to_none=True)
        xg.grad = None
        conv(xg).sum().backward()

    report("forward+backward", timed(repeats, step), 3 * gflop)
    xd = xg.detach()

    def weight_only():
        conv.zero_grad(set_to_none=True)
        conv(xd).sum().backward()

    report("fwd + weight grad", timed(repeats, weight_only), 2 * gflop)
    conv.requires_grad_(False)

    def input_only():
        xg.grad = None
        conv(xg).sum().backward()

    report("fwd + input grad", timed(repeats, input_only), 2 * gflop)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shapes", default=DEFAULT_SHAPES)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, CPU capability {torch.backends.cpu.get_cpu_capability()}")
    for shape in args.shapes.split(";"):
        conv_shape(*[int(v) for v in shape.split(",")], args.repeats)
    m, k, n = 512, 4608, 8 * 56 * 56
    a, b = torch.randn(m, k), torch.randn(k, n)
    gflop = 2.0 * m * k * n / 1e9
    print(f"gemm {m}x{k} @ {k}x{n}: {gflop:.1f} GFLOP")
    report("matmul", timed(args.repeats, lambda: (a @ b)[0, 0].item()), gflop)


if __name__ == "__main__":
    main()
