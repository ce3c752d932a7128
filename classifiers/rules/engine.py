"""RuleEngine: runs the rule families over one text and turns their hits into scores and spans.

Order (it fixes the order of hits, and `constructions` / `short_post` read earlier hits): respell and match under a
lock; threat violence verbs; Matcher matches in document order, each handed to its family; threat constructions;
phrase matches; one pass over the tokens, where the first family that claims a token (gendered slur, insult,
sexualising word, women as a group) handles it; gender short-post threats; doxxing regexes; identity. A family in
`disabled_families` runs none of its rules; a token or match it would claim is then skipped, not handed on.
Scores: per label the highest hit score, 0.1 when only suppressed hits support it, else 0.02.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from schildwacht.contracts import LABELS

from .. import lexicons as L
from ..spelling import Speller
from ..textnorm import RULE_SCAN_LIMIT, views
from . import abuse, belonging, doxxing, frames, gender, identity, threat_constructions, threats
from .context import Context, build_context
from .patterns import build_matchers, build_phrases, install_list_attrs
from .respell import respell, spell_vocab
from .spans import Hit, RuleResult, to_spans

#: the rule families, in the order they run; the names `RuleEngine(disabled_families=...)` takes
FAMILIES = ("threat", "abuse", "gender", "doxxing", "identity")

TokenRule = tuple[str, Callable[[Context, int], bool], Callable[[Context, int], None]]
#: per token, the first rule whose claim holds handles it: (family, claims, handle)
TOKEN_RULES: tuple[TokenRule, ...] = (
    ("gender", gender.claims_slur, gender.slur),
    ("abuse", abuse.claims_insult, abuse.insult),
    ("gender", gender.claims_sexual, gender.sexual),
    ("gender", gender.claims_group, gender.group),
)


def _phrase_family(name: str) -> str:
    return {"abuse_phrase": "abuse", "gender_role": "gender"}.get(name, "doxxing")


class RuleEngine:
    """Thread-safe (a lock around spaCy matching) rule layer; `disabled_families` switches families off."""

    name = "schildwacht-rules"
    version = "1.0"

    def __init__(self, disabled_families: frozenset[str] = frozenset()) -> None:
        import spacy

        unknown = set(disabled_families) - set(FAMILIES)
        if unknown:
            raise ValueError(f"unknown rule families {sorted(unknown)}; known: {', '.join(FAMILIES)}")
        self.enabled = frozenset(FAMILIES) - disabled_families
        self.nlp = spacy.blank("nl")
        self._lock = threading.Lock()
        self.gender_slurs = L.ALL_GENDER_SLURS
        self.phrases = build_phrases(self.nlp)
        native = install_list_attrs(self.nlp.vocab, ("threat", "abuse", "identity"))
        # one Matcher walks the doc for threat, abuse and identity; its matches are split by family prefix
        self.matcher, self.matcher2, self._triggers2 = build_matchers(
            self.nlp.vocab, ("threat", "abuse", "identity"), native
        )
        self.speller = Speller(spell_vocab(self.gender_slurs))

    def analyze(self, text: str, official_terms: list[str] | None = None) -> RuleResult:
        """Scores, spans and hits of the enabled families on the first RULE_SCAN_LIMIT characters of `text`."""
        clean, folded, view = views(text or "")
        truncated = len(text or "") > RULE_SCAN_LIMIT
        with self._lock:
            doc0 = self.nlp.make_doc(view)
            doc, starts, ends, nl_after, lowers = respell(self.nlp, self.speller, doc0)
            toks = lowers if lowers is not None else [t.lower_ for t in doc]
            raw_matches = self.matcher(doc)
            raw_selective = self.matcher2(doc) if not self._triggers2.isdisjoint(toks) else []
            raw_phrases = self.phrases(doc)
            strings = self.nlp.vocab.strings
            found = [(strings[mid], s, e) for mid, s, e in raw_matches]
            matches = [m for m in found if not m[0].startswith("identity_")]
            matches += [(strings[mid], s, e) for mid, s, e in raw_selective]
            pmatches = [(strings[mid], s, e) for mid, s, e in raw_phrases]
            imatches = [m for m in found if m[0].startswith("identity_")] if "identity" in self.enabled else []
        c = build_context((clean, folded, view), toks, starts, ends, nl_after, official_terms, pmatches)
        on = self.enabled
        if "threat" in on:
            threats.violence_verbs(c)
        for name, s, e in matches:
            if name.startswith("threat_") and "threat" in on:
                threats.on_match(c, name, s, e)
            elif name.startswith("abuse_") and "abuse" in on:
                abuse.on_match(c, name, s, e)
        if "threat" in on:
            threat_constructions.constructions(c)
        for name, s, e in pmatches:
            family = _phrase_family(name)
            if family not in on or name in ("dox_context", "dox_own"):  # context for personal_data only
                continue
            if family == "abuse":
                abuse.on_phrase(c, s, e)
            elif family == "gender":
                gender.on_phrase(c, s, e)
            else:
                doxxing.on_phrase(c, name, s, e)
        for i in range(c.n):
            for family, claims, handle in TOKEN_RULES:
                if claims(c, i):
                    if family in on:
                        handle(c, i)
                    break
        if "abuse" in on:
            abuse.dehumanised(c)
        if "gender" in on:
            gender.short_post(c)
        if "doxxing" in on:
            doxxing.personal_data(c)
        if "identity" in on:
            identity.find(c, imatches)
            belonging.dehumanised(c)
            belonging.their_kind(c)
        if on & {"gender", "identity"}:
            belonging.belongs_elsewhere(c, on)
        if "threat" in on:  # play suppresses every threat hit in play, the doxxing family's dox_intimidation too
            frames.play(c)
        abuse.hate_demeans(c)  # its hits belong to the family of the hit they follow from
        named = identity.mentions(c) if "identity" in on else []
        return _result(c, text or "", truncated, named)


def _result(c: Context, text: str, truncated: bool, named: list[Hit]) -> RuleResult:
    scores = {lab: 0.02 for lab in LABELS}
    for h in c.hits:
        scores[h.label] = max(scores[h.label], h.score)
    for h in c.suppressed:
        scores[h.label] = max(scores[h.label], 0.1)
    return RuleResult(
        scores=scores,
        spans=to_spans(c.hits, text),
        hits=c.hits,
        suppressed=c.suppressed,
        truncated=truncated,
        mentions=to_spans(named, text),
    )
