"""The Meta Graph API's shapes, shared by the collector (polling) and the web app's webhook receiver.

A comment becomes a `MetaCommentPost` the same way whichever path found it, so a comment seen by both is one post
(uid `facebook:<comment id>` or `instagram:<comment id>`) and the second copy is skipped downstream (ingest is
idempotent on the uid). Errors follow the Graph API's `{"error": {"code", "error_subcode", "message"}}`; rate
limits show as error codes 4, 17, 32, 613 and 80001-80014 (business use case) and as usage percentages in
`X-App-Usage` / `X-Business-Use-Case-Usage`; code 190 is an expired or revoked token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schildwacht.contracts import Author

PLATFORMS = ("facebook", "instagram")
TOKEN_INVALID = 190
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
OBJECT_MISSING = 100  # with subcode 33: the object does not exist (any more) or cannot be seen
OBJECT_MISSING_SUBCODE = 33
# Usage at or above this percentage: stop asking until the next round (Meta throttles at 100).
USAGE_LIMIT_PERCENT = 90.0
FACEBOOK_COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id,from},is_hidden,permalink_url"
INSTAGRAM_COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},hidden,parent_id"


class MalformedGraphObject(ValueError):
    """A Graph API object lacks a field the comment needs or has it in the wrong form; the message says which."""


@dataclass(frozen=True)
class GraphError:
    """An error answer of the Graph API."""

    code: int
    subcode: int | None
    message: str

    @property
    def token_invalid(self) -> bool:
        return self.code == TOKEN_INVALID

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES

    @property
    def object_missing(self) -> bool:
        return self.code == OBJECT_MISSING and self.subcode == OBJECT_MISSING_SUBCODE


def graph_error(doc: Any) -> GraphError | None:
    """The error in a decoded Graph API answer, or None when it is not an error answer."""
    if not isinstance(doc, dict) or not isinstance(doc.get("error"), dict):
        return None
    error = doc["error"]
    try:
        code = int(error.get("code"))
    except (TypeError, ValueError):
        code = -1
    subcode = error.get("error_subcode")
    return GraphError(code, subcode if isinstance(subcode, int) else None, str(error.get("message", ""))[:500])


def usage_percent(headers: Mapping[str, str]) -> float:
    """The highest usage percentage any of Meta's usage headers reports (0 when none is present or readable).

    `X-App-Usage` is `{"call_count": n, "total_cputime": n, "total_time": n}`; `X-Business-Use-Case-Usage` maps a
    business id to a list of such objects (with `type` and `estimated_time_to_regain_access`)."""
    highest = 0.0
    lowered = {name.lower(): value for name, value in headers.items()}
    for name in ("x-app-usage", "x-business-use-case-usage", "x-ad-account-usage"):
        try:
            doc = json.loads(lowered.get(name) or "{}")
        except ValueError:
            continue
        parts = [doc] if name != "x-business-use-case-usage" else _flat(doc)
        for part in parts:
            if isinstance(part, dict):
                for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
                    value = part.get(key)
                    if isinstance(value, int | float):
                        highest = max(highest, float(value))
    return highest


def _flat(doc: Any) -> list[Any]:
    if not isinstance(doc, dict):
        return []
    return [part for value in doc.values() if isinstance(value, list) for part in value]


@dataclass(frozen=True)
class MetaCommentPost:
    """One comment as a post: what the collected mention needs, whichever path (poll or webhook) found it."""

    platform: str
    comment_id: str
    object_id: str  # the post (Facebook) or media (Instagram) the comment is under
    text: str
    created_at: datetime
    author: Author
    url: str
    parent_id: str | None  # the comment answered, None for a comment on the post itself
    parent_author_id: str | None
    hidden: bool

    @property
    def uid(self) -> str:
        return f"{self.platform}:{self.comment_id}"


def graph_time(value: Any) -> datetime:
    """A Graph API time: ISO 8601 (`2026-12-01T10:00:00+0000`) or, in webhooks, Unix seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise MalformedGraphObject(f"tijd zonder tijdzone: {value!r}")
        return moment
    raise MalformedGraphObject(f"geen geldige tijd: {value!r}")


def _text(entity: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = entity.get(name)
        if isinstance(value, str) and value:
            return value
    raise MalformedGraphObject(f"veld {'/'.join(names)} ontbreekt of is leeg")


def facebook_comment(entity: Any, object_id: str, page_id: str) -> MetaCommentPost:
    """A Facebook comment object (fields FACEBOOK_COMMENT_FIELDS) under post `object_id` of page `page_id`."""
    if not isinstance(entity, dict):
        raise MalformedGraphObject("reactie is geen JSON-object")
    comment_id = _text(entity, "id")
    sender: dict[str, Any] = entity["from"] if isinstance(entity.get("from"), dict) else {}
    sender_id = str(sender.get("id") or "") or None
    name = str(sender.get("name") or "") or None
    parent = entity.get("parent") if isinstance(entity.get("parent"), dict) else None
    parent_from = parent.get("from") if parent and isinstance(parent.get("from"), dict) else {}
    return MetaCommentPost(
        platform="facebook",
        comment_id=comment_id,
        object_id=object_id,
        text=str(entity.get("message") or ""),
        created_at=graph_time(entity.get("created_time")),
        # A page token sees `from` only for some commenters; the comment id stays the identifier then.
        author=Author(
            id=sender_id,
            handle=name or (f"facebook:{sender_id}" if sender_id else "facebook:onbekend"),
            display_name=name,
            profile_url=f"https://www.facebook.com/{sender_id}" if sender_id else None,
        ),
        url=str(entity.get("permalink_url") or f"https://www.facebook.com/{comment_id}"),
        parent_id=str(parent["id"]) if parent and parent.get("id") else None,
        parent_author_id=str(parent_from.get("id")) if parent_from.get("id") else page_id if not parent else None,
        hidden=bool(entity.get("is_hidden")),
    )


def instagram_comment(
    entity: Any, object_id: str, account_id: str, parent_id: str | None, permalink: str | None = None
) -> MetaCommentPost:
    """An Instagram comment or reply (fields INSTAGRAM_COMMENT_FIELDS) under media `object_id` (at `permalink`,
    when known) of account `account_id`; `parent_id` is the comment a reply answers (None for one on the media)."""
    if not isinstance(entity, dict):
        raise MalformedGraphObject("reactie is geen JSON-object")
    comment_id = _text(entity, "id")
    sender: dict[str, Any] = entity["from"] if isinstance(entity.get("from"), dict) else {}
    username = str(entity.get("username") or sender.get("username") or "") or None
    sender_id = str(sender.get("id") or "") or None
    if username is None and sender_id is None:
        raise MalformedGraphObject("veld username/from ontbreekt")
    return MetaCommentPost(
        platform="instagram",
        comment_id=comment_id,
        object_id=object_id,
        text=_text(entity, "text"),
        created_at=graph_time(entity.get("timestamp")),
        author=Author(
            id=sender_id,
            handle=f"@{username}" if username else f"instagram:{sender_id}",
            display_name=None,
            profile_url=f"https://www.instagram.com/{username}/" if username else None,
        ),
        url=f"{permalink.rstrip('/')}/c/{comment_id}/" if permalink else f"https://www.instagram.com/#{comment_id}",
        parent_id=parent_id or (str(entity["parent_id"]) if entity.get("parent_id") else None),
        parent_author_id=None if (parent_id or entity.get("parent_id")) else account_id,
        hidden=bool(entity.get("hidden")),
    )
