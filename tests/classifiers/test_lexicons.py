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
    # 141 in the former module; the ninth data round (2026-12-07) added 18 ("loser", "teek", "bloedzuiger", ...)
    # the fourteenth data round (2026-12-08) added 10 ("oelewapper", "huichelaar", "kakmadam", ...)
    "INSULTS": (set, 174, ("klootzak", "minkukel", "boerenkinkel", "kutkind", "vuil", "loser", "oelewapper")),
    "INSULT_MODIFIERS": (set, 9, ("vuile", "vieze", "smerige", "domme", "debiele")),
    # 59 and 12 in the former module; the fourth data round moved the lesbian slurs pot, potten and lesbo to identity
    "GENDER_SLURS": (set, 56, ("hoer", "hoeren", "hoerig", "slut")),
    "GENDER_SLURS_CONTEXT": (set, 10, ("del", "doos", "heksen", "kippenhok", "wijfje")),
    # 30 before the fourteenth data round, which added the dialect plurals "vrouwleu" and "vrouwluu"
    "GENDER_GROUP": (set, 32, ("vrouwen", "wijfjes", "kutvrouwen", "kankervrouw", "vrow", "vruwen", "vrouwleu")),
    "GENDER_GROUP_NEG": (set, 175, ("dom", "minachting", "verschrikkelijk", "gewelddadig", "aap")),
    "ROLE_WORDS": (set, 24, ("wethouder", "loco-burgemeester", "burgervader", "raadsman")),
    "GROUP_NOUNS": (set, 49, ("vrouwen", "homo's", "burgemeesters", "klimaatactivisten")),
    # 17 at the split; 15 origin groups and orientations added on 2026-12-07 ("antilliaan", "hindoestaan", ...)
    "GROUP_MEMBERS": (set, 32, ("moslim", "jood", "immigrant", "zwart", "antilliaan", "hindoestaan")),
    # ordered: (first entries..., last entry) checked in place below
    "ABUSE_PHRASES": (list, 41, ("krijg de kanker", "krijg de tering", "sterf", "we zien je wel")),
    # the former list held "achter het fornuis" twice (a no-op for the PhraseMatcher); the file holds it once
    # 75 before the twelfth data round, which added 28 narrow put-down frames ("ga je nagels lakken")
    "GENDER_ROLE_PHRASES": (list, 103, ("terug naar het aanrecht", "achter het fornuis", "echte vent", "mietje")),
    "DOX_PHRASES": (list, 127, ("weet waar je woont", "weten waar je woont", "haar telefoonnummer", "delen maar")),
    "STREET_SUFFIXES": (tuple, 34, ("straat", "laan", "erf", "weide")),
}

# The lists that lived in the former classifiers/rules.py as module-level literals and moved to data files when the
# rule layer became the classifiers/rules/ package. Oracle: the former module (sizes and entries written out here);
# a list that was a union or difference in code (INSULT_WORDS, NEWS, GROUPISH, ...) is now only its literal part.
MOVED: dict[str, tuple[type, int, tuple[str, ...]]] = {
    "ADJ_SKIP": (set, 25, ("achterlijke", "belachelijke", "zoveelste")),
    # 42 and 9 in the former module; the chat spellings "ff", "zn", "z'n" went when respelling began to read them as
    # "even" and "zijn" (classifiers/rules_data/chat_forms.txt)
    "ADVERBS": (set, 41, (",", "al", "zo")),
    "BALLOT": (set, 9, ("kiezer", "kiezers", "verkiezingen")),
    "BLOWS": (set, 37, ("baksteen", "beuk", "vuist", "klinker")),  # 23 before the twelfth data round
    "CLAUSE_BREAK": (set, 12, (",", ":", "zodra")),
    "COMMON_TOKENS": (set, 57, ("af", "al", "zullen")),
    "CONSTRUCTION_WORDS": (set, 20, ("aan", "achterna", "wensen")),
    "COUNTER": (set, 49, ("accepteren", "afschuwelijk", "zieke")),
    "COUNTER_EVAL": (set, 26, ("achterhaald", "discriminatie", "walgelijk")),
    "DETERMINERS": (set, 14, ("al", "alle", "zo'n")),
    "FATE_WORDS": (set, 15, ("achterna", "afloopt", "zelfde")),
    "FIRST_SG": (set, 6, ("ik", "me", "mijzelf")),
    "GET_OR_DESERVE": (set, 6, ("krijg", "krijgen", "verdient")),
    "GROUP_PRONOUNS": (set, 6, ("hen", "je", "ze")),
    "HARM_WISHED": (set, 21, ("crepeert", "dodelijk", "vrachtwagen")),
    "HATE_VERBS": (set, 12, ("haat", "hat", "walg")),
    "HEADS": (set, 18, ("bek", "donder", "tanden")),
    "HIDE": (set, 3, ("onderduiken", "verschuilen", "verstoppen")),
    "INANIMATE": (set, 110, ("afval", "agenda", "windmolens")),
    "INANIMATE_SUFFIX": (tuple, 17, ("heid", "isme", "ballonnen")),
    "INSULTS_EXCLUDED": (set, 20, ("aap", "apen", "waardeloze")),
    "JUMP_FROM": (set, 11, ("balkon", "brug", "toren")),
    "LDNOOBW_GENDER": (set, 16, ("del", "flamoes", "wijf")),
    "LDNOOBW_INSULT": (set, 30, ("boerelul", "bokkelul", "zeiker")),
    "MASCULINE_PUTDOWN": (set, 2, ("manwijf", "manwijven")),
    "META_SPEECH_VERBS": (set, 11, ("bedreigen", "dreigen", "vindt")),
    "MURDERED": (set, 3, ("fortuyn", "gogh", "pim")),
    "NEUTRAL_HEADS": (set, 43, ("avond", "begin", "zomer")),
    "NEWS_STRONG": (set, 43, ("aangehouden", "aangifte", "werkstraf")),
    "NEWS_WORDS": (set, 31, ("afgelopen", "artikel", "zaak")),
    "OBJECT_PRONOUNS": (set, 7, ("haar", "hem", "u")),
    "OPINION": (set, 3, ("dacht", "denk", "denken")),
    "OTHERS_LIFE": (set, 7, ("d'r", "haar", "zijn")),
    "PAST_NARRATIVE": (set, 6, ("had", "hadden", "werden")),
    "PERSON_MARKERS": (set, 19, ("familie", "gezin", "zij")),
    "PERSON_SUFFIX": (tuple, 22, ("ling", "lingen", "ica")),
    "POS_ATTR": (set, 36, ("bekwaam", "betrouwbaar", "welkom")),
    "PREVENT": (set, 12, ("aanpakken", "accepteren", "voorkomen")),
    "PROFANE_MODS": (set, 13, ("fokking", "fucking", "verdomde")),
    "PUBLIC_PLACES": (set, 9, ("gemeentehuis", "gemeenteraad", "statenzaal")),
    "RECKON": (set, 4, ("afrekenen", "reken", "rekent")),
    "REFERENCE": (set, 16, ("acceptabel", "genoemd", "zeggen")),
    "RIGHTS_WORDS": (set, 24, ("autorijden", "baas", "wethouder")),
    "RUINED": (set, 11, ("afpakken", "hel", "zuur")),
    "SEXUAL": (set, 19, ("beffen", "bukken", "zaad")),
    # 4 before the fourteenth data round, which added dialect forms ("wicht", "wiefke", "vrouwmins", "vrouwspersoon")
    "SINGULAR_WOMAN": (set, 12, ("vrou", "vrouw", "vruw", "wicht", "vrouwspersoon")),
    "SLUR_HEADS": (tuple, 10, ("wijf", "wijven", "sletten")),
    "SPEECH": (set, 32, ("beweerde", "beweert", "zei")),
    "STREET_STOP": (set, 9, ("binnenhof", "haven", "weg")),
    "VEHICLES": (set, 18, ("auto", "bulldozer", "wals")),
    "VICTIM_WORDS": (set, 16, ("achtergesteld", "angst", "weggehouden")),
    "VIOLENCE_STEMS": (set, 27, ("draai", "hak", "trappen")),
    "WEAK_INSULTS": (set, 9, ("aso", "asociaal", "varkens")),
    "WEAPONS_PLURAL": (set, 8, ("bijlen", "fakkels", "messen")),
    "WISH_MODALS": (set, 11, ("hoop", "hopelijk", "zouden")),
    "DOX_OFFER": (list, 23, ("wie wil het adres", "ik heb haar nummer", "wie wil het nummer")),
}

