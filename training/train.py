"""Training: data assembly (template-held-out splits), tokenizer, small BERT from scratch, calibration, saving."""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.lexical import LexicalModel
from classifiers.model import MAX_LENGTH, set_threads
from classifiers.textnorm import model_text
from schildwacht.contracts import LABELS

from .data import (
    REPLIES_TEST_AUTHORS,
    REPLIES_VAL_AUTHORS,
    Example,
    iter_pretrain_lines,
    load_mhc,
    load_probe,
    load_replies,
    load_rtp,
    masked_labels,
    mhc_template_folds,
    of_authors,
    ud_negatives,
)
from .dedupe import NEAR_DUP_JACCARD, SHINGLE, Leak, dedupe_by_priority
from .generator import add_noise, all_templates, generate, join_clusters, split_by_template, template_clusters
from .lexical_fit import fit_lexical_model, save_lexical_model
from .model_build import build_model, load_basis, train_tokenizer

MODEL_NAME = "schildwacht-nl-mini"
VERSION = "0.6.0"


@dataclass
class Splits:
    """Every split of one training run. With ``leak_free`` (build_splits) no text of a split equals or
    near-duplicates (training.dedupe) a text of a split before it in PRIORITY; ``leaks`` lists what was dropped."""

    train: list[Example]
    calib: list[Example]
    val_gen: list[Example]
    val_mhc: list[Example]
    val_rtp: list[Example]
    val_replies: list[Example]
    mhc_all: list[Example]
    info: dict
    test_replies: list[Example]  # REPLIES_TEST_AUTHORS: reported only
    probe_dev: list[Example] = field(default_factory=list)  # reported only; the rule author read its errors
    probe_test: list[Example] = field(default_factory=list)  # reported only, never inspected
    leaks: list[Leak] = field(default_factory=list)


# Dedupe priority, highest first: a text found in two splits stays in the earlier one (test before validation before
# calibration before training), so evaluation sets keep their items and training loses the copies.
PRIORITY = (
    "probe_test",
    "test_replies",
    "probe_dev",
    "val_gen",
    "val_mhc",
    "val_rtp",
    "val_replies",
    "calib",
    "train",
)


