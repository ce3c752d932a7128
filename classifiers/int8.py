"""The transformer's linear layers in int8, with a text's scores independent of the texts batched with it.

Weights are quantised once at load time, per output channel (symmetric, int8); activations per token row at run
time (symmetric, int8, scale = the row's largest absolute value / 127); the product is an int8 x int8 -> int32 matrix
multiply (`torch._int_mm`), rescaled by row scale x channel scale, plus the float32 bias.

Invariants:
- a row's output depends only on that row and the weights, so with the per-text attention of
  classifiers.attention a post scores the same numbers alone as in the worker's padded batch of 32: a classification
  can be reproduced;
- the weights on disk stay float32; this is a load-time step (`int8_linears`), inference only (no gradient);
- the query, key and value projections of one attention module (children named as in BERT, RoBERTa, DistilBERT or
  Llama: QKV_NAMES) are one group: when they read the same input tensor, it is quantised once and multiplied by
  their weight matrices side by side; a member called with another input gets the product of that input (the group
  recomputes). A group serves one call at a time (a lock), so a scorer shared by threads stays correct.

Written here rather than taken from `torch.ao.quantization.quantize_dynamic`: that one quantises the activations
per tensor, i.e. over the whole batch, so a post's scores moved by up to 0.04 with the posts it shared a batch with
(docs/classifier.md, "Speed"). `torch._int_mm` is the int8 matrix multiply torch itself uses for this (CPU and
CUDA); tests/classifiers/test_model_int8.py checks it against float32 and across batch compositions.

`torch._int_mm` is fast only on a CPU with int8 dot-product instructions (AVX-512 VNNI, AMX): measured on an AVX2-only
AMD EPYC here, one [1024, 256] x [256, 768] product took 207 ms against 6 ms in float32, which made the whole
classifier some 25x slower than float32. `fast_int8` says whether this CPU has them; the scorer asks it before it
loads int8 (classifiers.model.ModelScorer).
"""

from __future__ import annotations

import threading
from typing import Any

import torch

_LEVELS = 127.0
#: CPU features (names of torch.cpu.get_capabilities()) with which oneDNN's int8 product, behind `torch._int_mm`,
#: beats float32. AVX-VNNI without AVX-512 is left out: no machine here had it to measure.
FAST_INT8_FEATURES = ("avx512_vnni", "amx_int8")
#: sibling names of the query, key and value projections that read one input
QKV_NAMES = frozenset({"query", "key", "value", "q_lin", "k_lin", "v_lin", "q_proj", "k_proj", "v_proj"})


def _quantise_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(int8 rows, float32 scale per row [n, 1]) of a 2-d float tensor (an all-zero row gets zeros)."""
    scale = x.abs().amax(1, keepdim=True).clamp_(min=1e-12)
    return torch.mul(x, _LEVELS / scale).round_().to(torch.int8), scale.mul_(1 / _LEVELS)


class _Weights:
    """Int8 weights [in, out] (contiguous, as `torch._int_mm` reads them), float32 scale per output and bias."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
        w = weight.detach().float()
        scale = w.abs().amax(1).clamp(min=1e-12) / _LEVELS
        self.q = (w / scale[:, None]).round().clamp(-_LEVELS, _LEVELS).to(torch.int8).t().contiguous()
        self.scale = scale
        self.bias = bias.detach().float().clone() if bias is not None else torch.zeros(w.shape[0])

    @classmethod
    def side_by_side(cls, parts: list[_Weights]) -> _Weights:
        joined = cls.__new__(cls)
        joined.q = torch.cat([p.q for p in parts], 1).contiguous()
        joined.scale = torch.cat([p.scale for p in parts])
        joined.bias = torch.cat([p.bias for p in parts])
        return joined

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """x [n, in] float32 -> [n, out] float32."""
        xq, row_scale = _quantise_rows(x)
        y = torch._int_mm(xq, self.q).to(torch.float32).mul_(row_scale)
        return torch.addcmul(self.bias, y, self.scale)


class _Group:
    """Sibling layers reading one input: the first call with an input computes every member's output at once; each
    member takes its slice once, and the group forgets the input when all have (or when another input comes). The
    input is recognised by identity (inference tensors keep no version counter): a caller must not change it in place
    between the siblings' calls, which no transformer block does."""

    def __init__(self, members: list[Int8Linear]) -> None:
        self.sizes = [m.weights.q.shape[1] for m in members]
        self.weights = _Weights.side_by_side([m.weights for m in members])
        self.input: torch.Tensor | None = None  # held, so that its identity cannot pass to another tensor
        self.outputs: list[torch.Tensor | None] = []
        self.lock = threading.Lock()

    def output(self, position: int, x: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        with self.lock:
            if x is not self.input or self.outputs[position] is None:
                self.input = x
                self.outputs = list(self.weights.apply(x2).split(self.sizes, 1))
            out, self.outputs[position] = self.outputs[position], None
            if all(o is None for o in self.outputs):
                self.input = None
        assert out is not None
        return out


class Int8Linear(torch.nn.Module):
    """Drop-in for an inference-time nn.Linear (see the module docstring)."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.weights = _Weights(linear.weight, linear.bias)
        self.group: _Group | None = None
        self.position = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x2 = x.reshape(-1, self.in_features).float()
        if self.group is None:
            y = self.weights.apply(x2)
        else:
            y = self.group.output(self.position, x, x2)
        return y.reshape(*x.shape[:-1], self.out_features)


def fast_int8() -> bool:
    """Whether this CPU runs `torch._int_mm` faster than float32 (FAST_INT8_FEATURES); a fixed property of the
    machine, so the choice it drives does not vary from run to run."""
    capabilities = torch.cpu.get_capabilities()
    return any(capabilities.get(feature, False) for feature in FAST_INT8_FEATURES)


def int8_linears(model: Any) -> Any:
    """`model` (in place, returned) with every nn.Linear replaced by an Int8Linear; the query, key and value
    projections of one module (QKV_NAMES) with the same input width form a group."""
    for parent in list(model.modules()):
        linears = [(name, child) for name, child in parent.named_children() if isinstance(child, torch.nn.Linear)]
        by_width: dict[int, list[Int8Linear]] = {}
        for name, child in linears:
            replacement = Int8Linear(child)
            setattr(parent, name, replacement)
            if name in QKV_NAMES:
                by_width.setdefault(child.in_features, []).append(replacement)
        for members in by_width.values():
            if len(members) > 1:
                group = _Group(members)
                for position, member in enumerate(members):
                    member.group, member.position = group, position
    return model
