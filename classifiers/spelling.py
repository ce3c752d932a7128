"""Spelling robustness for the rule layer: undo the common ways hostile words get mangled, without a model.

- adjacent transposition ("dodne" -> "doden") and one dropped letter ("gedod" -> "gedood") of a word from the rule
  lexicons (words of 6+ letters, token of 5+ letters), never when the token is itself a Dutch word;
- words glued to a short function word ("ikhaat" -> "ik haat", "danafval" -> "dan afval");
- letters spaced out ("s l e t t e n" -> "sletten").

`SPELL_EXCEPTIONS` (spelling_exceptions.txt next to this file) lists the Dutch words within one edit of a lexicon word,
taken from the OpenTaal word list (BSD / CC BY 3.0), so that real words ("steen" next to "steken") are left alone.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_EXC_PATH = Path(__file__).with_name("spelling_exceptions.txt")
GLUE_WORDS = (
    "ik",
    "zo",
    "te",
    "een",
    "dan",
    "de",
    "het",
    "je",
    "we",
    "om",
    "zoveel",
    "heel",
    "echt",
    "gewoon",
    "die",
    "deze",
    "al",
    "alle",
    "zijn",
    "zulke",
    "wat",
)


def _load_exceptions() -> frozenset[str]:
    try:
        lines = _EXC_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


SPELL_EXCEPTIONS = _load_exceptions()


def edits(target: str):
    """Yield (typo, target) for one adjacent transposition or one dropped letter of target."""
    for k in range(len(target) - 1):
        if target[k] != target[k + 1]:
            yield target[:k] + target[k + 1] + target[k] + target[k + 2 :]
    for k in range(len(target)):
        yield target[:k] + target[k + 1 :]


def typo_forms(vocab: set[str]) -> dict[str, str]:
    """Typo -> word for every lexicon word of 6+ letters (typos of 5+ letters; first word in sorted order wins)."""
    out: dict[str, str] = {}
    for w in sorted(vocab):
        if len(w) >= 6:
            for t in edits(w):
                if len(t) >= 5:
                    out.setdefault(t, w)
    return out


def glued_forms(vocab: set[str]) -> set[str]:
    """A short function word glued to a lexicon word of 4+ letters ("ikhaat")."""
    return {g + w for w in vocab for g in GLUE_WORDS if len(w) >= 4 and len(g + w) >= 6}


class Speller:
    def __init__(self, vocab: set[str]) -> None:
        self.vocab = {w for w in vocab if w.isalpha()}
        self.typos = {
            t: w for t, w in typo_forms(self.vocab).items() if t not in self.vocab and t not in SPELL_EXCEPTIONS
        }
        # every token that fix() changes: typos and "glue word + lexicon word"
        self.glued = glued_forms(self.vocab) - self.vocab - SPELL_EXCEPTIONS
        self.changed = frozenset(self.typos) | frozenset(self.glued)

    @lru_cache(maxsize=20000)  # noqa: B019 - bounded cache; one Speller per RuleEngine, kept for the process
    def fix(self, tok: str) -> tuple[str, ...]:
        """Corrected word(s) for one lowercase token (the token itself when nothing applies)."""
        if tok in self.vocab or not tok.isalpha() or tok in SPELL_EXCEPTIONS:
            return (tok,)
        if tok in self.typos:
            return (self.typos[tok],)
        if len(tok) >= 6:
            for g in GLUE_WORDS:
                if tok.startswith(g) and tok[len(g) :] in self.vocab and len(tok) - len(g) >= 4:
                    return (g, tok[len(g) :])
        return (tok,)