def _h(s: str) -> float:
    return int(hashlib.sha1(s.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _gen_examples(posts, split: str) -> list[Example]:
    return [Example(p.text, list(p.labels), "gen:" + p.template, "gen:" + split, p.kind) for p in posts]


def _template(e: Example) -> str:
    """The generator template id of a generated example."""
    return e.group.removeprefix("gen:")


_HELD_OUT = REPLIES_VAL_AUTHORS + REPLIES_TEST_AUTHORS


def trained_reply_authors(
    authors: list[str], reply_authors: Collection[str] | None = None, hold_out: Collection[str] = ()
) -> list[str]:
    """Of `authors`, those a model trains and calibrates on: not a validation or test author, not held out (left
    unseen for the stacker), and one of `reply_authors` where that is given (a model's record)."""
    return [
        a for a in authors if a not in _HELD_OUT and a not in hold_out and (reply_authors is None or a in reply_authors)
    ]


def split_replies(
    replies: dict[str, list[Example]], reply_authors: Collection[str] | None = None
) -> tuple[list[Example], list[Example], list[Example]]:
    """(train, calibration, validation): the REPLIES_VAL_AUTHORS files whole are validation, REPLIES_TEST_AUTHORS are
    left out (reported only, by evaluate); the other authors' lines go 15% (by hash of the line id) to calibration and
    the rest to training. A line whose text (case and spacing ignored) also occurs in a held-out file is left out;
    build_splits removes near-duplicates as well. `reply_authors` keeps only those authors for training and
    calibration (a model's record: the files added after it was trained are not in its splits)."""
    val = of_authors(replies, REPLIES_VAL_AUTHORS)
    seen = {" ".join(e.text.lower().split()) for e in of_authors(replies, _HELD_OUT)}
    rest = [
        e
        for author in trained_reply_authors(list(replies), reply_authors)
        for e in replies[author]
        if " ".join(e.text.lower().split()) not in seen
    ]
    return [e for e in rest if _h(e.group) >= 0.15], [e for e in rest if _h(e.group) < 0.15], val


def build_splits(
    seed: int = 0,
    n_per_template: int = 40,
    use_mhc: bool = True,
    reply_weight: int = 3,
    leak_free: bool = True,
    reply_authors: Collection[str] | None = None,
    hold_out: Collection[str] = (),
) -> Splits:
    """Template-held-out splits.

    generator: 20% of templates -> validation, 10% of the remaining -> calibration, rest -> train.
    MHC dev: template groups (a case and its spelling variants share a group) split in two halves; half A is used
    for training (when use_mhc), half B is the MHC validation half (rules and gates were tuned on it). RTP-LX: 80/20
    by prompt. Training replies: the REPLIES_VAL_AUTHORS files are held out whole as validation; of the other authors
    15% of lines (by hash) go to calibration, the rest is trained on: the original plus reply_weight - 1 copies with
    spelling noise. The probe halves are carried for evaluation and never trained on.

    leak_free (default): generator templates are split on rendered text as well as on ids (a template and its
    near-duplicate or slot-filled twin stay on one side, calibration included), and every split is deduplicated
    against the splits before it in PRIORITY (training.dedupe: normalised equality or character-shingle Jaccard
    >= NEAR_DUP_JACCARD), before the noisy reply copies are made. leak_free=False rebuilds the splits that models up
    to 0.4.0 were trained on (only exact reply-text overlap with held-out authors removed). `reply_authors` limits the
    trained and calibration replies to those authors (`split_replies`), to rebuild a model's splits from its record;
    `hold_out` leaves those reply authors out of training and calibration (kept unseen for the stacker,
    training/stack_fit.py). `info["replies"]["authors_trained"]` names exactly the authors trained on.
    """
    id_train, id_val = split_by_template(0.2, seed=13, leak_free=False)
    train_ids, val_ids = split_by_template(0.2, seed=13) if leak_free else (id_train, id_val)
    codes = {tid: code for tid, code, _ in all_templates()}
    calib_ids = set()
    by_code: dict[str, list[str]] = {}
    for tid in sorted(id_train):
        by_code.setdefault(codes[tid].split(":")[0] if not codes[tid].startswith("N:") else codes[tid], []).append(tid)
    r = random.Random(29)
    for _code, ids in sorted(by_code.items()):
        r.shuffle(ids)
        k = max(1, round(len(ids) * 0.12)) if len(ids) >= 5 else 0
        calib_ids.update(ids[:k])
    id_calib = set(calib_ids)
    fit_ids = train_ids - calib_ids
    if leak_free:  # a calibration template clustered with a fitted one is fitted too
        fit_ids = join_clusters(fit_ids, template_clusters()) & train_ids
        calib_ids -= fit_ids
    gen_train = _gen_examples(generate(n_per_template, seed, fit_ids), "train")
    # drawn from the id-only template sets and then filtered, so a template moved to training leaves the other
    # templates' calibration and validation posts as they were
    gen_calib = [e for e in _gen_examples(generate(15, seed + 101, id_calib), "calib") if _template(e) in calib_ids]
    gen_val = [e for e in _gen_examples(generate(15, seed + 202, id_val), "val") if _template(e) in val_ids]

    mhc = load_mhc()
    fold_a, fold_b = mhc_template_folds(mhc)
    mhc_train = [e for e in mhc if e.group in fold_a] if use_mhc else []
    mhc_val = [e for e in mhc if e.group in fold_b]
    rtp = load_rtp()
    rtp_train = [e for e in rtp if _h(e.group) >= 0.2]
    rtp_val = [e for e in rtp if _h(e.group) < 0.2]
    ud = ud_negatives(1500, seed=3)
    replies = load_replies()
    trained_authors = trained_reply_authors(list(replies), reply_authors, hold_out)
    reply_train, reply_calib, reply_val = split_replies(replies, trained_authors)
    test_replies = of_authors(replies, REPLIES_TEST_AUTHORS)
    probe_dev, probe_test = load_probe("dev"), load_probe("test")

    def masked(e: Example) -> Example:
        return Example(e.text, masked_labels(e), e.group, e.source, e.kind)

    train = gen_train + [masked(e) for e in rtp_train] + ud[:1200] + reply_train + [masked(e) for e in mhc_train]
    calib = gen_calib + ud[1200:1500] + reply_calib
    leaks: list[Leak] = []
    if leak_free:
        split_lists = {
            "probe_test": probe_test,
            "test_replies": test_replies,
            "probe_dev": probe_dev,
            "val_gen": gen_val,
            "val_mhc": mhc_val,
            "val_rtp": rtp_val,
            "val_replies": reply_val,
            "calib": calib,
            "train": train,
        }
        kept, leaks = dedupe_by_priority([(name, split_lists[name]) for name in PRIORITY])
        probe_test, test_replies, probe_dev = kept["probe_test"], kept["test_replies"], kept["probe_dev"]
        gen_val, mhc_val, rtp_val, reply_val = kept["val_gen"], kept["val_mhc"], kept["val_rtp"], kept["val_replies"]
        calib, train = kept["calib"], kept["train"]
    rn = random.Random(seed + 7)
    train_replies = [e for e in train if e.source.startswith("reply:")]
    reply_copies = [
        Example(add_noise(e.text, rn), e.labels, e.group, e.source, e.kind)
        for _ in range(reply_weight - 1)
        for e in train_replies
    ]
    if leak_free:
        train += reply_copies
    else:  # the order models up to 0.4.0 were trained in
        n_mhc = len(mhc_train)
        train = train[: len(train) - n_mhc] + reply_copies + train[len(train) - n_mhc :]
    half_b = "validation_half_B" if leak_free else "heldout_half_B"
    info = {
        "generator_templates": {"train": len(fit_ids), "calibration": len(calib_ids), "validation": len(val_ids)},
        "generator_examples": {
            "train": sum(e.source == "gen:train" for e in train),
            "calibration": sum(e.source == "gen:calib" for e in calib),
            "validation": len(gen_val),
        },
        "mhc_template_groups": {"train_half_A": len(fold_a), half_b: len(fold_b)},
        "mhc_cases": {"train_half_A": sum(e.source.startswith("mhc:") for e in train), half_b: len(mhc_val)},
        "rtp": {"train": sum(e.source.startswith("rtp:") for e in train), "val": len(rtp_val)},
        "ud_negatives": 1500,
        "use_mhc": use_mhc,
        "replies": {
            "authors_trained": sorted(trained_authors),
            "train": len(train_replies),
            "train_weight": reply_weight,
            "calibration": sum(e.source.startswith("reply:") for e in calib),
            "validation_authors": list(REPLIES_VAL_AUTHORS),
            "validation": len(reply_val),
            "test_authors": [a for a in REPLIES_TEST_AUTHORS if a in replies],
        },
        "seed": seed,
    }
    if leak_free:
        info["leak_free"] = {
            "near_dup_jaccard": NEAR_DUP_JACCARD,
            "shingle": SHINGLE,
            "dropped": {name: sum(leak.split == name for leak in leaks) for name in PRIORITY[1:]},
        }
    return Splits(
        train, calib, gen_val, mhc_val, rtp_val, reply_val, mhc, info, test_replies, probe_dev, probe_test, leaks
    )


def _batches(n: int, lengths: list[int], bs: int, r: random.Random):
    idx = list(range(n))
    r.shuffle(idx)
    chunks = [idx[i : i + bs * 50] for i in range(0, n, bs * 50)]
    batches = []
    for ch in chunks:
        ch.sort(key=lambda i: lengths[i])
        batches += [ch[i : i + bs] for i in range(0, len(ch), bs)]
    r.shuffle(batches)
    return batches


def masked_bce(labels, device: str):
    """BCE per label with a mild positive weight (sqrt of negatives/positives, 1..4) counted over the annotated cells
    only (-1 = the example's source does not annotate that label); `reduction="none"` so `train_step` can mask."""
    import torch

    known = labels >= 0
    pos = ((labels == 1) & known).sum(0).float()
    neg = ((labels == 0) & known).sum(0).float()
    pos_weight = torch.clamp((neg / pos.clamp(min=1)) ** 0.5, 1.0, 4.0)
    return torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=pos_weight.to(device))


def warmup_then_linear(opt, total: int):
    """Learning-rate factor: linear warm-up over the first 6% of `total` steps, then linear decay to 2%."""
    import torch

    warm = max(1, int(0.06 * total))
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.02, 1 - s / total))


