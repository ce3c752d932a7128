"""Transformer part, runtime side: loading a model directory and inference (building and training the tokenizer and
the small BERT-style classifier live in training/model_build.py and training/train.py).

The loader is general: any local directory that AutoModelForSequenceClassification / AutoTokenizer can load
(e.g. a Dutch base model such as RobBERT fine-tuned for our labels) works, as long as its config carries ``id2label``
with label names of LABELS (or its outputs are the first labels of LABELS, in order). A label the model has no output
for (a model of 0.4.x predates `identity`) gets probability ~0 from it: only the rules can raise that label then.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schildwacht.contracts import LABELS

from .lexical import ABSENT_LOGIT, LexicalModel, platt
from .textnorm import model_text

log = logging.getLogger(__name__)

MAX_LENGTH = 96
#: Whether the transformer's linear layers run in int8 where the CPU has int8 dot-product instructions
#: (classifiers.int8.fast_int8; at load time; thresholds.json `int8` or ModelScorer's `quantize` overrides it). On
#: such a CPU: 1.5-1.6x faster full path, 1 flag in 2,000 replies changed, largest score difference 0.02
#: (bench/classifier_equivalence.py); a post's scores do not depend on its batch (`logits`). Elsewhere float32.
INT8 = True


def set_threads() -> None:
    """Torch's intra-op threads: OMP_NUM_THREADS where set (several classify workers on one machine share its cores,
    docs/operations.md), else min(4, cores)."""
    import torch

    n = int(os.environ.get("OMP_NUM_THREADS") or 0) or min(4, os.cpu_count() or 1)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def mix_probs(transformer: list[list[float]], lexical: list[list[float]], weight: float) -> list[list[float]]:
    """Weighted average of the transformer's and the lexical model's probabilities (weight = the lexical share)."""
    return [[(1 - weight) * a + weight * b for a, b in zip(x, y)] for x, y in zip(transformer, lexical)]


def _attend_per_text(model: Any) -> bool:
    """Switch `model` to the per-text attention (classifiers.attention); False where its architecture does not take
    a registered attention function (its padded batches then move a text's scores slightly)."""
    from . import attention

    try:
        model.set_attn_implementation(attention.NAME)
    except (AttributeError, ValueError, NotImplementedError):
        return False
    return getattr(model.config, "_attn_implementation", None) == attention.NAME


class ModelScorer:
    """Loads a local model dir; ``predict(texts)`` -> list of per-label probabilities (LABELS order). A directory with
    a lexical model (classifiers.lexical) averages its probabilities with the transformer's. ``quantize`` runs the
    transformer's linear layers in int8 (classifiers.int8: per token, so a text's scores do not depend on its
    batch); None takes `int8` from thresholds.json, else INT8, and then int8 only on a CPU where it is faster
    (classifiers.int8.fast_int8; float32 elsewhere, logged); True forces it. ``int8`` says which it is."""

    def __init__(
        self, model_dir: str | Path, max_length: int = MAX_LENGTH, batch_size: int = 32, quantize: bool | None = None
    ) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        set_threads()
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except Exception:  # pragma: no cover - older transformers
            pass
        self.dir = Path(model_dir)
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.dir))
        self.model = AutoModelForSequenceClassification.from_pretrained(str(self.dir))
        self.model.eval()
        self.per_text = _attend_per_text(self.model)
        meta = {}
        try:
            meta = json.loads((self.dir / "thresholds.json").read_text())
        except (OSError, ValueError):
            pass
        from .int8 import fast_int8, int8_linears

        if quantize is None:
            wanted = bool(meta.get("int8", INT8))
            self.int8 = wanted and fast_int8()
            if wanted and not self.int8:
                log.info("transformer in float32: this CPU has no AVX-512 VNNI or AMX, int8 would be slower")
        else:
            self.int8 = quantize
        if self.int8:
            self.model = int8_linears(self.model)
        self.max_length = max_length
        self.batch_size = batch_size
        id2label = {int(k): v for k, v in (self.model.config.id2label or {}).items()}
        outputs = int(self.model.config.num_labels)
        if any(lab in id2label.values() for lab in LABELS):
            inv = {v: k for k, v in id2label.items()}
            self.index: list[int | None] = [inv.get(lab) for lab in LABELS]
        else:
            self.index = [j if j < outputs else None for j in range(len(LABELS))]
        cal = meta.get("calibration", {})
        self.calibration = {
            lab: (float(cal.get(lab, {}).get("a", 1.0)), float(cal.get(lab, {}).get("b", 0.0))) for lab in LABELS
        }
        self.lexical = LexicalModel.load(self.dir)
        self.lexical_weight = float(meta.get("lexical_weight", 0.5))
        self._torch = torch

    def logits(self, texts: Sequence[str]) -> list[list[float]]:
        """Raw logits (LABELS order), texts sorted by length and padded per batch. With the per-text attention
        (`per_text`, classifiers.attention) and int8, a text's logits are the same numbers whichever texts it is
        batched with."""
        torch = self._torch
        clean = [model_text(t) or "." for t in texts]
        order = sorted(range(len(clean)), key=lambda i: len(clean[i]))
        res: list[list[float]] = [[] for _ in clean]
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                enc = self.tokenizer(
                    [clean[i] for i in idx],
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                )
                batch = {name: enc[name] for name in self.tokenizer.model_input_names if name in enc}
                lg = self.model(**batch).logits.float().tolist()
                for i, row in zip(idx, lg):
                    res[i] = [ABSENT_LOGIT if j is None else row[j] for j in self.index]
        return res

    def predict(self, texts: Sequence[str]) -> list[list[float]]:
        """The model's probabilities: the transformer's, averaged with the lexical model's where the directory has
        one (weight `lexical_weight` in thresholds.json)."""
        transformer, lexical = self.predict_parts(texts)
        return transformer if lexical is None else self.mix(transformer, lexical)

    def predict_parts(self, texts: Sequence[str]) -> tuple[list[list[float]], list[list[float]] | None]:
        """(transformer probabilities, lexical probabilities or None)."""
        return self.transformer_probs(texts), (self.lexical.predict(texts) if self.lexical else None)

    def mix(self, transformer: list[list[float]], lexical: list[list[float]]) -> list[list[float]]:
        return mix_probs(transformer, lexical, self.lexical_weight)

    def transformer_probs(self, texts: Sequence[str]) -> list[list[float]]:
        return platt(self.logits(texts), self.calibration)
