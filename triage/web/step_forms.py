"""What the Steunpakket step forms offer before anyone types: the platform's report page and the post's permalink,
the reference format this organisation last used for that platform, the VPT code for an official with a public
task, and the official's contact route for aftercare.

Only suggestions: nothing here records a step (the person still saves the form), and nothing is invented: a value
is offered only when it is known from the case, the official or an earlier step of the same organisation.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.models import Case, Official
from schildwacht.models.workflow import CaseStep
from schildwacht.vocabulary import has_public_task

VPT_CODE = "VPT"
"""What the police register for a victim with a public task (Veilige Publieke Taak)."""

# Where a platform takes notices about illegal content (DSA art. 16). Mastodon takes reports per server: the post's
# own server is found from its permalink (`report_link`).
PLATFORM_REPORT_PAGES: dict[str, str] = {
    "bluesky": "https://bsky.social/about/support/community-guidelines#reporting",
    "x": "https://help.x.com/forms/dsa",
    "twitter": "https://help.x.com/forms/dsa",
    "facebook": "https://www.facebook.com/help/contact/1455460644575698",
    "instagram": "https://help.instagram.com/contact/406206379945942",
    "youtube": "https://support.google.com/legal/answer/3110420",
    "tiktok": "https://www.tiktok.com/legal/report/DSA",
}


def report_link(platform: str, permalink: str | None) -> str | None:
    """The page where this platform takes a report about the post (None when unknown)."""
    if platform in PLATFORM_REPORT_PAGES:
        return PLATFORM_REPORT_PAGES[platform]
    if platform == "mastodon" and permalink:
        parts = urlsplit(permalink)
        if parts.scheme == "https" and parts.hostname:
            return f"https://{parts.hostname}/about"  # the server's rules and moderation contact
    return None


def reference_format(reference: str) -> str:
    """The shape of a reference: digits as 9, letters as A, the rest kept ("DSA-2026-017" -> "AAA-9999-999")."""
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", reference))


def last_platform_reference(session: Session, organisation_id: str, platform: str) -> str | None:
    """The reference of the organisation's latest platform report on this platform (its format is remembered)."""
    return session.scalar(
        select(CaseStep.reference)
        .join(Case, Case.id == CaseStep.case_id)
        .where(
            CaseStep.organisation_id == organisation_id,
            CaseStep.step == "gemeld_bij_platform",
            CaseStep.reference.is_not(None),
            Case.author_key.startswith(f"{platform}:", autoescape=True),
        )
        .order_by(CaseStep.done_at.desc(), CaseStep.id.desc())
        .limit(1)
    )


def prefill(
    session: Session, case: Case, official: Official | None, permalink: str | None
) -> dict[str, dict[str, Any]]:
    """Per step key, what its form offers (see the module docstring)."""
    platform = case.author_key.partition(":")[0]
    earlier = last_platform_reference(session, case.organisation_id, platform)
    contact = official.email if official and official.email else None
    return {
        "gemeld_bij_platform": {
            "platform": platform,
            "report_url": report_link(platform, permalink),
            "permalink": permalink,
            "earlier_reference": earlier,
            "reference_format": reference_format(earlier) if earlier else None,
        },
        "melding_aangifte": {
            "vpt_code": VPT_CODE if official and has_public_task(official.role) else None,
            "role": official.role if official else None,
        },
        "nazorg": {
            "contact": contact,
            "note": f"Contact met {official.full_name} via {contact}" if official and contact else None,
        },
    }