# Lists written after the split (the identity family, the writer's own contact phrases of the doxxing family, the play
# frame; no former version): only that they load, non-empty.
ADDED = (
    "DOX_OWN",
    "KAPOT_IDIOM_VERBS",
    "PLAY_WORDS",
    "PLAY_PERSONS",
    "IDENTITY_GROUPS",
    "IDENTITY_SLURS",
    "IDENTITY_SLURS_CONTEXT",
    "SLUR_FOLLOW",
    "CHAT_FORMS",
    "EXTERMINATE",
    "VERMIN",
    "PEST_CONTEXT",
    "IDENTITY_ADJECTIVES",
    "IDENTITY_TERMS",
    "IDENTITY_PREFIXES",
    "DEHUMANISING",
    "DEROGATORY_HEADS",
    "ORIGIN_PLACES",
    "POSITIVE_APPRAISAL",
    "KITCHEN_CUES",
    "IDENTITY_TOPICS",
    "ARSON_CUES",
    "WEAPON_EMOJI",
    "MOURNING",
    "ENGLISH_INTENT",
    "ENGLISH_NEGATIONS",
    "ANIMAL_METAPHORS",
    "DOX_ARRIVAL",
    "THROW_VERBS",
    "THROW_PLACES",
    "IDENTITY_CUES",
    "KITCHEN_PLACES",
    "DOX_MENACE",
)


@pytest.mark.parametrize("name", sorted(FORMER | MOVED))
def test_each_list_keeps_its_former_type_size_and_entries(name: str):
    kind, size, entries = (FORMER | MOVED)[name]
    value: set[str] | list[str] | tuple[str, ...] = getattr(L, name)
    assert type(value) is kind
    assert len(value) == size
    assert [e for e in entries if e not in value] == []


def test_ordered_lists_keep_their_former_order():
    assert L.ABUSE_PHRASES[:3] == ["krijg de kanker", "krijg de tering", "krijg de tyfus"]
    assert L.ABUSE_PHRASES[-1] == "we zien je wel" and L.ABUSE_PHRASES.index("sterf") == 20
    assert L.GENDER_ROLE_PHRASES[:2] == ["terug naar het aanrecht", "terug naar de keuken"]
    assert L.GENDER_ROLE_PHRASES[6:9] == ["achter het fornuis", "achter de kookpotten", "in de keuken"]
    assert L.GENDER_ROLE_PHRASES[74] == "mietje" and L.GENDER_ROLE_PHRASES[-1] == "op haar knieen die baan"
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
    assert sorted(p.stem.upper() for p in files) == sorted([*FORMER, *MOVED, *ADDED])
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
        if isinstance(value, dict):  # "form word" pairs
            assert [f"{k} {v}" for k, v in value.items()] == entries
        elif isinstance(value, str):
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
