"""Regenerate classifiers/spelling_exceptions.txt after a rule-lexicon change: the Dutch words of the OpenTaal word
list (../shared/data/pretrain_nl) within one edit of, or glued to, a word that the rule layer's speller restores."""

from __future__ import annotations

import gzip
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # training/ is in the checkout, not installed

from classifiers import lexicons as L  # noqa: E402
from classifiers.rules import LDNOOBW_GENDER, spell_vocab  # noqa: E402
from classifiers.spelling import _EXC_PATH, glued_forms, typo_forms  # noqa: E402
from training.data import PRETRAIN_DIR  # noqa: E402

HEADER = """# Dutch words (OpenTaal word list, BSD / CC BY 3.0) within one edit of, or glued to, a rule-lexicon word:
# spelling.Speller leaves these alone. Regenerate with `python scripts/regen_spelling_exceptions.py` when lexicons change.
"""  # noqa: E501 - written verbatim as the header of classifiers/spelling_exceptions.txt


def main() -> None:
    with gzip.open(PRETRAIN_DIR / "opentaal_wordlist.txt.gz", "rt", encoding="utf-8") as fh:
        dutch = {w.strip().lower() for w in fh if w.strip()}
    dutch |= {unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode() for w in dutch}  # "creeren"
    vocab = {w for w in spell_vocab(L.GENDER_SLURS | LDNOOBW_GENDER) if w.isalpha()}
    words = sorted(((set(typo_forms(vocab)) | glued_forms(vocab)) & dutch) - vocab)
    _EXC_PATH.write_text(HEADER + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {_EXC_PATH}")


if __name__ == "__main__":
    main()
