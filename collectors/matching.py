"""Find which consenting officials a post mentions or replies to (spaCy PhraseMatcher + Matcher).

Every token gets a NORM in the shared comparable form (`schildwacht.textnorm.comparable`: lower case, diacritics
removed, invisible characters dropped) with digit look-alikes in mixed tokens mapped back to letters, so
"joelle de bruijn", "Joëlle de Bruijn" and "J0ëlle de Bruijn" match alike, while what is reported (the contract's
`OfficialMatch`: kind, surface, character offsets) is the original text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from collectors.registry import OfficialEntry
from schildwacht.contracts import OfficialMatch
from schildwacht.textnorm import comparable

ROLE_WORDS = (
    "wethouder",
    "raadslid",
    "burgemeester",
    "loco-burgemeester",
    "statenlid",
    "gedeputeerde",
    "commissaris",
    "dijkgraaf",
    "heemraad",
    "fractievoorzitter",
    "bestuurder",
    "waterschapsbestuurder",
)
TUSSENVOEGSELS = frozenset(
    {
        "van",
        "de",
        "der",
        "den",
        "ter",
        "ten",
        "te",
        "het",
        "'t",
        "in",
        "op",
        "'s",
        "la",
        "le",
        "du",
        "von",
        "d'",
        "uit",
        "aan",
    }
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})

# Ranks for "most directly addressed": a reply beats an @-handle, which beats a name in the text.
_RANK_REPLY, _RANK_HANDLE, _RANK_NAME = 0, 1, 2


def _norm_token(text: str) -> str:
    folded = comparable(text)
    if any(c.isdigit() for c in folded) and any(c.isalpha() for c in folded):
        folded = folded.translate(_LEET)
    return folded


def normalize_handle(handle: str) -> str:
    """Comparable form of an account handle: folded, without the leading @."""
    return comparable(handle.strip()).lstrip("@")


@dataclass
class MatchResult:
    """The officials a post is about, most directly addressed first, and how each was found: per official its
    matches in that order, one per distinct (kind, surface), the earliest occurrence of each."""

    official_ids: list[str] = field(default_factory=list)
    matches: list[OfficialMatch] = field(default_factory=list)
    in_reply_to_official_id: str | None = None

    def __bool__(self) -> bool:
        return bool(self.official_ids)


MAX_TEXT_CHARS = 10_000_000


class OfficialMatcher:
    """Matches post text against a snapshot of the registry; build a new one when the registry changes."""

    def __init__(self, officials: Sequence[OfficialEntry]) -> None:
        self._nlp = spacy.blank("nl")
        self._nlp.max_length = MAX_TEXT_CHARS  # tokenizer only: no parser memory concerns
        self._handles = PhraseMatcher(self._nlp.vocab, attr="NORM")
        self._mastodon_local = PhraseMatcher(self._nlp.vocab, attr="NORM")
        self._names = PhraseMatcher(self._nlp.vocab, attr="NORM")
        self._roles = Matcher(self._nlp.vocab)
        self._authors: dict[tuple[str, str], str] = {}
        self._active = {official.id for official in officials}
        for official in officials:
            self._register(official)

    def _doc(self, text: str) -> Doc:
        doc = self._nlp.make_doc(text)
        for token in doc:
            token.norm_ = _norm_token(token.text)
        return doc

    def _add(self, matcher: PhraseMatcher, official_id: str, phrases: Iterable[str]) -> None:
        docs = [self._doc(p) for p in sorted(set(phrases)) if p.strip()]
        if docs:
            matcher.add(official_id, docs)

    def _register(self, official: OfficialEntry) -> None:
        handles: list[str] = []
        locals_: list[str] = []
        for platform, values in official.handles.items():
            for raw in values:
                bare = raw.strip().lstrip("@")
                if not bare:
                    continue
                handles += [bare, "@" + bare]
                self._authors[(platform, normalize_handle(bare))] = official.id
                if platform == "mastodon" and "@" in bare:
                    local = bare.split("@", 1)[0]
                    locals_.append("@" + local)
                    self._authors.setdefault((platform, normalize_handle(local)), official.id)
        self._add(self._handles, official.id, handles)
        self._add(self._mastodon_local, official.id, locals_)

        first, *rest = official.full_name.split()
        names = [official.full_name]
        if rest:
            names.append(f"{first[0]}. {' '.join(rest)}")
        # A variant that is just the first name ("Kim", "Marieke") would match strangers: leave it out.
        names += [v for v in official.name_variants if comparable(v.strip()) != comparable(first)]
        self._add(self._names, official.id, names)

        core = [t for t in rest if comparable(t) not in TUSSENVOEGSELS] if rest else []
        if core:
            pattern: list[dict[str, Any]] = [
                {"NORM": {"IN": list(ROLE_WORDS)}},
                {"NORM": {"IN": sorted(TUSSENVOEGSELS)}, "OP": "*"},
            ]
            pattern += [{"NORM": _norm_token(t)} for t in core]
            self._roles.add(official.id, [pattern])

    def with_submission(self, result: MatchResult, official_id: str, reason: str) -> MatchResult:
        """Put the official a staff member submitted a post for first, if that official is active."""
        if official_id not in self._active:
            return result
        submitted = OfficialMatch(official_id=official_id, kind="submitted", surface=reason)
        ids = [official_id, *(i for i in result.official_ids if i != official_id)]
        matches = [submitted, *(m for i in ids for m in result.matches if m.official_id == i)]
        return MatchResult(official_ids=ids, matches=matches, in_reply_to_official_id=result.in_reply_to_official_id)

    def author_official(self, platform: str, handle: str | None) -> str | None:
        """The official who owns this handle on this platform, if any."""
        if not handle:
            return None
        return self._authors.get((platform, normalize_handle(handle)))

    def match(
        self, text: str, platform: str, author_handle: str | None = None, in_reply_to_author: str | None = None
    ) -> MatchResult:
        """Officials mentioned in `text` or replied to; an official's own post does not match that official."""
        doc = self._doc(text)
        # (rank, position, official id, kind, surface, start, end); the reply is not in the text: no offsets
        ranked: list[tuple[int, int, str, str, str, int | None, int | None]] = []
        reply_to = self.author_official(platform, in_reply_to_author)
        if reply_to:
            ranked.append((_RANK_REPLY, -1, reply_to, "reply", in_reply_to_author or "", None, None))
        kinds: dict[tuple[int, int, str], str] = {}
        spans: list[Span] = []
        matchers: list[tuple[PhraseMatcher | Matcher, str]] = [
            (self._handles, "handle"),
            (self._names, "name"),
            (self._roles, "role"),
        ]
        if platform == "mastodon":
            matchers.append((self._mastodon_local, "handle"))
        for matcher, kind in matchers:
            for match_id, start, end in matcher(doc):
                span = Span(doc, start, end, label=match_id)
                kinds.setdefault((start, end, span.label_), kind)
                spans.append(span)
        for span in filter_spans(spans):
            rank = _RANK_HANDLE if span.text.startswith("@") else _RANK_NAME
            kind = kinds[(span.start, span.end, span.label_)]
            ranked.append((rank, span.start_char, span.label_, kind, span.text, span.start_char, span.end_char))

        author = self.author_official(platform, author_handle)
        result = MatchResult(in_reply_to_official_id=reply_to if reply_to != author else None)
        seen: set[tuple[str, str, str]] = set()
        for _, _, official_id, kind, surface, start_char, end_char in sorted(ranked, key=lambda r: r[:2]):
            if official_id == author or (official_id, kind, surface) in seen:
                continue
            if official_id not in result.official_ids:
                result.official_ids.append(official_id)
            seen.add((official_id, kind, surface))
            result.matches.append(
                OfficialMatch(official_id=official_id, kind=kind, surface=surface, start=start_char, end=end_char)
            )
        result.matches.sort(key=lambda m: result.official_ids.index(m.official_id))
        return result