def train_step(model, opt, sched, lossf, ids, lengths, labels, batch, device: str, index=None) -> float:
    """One optimiser step of masked BCE on `batch` (indices into `ids`/`labels`), padded to its longest sequence;
    label cells of -1 add nothing to the loss. `index` picks and orders the model's outputs as LABELS (None: as
    they are). Returns the batch loss."""
    import torch

    width = max(lengths[i] for i in batch)
    inp = torch.zeros((len(batch), width), dtype=torch.long)
    att = torch.zeros((len(batch), width), dtype=torch.long)
    for k, i in enumerate(batch):
        inp[k, : lengths[i]] = torch.tensor(ids[i])
        att[k, : lengths[i]] = 1
    y = labels[batch].to(device)
    mask = (y >= 0).float()
    out = model(input_ids=inp.to(device), attention_mask=att.to(device)).logits
    if index is not None:
        out = out[:, index]
    loss = (lossf(out, y.clamp(min=0)) * mask).sum() / mask.sum().clamp(min=1)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    return float(loss.item())


def predict_logits(model, tokenizer, texts: list[str], bs: int = 64) -> list[list[float]]:
    import torch

    model.eval()
    dev = next(model.parameters()).device
    clean = [model_text(t) or "." for t in texts]
    order = sorted(range(len(clean)), key=lambda i: len(clean[i]))
    res: list = [None] * len(clean)
    with torch.inference_mode():
        for b in range(0, len(order), bs):
            idx = order[b : b + bs]
            enc = tokenizer(
                [clean[i] for i in idx], truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="pt"
            )
            lg = model(input_ids=enc["input_ids"].to(dev), attention_mask=enc["attention_mask"].to(dev)).logits.tolist()
            for i, row in zip(idx, lg):
                res[i] = row
    return res


