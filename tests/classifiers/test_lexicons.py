"""The rule layer's word and phrase lists live in classifiers/rules_data/ and load into classifiers.lexicons with the
contents, types and order they had as Python literals (issue #17, "rules as data").

The oracle is the former classifiers/lexicons.py (the module before the move): its sizes and hand-picked entries are
written out below, not read back from the data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers import lexicons as L

DATA = Path(L.__file__).with_name("rules_data")

# name -> (type, size, entries that must be there) as in the former module
FORMER: dict[str, tuple[type, int, tuple[str, ...]]] = {
    "STRONG_VIOLENCE": (set, 132, ("vermoorden", "vermoorden.", "vermoort", "afgeranseld", "kapot")),
    "PERSON_ONLY": (set, 34, ("afmaken", "brand", "elkaar", "aangevallen")),
    "PARTICLES": (set, 6, ("neer", "dood", "af", "kapot", "lek", "overhoop")),
    "INTENT_SUBJECTS": (set, 6, ("ik", "we", "wij", "iemand", "men", "jullie")),
    "INTENT_MODALS": (set, 24, ("ga", "moet", "wacht", "weet")),
    "PERSON_OBJECTS": (set, 15, ("je", "hun", "die", "deze")),
    "SECOND_PERSON": (set, 11, ("je", "uzelf", "ge", "gij")),
    "NEGATIONS": (set, 7, ("niet", "nooit", "geen", "niemand", "niks", "niets", "nimmer")),
    "NEWS_MARKERS": (set, 60, ("aangehouden", "anp", "openbaar", "incidenten")),
    "INSULTS": (set, 141, ("klootzak", "minkukel", "boerenkinkel", "kutkind", "vuil")),
    "INSULT_MODIFIERS": (set, 9, ("vuile", "vieze", "smerige", "domme", "debiele")),
    "GENDER_SLURS": (set, 59, ("hoer", "hoeren", "hoerig", "slut")),
    "GENDER_SLURS_CONTEXT": (set, 12, ("del", "doos", "heksen", "kippenhok", "wijfje")),
    "GENDER_GROUP": (set, 30, ("vrouwen", "wijfjes", "kutvrouwen", "kankervrouw", "vrow", "vruwen")),
    "GENDER_GROUP_NEG": (set, 175, ("dom", "minachting", "verschrikkelijk", "gewelddadig", "aap")),
    "ROLE_WORDS": (set, 24, ("wethouder", "loco-burgemeester", "burgervader", "raadsman")),
    "GROUP_NOUNS": (set, 49, ("vrouwen", "homo's", "burgemeesters", "klimaatactivisten")),
    "GROUP_MEMBERS": (set, 17, ("moslim", "jood", "immigrant", "zwart")),
    # ordered: (first entries..., last entry) checked in place below
    "ABUSE_PHRASES": (list, 41, ("krijg de kanker", "krijg de tering", "sterf", "we zien je wel")),
    # the former list held "achter het fornuis" twice (a no-op for the PhraseMatcher); the file holds it once
    "GENDER_ROLE_PHRASES": (list, 75, ("terug naar het aanrecht", "achter het fornuis", "echte vent", "mietje")),
    "DOX_PHRASES": (list, 127, ("weet waar je woont", "weten waar je woont", "haar telefoonnummer", "delen maar")),
    "STREET_SUFFIXES": (tuple, 34, ("straat", "laan", "erf", "weide")),
}


@pytest.mark.parametrize("name", sorted(FORMER))
def test_each_list_keeps_its_former_type_size_and_entries(name: str):
    kind, size, entries = FORMER[name]
    value: set[str] | list[str] | tuple[str, ...] = getattr(L, name)
    assert type(value) is kind
    assert len(value) == size
    assert [e for e in entries if e not in value] == []


def test_ordered_lists_keep_their_former_order():
    assert L.ABUSE_PHRASES[:3] == ["krijg de kanker", "krijg de tering", "krijg de tyfus"]
    assert L.ABUSE_PHRASES[-1] == "we zien je wel" and L.ABUSE_PHRASES.index("sterf") == 20
    assert L.GENDER_ROLE_PHRASES[:2] == ["terug naar het aanrecht", "terug naar de keuken"]
    assert L.GENDER_ROLE_PHRASES[6:9] == ["achter het fornuis", "achter de kookpotten", "in de keuken"]
    assert L.GENDER_ROLE_PHRASES[-1] == "mietje"
    assert L.DOX_PHRASES[:2] == ["weet waar je woont", "weten waar je woont"]
    assert L.DOX_PHRASES[-1] == "delen maar"
    assert L.STREET_SUFFIXES[:4] == ("straat", "laan", "weg", "plein")
    assert L.STREET_SUFFIXES[-3:] == ("rade", "wei", "weide")
    assert L.STREET_SUFFIXES.index("straatweg") == 22  # the alternation order of rules._STREET


def test_words_that_were_never_listed_are_not_there():
    assert "leugenaar" not in L.INSULTS  # political label: criticism, not abuse (former comment in the list)
    assert "rouw" not in L.GENDER_GROUP and "vouw" not in L.GENDER_GROUP
    assert "afmaken" not in L.SECOND_PERSON and "" not in L.STRONG_VIOLENCE


def _raw_entries(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]


def test_every_data_file_has_a_header_and_no_duplicate_entries():
    files = sorted(DATA.glob("*.txt"))
    # one file per list the rule layer reads (the six former lists that no rule read were dropped as dead code)
    assert sorted(p.stem.upper() for p in files) == sorted(FORMER)
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = []
        for line in lines:
            if not line.startswith("#"):
                break
            header.append(line)
        assert len(" ".join(header).split()) >= 12, f"{path.name}: header comment missing or too short"
        assert path.stem.upper() in " ".join(header), f"{path.name}: header does not name the list"
        entries = _raw_entries(path)
        assert entries, path.name
        assert len(entries) == len(set(entries)), f"{path.name}: duplicates"
        assert all(e == e.strip() for e in entries), path.name


def test_data_files_and_loaded_lists_hold_the_same_entries():
    # a second path to the same data: the raw file lines against what the module exposes
    for path in DATA.glob("*.txt"):
        value = getattr(L, path.stem.upper())
        entries = _raw_entries(path)
        if isinstance(value, str):
            assert list(value) == entries
        elif isinstance(value, set):
            assert value == set(entries)
        else:
            assert list(value) == entries


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "words.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hoer\nslet\n", "must open with a '#' comment"),
        ("", "must open with a '#' comment"),
        ("# test list\nhoer\n\nslet\n# again\nhoer\n", ":6: 'hoer' repeats line 2"),
        ("# test list\nHoer\n", ":2: 'Hoer' is not folded (lower case, no diacritics): write 'hoer'"),
        ("# test list\nprivéadres\n", "write 'priveadres'"),
        ("# test list\nhoer \n", ":2: 'hoer ' has surrounding or doubled spaces"),
        ("# test list\nga  dood\n", "doubled spaces"),
    ],
)
def test_a_bad_list_file_is_refused_with_file_and_line(tmp_path: Path, text: str, message: str):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as err:
        L.read_list(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_comments_and_blank_lines_are_skipped_and_order_kept(tmp_path: Path):
    path = _write(tmp_path, "# test list\n\nweg\n# a comment in the list\nstraat\n\nlaan\n")
    assert L.read_list(path) == ["weg", "straat", "laan"]
