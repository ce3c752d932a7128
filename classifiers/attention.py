"""Attention over each text's own tokens, so that padding a batch changes no number.

With a padded batch, torch's fused attention computes a text's attention over the padded width with a mask; the
result differs from the unpadded one by ~1e-6 (other kernel blocking), which the int8 layers' rounding
(classifiers.int8) carries to ~1e-2 on a logit. Here every text's attention is one
`scaled_dot_product_attention` call over its first n tokens (n from the padding mask), exactly the call an unpadded
batch of one makes; the padded rows get zeros (they feed nothing but their own rows: the linear layers, layer norms
and activations work row by row, and the classifier reads the first token).

Invariant: with the int8 linear layers, which are exact per row, a text's logits are the same numbers in any padded
batch as alone (float32 matrix multiplies still differ by ~1e-7 with the batch's size). A mask that is not right
padding (left padding, a custom mask), a causal model (`is_causal`, with or without a mask) and training (dropout)
go to transformers' own `sdpa` attention, unchanged, and so does the mask: it is built as for `sdpa`.

Registered with transformers' `AttentionInterface` and `AttentionMaskInterface` (the documented way to plug in an
attention function) under NAME; `ModelScorer` switches its model to it where the architecture supports that.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

NAME = "schildwacht_per_text"


def key_lengths(mask: torch.Tensor | None, batch: int, tokens: int) -> list[int] | None:
    """Real tokens per text from an `sdpa` mask (None: no padding), or None when the mask is not plain right
    padding."""
    if mask is None:
        return [tokens] * batch
    if mask.dtype != torch.bool or mask.dim() != 4 or mask.shape[0] != batch:
        return None
    valid = mask[:, 0, 0, :]
    counts = valid.sum(-1)
    prefix = torch.arange(valid.shape[-1], device=valid.device) < counts[:, None]
    if not torch.equal(valid, prefix) or not bool((counts > 0).all()):
        return None
    if not torch.equal(mask, valid[:, None, None, :].expand_as(mask)):
        return None  # a query row that sees other keys than the first: not a padding mask
    return [int(n) for n in counts]


def per_text_attention(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    """query, key, value [batch, heads, tokens, head size] -> output [batch, tokens, heads, head size]."""
    batch, heads, tokens, size = query.shape
    causal = bool(kwargs.get("is_causal") or getattr(module, "is_causal", False))
    counts = None if causal else key_lengths(attention_mask, batch, key.shape[2])
    if counts is None or dropout or key.shape[2] != tokens:
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    out = query.new_zeros(batch, tokens, heads, size)
    for b, n in enumerate(counts):
        one = torch.nn.functional.scaled_dot_product_attention(
            query[b : b + 1, :, :n], key[b : b + 1, :, :n], value[b : b + 1, :, :n], scale=scaling
        )
        out[b, :n] = one[0].transpose(0, 1)
    return out, None


AttentionInterface.register(NAME, per_text_attention)
AttentionMaskInterface.register(NAME, sdpa_mask)