def mlm_pretrain(
    model,
    tok,
    corpus: list[str],
    seconds: int = 180,
    seed: int = 0,
    batch_size: int = 48,
    max_len: int = 64,
    lr: float = 1e-3,
    log=print,
    progress: bool = True,
    device: str = "cpu",
    max_steps: int = 0,
) -> int:
    """Masked-LM pretraining of the classifier's encoder on unlabelled Dutch, bounded by ``seconds`` or, when
    ``max_steps`` > 0, by that many steps instead (the same on any machine). The learning rate warms up over the first
    5% of the budget and then decays linearly to 5% of ``lr`` at the end. Returns the number of steps taken."""
    import torch
    from transformers import BertForMaskedLM

    if max_steps <= 0 and seconds <= 0:
        return 0
    mlm = BertForMaskedLM(model.config)
    mlm.bert.load_state_dict(model.bert.state_dict(), strict=False)
    mlm.to(device)  # type: ignore[arg-type]  # transformers' stub for `to` leaves out the device argument
    r = random.Random(seed)
    lines = [c for c in corpus if len(c) > 20]
    r.shuffle(lines)
    opt = torch.optim.AdamW(mlm.parameters(), lr=lr, weight_decay=0.01)
    mask_id = tok.mask_token_id
    special = set(tok.all_special_ids)
    t0 = time.time()
    step = 0
    mlm.train()
    prog = task = None
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        unit = "" if max_steps else "s"
        prog = Progress(
            TextColumn("[bold]MLM-voortraining"),
            BarColumn(),
            TextColumn("{task.completed:.0f}" + unit),
            TextColumn("loss {task.fields[loss]:.3f}"),
            TimeElapsedColumn(),
        )
        prog.start()
        task = prog.add_task("mlm", total=max_steps or seconds, loss=0.0)
    run = 0.0
    try:
        while (frac := step / max_steps if max_steps else (time.time() - t0) / seconds) < 1.0:
            for g in opt.param_groups:
                g["lr"] = lr * min(1.0, (frac + 1e-3) / 0.05) * max(0.05, 1.0 - frac)
            batch = [lines[(step * batch_size + k) % len(lines)] for k in range(batch_size)]
            enc = tok(batch, truncation=True, max_length=max_len, padding=True, return_tensors="pt")
            ids = enc["input_ids"].clone()
            labels = ids.clone()
            prob = torch.rand(ids.shape)
            is_special = torch.zeros_like(ids, dtype=torch.bool)
            for sid in special:
                is_special |= ids == sid
            m = (prob < 0.15) & ~is_special
            labels[~m] = -100
            rnd = torch.rand(ids.shape)
            ids[m & (rnd < 0.8)] = mask_id
            swap = m & (rnd >= 0.8) & (rnd < 0.9)
            ids[swap] = torch.randint(5, tok.vocab_size, (int(swap.sum()),))
            out = mlm(
                input_ids=ids.to(device), attention_mask=enc["attention_mask"].to(device), labels=labels.to(device)
            )
            opt.zero_grad()
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(mlm.parameters(), 1.0)
            opt.step()
            step += 1
            run = 0.98 * run + 0.02 * out.loss.item() if step > 1 else out.loss.item()
            if prog and task is not None:  # both are set together
                prog.update(task, completed=step if max_steps else min(seconds, time.time() - t0), loss=run)
    finally:
        if prog:
            prog.stop()
    model.bert.load_state_dict({k: v.to("cpu") for k, v in mlm.bert.state_dict().items()}, strict=False)
    log(f"MLM: {step} steps, loss {run:.3f}")
    return step


