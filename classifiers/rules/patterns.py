"""Token patterns as data: spaCy Matcher patterns read from `classifiers/rules_data/<family>_patterns.jsonl`, and
the phrase lists (lexicons.py) for spaCy's PhraseMatcher.

One JSON object per line, the format of spaCy's EntityRuler / SpanRuler pattern files: `label` (the rule name,
prefixed with its family: "threat_dead", "abuse_you_are", "identity_go_back"), `pattern` (a list of token specs as
spaCy's Matcher takes them) and optionally `selective: true`. A token spec may name word lists instead of spelling
them out: `{"LOWER": {"IN_LIST": ["IDENTITY_GROUPS", "IDENTITY_SLURS"]}}` stands for the sorted union of those lists
of `classifiers.lexicons` and of the words of an `IN` beside it (an unknown name is an error). Lines of one label
form one Matcher entry, in file order. Selective patterns run in a second Matcher, and only on docs that contain
one of their trigger words (per pattern the rarest fixed token, see COMMON_TOKENS): exact, since a pattern cannot
match without its required tokens. A malformed line stops loading with a ValueError naming the file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import lexicons as L

Pattern = list[dict[str, Any]]


def pattern_path(family: str) -> Path:
    """The pattern file of a rule family."""
    return L.DATA_DIR / f"{family}_patterns.jsonl"


def read_patterns(path: Path) -> list[tuple[str, list[Pattern], bool]]:
    """(label, patterns, selective) per label, in order of first appearance in the file."""
    grouped: dict[str, tuple[list[Pattern], bool]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc})") from exc
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("label"), str)
            or not isinstance(row.get("pattern"), list)
        ):
            raise ValueError(f'{where}: expected {{"label": str, "pattern": [token specs]}}')
        if not row["pattern"] or not all(isinstance(t, dict) for t in row["pattern"]):
            raise ValueError(f"{where}: a pattern is a non-empty list of token specs (objects)")
        selective = bool(row.get("selective", False))
        pats, sel = grouped.setdefault(row["label"], ([], selective))
        if sel != selective:
            raise ValueError(f"{where}: all lines of {row['label']!r} must agree on 'selective'")
        pats.append([_resolve(spec, where) for spec in row["pattern"]])
    return [(label, pats, sel) for label, (pats, sel) in grouped.items()]


def _resolve(spec: dict[str, Any], where: str) -> dict[str, Any]:
    """The token spec with every `{"IN_LIST": [names]}` replaced by `{"IN": sorted union of those lexicon lists}`
    (joined with the words of an `IN` in the same spec)."""
    out: dict[str, Any] = {}
    for attr, value in spec.items():
        if isinstance(value, dict) and "IN_LIST" in value:
            words: set[str] = set()
            for name in value["IN_LIST"]:
                lst = getattr(L, name, None) if name.isupper() else None
                if not isinstance(lst, (set, list, tuple)):
                    raise ValueError(f"{where}: IN_LIST names {name!r}, not a word list of classifiers.lexicons")
                words |= set(lst)
            words |= set(value.get("IN", []))
            value = {k: v for k, v in value.items() if k != "IN_LIST"} | {"IN": sorted(words)}
        out[attr] = value
    return out


def _trigger_words(label: str, pats: list[Pattern]) -> set[str]:
    """Per pattern, the words of its rarest required token (fewest COMMON_TOKENS, then fewest words)."""
    triggers: set[str] = set()
    for pat in pats:
        options = []
        for t in pat:
            spec = t.get("LOWER")
            if t.get("OP") not in (None, "+") or spec is None:
                continue
            words = {spec} if isinstance(spec, str) else set(spec.get("IN", []))
            if words:
                options.append((len(words & L.COMMON_TOKENS), len(words), words))
        if not options:
            raise ValueError(f"selective pattern {label} has no fixed token")
        triggers |= min(options, key=lambda o: (o[0], o[1]))[2]
    return triggers


def build_matchers(vocab: Any, families: tuple[str, ...]) -> tuple[Any, Any, frozenset[str]]:
    """The main Matcher, the selective one and its trigger words, from the pattern files of `families` in order."""
    from spacy.matcher import Matcher

    main, selective = Matcher(vocab), Matcher(vocab)
    triggers: set[str] = set()
    for family in families:
        for label, pats, sel in read_patterns(pattern_path(family)):
            if sel:
                selective.add(label, pats)
                triggers |= _trigger_words(label, pats)
            else:
                main.add(label, pats)
    return main, selective, frozenset(triggers)


def build_phrases(nlp: Any) -> Any:
    """PhraseMatcher over the phrase lists: abuse phrases, gender-role phrases, doxxing phrases."""
    from spacy.matcher import PhraseMatcher

    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    mk = nlp.make_doc
    know = [p for p in L.DOX_PHRASES if p.startswith(("weet ", "weten "))]
    phrases.add("abuse_phrase", [mk(p) for p in L.ABUSE_PHRASES])
    phrases.add("gender_role", [mk(p) for p in L.GENDER_ROLE_PHRASES])
    phrases.add("dox_know", [mk(p) for p in know])
    phrases.add("dox_offer", [mk(p) for p in L.DOX_OFFER])
    phrases.add("dox_context", [mk(p) for p in L.DOX_PHRASES if p not in know])
    return phrases
