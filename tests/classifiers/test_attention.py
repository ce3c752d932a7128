"""Per-text attention (classifiers.attention): a padded batch changes no number of a text's logits, the attention is
transformers' own with the padding mask, and a mask that is not right padding is left to transformers."""

from __future__ import annotations

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from classifiers.api import DEFAULT_MODEL_DIR
from classifiers.attention import NAME, key_lengths
from classifiers.model import ModelScorer

TEXTS = [
    "Aftreden!",
    "Ik weet waar je woont, wethouder. Pas maar op.",
    "Deze wethouder liegt over de cijfers, aftreden!",
    "Goedemorgen, de vergadering begint om acht uur.",
    "Jij vieze trut, ga terug naar de keuken.",
    "De raad vergadert donderdag over het bestemmingsplan en daarna over de begroting van volgend jaar.",
    "Wat een vertoning weer in de raad gisteren. De stukken waren te laat, de insprekers kregen drie minuten en de "
    "voorzitter kapte iedereen af. Als dit democratie is, dan weet ik het ook niet meer. Volgende keer neem ik mijn "
    "buren mee, dan wordt het een stuk drukker op de publieke tribune.",
]


def encode(tokenizer, texts: list[str]) -> dict:
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    return {name: enc[name] for name in tokenizer.model_input_names if name in enc}


def test_the_scorer_attends_per_text_and_a_padded_batch_changes_no_number():
    """With int8 (exact per row); with transformers' own attention some padded texts' logits move (by up to ~1e-2
    over many texts; here at least one of these)."""
    scorer = ModelScorer(DEFAULT_MODEL_DIR, quantize=True)
    assert scorer.per_text and scorer.model.config._attn_implementation == NAME
    batch = encode(scorer.tokenizer, TEXTS)
    width = batch["input_ids"].shape[1]
    with torch.inference_mode():
        together = scorer.model(**batch).logits
        alone = [scorer.model(**encode(scorer.tokenizer, [text])).logits[0] for text in TEXTS]
    assert int(batch["attention_mask"][0].sum()) < width  # the first text is padded in the batch
    assert all(torch.equal(one, together[i]) for i, one in enumerate(alone))


def test_key_lengths_reads_right_padding_only():
    valid = torch.tensor([[True, True, False], [True, True, True]])
    mask = valid[:, None, None, :].expand(2, 1, 3, 3)
    assert key_lengths(mask, 2, 3) == [2, 3] and key_lengths(None, 2, 3) == [3, 3]
    left = torch.tensor([[False, True, True], [True, True, True]])[:, None, None, :].expand(2, 1, 3, 3)
    causal = torch.ones(3, 3, dtype=torch.bool).tril().expand(2, 1, 3, 3)
    assert key_lengths(left, 2, 3) is None and key_lengths(causal, 2, 3) is None
    assert key_lengths(mask.float(), 2, 3) is None


def test_per_text_attention_is_transformers_attention_with_the_padding_mask():
    """The same numbers as the stock model (float32, up to kernel rounding); without the mask every position is a
    real token, so the padding mask is what keeps the padded positions out."""
    tokenizer = AutoTokenizer.from_pretrained(str(DEFAULT_MODEL_DIR))
    plain = AutoModelForSequenceClassification.from_pretrained(str(DEFAULT_MODEL_DIR)).eval()
    switched = ModelScorer(DEFAULT_MODEL_DIR, quantize=False).model
    assert plain.config._attn_implementation != NAME
    batch = encode(tokenizer, TEXTS)
    with torch.inference_mode():
        expected, got = plain(**batch).logits, switched(**batch).logits
        unmasked = switched(input_ids=batch["input_ids"]).logits
    assert torch.allclose(expected, got, atol=1e-5)
    assert not torch.allclose(unmasked[0], expected[0], atol=1e-3)


def test_a_causal_module_is_left_to_transformers_attention():
    """Causal attention (is_causal on the module, no mask when nothing is padded) is not per-text attention."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    from classifiers.attention import per_text_attention

    module = torch.nn.Module()
    module.is_causal = True
    torch.manual_seed(0)
    query, key, value = (torch.randn(2, 2, 5, 8) for _ in range(3))
    expected, _ = sdpa_attention_forward(module, query, key, value, None)
    got, _ = per_text_attention(module, query, key, value, None)
    assert torch.equal(got, expected)
    module.is_causal = False
    bidirectional, _ = per_text_attention(module, query, key, value, None)
    assert not torch.allclose(bidirectional, expected)
