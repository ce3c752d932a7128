"""Statistics: counts per label, role and self-declared gender; authors only as keyed pseudonyms."""

from __future__ import annotations

import json

from schildwacht.db import session_scope
from tests.triage.registry.registry_helpers import add_case, add_official, add_org
from triage.registry.statistics import compute_stats, pseudonym_key, pseudonymise


def test_stats_per_gender_and_pseudonymised_authors(db, settings):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_org(s, "gm-b")
        v = add_official(s, "off-v", "gm-a", gender="v", role="wethouder")
        m = add_official(s, "off-m", "gm-a", gender="m", role="raadslid")
        other = add_official(s, "off-o", "gm-b", gender="v")
        add_case(s, v, labels=["gender", "abuse"], author="mastodon:@troll1@bad.example")
        add_case(s, v, labels=["gender"], author="mastodon:@troll1@bad.example")
        add_case(s, v, labels=["threat"], author="mastodon:@troll2@bad.example")
        add_case(s, m, labels=["gender"], author="mastodon:@troll3@bad.example")
        for _ in range(3):
            add_case(s, m, labels=["abuse"], author="mastodon:@troll3@bad.example")
        add_case(s, m, labels=["identity", "abuse"], author="mastodon:@troll4@bad.example")
        add_case(s, other, labels=["gender"], author="mastodon:@elders@bad.example")
    with session_scope(db) as s:
        stats = compute_stats(s, settings, "gm-a")
    assert stats["cases"] == 8
    assert stats["cases_per_label"] == {"threat": 1, "doxxing": 0, "gender": 3, "identity": 1, "abuse": 5}
    assert stats["per_gender"]["vrouw"]["cases"] == 3
    assert stats["per_gender"]["vrouw"]["gender_targeted_share"] == round(2 / 3, 3)
    assert stats["per_gender"]["man"]["gender_targeted_share"] == 0.2  # 1 of his 5 cases
    assert stats["per_role"]["raadslid"]["per_label"]["abuse"] == 4
    assert stats["per_role"]["raadslid"]["per_label"]["identity"] == 1
    text = json.dumps(stats)
    assert "troll" not in text and "bad.example" not in text and "elders" not in text
    key = pseudonym_key(settings)
    top = stats["authors"]["top"]
    assert top[0] == {"author": pseudonymise(key, "mastodon:@troll3@bad.example"), "cases": 4}
    assert stats["authors"] == {"distinct": 4, "repeat": 2, "top": top}
    # pseudonyms depend on the key: another key gives other names
    other_key = pseudonym_key(settings.model_copy(update={"pseudonym_key": "onderzoek-2026"}))
    assert pseudonymise(other_key, "mastodon:@troll3@bad.example") != top[0]["author"]
