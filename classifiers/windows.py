"""Sentence windows of a long post, so that the model reads a threat in sentence 4 of 6 without the five ordinary
sentences around it diluting it, and reads every part of a post up to ``MODEL_CHAR_LIMIT`` characters instead of
the first ``MAX_LENGTH`` tokens.

A post is cut into *units*: its sentences (spaCy ``blank("nl")`` sentencizer, which keeps abbreviations such as
"o.a." and "Dhr." whole; a line break also ends a sentence), a sentence longer than ``max_chars`` cut further at its
clause punctuation (``, ; : –``) or, failing that, between words. The windows are every unit on its own and every
pair of neighbouring units.

Invariants of ``plan``:
- a window is a ``(start, end)`` slice of the text it was planned on, never longer than ``max_chars`` characters,
  never beyond ``limit``; together the windows cover every non-space character of the first ``limit`` characters;
- a window never starts right after a unit that opens a frame (a trailing colon, or the first clauses of a cut
  sentence with words of saying, naming, news, condemnation or negation: "ik zou nooit zeggen dat, ...") nor inside
  a quotation that opened before it: it starts at that unit instead, so the model reads the frame with the words it
  frames (and the rule layer's frame verdicts, found on the whole post, damp the windows that hold the framed words,
  classifiers.api.strongest). Only the ``max_chars`` budget can cut a frame short; then the window keeps the
  frame's last words, nearest to the rest;
- a post that fits in one window (at most two units, at most ``max_chars`` characters) gets no windows at all: its
  whole-post score is its only score, as before windows existed.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property

from spacy.pipeline.sentencizer import Sentencizer

from schildwacht.textnorm import fold

from .lexicons import NEGATIONS
from .rules import COUNTER_EVAL, META_SPEECH, NEWS_STRONG, REFERENCE, _quote_mask
from .textnorm import MODEL_CHAR_LIMIT, blank_html, scrub_surrogates

#: A window's length in characters: 280 characters stay within the model's 96 tokens for 98% of the training
#: replies (3.85 characters per token on average, 3.1 at the 2nd percentile).
WINDOW_CHARS = 280
#: Words that make a unit the frame of the next one: saying, naming, news and condemnation.
FRAME_WORDS = frozenset(META_SPEECH | REFERENCE | NEWS_STRONG | COUNTER_EVAL | NEGATIONS)
#: At most this many units a window reaches back for a frame (the character budget applies as well).
FRAME_REACH = 2

_SENTENCE_ENDS = frozenset(Sentencizer.default_punct_chars) | {"\n"}
_LINE = re.compile(r"[^\n]+")
_CLAUSE_END = re.compile(r"[,;:–—](?=\s)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Window:
    """Characters ``start:end`` of a post; ``context_start:context_end`` is the window with one unit more on either
    side, where the rule layer looks for the frames of the window's words."""

    start: int
    end: int
    context_start: int = 0
    context_end: int = 0


