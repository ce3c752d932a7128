"""Word and phrase lists of the rule layer, loaded once at import from the data files in `classifiers/rules_data/`.

One plain-text file per list, named after the list in lower case (`STRONG_VIOLENCE` -> `strong_violence.txt`), the
spaCy way of keeping language data out of the code: a header comment saying what the list is for, then one entry per
line; blank lines and lines starting with '#' are skipped. The phrase lists are what rules.py hands to spaCy's
`PhraseMatcher`. Invariants, checked when a file is read (a bad file stops the import with a ValueError naming the
file and line): the file opens with a comment; every entry is in the folded form the rule layer compares with
(`textnorm.fold`: lower case, no diacritics), has no surrounding or doubled spaces and occurs once. Sets stay sets;
ordered lists and tuples keep the file order (STREET_SUFFIXES is a regex alternation, so order matters).

Written for this project; the gendered-slur list is extended with a curated subset of LDNOOBW (CC BY 4.0, see
rules.LDNOOBW_GENDER). After a change of a list run `python scripts/regen_spelling_exceptions.py`.
"""

from __future__ import annotations

from pathlib import Path

from schildwacht.textnorm import fold

#: The folder of the list files; it ships with the package (package data *.txt).
DATA_DIR = Path(__file__).with_name("rules_data")


def read_list(path: Path) -> list[str]:
    """The entries of one list file, in file order.

    Raises ValueError when the file does not open with a '#' comment, or an entry is not folded, has surrounding or
    doubled spaces, or repeats an earlier entry.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("#"):
        raise ValueError(f"{path}: the file must open with a '#' comment saying what the list is for")
    entries: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{path}:{number}: {line!r}"
        if " ".join(line.split()) != line:
            raise ValueError(f"{where} has surrounding or doubled spaces")
        if fold(line) != line:
            raise ValueError(f"{where} is not folded (lower case, no diacritics): write {fold(line)!r}")
        if line in seen:
            raise ValueError(f"{where} repeats line {seen[line]}")
        seen[line] = number
        entries.append(line)
    return entries


def _words(name: str) -> set[str]:
    return set(read_list(DATA_DIR / f"{name}.txt"))


def _ordered(name: str) -> list[str]:
    return read_list(DATA_DIR / f"{name}.txt")


# --- threat -------------------------------------------------------------------------------------------------
STRONG_VIOLENCE = _words("strong_violence")
PERSON_ONLY = _words("person_only")
PARTICLES = _words("particles")
INTENT_SUBJECTS = _words("intent_subjects")
INTENT_MODALS = _words("intent_modals")
PERSON_OBJECTS = _words("person_objects")
SECOND_PERSON = _words("second_person")

# --- negation, news and counter-speech frames ---------------------------------------------------------------
NEGATIONS = _words("negations")
NEWS_MARKERS = _words("news_markers")

# --- abuse --------------------------------------------------------------------------------------------------
INSULTS = _words("insults")
INSULT_MODIFIERS = _words("insult_modifiers")
ABUSE_PHRASES = _ordered("abuse_phrases")

# --- gender -------------------------------------------------------------------------------------------------
GENDER_SLURS = _words("gender_slurs")
GENDER_SLURS_CONTEXT = _words("gender_slurs_context")
GENDER_GROUP = _words("gender_group")
GENDER_ROLE_PHRASES = _ordered("gender_role_phrases")
GENDER_GROUP_NEG = _words("gender_group_neg")

# --- doxxing ------------------------------------------------------------------------------------------------
DOX_PHRASES = _ordered("dox_phrases")
STREET_SUFFIXES = tuple(_ordered("street_suffixes"))

# --- targets ------------------------------------------------------------------------------------------------
ROLE_WORDS = _words("role_words")
GROUP_NOUNS = _words("group_nouns")
GROUP_MEMBERS = _words("group_members")
