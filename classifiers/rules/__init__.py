"""spaCy rule layer: explicit threats, doxxing, gender-targeted and identity-based hate and insults, with negation /
quote / news / counter-speech frames.

Works on a length-preserving normalised view (lowercase, no diacritics, leetspeak undone) of the first
``textnorm.RULE_SCAN_LIMIT`` characters, so every Span points at the original text. Language data lives in
`classifiers/rules_data/`: word and phrase lists (`*.txt`, read by `classifiers.lexicons`) and spaCy Matcher token
patterns (`<family>_patterns.jsonl`, read by `patterns`).

Rule families (`FAMILIES`; `RuleEngine(disabled_families=frozenset({...}))` switches any of them off, for ablation):

- ``threat``: violence verbs with intent, threat_* token patterns, sentence constructions (rules `violence_verb`,
  `threat_*`, `death_wish`; aimed at women also gender `sexual_violence` / `threat_women`);
- ``abuse``: insults, "je bent een ...", hate and contempt, abusive phrases (`insult`, `you_are_insult`,
  `hate_you`, `contempt`, `abuse_phrase`, threat `intimidation`);
- ``gender``: gendered slurs, sexualisation, gender roles, women as a group derogated (`gendered_slur`,
  `sexualisation`, `gender_role`, `women_group_hate`, `slur`, short-post `threat_women`, `gender_belongs_elsewhere`);
- ``doxxing``: addresses, phone numbers, plates, schools, offers to share them (`postcode`, `phone_mobile`,
  `phone`, `licence_plate`, `street_address`, `school_name`, `dox_offer`, `we_know_where`, threat
  `dox_intimidation`);
- ``identity``: hate for origin, religion, skin colour, sexual orientation, gender identity or disability aimed at
  the official (rules `identity_*`, label "identity").

A switched-off family adds no hits; the other families' hits stay the same, with one known coupling: the gender
short-post `threat_women` is the gender reading of a threat hit in a post with no other gender hit, so it also goes
when ``threat`` is off, and may appear when ``abuse`` (whose "je bent een hoer" gives a gender hit) is off.

Modules: `engine` (orchestration and scores), `context` (tokens, sentences, the per-text facts), `frames`
(negation / quote / news / counter-speech as plain functions), one module per family (`threat_constructions`
holds the threat family's sentence-level pass), `patterns` (JSONL -> Matcher, word lists tested natively),
`respell` (mangled words restored), `spans` (Hit, RuleResult, spans); `threat_clauses` reads promises over a whole
clause for `threat_constructions`, and `belonging` reads where someone named by their sex or identity is told they
belong, for the gender and identity families.
"""

from __future__ import annotations

from ..lexicons import COUNTER_EVAL, LDNOOBW_GENDER, META_SPEECH, NEWS_STRONG, REFERENCE
from .engine import FAMILIES, RuleEngine
from .frames import quote_mask as _quote_mask
from .respell import spell_vocab
from .spans import Hit, RuleResult

__all__ = [
    "COUNTER_EVAL",
    "FAMILIES",
    "LDNOOBW_GENDER",
    "META_SPEECH",
    "NEWS_STRONG",
    "REFERENCE",
    "Hit",
    "RuleEngine",
    "RuleResult",
    "_quote_mask",
    "spell_vocab",
]