class Splitter:
    """spaCy ``blank("nl")`` with its sentencizer (thread-safe: one lock around spaCy)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _nlp(self):  # type: ignore[no-untyped-def]
        import spacy

        nlp = spacy.blank("nl")
        nlp.add_pipe("sentencizer")
        return nlp

    def sentences(self, text: str) -> list[Window]:
        """The sentences of `text`, in order, without their surrounding white space; a line break ends one."""
        out: list[Window] = []
        with self._lock:
            doc = self._nlp(text)
        for sent in doc.sents:
            for line in _LINE.finditer(text, sent.start_char, sent.end_char):
                piece = _strip(text, line.start(), line.end())
                if piece is not None:
                    out.append(piece)
        return out

    def units(self, text: str, max_chars: int = WINDOW_CHARS) -> list[Window]:
        """The sentences of `text`, each longer than `max_chars` cut at clause punctuation, else between words."""
        return [piece for piece, _ in self._units(text, max_chars)]

    def _units(self, text: str, max_chars: int) -> list[tuple[Window, int]]:
        """`units` with the number of the sentence each unit belongs to."""
        return [(piece, k) for k, s in enumerate(self.sentences(text)) for piece in _cut(text, s, max_chars)]

    def plan(self, text: str, max_chars: int = WINDOW_CHARS, limit: int = MODEL_CHAR_LIMIT) -> list[Window]:
        """The windows of `text` (module docstring); [] when it fits in one window."""
        view = blank_html(scrub_surrogates(text)[:limit])
        if len(view) <= max_chars and sum(c in _SENTENCE_ENDS for c in view) <= 1:
            return []  # at most two sentences within the budget: one window, no need to ask spaCy
        numbered = self._units(view, max_chars)
        units = [u for u, _ in numbered]
        if len(units) <= 2 and (not units or units[-1].end - units[0].start <= max_chars):
            return []
        quoted = _quote_mask(view)
        opens = [
            _opens_frame(view[u.start : u.end], same_sentence=k + 1 < len(numbered) and numbered[k + 1][1] == sent)
            for k, (u, sent) in enumerate(numbered)
        ]
        found: dict[tuple[int, int], Window] = {}
        for i in range(len(units)):
            for core in (i, i - 1) if i else (i,):
                first = _frame_start(units, opens, quoted, core)
                start = _fit(view, units[first].start, units[i], max_chars)
                context = (units[max(0, first - 1)].start, units[min(len(units) - 1, i + 1)].end)
                found.setdefault((start, units[i].end), Window(start, units[i].end, *context))
        return list(found.values())


def _strip(text: str, start: int, end: int) -> Window | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Window(start, end) if start < end else None


def _cut(text: str, span: Window, max_chars: int) -> list[Window]:
    """`span` in pieces of at most `max_chars`: each piece ends after the last clause mark that fits, else at the
    last white space that fits, else (one word longer than the budget) at the budget."""
    out: list[Window] = []
    start = span.start
    while span.end - start > max_chars:
        stop = start + max_chars
        marks = [m.end() for m in _CLAUSE_END.finditer(text, start, stop + 1) if m.end() <= stop]
        spaces = [k for k in range(stop, start, -1) if text[k].isspace()]
        cut = marks[-1] if marks else (spaces[0] if spaces else stop)
        piece = _strip(text, start, cut)
        if piece is not None:
            out.append(piece)
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    rest = _strip(text, start, span.end)
    return out + ([rest] if rest is not None else [])


def _opens_frame(unit: str, same_sentence: bool) -> bool:
    """True when `unit` frames the unit after it: it ends with a colon, or the next unit is the rest of its sentence
    and it holds words of saying, naming, news, condemnation or negation ("ik zou nooit zeggen dat, ..."). A whole
    sentence with such words frames only itself: the rule layer reads frames per sentence too, and a short post of
    "Ik zeg niks. <threat>" is flagged without windows as well."""
    return unit.rstrip().endswith(":") or (same_sentence and not FRAME_WORDS.isdisjoint(_WORD.findall(fold(unit))))


def _frame_start(units: list[Window], opens: list[bool], quoted: list[bool], first: int) -> int:
    """The unit a window whose first unit is `first` must start at to keep its frame (at most FRAME_REACH back)."""
    for _ in range(FRAME_REACH):
        if first == 0:
            break
        start = units[first].start
        inside_quote = quoted[start] and quoted[units[first - 1].end - 1]
        if not (opens[first - 1] or inside_quote):
            break
        first -= 1
    return first


def _fit(text: str, start: int, last: Window, max_chars: int) -> int:
    """The start of the window from `start` to the end of `last`, moved forward to a word start when the window is
    longer than `max_chars` (never past the start of `last`, which is at most `max_chars` long itself)."""
    if last.end - start > max_chars:
        lo = last.end - max_chars
        start = next((k for k in range(lo, last.start) if not text[k].isspace() and text[k - 1].isspace()), last.start)
    return start
