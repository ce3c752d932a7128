"""What the rule layer returns: hits (one rule firing on a stretch of text) and the spans shown to moderators.

Invariant: every Hit's start / end are offsets into the original text (the views the rules read are
length-preserving), so a Span's text is always `text[start:end]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schildwacht.contracts import Span


@dataclass
class Hit:
    """One rule firing: the characters it covers, the label it supports, the rule's name and its score."""

    start: int
    end: int
    label: str
    rule: str
    score: float


@dataclass
class RuleResult:
    """The rule layer's verdict on one text: per-label scores, spans, hits, hits a frame suppressed, and `mentions`:
    where the text names someone's origin, religion, colour, orientation, gender identity or disability outside a
    frame (identity_mention). A mention is no hit and scores nothing: it turns a post flagged for abuse or threat
    into identity-based hate (`classifiers.api.hostile_identity`)."""

    scores: dict[str, float]
    spans: list[Span]
    hits: list[Hit] = field(default_factory=list)
    suppressed: list[Hit] = field(default_factory=list)
    truncated: bool = False
    mentions: list[Span] = field(default_factory=list)


def tok_at(starts: list[int], pos: int) -> int:
    """Index of the last token that starts at or before character `pos` (`starts` is ascending)."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def to_spans(hits: list[Hit], text: str) -> list[Span]:
    """One Span per distinct (start, end, label), in text order; a hit inside a longer one of its label is dropped."""
    seen: set[tuple[int, int, str]] = set()
    out: list[Span] = []
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), -h.score))
    for h in ordered:
        key = (h.start, h.end, h.label)
        if key in seen:
            continue
        if any(
            o.label == h.label and o.start <= h.start and h.end <= o.end and (o.start, o.end) != (h.start, h.end)
            for o in ordered
        ):
            continue
        seen.add(key)
        out.append(Span(start=h.start, end=h.end, label=h.label, text=text[h.start : h.end], source=f"rule:{h.rule}"))
    return out
