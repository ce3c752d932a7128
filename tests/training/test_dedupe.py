"""Leaks between splits: every kind of duplicate is caught across train / calibration / validation / test / probe,
distinct lines are kept, the generator splits on rendered text, and the real splits share no text any more.

The oracle for "near-duplicate" is computed here, independently of training.dedupe: its own normalisation and
character 5-gram Jaccard by brute force."""

from __future__ import annotations

import unicodedata

import pytest

from training.data import Example
from training.dedupe import NEAR_DUP_JACCARD, DuplicateIndex, dedupe_by_priority, normalise


def _oracle_norm(text: str) -> str:
    kept = []
    for ch in unicodedata.normalize("NFKD", text.lower()):
        if unicodedata.combining(ch):
            continue
        kept.append(ch if ch.isalnum() else " ")
    return " ".join("".join(kept).split())


def _oracle_grams(text: str) -> frozenset[str]:
    t = _oracle_norm(text)
    return frozenset(t[i : i + 5] for i in range(len(t) - 4)) if len(t) > 5 else frozenset([t])


def _oracle_jaccard(a: str, b: str) -> float:
    ga, gb = _oracle_grams(a), _oracle_grams(b)
    return len(ga & gb) / len(ga | gb)


def _leaks(a: str, b: str) -> bool:
    return _oracle_norm(a) == _oracle_norm(b) or _oracle_jaccard(a, b) >= NEAR_DUP_JACCARD


def test_normalise_ignores_case_diacritics_punctuation_emoji_whitespace():
    assert normalise("  Één   REACTIE,  op de Wethouder!! 🙄🙄 ") == "een reactie op de wethouder"
    assert normalise("Hoer.") == normalise("hoer") == normalise("HOER 💀")
    assert normalise("café") == normalise("cafe") != normalise("cafes")


def _e(text: str) -> Example:
    return Example(text, [0, 0, 0, 0, 0], "g", "s", "k")


SPLITS = [
    ("probe_test", ["Zeg maar vast gedag tegen je gezin.", "Ik weet waar je kinderen op school zitten"]),
    ("test", ["we komen eraan. niet vandaag, niet morgen, maar we komen", "Fijne vakantie allemaal!"]),
    ("probe_dev", ["Hoer.", "ZEG MAAR VAST GEDAG TEGEN JE GEZIN 👋"]),  # 2nd: case + emoji copy of probe_test
    (
        "validation",
        [
            "De burgemeester verschuilt zich achter de politie. Neem zelf verantwoordelijkheid!",
            "Ik weet waar je kinderen op school zitten, wethouder",  # near-duplicate of probe_test
            "De wethouder moet aftreden na dit debacle",
        ],
    ),
    (
        "calibration",
        [
            "We komen eraan. Niet vandaag, niet morgen, maar we komen.",  # punctuation / case copy of test
            "De burgemeester moet blijven, goed gedaan",  # shares a frame with validation, distinct
        ],
    ),
    (
        "train",
        [
            "hoer",  # the probe dev line, case and punctuation stripped
            "Zég maar vast gedag tegen je gezin",  # diacritic copy of probe_test
            "De burgemeester verschuilt zich achter de politie. Neem zelf eens verantwoordelijkheid!!!",  # near
            "Fijne   vakantie allemaal",  # whitespace copy of test
            "De wethouder moet blijven na dit debat",  # same frame, different sentence: kept
            "Het college moet aftreden",  # kept
            "Het college moet aftreden",  # a duplicate inside one split is not a leak: kept twice
        ],
    ),
]
DROPPED = {  # (split, text) -> split it duplicates: written down by hand from the fixture above
    ("probe_dev", "ZEG MAAR VAST GEDAG TEGEN JE GEZIN 👋"): "probe_test",
    ("validation", "Ik weet waar je kinderen op school zitten, wethouder"): "probe_test",
    ("calibration", "We komen eraan. Niet vandaag, niet morgen, maar we komen."): "test",
    ("train", "hoer"): "probe_dev",
    ("train", "Zég maar vast gedag tegen je gezin"): "probe_test",
    (
        "train",
        "De burgemeester verschuilt zich achter de politie. Neem zelf eens verantwoordelijkheid!!!",
    ): "validation",
    ("train", "Fijne   vakantie allemaal"): "test",
}


def test_every_leak_kind_is_caught_and_distinct_lines_are_kept():
    kept, leaks = dedupe_by_priority([(name, [_e(t) for t in texts]) for name, texts in SPLITS])
    assert {(leak.split, leak.text): leak.matched_split for leak in leaks} == DROPPED
    for name, texts in SPLITS:
        assert [e.text for e in kept[name]] == [t for t in texts if (name, t) not in DROPPED]
    # each dropped text does leak by the independent oracle, against the text it was matched with
    assert all(_leaks(leak.text, leak.matched_text) for leak in leaks)
    near = {leak.text: leak for leak in leaks if leak.how == "near"}
    assert set(near) == {
        "Ik weet waar je kinderen op school zitten, wethouder",
        "De burgemeester verschuilt zich achter de politie. Neem zelf eens verantwoordelijkheid!!!",
    }
    for leak in near.values():
        assert leak.similarity == pytest.approx(_oracle_jaccard(leak.text, leak.matched_text), abs=1e-3)
    # and no kept text leaks into a kept text of a higher-priority split (brute force)
    names = [name for name, _ in SPLITS]
    for i, lower in enumerate(names):
        for higher in names[:i]:
            for a in kept[lower]:
                assert not any(_leaks(a.text, b.text) for b in kept[higher]), (lower, a.text, higher)


