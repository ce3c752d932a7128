"""Loaders for the shared data (../shared/data beside the project root, read by path, never copied into the repository).

- MHC Dutch dev cases  -> our labels via the mapping in the data README
- RTP-LX Dutch (password zip) -> abuse positives (Insult) and clean negatives
- pretrain_nl -> unlabelled Dutch text for the tokenizer (and clean negatives)
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from schildwacht.contracts import LABELS

# The workplace's shared data lies beside the project root (../shared/data); override with SCHILDWACHT_SHARED_DATA.
DATA_DIR = Path(
    os.environ.get("SCHILDWACHT_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data")
)
MHC_CSV = DATA_DIR / "mhc_dutch" / "mhc_dutch_dev.csv"
RTP_ZIP = DATA_DIR / "rtp_lx_nl" / "rtp_lx_nl.zip"
RTP_PASSWORD = b"rtp-lx-entries-4/8/24"
PRETRAIN_DIR = DATA_DIR / "pretrain_nl"

CONTRAST_PREFIXES = ("counter_", "ident_")
CONTRAST_EXACT = {"negate_neg_nh", "profanity_nh", "target_obj_nh"}


@dataclass
class Example:
    text: str
    labels: list[int] | None  # LABELS order, -1 = unknown for this source; None = not mapped to our labels
    group: str  # template / source group, used for template-held-out splits
    source: str
    kind: str  # functionality or generator kind


def mhc_label(functionality: str, label_gold: str, target: str) -> tuple[list[int] | None, str]:
    """Map one MHC case to our labels (README mapping). Returns (labels or None, role).

    role: "positive", "contrast" (must not be flagged), "other" (not hateful, or hateful towards a group without a
    functionality we map to a person: kept for training, reported separately). Hate against women is `gender`,
    against every other MHC target group (all protected identities) `identity`; whether such hate is `abuse` (aimed
    at a person) is unknown for the "other" cases (masked in training and evaluation).
    """
    women = target == "women"
    ident = int(not women)
    if functionality in ("threat_dir_h", "threat_norm_h"):
        return [1, 0, int(women), 0, ident], "positive"
    if functionality == "target_indiv_nh":
        return [0, 1, 0, 0, 0], "positive"
    if functionality.startswith(CONTRAST_PREFIXES) or functionality in CONTRAST_EXACT:
        return [0, 0, 0, 0, 0], "contrast"
    if label_gold == "hateful" and women:
        return [0, 0, 1, 0, 0], "positive"
    if label_gold == "hateful":
        return [0, 0, 0, 0, 1], "identity"
    return [0, 0, 0, 0, 0], "other"


def masked_labels(e: Example) -> list[int]:
    """The labels of `e` as training and evaluation read them: what a source does not annotate is unknown (-1).
    RTP-LX insults say nothing of threat, gender, doxxing or identity; MHC group hate and the other MHC cases
    ("mhc:identity", "mhc:other") say nothing of whether a person is abused."""
    assert e.labels is not None, "only examples mapped to our labels are trained on or evaluated"
    if e.source == "rtp:insult":
        return [-1, 1, -1, -1, -1]
    lab = list(e.labels)
    if e.source in ("mhc:other", "mhc:identity"):
        lab[1] = -1
    return lab


def load_mhc(path: Path = MHC_CSV) -> list[Example]:
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels, role = mhc_label(row["functionality"], row["label_gold"], row["target_ident"])
            ref = (row.get("ref_templ_id") or "").strip()
            grp = "mhc:" + (str(int(float(ref))) if ref else row["templ_id"])
            out.append(Example(row["test_case"], labels, grp, "mhc:" + role, row["functionality"]))
    return out


def mhc_template_folds(examples: list[Example], seed: int = 7) -> tuple[set[str], set[str]]:
    """Split MHC template groups (a case and its spelling variants share a group) into two halves."""
    groups = sorted({e.group for e in examples})
    r = random.Random(seed)
    r.shuffle(groups)
    half = len(groups) // 2
    return set(groups[:half]), set(groups[half:])


def _read_jsonl_from_zip(zf: zipfile.ZipFile, name: str) -> list[dict]:
    raw = zf.read(name, pwd=RTP_PASSWORD).decode("utf-8")
    rows = []
    for line in raw.splitlines():
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    return rows


def load_rtp(path: Path = RTP_ZIP) -> list[Example]:
    """RTP-LX Dutch prompts: Insult >= 2.5 (mean of 3 annotators, scale 1-3) -> abuse; Toxicity <= 1.5 and every
    harm dimension at 1 -> negative; everything in between is left out (ambiguous for our labels). Violence is not
    mapped to threat (RTP-LX Violence covers violent content, not threats against a person)."""
    out: list[Example] = []
    with zipfile.ZipFile(path) as zf:
        for i, row in enumerate(_read_jsonl_from_zip(zf, "RTP_LX_NL_v0.2_prompts.json")):
            a = row.get("Annotations") or {}
            text = (row.get("Prompt") or "").strip().strip('„“"')
            if not text:
                continue
            grp = f"rtp:{row.get('Index', i)}"
            harm = [
                a.get(k, 1)
                for k in (
                    "IdentityAttack",
                    "Bias",
                    "Microaggression",
                    "Violence",
                    "SelfHarm",
                    "Insult",
                    "SexualContent",
                )
            ]
            if a.get("Insult", 1) >= 2.5 and a.get("Toxicity", 1) >= 3:
                out.append(Example(text, [0, 1, 0, 0, 0], grp, "rtp:insult", "rtp_insult"))
            elif a.get("Toxicity", 5) <= 1.5 and max(harm) <= 1.0:
                out.append(Example(text, [0, 0, 0, 0, 0], grp, "rtp:benign", "rtp_benign"))
        for i, row in enumerate(_read_jsonl_from_zip(zf, "acs_results_benign_NL.json")):
            text = (row.get("BenignCompletion") or "").strip().strip('"')
            acs = row.get("ACSResponse") or {}
            if text and max(acs.values() or [0]) < 0.05:
                out.append(
                    Example(
                        text[:600],
                        [0, 0, 0, 0, 0],
                        f"rtpb:{row.get('Index', i)}",
                        "rtp:benign_completion",
                        "rtp_benign_completion",
                    )
                )
    return out


def iter_pretrain_lines(
    max_lines: int | None = None,
    files: tuple[str, ...] = ("ud_dutch_text.txt.gz", "nl_laws_sample.txt.gz", "debian_docs_nl.txt.gz"),
):
    """Unlabelled Dutch lines from pretrain_nl (UD first, then laws and Debian docs)."""
    n = 0
    for name in files:
        p = PRETRAIN_DIR / name
        if not p.exists():
            continue
        with gzip.open(p, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                line = line.strip()
                if len(line) < 15:
                    continue
                yield line
                n += 1
                if max_lines is not None and n >= max_lines:
                    return


def ud_negatives(n: int = 1500, seed: int = 3) -> list[Example]:
    """Clean Dutch sentences (UD Alpino/LassySmall, mostly news) as negatives."""
    lines = list(iter_pretrain_lines(files=("ud_dutch_text.txt.gz",)))
    r = random.Random(seed)
    r.shuffle(lines)
    return [Example(t[:400], [0, 0, 0, 0, 0], f"ud:{i}", "ud", "ud_sentence") for i, t in enumerate(lines[:n])]


PROBE_PATH = Path(__file__).with_name("probe_replies.jsonl")
_PROBE_NEG_KINDS = {"criticism", "news", "counter", "idiom", "profanity_weather", "neutral"}
REPLIES_DIR = Path(__file__).with_name("replies")
# The patterns of the five-label reply files and of the frozen test set (their "kind"): what a post stands for,
# positive or hard negative. The frozen test set is reported per pattern.
PATTERNS = (
    "explicit_threat", "veiled_threat", "dehumanisation", "obfuscation", "long_post", "identity_abuse",
    "gender_abuse", "abuse", "doxxing", "doxxing_threat",
    "criticism", "news", "counter_speech", "quote", "idiom", "game_sport_hunting", "thing_not_person",
    "own_contact_info", "profanity", "neutral",
)  # fmt: skip
_REPLY_NEG_KINDS = {"criticism", "news", "counter", "quote", "idiom", "profanity", "neutral", "sarcasm"}
# The authors whose files are held out of training whole: the realistic-reply validation set for choices.
# ag_regional, al_citydesk and am_villagechat (spent frozen-test authors, five labels) give the identity label and
# the rule choices realistic validation posts.
REPLIES_VAL_AUTHORS = ("b_facebook", "r_mayor", "ag_regional", "al_citydesk", "am_villagechat")
# Authors held out of training and of every choice: reported only, like the probe test half.
REPLIES_TEST_AUTHORS = ("o_instagram",)


def of_authors(replies: dict[str, list[Example]], authors: tuple[str, ...]) -> list[Example]:
    """The examples of these authors (missing files count as empty), in author order."""
    return [e for author in authors for e in replies.get(author, [])]


def _labels(row: dict) -> list[int]:
    """LABELS order. A reply file of the first rounds has no `identity` key (identity-based hate was labelled abuse
    or gender there): its identity is 0 for a negative kind (nothing hateful) and unknown (-1) otherwise."""
    given = row["labels"]
    unknown = 0 if row["kind"] in _REPLY_NEG_KINDS | _PROBE_NEG_KINDS else -1
    return [int(bool(given[k])) if k in given else unknown for k in LABELS]


def _is_negative(row: dict) -> bool:
    """A five-label line is a negative when it has no label (its `kind` is a pattern, which a long post or an
    obfuscated one is either way); a four-label line by its kind."""
    if "identity" in row["labels"]:
        return not any(row["labels"].values())
    return row["kind"] in _REPLY_NEG_KINDS


def load_replies(directory: Path = REPLIES_DIR) -> dict[str, list[Example]]:
    """Training replies (training/replies/<author>.jsonl): realistic replies to local officials, each file written
    by a separate author (a helper told not to open the rules, generator, probe or datasets). Returns examples per
    author; group = "reply:<author>:<line>", kind "neg:<kind>" for negatives as in the generator."""
    out: dict[str, list[Example]] = {}
    for f in sorted(directory.glob("*.jsonl")):
        rows = []
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            row = json.loads(line)
            kind = ("neg:" if _is_negative(row) else "reply:") + row["kind"]
            rows.append(Example(row["text"], _labels(row), f"reply:{f.stem}:{i}", "reply:" + f.stem, kind))
        out[f.stem] = rows
    return out


def load_probe(half: str, path: Path = PROBE_PATH) -> list[Example]:
    """Hand-written replies to local officials (training/probe_replies.jsonl), written by a separate author without
    sight of the rules, the generator or any dataset; never used for training. half "dev" (even lines): the rule author
    read its errors; half "test" (odd lines): only ever scored. Negative kinds map to the generator's "neg:" kinds so
    criticism / hard-negative flag rates are computed the same way."""
    if not path.exists():
        return []
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip() or (i % 2 == 0) != (half == "dev"):
            continue
        row = json.loads(line)
        kind = "neg:" + row["kind"] if row["kind"] in _PROBE_NEG_KINDS else "probe:" + row["kind"]
        out.append(Example(row["text"], _labels(row), f"probe:{i}", "probe", kind))
    return out
