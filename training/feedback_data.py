"""Reading `schildwacht feedback export` files (triage/feedback.py) as training examples for `train --feedback`.

Invariants of what `read_feedback` returns:
- every line of every file is checked before anything is used: the format is FEEDBACK_FORMAT, all lines of all
  files come from one organisation (an export is never a pool of organisations, docs/privacy/dpia.md), every model
  label is present with the value 0 or 1, and no label is unknown to the service; any violation raises
  FeedbackError with a Dutch message naming the file and line;
- only lines with text become examples, in the model's label order (schildwacht.contracts.LABELS); a line without
  text (a dismissed post) is skipped and counted;
- a file without lines, or files with no example with text at all, are refused (nothing to learn from);
- a label the service knows but the model does not output (schildwacht.vocabulary.LABELS minus the model's labels)
  is ignored and counted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schildwacht.contracts import FEEDBACK_FORMAT
from schildwacht.contracts import LABELS as MODEL_LABELS
from schildwacht.vocabulary import LABELS as SERVICE_LABELS

from .data import Example


class FeedbackError(ValueError):
    """A feedback file that cannot be trained on; the message is Dutch and meant for the person running the command."""


@dataclass
class FeedbackFile:
    """What one export file held: its checksum and counts, as recorded in the fine-tuned model."""

    name: str
    sha256: str
    lines: int = 0
    with_text: int = 0
    skipped_without_text: int = 0
    positives: dict[str, int] = field(default_factory=lambda: {label: 0 for label in MODEL_LABELS})
    label_sources: dict[str, int] = field(default_factory=dict)
    ignored_labels: dict[str, int] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "lines": self.lines,
            "with_text": self.with_text,
            "skipped_without_text": self.skipped_without_text,
            "positives": dict(self.positives),
            "label_sources": dict(sorted(self.label_sources.items())),
            "ignored_labels": dict(sorted(self.ignored_labels.items())),
        }


@dataclass
class Feedback:
    """The examples with text of all files (in file and line order), the organisation and one record per file."""

    examples: list[Example]
    organisation_id: str
    files: list[FeedbackFile]


def read_feedback(paths: list[Path]) -> Feedback:
    """Read and check every export in `paths` (module docstring); raises FeedbackError on the first problem."""
    if not paths:
        raise FeedbackError("Geef minstens één feedbackbestand op (--feedback BESTAND).")
    examples: list[Example] = []
    files: list[FeedbackFile] = []
    organisation: str | None = None
    for path in paths:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise FeedbackError(f"{path}: kan het bestand niet lezen ({exc.strerror}).") from exc
        info = FeedbackFile(name=Path(path).name, sha256=hashlib.sha256(raw).hexdigest())
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FeedbackError(f"{path}: geen UTF-8-tekst; is dit een feedbackexport?") from exc
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            row = _parse(path, number, line)
            where = f"{path}, regel {number}"
            org = row.get("organisation_id")
            if not isinstance(org, str) or not org:
                raise FeedbackError(f"{where}: geen organisatie (organisation_id).")
            if organisation is None:
                organisation = org
            elif org != organisation:
                raise FeedbackError(
                    f"{where}: organisatie {org!r}, eerder {organisation!r}. Een feedbackexport hoort bij één "
                    "organisatie; train niet op een mengsel van organisaties."
                )
            labels = _labels(where, row.get("labels"), info)
            info.lines += 1
            source = str(row.get("label_source") or "decision")
            info.label_sources[source] = info.label_sources.get(source, 0) + 1
            post = row.get("text")
            if post is None:
                info.skipped_without_text += 1
                continue
            if not isinstance(post, str) or not post.strip():
                raise FeedbackError(f"{where}: 'text' is geen tekst.")
            info.with_text += 1
            for label, value in zip(MODEL_LABELS, labels):
                info.positives[label] += value
            examples.append(
                Example(post, labels, f"feedback:{info.sha256[:12]}:{number}", f"feedback:{source}", "feedback")
            )
        if info.lines == 0:
            raise FeedbackError(f"{path}: het bestand is leeg; er is niets om van te leren.")
        files.append(info)
    if not examples:
        raise FeedbackError(
            "Geen enkel voorbeeld met tekst in de feedback (alleen afgewezen berichten zonder tekst); "
            "er is niets om op te trainen."
        )
    assert organisation is not None, "a file with lines sets the organisation"
    return Feedback(examples, organisation, files)


def _parse(path: Path, number: int, line: str) -> dict[str, Any]:
    """One export line as a dict of the expected format, or FeedbackError."""
    where = f"{path}, regel {number}"
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise FeedbackError(f"{where}: geen geldige JSON; is dit een feedbackexport?") from exc
    if not isinstance(row, dict):
        raise FeedbackError(f"{where}: geen JSON-object; is dit een feedbackexport?")
    if row.get("format") != FEEDBACK_FORMAT:
        raise FeedbackError(
            f"{where}: formaat {row.get('format')!r}, verwacht {FEEDBACK_FORMAT!r}. Maak het bestand met "
            "'schildwacht feedback export'."
        )
    return row


def _labels(where: str, labels: object, info: FeedbackFile) -> list[int]:
    """The line's labels in the model's label order; FeedbackError for a missing, unknown or non-0/1 label."""
    if not isinstance(labels, dict):
        raise FeedbackError(f"{where}: geen labels.")
    unknown = sorted(str(k) for k in labels if k not in MODEL_LABELS and k not in SERVICE_LABELS)
    if unknown:
        raise FeedbackError(
            f"{where}: onbekend label {', '.join(unknown)}; bekende labels: {', '.join(sorted(SERVICE_LABELS))}."
        )
    missing = [label for label in MODEL_LABELS if label not in labels]
    if missing:
        raise FeedbackError(f"{where}: label {', '.join(missing)} ontbreekt.")
    out = []
    for label in MODEL_LABELS:
        value = labels[label]
        if value not in (0, 1) or not isinstance(value, int | bool):
            raise FeedbackError(f"{where}: label {label} heeft de waarde {value!r}; alleen 0 of 1 is geldig.")
        out.append(int(value))
    for label in labels:
        if label not in MODEL_LABELS:
            info.ignored_labels[label] = info.ignored_labels.get(label, 0) + 1
    return out
