"""Statistics for reports and research: counts per label, per role and per self-declared gender.

Authors never appear by handle: they are replaced by keyed HMAC pseudonyms (stable within one key, so repeat
offenders can be counted, but not reversible without the key). Officials appear only as role and gender.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import Case, Mention, Official
from schildwacht.vocabulary import LABELS

GENDER_NAMES = {"v": "vrouw", "m": "man", "x": "anders", None: "niet opgegeven"}


def pseudonym_key(settings: Settings) -> bytes:
    """The HMAC key for author pseudonyms: `pseudonym_key` if set, else derived from `secret_key`.

    Never derived from an unset key (ValueError). Whether the key is strong is checked by the `stats` command
    (`require_strong_secrets`), so pseudonyms cannot be recomputed from a default or placeholder.
    """
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode()
    if not settings.secret_key:
        raise ValueError(
            "geen geheime sleutel: auteurspseudoniemen vereisen SCHILDWACHT_SECRET_KEY of "
            "SCHILDWACHT_PSEUDONYM_KEY / no secret key: author pseudonyms need SCHILDWACHT_SECRET_KEY or "
            "SCHILDWACHT_PSEUDONYM_KEY"
        )
    return hmac.new(settings.secret_key.encode(), b"schildwacht.statistics.pseudonym", hashlib.sha256).digest()


def pseudonymise(key: bytes, author_key: str) -> str:
    """`auteur-` + 16 hex digits of HMAC-SHA256(key, lower-cased platform:handle)."""
    return "auteur-" + hmac.new(key, author_key.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def compute_stats(session: Session, settings: Settings, organisation_id: str, top_authors: int = 10) -> dict[str, Any]:
    """Counts of one organisation (never a pool of organisations: pseudonyms would link authors across them)."""
    key = pseudonym_key(settings)
    query = (
        select(Case, Official.role, Official.gender)
        .join(Official, Case.official_id == Official.id)
        .where(Case.organisation_id == organisation_id)
    )
    mentions = select(Mention.flags).where(Mention.flagged.is_(True), Mention.organisation_id == organisation_id)
    per_label: Counter[str] = Counter()
    per_role: dict[str, Counter[str]] = defaultdict(Counter)
    per_gender: dict[str, Counter[str]] = defaultdict(Counter)
    authors: Counter[str] = Counter()
    total = 0
    for case, role, gender in session.execute(query):
        total += 1
        labels = set(case.labels or [])
        per_label.update(labels)
        for bucket in (per_role[role], per_gender[GENDER_NAMES.get(gender, "niet opgegeven")]):
            bucket["cases"] += 1
            bucket.update(f"label:{lab}" for lab in labels)
        authors[pseudonymise(key, case.author_key)] += 1
    flagged_per_label: Counter[str] = Counter()
    for (flags,) in session.execute(mentions):
        flagged_per_label.update(flags or [])

    def table(groups: dict[str, Counter[str]]) -> dict[str, Any]:
        out = {}
        for name, c in sorted(groups.items()):
            n = c["cases"]
            out[name] = {
                "cases": n,
                "per_label": {lab: c[f"label:{lab}"] for lab in LABELS},
                "gender_targeted_share": round(c["label:gender"] / n, 3) if n else 0.0,
            }
        return out

    return {
        "organisation_id": organisation_id,
        "cases": total,
        "cases_per_label": {lab: per_label[lab] for lab in LABELS},
        "flagged_mentions_per_label": {lab: flagged_per_label[lab] for lab in LABELS},
        "per_role": table(per_role),
        "per_gender": table(per_gender),
        "authors": {
            "distinct": len(authors),
            "repeat": sum(1 for n in authors.values() if n > 1),
            "top": [{"author": a, "cases": n} for a, n in authors.most_common(top_authors)],
        },
    }
