"""One way for tests to store a mention as the ingest worker would: a `Mention` row through the ORM.

The bundle, registry and web helpers wrap `add_mention` with their own defaults (a raw WARC, relative ages, a
counter); none builds a `Mention` itself. Invariants of every row made here: `uid` is `platform:post_id`,
`text_sha256` is the SHA-256 of the text, `flagged` is true exactly when there are flags, and the official is the
only matched one.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from schildwacht.models import Mention
from schildwacht.models.base import utcnow

_post_ids = itertools.count(1)


def default_scores(flags: Iterable[str]) -> dict[str, float]:
    """High scores for the flagged labels, a low abuse score otherwise."""
    flags = list(flags)
    return ({"abuse": 0.4} | {label: 0.97 for label in flags}) if flags else {"abuse": 0.1}


def add_mention(
    session: Session,
    *,
    organisation_id: str,
    official_id: str,
    text: str,
    post_id: str | None = None,
    platform: str = "mastodon",
    author: str = "@boos@x.example",
    author_id: str | None = None,
    author_display_name: str = "Boze Burger",
    author_profile_url: str | None = None,
    url: str | None = None,
    created_at: datetime | None = None,
    collected_at: datetime | None = None,
    scored_at: datetime | None = None,
    flags: Iterable[str] = (),
    scores: dict[str, float] | None = None,
    spans: Iterable[dict] = (),
    case_id: int | None = None,
    in_reply_to_id: str | None = None,
    thread_id: str | None = None,
    raw_meta: dict | None = None,
    collector: str = "test",
    collector_version: str = "1",
    model_name: str = "test-model",
    model_version: str = "0",
    **columns: Any,
) -> Mention:
    """Insert and flush one mention; `columns` sets further `Mention` columns as they are (e.g. `ingested_at`)."""
    post_id = post_id or f"p{next(_post_ids)}"
    flags = list(flags)
    created_at = created_at or utcnow()
    collected_at = collected_at or created_at
    mention = Mention(
        uid=f"{platform}:{post_id}",
        platform=platform,
        post_id=post_id,
        organisation_id=organisation_id,
        official_id=official_id,
        matched_official_ids=[official_id],
        url=url or f"https://{platform}.example/{post_id}",
        author_id=author_id or f"acct-{author}",
        author_handle=author,
        author_display_name=author_display_name,
        author_profile_url=author_profile_url or f"https://{platform}.example/{author}",
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        created_at=created_at,
        collected_at=collected_at,
        collector=collector,
        collector_version=collector_version,
        in_reply_to_id=in_reply_to_id,
        thread_id=thread_id,
        raw_meta=raw_meta,
        scores=scores if scores is not None else default_scores(flags),
        flags=flags,
        spans=list(spans),
        model_name=model_name,
        model_version=model_version,
        scored_at=scored_at or collected_at,
        flagged=bool(flags),
        case_id=case_id,
        **columns,
    )
    session.add(mention)
    session.flush()
    return mention
