"""Target resolution: is a post aimed at one monitored official, and which one?"""

from __future__ import annotations

import re
from collections.abc import Sequence

from schildwacht.textnorm import fold

from . import lexicons as L
from .textnorm import RULE_SCAN_LIMIT, views

_WORD = re.compile(r"[\w@.'-]+")
_SECOND = {"jij", "je", "jou", "jouw", "u", "uw", "jezelf", "uzelf", "ge", "gij"}
_GROUP_PHRASES = re.compile(
    r"\b(alle|al die|al de|die|de|deze|jullie|onze|hun)\s+(politici|politicus|raadsleden|wethouders|burgemeesters|"
    r"bestuurders|ambtenaren|regenten|zakkenvullers|elite|partijen|gemeenteraad|college|kabinet|regering)\b"
)
_ROLE_SG = re.compile(
    r"\b(de|die|deze|onze|jullie|dat|uw|jouw|mevrouw de|meneer de|beste|geachte|hey|he|hee|hallo|"
    r"ha)\s+(" + "|".join(sorted(L.ROLE_WORDS - {"raadsleden"})) + r")\b"
)


def official_terms(official) -> list[str]:
    """Folded names and handles (with and without @ / domain) to look for in a folded view."""
    terms: list[str] = []
    for name in getattr(official, "names", []) or []:
        f = fold(name.strip())
        if len(f) >= 3:
            terms.append(f)
    for h in getattr(official, "handles", []) or []:
        f = fold(h.strip())
        if not f:
            continue
        terms.append(f)
        bare = f.lstrip("@")
        local = bare.split("@")[0].split(".")[0] if ("@" in bare or bare.count(".") >= 2) else bare
        for t in {bare, local, "@" + local}:
            if len(t) >= 3:
                terms.append(t)
    return sorted(set(terms), key=len, reverse=True)


def _find(view: str, term: str) -> int:
    start = 0
    while True:
        i = view.find(term, start)
        if i < 0:
            return -1
        before = view[i - 1] if i > 0 else " "
        after = view[i + len(term)] if i + len(term) < len(view) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return i
        start = i + 1


def _first_mention(official, folded: str) -> int | None:
    """Where `official` is first named in the (scanned part of the) text: from the collector's offsets when the
    input carries them (`OfficialRef.found_at`), otherwise by looking for its names and handles in `folded`."""
    found_at = getattr(official, "found_at", None)
    if found_at is not None:
        return min((start for start, _ in found_at if start < RULE_SCAN_LIMIT), default=None)
    positions = [p for p in (_find(folded, term) for term in official_terms(official)) if p >= 0]
    return min(positions, default=None)


def resolve_target(text: str, officials: Sequence, reply_to_official: str | None) -> str | None:
    """Official id the post is aimed at, or None.

    1. an official named or tagged in the text (earliest mention wins; see `_first_mention`);
    2. second-person address ("jij", "je", "u") -> the official replied to, else the only matched official;
    3. a singular role reference ("die wethouder", "de burgemeester") -> the official replied to / the only one;
    otherwise None: posts about "alle politici" or a group are not aimed at one official.
    """
    _, folded, _ = views(text or "")
    best: tuple[int, str] | None = None
    for off in officials or []:
        pos = _first_mention(off, folded)
        if pos is not None and (best is None or pos < best[0]):
            best = (pos, off.id)
    if best is not None:
        return best[1]
    default = reply_to_official
    if default is None and officials and len(officials) == 1:
        default = officials[0].id
    if default is None:
        return None
    words = {w.strip(".'-") for w in _WORD.findall(folded)}
    if words & _SECOND:
        return default
    if _ROLE_SG.search(folded) and not _GROUP_PHRASES.search(folded):
        return default
    if reply_to_official and not _GROUP_PHRASES.search(folded):
        return reply_to_official  # a reply is addressed to the author of the parent post
    return None
