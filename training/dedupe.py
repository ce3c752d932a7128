"""Exact and near-duplicate detection between data splits, so no evaluation text is also a training text.

Two texts are duplicates when their normalised forms (``normalise``: case, diacritics, punctuation, emoji and
whitespace ignored) are equal, and near-duplicates when the Jaccard similarity of their character ``SHINGLE``-gram
sets reaches ``NEAR_DUP_JACCARD``. Candidates are found with MinHash LSH (``datasketch``) at the lower
``LSH_THRESHOLD`` and then confirmed with the exact Jaccard value, so a reported near-duplicate always has
Jaccard >= NEAR_DUP_JACCARD; a pair at that value is missed with probability about 1e-4 (128 permutations in 37 bands
of 3 rows: 1 - (1 - 0.6**3)**37), at 0.7 about 1e-7.

Invariant of ``dedupe_by_priority``: no kept text of a split duplicates or near-duplicates a kept text of a split
listed before it; each dropped text is recorded with the higher-priority text it matched.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

SHINGLE = 5  # characters per shingle of the normalised text
# 0.6, read off this project's cross-split pairs (listed in the model card): at 0.6 and above they are the same
# sentence with a word or two changed or added ("ooit sta je alleen. en dan zijn wij er" / "... en dan?"), a handle,
# hashtag, emoji or typo; from 0.5 to 0.6 they mix such pairs with different sentences that share a frame ("X zijn
# een plaag" / "X zijn een kankergezwel").
NEAR_DUP_JACCARD = 0.6
LSH_THRESHOLD = 0.3
NUM_PERM = 128

_NON_WORD = re.compile(r"[^\w]+|_+")

T = TypeVar("T")


def normalise(text: str) -> str:
    """Lower case, diacritics stripped, every run of punctuation, emoji, symbols and whitespace a single space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", bare).strip()


def shingles(norm: str) -> frozenset[str]:
    """Character SHINGLE-grams of a normalised text (the whole text when it is shorter)."""
    if len(norm) <= SHINGLE:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass(frozen=True)
class Match:
    """The indexed text a query matched: its key, its text, "exact" or "near", and the Jaccard similarity."""

    key: object
    text: str
    how: str
    similarity: float


class DuplicateIndex:
    """Texts added under a key; ``match`` finds an indexed text that equals (normalised) or near-duplicates a query."""

    def __init__(self, threshold: float = NEAR_DUP_JACCARD) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._items: list[tuple[object, str, str, frozenset[str]]] = []  # key, text, normalised text, shingles
        self._lsh = MinHashLSH(threshold=min(LSH_THRESHOLD, threshold), num_perm=NUM_PERM)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: object, text: str) -> None:
        norm = normalise(text)
        if not norm:
            return
        grams = shingles(norm)
        idx = len(self._items)
        self._items.append((key, text, norm, grams))
        self._lsh.insert(idx, _minhash(grams))

    def match(self, text: str) -> Match | None:
        """The first exact match, else the most similar near-duplicate at or above the threshold, else None."""
        found = self.matches(text)
        return found[0] if found else None

    def matches(self, text: str) -> list[Match]:
        """Every indexed text equal to (normalised) or near-duplicating ``text``: exact matches first, then the
        near-duplicates from most to least similar."""
        norm = normalise(text)
        if not norm:
            return []
        grams = shingles(norm)
        exact, near = [], []
        # equal normalised texts have equal shingles, hence equal MinHash signatures: LSH always returns them
        for idx in sorted(self._lsh.query(_minhash(grams))):
            key, found, other_norm, other = self._items[idx]
            if other_norm == norm:
                exact.append(Match(key, found, "exact", 1.0))
            elif (sim := jaccard(grams, other)) >= self.threshold:
                near.append(Match(key, found, "near", sim))
        return exact + sorted(near, key=lambda m: -m.similarity)


@lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1).permutations


def _minhash(grams: frozenset[str]):
    """MinHash signature of a shingle set; CRC-32 as the (deterministic, fast) 32-bit shingle hash."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=_permutations(), scheme="affine32")
    m.update_batch([g.encode("utf-8") for g in grams])
    return m


@dataclass(frozen=True)
class Leak:
    """A text dropped from ``split`` because it duplicates ``matched_text`` of the higher-priority ``matched_split``."""

    split: str
    text: str
    matched_split: str
    matched_text: str
    how: str
    similarity: float


def dedupe_by_priority(
    splits: list[tuple[str, list[T]]], text_of=lambda e: e.text, threshold: float = NEAR_DUP_JACCARD
) -> tuple[dict[str, list[T]], list[Leak]]:
    """Drop from each split the items that duplicate or near-duplicate an item kept in an earlier split.

    ``splits`` is ordered by priority, highest first (test before validation before calibration before training).
    Items within one split are never compared with each other. Returns the kept items per split (order preserved)
    and the leaks, one per dropped item."""
    index = DuplicateIndex(threshold)
    kept: dict[str, list[T]] = {}
    leaks: list[Leak] = []
    for position, (name, items) in enumerate(splits):
        keep, dropped = drop_seen(items, index, name, text_of) if len(index) else (list(items), [])
        leaks += dropped
        if position < len(splits) - 1:  # the last split is only compared, never compared against
            for item in keep:
                index.add(name, text_of(item))
        kept[name] = keep
    return kept, leaks


def drop_seen(items: list[T], seen: DuplicateIndex, name: str, text_of=lambda e: e.text) -> tuple[list[T], list[Leak]]:
    """``items`` without those that duplicate or near-duplicate a text in ``seen``, and the leaks dropped."""
    keep, leaks = [], []
    for item in items:
        m = seen.match(text_of(item))
        if m is None:
            keep.append(item)
        else:
            leaks.append(Leak(name, text_of(item), str(m.key), m.text, m.how, round(m.similarity, 3)))
    return keep, leaks