def mapped_labels(examples: list[Example]) -> list[list[int]]:
    """The labels of examples that must all be mapped to ours (the calibration split is)."""
    unmapped = [e.source for e in examples if e.labels is None]
    if unmapped:
        raise ValueError(f"{len(unmapped)} examples not mapped to our labels, e.g. from {unmapped[0]}")
    return [e.labels for e in examples if e.labels is not None]


def fit_calibration(logits: list[list[float]], labels: list[list[int]]) -> dict:
    """Per-label Platt scaling p = sigmoid(a*z + b) on the calibration split."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    cal = {}
    for j, lab in enumerate(LABELS):
        z = np.array([[row[j]] for row, y in zip(logits, labels) if y[j] >= 0])
        y = np.array([y[j] for y in labels if y[j] >= 0])
        if len(set(y.tolist())) < 2:
            cal[lab] = {"a": 1.0, "b": 0.0}
            continue
        lr = LogisticRegression(C=10.0).fit(z, y)
        cal[lab] = {"a": round(float(lr.coef_[0][0]), 5), "b": round(float(lr.intercept_[0]), 5)}
    return cal


def _basis_of(basis: Path) -> dict:
    """What thresholds.json records of the model a run continued from: its directory name, version and weights."""
    meta = json.loads((basis / "thresholds.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((basis / "model.safetensors").read_bytes()).hexdigest()
    return {"name": basis.name, "version": meta.get("version"), "model_sha256": digest}


def _device_name(device: str) -> str:
    """The training device as recorded in thresholds.json: "cpu", or "cuda (<GPU name>)"."""
    import torch

    if device.startswith("cuda") and torch.cuda.is_available():
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return device


def fit_lexical(splits: Splits, out_dir: Path) -> LexicalModel:
    """Fit the TF-IDF + logistic-regression model on the training split, calibrate it, save it beside the
    transformer."""
    lexical = fit_lexical_model(splits.train)
    lex_cal = fit_calibration(lexical.decision([e.text for e in splits.calib]), mapped_labels(splits.calib))
    lexical.calibration = {lab: (ab["a"], ab["b"]) for lab, ab in lex_cal.items()}
    save_lexical_model(lexical, out_dir)
    return lexical


def train_model(
    out_dir: Path,
    epochs: int = 4,
    seed: int = 0,
    use_mhc: bool = True,
    lr: float = 6e-4,
    batch_size: int = 32,
    layers: int = 4,
    hidden: int = 256,
    progress: bool = True,
    vocab_size: int = 8000,
    mlm_seconds: int = 0,
    n_per_template: int = 40,
    reply_weight: int = 3,
    pretrain_lines: int = 200000,
    device: str = "cpu",
    mlm_max_steps: int = 0,
    basis: Path | None = None,
    hold_out: Collection[str] = (),
    log=print,
) -> dict:
    """Train tokenizer, transformer (optionally MLM-pretrained) and lexical model; save all under ``out_dir``.
    ``device`` ("cpu", "cuda") only moves the training steps; the saved model is the same kind either way.
    With ``basis`` (an earlier model directory) the tokenizer and the transformer's weights are taken from it and
    fine-tuned on today's splits instead (no tokenizer training, no MLM; model_build.load_basis): the way to add a
    label or data without the hours a from-scratch run takes on a CPU. The lexical model is always fitted anew.
    ``hold_out``: reply authors neither half trains on (build_splits), left for `schildwacht fit-stacker`."""
    import torch

    set_threads()
    t0 = time.time()
    out_dir = Path(out_dir)
    splits = build_splits(
        seed=seed, use_mhc=use_mhc, n_per_template=n_per_template, reply_weight=reply_weight, hold_out=hold_out
    )
    log(f"data: {json.dumps(splits.info)}")
    # tokenizer: unlabelled Dutch + the training texts (never validation texts)
    if basis is not None:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(basis))
        out_dir.mkdir(parents=True, exist_ok=True)
        tok.save_pretrained(str(out_dir))
        torch.manual_seed(seed)
        model = load_basis(basis)
        layers, hidden = model.config.num_hidden_layers, model.config.hidden_size
        log(f"basis {basis}: tokenizer and weights taken over, {time.time() - t0:.0f}s")
    else:
        corpus = list(iter_pretrain_lines(max_lines=pretrain_lines)) + [e.text for e in splits.train]
        tok = train_tokenizer(corpus, out_dir, vocab_size=vocab_size)
        log(f"tokenizer: vocab {tok.vocab_size}, {time.time() - t0:.0f}s")
        model = build_model(tok.vocab_size, layers=layers, hidden=hidden, heads=4, intermediate=hidden * 3, seed=seed)
    mlm_steps = 0
    if basis is None and (mlm_seconds > 0 or mlm_max_steps > 0):
        mlm_steps = mlm_pretrain(
            model,
            tok,
            corpus,
            seconds=mlm_seconds,
            seed=seed,
            log=log,
            progress=progress,
            device=device,
            max_steps=mlm_max_steps,
        )
    model.to(device)
    texts = [model_text(e.text) for e in splits.train]
    enc = tok(texts, truncation=True, max_length=MAX_LENGTH)
    ids = enc["input_ids"]
    labels = torch.tensor([e.labels for e in splits.train], dtype=torch.float32)
    lengths = [len(x) for x in ids]
    r = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(ids) / batch_size)
    sched = warmup_then_linear(opt, steps_per_epoch * epochs)
    lossf = masked_bce(labels, device)  # positives are rarer than negatives for some labels
    prog = None
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        prog = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("loss {task.fields[loss]:.4f}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        prog.start()
    step = 0
    try:
        for ep in range(epochs):
            model.train()
            task = prog.add_task(f"epoch {ep + 1}/{epochs}", total=steps_per_epoch, loss=0.0) if prog else None
            run = 0.0
            for bi, b in enumerate(_batches(len(ids), lengths, batch_size, r)):
                loss = train_step(model, opt, sched, lossf, ids, lengths, labels, b, device)
                step += 1
                run = 0.98 * run + 0.02 * loss if bi else loss
                if prog and task is not None:  # both are set together
                    prog.update(task, advance=1, loss=run)
            if not prog:
                log(f"epoch {ep + 1}: loss {run:.4f} ({time.time() - t0:.0f}s)")
    finally:
        if prog:
            prog.stop()
    model.to("cpu").eval()
    cal_logits = predict_logits(model, tok, [e.text for e in splits.calib])
    calibration = fit_calibration(cal_logits, mapped_labels(splits.calib))
    model.save_pretrained(str(out_dir), safe_serialization=True)
    fit_lexical(splits, out_dir)
    log(f"lexical model (TF-IDF + LR) fitted, {time.time() - t0:.0f}s")
    thr_path = out_dir / "thresholds.json"
    existing = {}
    if thr_path.exists():
        try:
            existing = json.loads(thr_path.read_text())
        except ValueError:
            existing = {}
    meta = {
        "name": MODEL_NAME,
        "version": VERSION,
        "thresholds": existing.get("thresholds", {lab: 0.5 for lab in LABELS}),
        "combine": existing.get("combine", "max"),
        "frame_damp": existing.get("frame_damp", 1.0),
        "calibration": calibration,
        "lexical_weight": existing.get("lexical_weight", 0.5),
        "training": {
            **splits.info,
            "epochs": epochs,
            "lr": lr,
            "batch_size": batch_size,
            "layers": layers,
            "hidden": hidden,
            "mlm_seconds": mlm_seconds,
            "mlm_steps": mlm_steps,
            "pretrain_lines": pretrain_lines,
            "device": _device_name(device),
            "basis": None if basis is None else _basis_of(basis),
            "n_per_template": n_per_template,
            "seconds": round(time.time() - t0),
        },
    }
    thr_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    log(f"saved {out_dir} in {time.time() - t0:.0f}s")
    return meta
