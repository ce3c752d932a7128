"""Building the transformer half from scratch: a WordPiece tokenizer trained on Dutch text and a small BERT-style
multi-label classifier. Both save in the Hugging Face format that `classifiers.model.ModelScorer` loads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from classifiers.model import MAX_LENGTH
from schildwacht.contracts import LABELS

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast


def train_tokenizer(texts: Iterable[str], out_dir: Path, vocab_size: int = 8000) -> PreTrainedTokenizerFast:
    """Train a lowercasing, accent-stripping WordPiece tokenizer and save it as a BertTokenizerFast."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=False, strip_accents=True, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        limit_alphabet=300,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    from tokenizers.processors import TemplateProcessing

    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=MAX_LENGTH,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(str(out_dir))
    return fast


def build_model(
    vocab_size: int,
    layers: int = 4,
    hidden: int = 256,
    heads: int = 4,
    intermediate: int = 768,
    max_pos: int = 128,
    seed: int = 0,
):
    """An untrained BertForSequenceClassification with one output per label in LABELS order (`id2label` carries the
    names, so ModelScorer maps the outputs by name); `seed` fixes the initial weights. The return is not annotated:
    transformers' `@wraps(Module.to)` makes `.to(device)` of a typed model a type error for mypy."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    # num_labels is a PretrainedConfig keyword that BertConfig's typed signature leaves out
    cfg = BertConfig(  # type: ignore[call-arg]
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=max_pos,
        num_labels=len(LABELS),
        problem_type="multi_label_classification",
        id2label={i: lab for i, lab in enumerate(LABELS)},
        label2id={lab: i for i, lab in enumerate(LABELS)},
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )
    return BertForSequenceClassification(cfg)


def load_basis(basis_dir: Path):
    """The transformer of an earlier model directory with one output per label in LABELS order, to continue training
    from (`schildwacht train --basis`): encoder and the rows of the labels it already had are copied, the row of a
    label it lacks (0.4.x predates `identity`) starts from the mean of the other rows (an uninformed but on-scale
    start). Not annotated for the same reason as build_model."""
    import torch
    from transformers import AutoModelForSequenceClassification

    old = AutoModelForSequenceClassification.from_pretrained(str(basis_dir))
    names = {int(k): v for k, v in (old.config.id2label or {}).items()}
    model = build_model(
        old.config.vocab_size,
        layers=old.config.num_hidden_layers,
        hidden=old.config.hidden_size,
        heads=old.config.num_attention_heads,
        intermediate=old.config.intermediate_size,
        max_pos=old.config.max_position_embeddings,
    )
    model.bert.load_state_dict(old.bert.state_dict())
    rows = {lab: j for j, lab in names.items()}
    w_old, b_old = old.classifier.weight.data, old.classifier.bias.data
    with torch.no_grad():
        for i, lab in enumerate(LABELS):
            j = rows.get(lab)
            model.classifier.weight[i] = w_old[j] if j is not None else w_old.mean(0)
            model.classifier.bias[i] = b_old[j] if j is not None else b_old.mean()
    return model
