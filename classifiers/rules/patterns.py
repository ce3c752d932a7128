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

Speed (output unchanged): spaCy's Matcher tests an `IN` list with a Python predicate per token, cached per token but
evaluated for every token where a pattern could start. `install_list_attrs` gives the most-tested word lists (those
at the start of an always-run pattern first) a lexeme flag of the vocab (FLAG19..FLAG63, spaCy's own mechanism for
boolean lexical attributes), set from the lexeme's LOWER for every lexeme, present and future; `build_matchers` then
rewrites `{"LOWER": {"IN": words}}` of those lists to `{"FLAG19": True}`, which the Matcher checks in C. The files stay
as written; the flag holds exactly when the token's lower-case form is in the list. The other lists stay `IN`
predicates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import lexicons as L

Pattern = list[dict[str, Any]]
#: the lexeme flag ids spaCy leaves free (attrs FLAG19..FLAG63)
FREE_FLAGS = tuple(range(19, 64))
#: weight of a word list tested at a pattern's first token of the always-run Matcher (tested on every token)
_START_WEIGHT = 10_000


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


#: word list -> the native (attribute, value) spec that replaces its `{"LOWER": {"IN": words}}`
ListAttrs = dict[frozenset[str], tuple[str, bool]]


def install_list_attrs(vocab: Any, families: tuple[str, ...]) -> ListAttrs:
    """Make the most-tested word lists of the `LOWER` `IN` specs of `families` testable by the Matcher in C, on
    `vocab`; return list -> ("FLAGnn", True). Lists tested at the first token of an always-run pattern come first
    (the Matcher tests them on every token), then by number of uses, then by their words (deterministic); the first
    len(FREE_FLAGS) get a lexeme flag. Invariant, for every lexeme present and future: the flag holds exactly when its
    LOWER value is in the list. Call once per vocab (the rule layer's own blank pipeline)."""
    from spacy.attrs import LOWER

    weight: dict[frozenset[str], int] = {}
    for family in families:
        for _label, pats, sel in read_patterns(pattern_path(family)):
            for pat in pats:
                for position, spec in enumerate(pat):
                    words = _in_list(spec)
                    if words is not None:
                        start = position == 0 and not sel
                        weight[words] = weight.get(words, 0) + (_START_WEIGHT if start else 1)
    ranked = sorted(weight, key=lambda w: (-weight[w], sorted(w)))
    lower = vocab.lex_attr_getters[LOWER]
    getters = dict(vocab.lex_attr_getters)
    out: ListAttrs = {}
    for flag, words in zip(FREE_FLAGS, ranked, strict=False):
        getters[flag] = lambda string, words=words: lower(string) in words
        for lexeme in vocab:
            lexeme.set_flag(flag, lexeme.lower_ in words)
        out[words] = (f"FLAG{flag}", True)
    vocab.lex_attr_getters = getters
    return out


def _in_list(spec: dict[str, Any]) -> frozenset[str] | None:
    """The words of a spec that is exactly `{"LOWER": {"IN": words}}` (optionally with "OP"), else None."""
    value = spec.get("LOWER")
    if not isinstance(value, dict) or set(value) != {"IN"} or set(spec) - {"LOWER", "OP"}:
        return None
    return frozenset(value["IN"])


def _native(pat: Pattern, attrs: ListAttrs) -> Pattern:
    """The pattern with every `LOWER` `IN` list of `attrs` replaced by its native spec (same tokens match)."""
    out = []
    for spec in pat:
        words = _in_list(spec)
        if words is not None and words in attrs:
            attr, value = attrs[words]
            spec = {k: v for k, v in spec.items() if k != "LOWER"} | {attr: value}
        out.append(spec)
    return out


def build_matchers(
    vocab: Any, families: tuple[str, ...], attrs: ListAttrs | None = None
) -> tuple[Any, Any, frozenset[str]]:
    """The main Matcher, the selective one and its trigger words, from the pattern files of `families` in order;
    word lists in `attrs` (see install_list_attrs, on this vocab) are tested natively. The patterns are
    validated as written (spaCy's schema knows no FLAGnn keys, so the rewritten ones are added unvalidated)."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher
    from spacy.schemas import validate_token_pattern

    main, selective = Matcher(vocab, validate=False), Matcher(vocab, validate=False)
    triggers: set[str] = set()
    for family in families:
        for label, pats, sel in read_patterns(pattern_path(family)):
            errors = {i: validate_token_pattern(pat) for i, pat in enumerate(pats)}
            if any(errors.values()):
                raise MatchPatternError(label, errors)
            fast = [_native(pat, attrs or {}) for pat in pats]
            if sel:
                selective.add(label, fast)
                triggers |= _trigger_words(label, pats)
            else:
                main.add(label, fast)
    return main, selective, frozenset(triggers)


def build_phrases(nlp: Any) -> Any:
    """PhraseMatcher over the phrase lists: abuse phrases, gender-role phrases, doxxing phrases, the writer's own
    contact phrases."""
    from spacy.matcher import PhraseMatcher

    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    mk = nlp.make_doc
    know = [p for p in L.DOX_PHRASES if p.startswith(("weet ", "weten "))]
    phrases.add("abuse_phrase", [mk(p) for p in L.ABUSE_PHRASES])
    phrases.add("gender_role", [mk(p) for p in L.GENDER_ROLE_PHRASES])
    phrases.add("dox_know", [mk(p) for p in know])
    phrases.add("dox_offer", [mk(p) for p in L.DOX_OFFER])
    phrases.add("dox_context", [mk(p) for p in L.DOX_PHRASES if p not in know])
    phrases.add("dox_own", [mk(p) for p in L.DOX_OWN])
    return phrases
