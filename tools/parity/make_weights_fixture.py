"""Writes core/tests/fixtures/weights/: a tiny PyTorch module's state dict as .pth and
.safetensors, for the strict checkpoint loader's tests (eobench_core::weights).

    python3 -m venv .venv-parity && .venv-parity/bin/pip install torch==2.15.0 safetensors==0.8.0 numpy
    .venv-parity/bin/python tools/parity/make_weights_fixture.py
"""
import pathlib

import torch
from safetensors.torch import save_file


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 2)
        self.norm = torch.nn.LayerNorm(2)


torch.manual_seed(0)
m = Tiny()
with torch.no_grad():
    m.lin.weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    m.lin.bias.copy_(torch.tensor([0.5, -0.5]))
    m.norm.weight.copy_(torch.tensor([2.0, 3.0]))
    m.norm.bias.copy_(torch.tensor([0.25, 0.75]))
out = pathlib.Path(__file__).resolve().parents[2] / "core/tests/fixtures/weights"
out.mkdir(parents=True, exist_ok=True)
sd = m.state_dict()
torch.save({"model": sd}, out / "tiny_wrapped.pth")
extra = dict(sd)
extra["decoder_pred.weight"] = torch.zeros(4)
torch.save(extra, out / "tiny_with_decoder.pth")
save_file({k: v.contiguous() for k, v in sd.items()}, str(out / "tiny.safetensors"))
# A valid archive that zip 9.8.1 (burn's PyTorch reader) cannot open: torch names the archive
# root after the file stem, and a 21-character root makes the first central-directory entry
# exactly as long as the zip64 end records; eobench must explain, not just fail.
torch.save(sd, out / "zip_root_21_chars_abc.pth")
print("wrote", sorted(p.name for p in out.iterdir()))