PAIRS = [  # around the threshold on both sides; the oracle decides which side each is on
    ("ooit sta je alleen. en dan zijn wij er", "ooit sta je alleen. en dan?"),
    ("Met dit besluit schiet de gemeente zichzelf in de voet", "Met dit besluit schiet de gemeente zich in de voet"),
    ("Zwarte personen zijn een plaag.", "Zwarte personen zijn een kankergezwel."),
    ("ik eis een onafhankelijk onderzoek naar die aanbesteding", "ik eis een onderzoek naar die aanbesteding, nu"),
    ("de wethouder moet aftreden", "de burgemeester moet aftreden"),
    ("mooie tieten lege kop", "Mooie tieten, lege kop"),
    ("Hij heeft zichzelf in de voet geschoten", "Met die uitspraak heeft hij zichzelf flink in de voet geschoten"),
]


def test_near_duplicate_decision_follows_the_documented_threshold():
    decisions = [_leaks(a, b) for a, b in PAIRS]
    assert True in decisions and False in decisions  # the fixture covers both sides
    for (a, b), leak in zip(PAIRS, decisions):
        index = DuplicateIndex()
        index.add("x", a)
        assert (index.match(b) is not None) == leak, (a, b, _oracle_jaccard(a, b))


def test_generator_splits_on_rendered_text():
    from training.generator import _renderings, all_templates, split_by_template

    templates = {tid: (code, tpl) for tid, code, tpl in all_templates()}
    by_text = {tpl: tid for tid, (_, tpl) in templates.items()}
    slot_filled, template = by_text["vrouwen zijn te dom om te besturen"], by_text["{grp} zijn te dom om te besturen"]
    old_train, old_val = split_by_template(0.2, seed=13, leak_free=False)
    assert template in old_train and slot_filled in old_val  # the leak the id-only split had
    train, val = split_by_template(0.2, seed=13)
    assert not train & val and train | val == set(templates)
    assert {template, slot_filled} <= train
    assert len(val) >= len(old_val) - 3  # the validation side keeps its size apart from the moved twins
    # no rendering of a validation template equals or near-duplicates a rendering of a training template
    index = DuplicateIndex()
    for tid in train:
        for text in _renderings(*templates[tid]):
            index.add(tid, text)
    for tid in val:
        assert not any(index.match(text) for text in _renderings(*templates[tid])), templates[tid]


@pytest.fixture(scope="module")
def real_splits():
    from training.train import build_splits

    return build_splits(seed=0, n_per_template=3), build_splits(seed=0, n_per_template=3, leak_free=False)


def test_real_splits_keep_probe_and_test_text_out_of_training(real_splits):
    new, old = real_splits
    evaluation = [e.text for e in new.probe_dev + new.probe_test + new.test_replies]
    seen_old = [e.text for e in old.train + old.calib]
    # the leaks this fixes were real: the probe dev line "Hoer." and a probe test line were trained / calibrated on
    assert any(_oracle_norm(t) == "hoer" for t in seen_old)
    assert any(_oracle_norm(t) == "zeg maar vast gedag tegen je gezin" for t in seen_old)
    seen_new = [e.text for e in new.train + new.calib]
    assert not any(_oracle_norm(t) in {"hoer", "zeg maar vast gedag tegen je gezin"} for t in seen_new)
    # brute force, independent of the MinHash index: no probe or test-author text leaks into training or calibration
    seen_norm = {_oracle_norm(t) for t in seen_new}
    assert not {_oracle_norm(t) for t in evaluation} & seen_norm
    replies_seen = [_oracle_grams(t) for t in {e.text for e in new.train + new.calib if e.source.startswith("reply:")}]
    for text in [e.text for e in new.probe_dev + new.probe_test]:
        g = _oracle_grams(text)
        assert not any(len(g & s) >= NEAR_DUP_JACCARD * len(g | s) for s in replies_seen), text


def _fixed_sources(train: list[Example]) -> set[str]:
    """Texts of the non-generated training examples (generated ones change with the template set), reply originals
    only (their noisy copies follow the originals)."""
    groups, texts = set(), set()
    for e in train:
        if e.source.startswith("gen:") or e.group in groups:
            continue
        if e.source.startswith("reply:"):
            groups.add(e.group)
        texts.add(e.text)
    return texts


def test_real_splits_record_what_they_dropped(real_splits):
    new, old = real_splits
    dropped = new.info["leak_free"]["dropped"]
    assert sum(dropped.values()) == len(new.leaks) > 0
    assert dropped["train"] == sum(leak.split == "train" for leak in new.leaks)
    # training lost only texts recorded as leaks
    lost = _fixed_sources(old.train) - _fixed_sources(new.train)
    assert lost and lost <= {leak.text for leak in new.leaks if leak.split == "train"}
    assert new.info["mhc_template_groups"]["validation_half_B"] == old.info["mhc_template_groups"]["heldout_half_B"]


def test_moving_a_template_leaves_the_other_validation_posts_as_they_were(real_splits):
    """Only the slot-filled twin leaves generator validation; every other validation post is the one the id-only
    split drew, so before / after figures compare the same posts."""
    new, old = real_splits
    moved = {e.group for e in old.val_gen} - {e.group for e in new.val_gen}
    from training.generator import all_templates

    twin = [tid for tid, _, tpl in all_templates() if tpl == "vrouwen zijn te dom om te besturen"]
    assert moved == {"gen:" + twin[0]}
    dropped = {leak.text for leak in new.leaks if leak.split == "val_gen"}
    assert [e.text for e in new.val_gen] == [
        e.text for e in old.val_gen if e.group not in moved and e.text not in dropped
    ]
