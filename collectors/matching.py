"""Find which consenting officials a post mentions or replies to (spaCy PhraseMatcher + Matcher).

Every token gets a folded NORM (lower case, diacritics removed, invisible characters dropped, digit
look-alikes in mixed tokens mapped back to letters), so "joelle de bruijn", "Joëlle de Bruijn" and
"J0ëlle de Bruijn" match alike, while the surface strings reported are the original text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from collectors.registry import OfficialEntry

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


def fold(text: str) -> str:
    """Lower-case, strip diacritics and invisible format characters (for comparison only)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return kept.casefold()


def _norm_token(text: str) -> str:
    folded = fold(text)
    if any(c.isdigit() for c in folded) and any(c.isalpha() for c in folded):
        folded = folded.translate(_LEET)
    return folded


def normalize_handle(handle: str) -> str:
    """Comparable form of an account handle: folded, without the leading @."""
    return fold(handle.strip()).lstrip("@")


@dataclass
class MatchResult:
    """The officials a post is about, most directly addressed first, with the surface strings that matched."""

    official_ids: list[str] = field(default_factory=list)
    reasons: dict[str, list[str]] = field(default_factory=dict)
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
        names += [v for v in official.name_variants if fold(v.strip()) != fold(first)]
        self._add(self._names, official.id, names)

        core = [t for t in rest if fold(t) not in TUSSENVOEGSELS] if rest else []
        if core:
            pattern = [{"NORM": {"IN": list(ROLE_WORDS)}}, {"NORM": {"IN": sorted(TUSSENVOEGSELS)}, "OP": "*"}]
            pattern += [{"NORM": _norm_token(t)} for t in core]
            self._roles.add(official.id, [pattern])

    def with_submission(self, result: MatchResult, official_id: str, reason: str) -> MatchResult:
        """Put the official a staff member submitted a post for first, if that official is active."""
        if official_id not in self._active:
            return result
        reasons = {official_id: [reason, *result.reasons.get(official_id, [])]}
        reasons.update((k, v) for k, v in result.reasons.items() if k != official_id)
        ids = [official_id, *(i for i in result.official_ids if i != official_id)]
        return MatchResult(official_ids=ids, reasons=reasons, in_reply_to_official_id=result.in_reply_to_official_id)

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
        ranked: list[tuple[int, int, str, str]] = []  # (rank, position, official id, surface)
        reply_to = self.author_official(platform, in_reply_to_author)
        if reply_to:
            ranked.append((_RANK_REPLY, -1, reply_to, in_reply_to_author or ""))
        spans: list[Span] = []
        matchers = [self._handles, self._names, self._roles]
        if platform == "mastodon":
            matchers.append(self._mastodon_local)
        for matcher in matchers:
            spans += [Span(doc, s, e, label=m) for m, s, e in matcher(doc)]
        for span in filter_spans(spans):
            rank = _RANK_HANDLE if span.text.startswith("@") else _RANK_NAME
            ranked.append((rank, span.start_char, span.label_, span.text))

        author = self.author_official(platform, author_handle)
        result = MatchResult(in_reply_to_official_id=reply_to if reply_to != author else None)
        for _, _, official_id, surface in sorted(ranked):
            if official_id == author:
                continue
            if official_id not in result.reasons:
                result.official_ids.append(official_id)
                result.reasons[official_id] = []
            if surface not in result.reasons[official_id]:
                result.reasons[official_id].append(surface)
        return result
