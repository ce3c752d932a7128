"""Regenerate classifiers/spelling_exceptions.txt after a rule-lexicon change: the Dutch words of the OpenTaal word
list (../shared/data/pretrain_nl) within one edit of, or glued to, a word that the rule layer's speller restores."""

from __future__ import annotations

import gzip
import unicodedata

from classifiers.data import PRETRAIN_DIR
from classifiers.rules import LDNOOBW_GENDER, spell_vocab
from classifiers import lexicons as L
from classifiers.spelling import _EXC_PATH, GLUE_WORDS, edits

HEADER = """# Dutch words (OpenTaal word list, BSD / CC BY 3.0) within one edit of, or glued to, a rule-lexicon word:
# spelling.Speller leaves these alone. Regenerate with `python scripts/regen_spelling_exceptions.py` when lexicons change.
"""


def main() -> None:
    with gzip.open(PRETRAIN_DIR / "opentaal_wordlist.txt.gz", "rt", encoding="utf-8") as fh:
        dutch = {w.strip().lower() for w in fh if w.strip()}
    dutch |= {unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode() for w in dutch}  # "creeren"
    vocab = {w for w in spell_vocab(L.GENDER_SLURS | LDNOOBW_GENDER) if w.isalpha()}
    near = {t for w in vocab if len(w) >= 6 for t in edits(w) if len(t) >= 5}
    glued = {g + w for w in vocab for g in GLUE_WORDS if len(w) >= 4 and len(g + w) >= 6}
    words = sorted(((near | glued) & dutch) - vocab)
    _EXC_PATH.write_text(HEADER + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {_EXC_PATH}")


if __name__ == "__main__":
    main()
