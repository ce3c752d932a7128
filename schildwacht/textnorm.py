"""The one text normaliser of Schildwacht: how two spellings of the same words are made comparable.

`fold` is the single character rule (lower case, diacritics stripped, any Unicode space a plain space) and keeps
one character for one, so an offset found in a folded text is an offset in the original: the classifier's views
(classifiers/textnorm.py) rely on that. `comparable` is the same rule for equality only (the collector's official
matching): compatibility characters decomposed first (ligatures, full-width letters), invisible format characters
(zero-width space, soft hyphen) dropped, case-folded ("ß" -> "ss"); it may change the length.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def _fold_char(c: str) -> str:
    low = c.lower()
    if len(low) != 1:
        low = c
    if ord(low) > 127:
        base = unicodedata.normalize("NFD", low)[0]
        if base.isascii() and base.isalpha():
            low = base
        elif unicodedata.category(low).startswith("Z"):
            low = " "
    return low


def fold(text: str) -> str:
    """Lower case, diacritics stripped, Unicode spaces made plain: len(fold(t)) == len(t), position for position."""
    return "".join(_fold_char(c) for c in text)


def comparable(text: str) -> str:
    """The form two spellings of a name or handle are compared in ("Jo<zero-width space>ëlle" and "JOELLE"
    alike); not length-preserving, for comparison only."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return fold(kept).casefold()
