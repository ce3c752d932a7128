"""Meta webhook deliveries (`page` feed and `instagram` comments changes): signature check, the changes they
carry, and a comment change as a `CollectedMention` with its own evidence.

Invariants:
- `signature_valid` is a constant-time comparison of `X-Hub-Signature-256` (`sha256=<hex>`) with the HMAC-SHA256
  of the raw body under the app secret; anything else (no header, another scheme, no secret configured) is invalid;
- a mention's raw evidence is the change's own JSON (never other entries of the same delivery), in a WARC resource
  record that names the delivery's sha256, size and the change's position, as `collectors/evidence.py` does for
  one post out of a page;
- only a comment on the official's own post (or media) becomes a mention here, matched as a reply to the official
  whose page received it; replies to other commenters are left to polling, which runs the matcher
  (collectors/spiders/meta.py), so both paths publish the same posts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schildwacht.contracts import CollectedMention, OfficialMatch, RawPayload, sha256_hex
from schildwacht.meta_graph import MalformedGraphObject, MetaCommentPost, facebook_comment, instagram_comment
from schildwacht.warc import EvidenceWarc

COLLECTOR = "meta-webhook"
COLLECTOR_VERSION = "0.2.0"
SIGNATURE_PREFIX = "sha256="


def signature_valid(secret: str | None, body: bytes, header: str | None) -> bool:
    """Whether `header` is `sha256=` + the hex HMAC-SHA256 of `body` under `secret` (compared in constant time)."""
    if not secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix(SIGNATURE_PREFIX).strip().lower())


@dataclass(frozen=True)
class CommentChange:
    """One comment change of a delivery: which account received it and what happened."""

    account_id: str  # the page id (object `page`) or Instagram account id (object `instagram`)
    verb: str  # add, edited, remove, hide, unhide (Instagram deliveries are always add)
    position: str  # JSON pointer of the change in the delivery
    change: dict[str, Any]  # the change's own JSON (`field` and `value`)
    comment: MetaCommentPost | None  # None when a remove/hide delivery does not describe the comment fully
    comment_id: str
    object_id: str


def comment_changes(doc: Any) -> Iterator[CommentChange | tuple[str, str]]:
    """The comment changes of a decoded delivery; an unusable change comes as (position, reason)."""
    if (
        not isinstance(doc, dict)
        or doc.get("object") not in ("page", "instagram")
        or not isinstance(doc.get("entry"), list)
    ):
        yield ("", "geen Meta-webhook (object page/instagram met entry-lijst verwacht)")
        return
    for i, entry in enumerate(doc["entry"]):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            continue  # e.g. messaging entries: not subscribed
        when = entry.get("time")
        for j, change in enumerate(changes):
            position = f"/entry/{i}/changes/{j}"
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                yield (position, "wijziging zonder value-object")
                continue
            try:
                found = _comment_change(doc["object"], str(entry.get("id") or ""), when, change, position)
            except (MalformedGraphObject, ValueError, KeyError, TypeError) as exc:
                yield (position, f"reactie onbruikbaar: {exc}")
                continue
            if found is not None:
                yield found


def _comment_change(
    kind: str, account_id: str, when: Any, change: dict[str, Any], position: str
) -> CommentChange | None:
    value = change["value"]
    if not account_id:
        raise MalformedGraphObject("entry zonder id")
    if kind == "page":
        if change.get("field") != "feed" or value.get("item") not in ("comment", "reply"):
            return None
        verb = str(value.get("verb") or "")
        comment_id, post_id = str(value["comment_id"]), str(value["post_id"])
        parent = str(value.get("parent_id") or post_id)
        comment = None
        if verb in ("add", "edited"):
            entity = {
                "id": comment_id,
                "message": value.get("message") or "",
                "created_time": value.get("created_time", when),
                "from": value.get("from") or {},
                **({"parent": {"id": parent}} if parent != post_id else {}),
            }
            comment = facebook_comment(entity, post_id, account_id)
        return CommentChange(account_id, verb, position, change, comment, comment_id, post_id)
    if change.get("field") not in ("comments", "live_comments"):
        return None
    media = value.get("media") if isinstance(value.get("media"), dict) else {}
    media_id = str(media.get("id") or "")
    if not media_id:
        raise MalformedGraphObject("media.id ontbreekt")
    entity = {
        "id": value["id"],
        "text": value.get("text") or "",
        "timestamp": value.get("timestamp") or when,
        "from": value.get("from") or {},
    }
    replied = str(value["parent_id"]) if value.get("parent_id") else None
    comment = instagram_comment(entity, media_id, account_id, replied)
    return CommentChange(account_id, "add", position, change, comment, str(value["id"]), media_id)


def mention(
    change: CommentChange, official_id: str, surface: str, delivery: bytes, received_at: datetime | None = None
) -> CollectedMention:
    """The collected mention of a comment on the official's own post (`change.comment` set, no parent comment)."""
    comment = change.comment
    assert comment is not None and comment.parent_id is None  # callers publish only these (module docstring)
    received_at = received_at or datetime.now(UTC)
    raw = json.dumps(change.change, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    uri = f"urn:schildwacht:meta-webhook:{comment.platform}:{comment.comment_id}"
    warc = EvidenceWarc(f"schildwacht-{COLLECTOR}/{COLLECTOR_VERSION}", received_at)
    warc.resource(
        uri,
        raw,
        "application/json",
        annotations={
            "Schildwacht-Page-SHA256": sha256_hex(delivery),
            "Schildwacht-Page-Size": str(len(delivery)),
            "Schildwacht-Page-Position": change.position,
        },
    )
    payload = RawPayload.from_bytes(raw, content_type="application/json")
    warc_bytes = warc.getvalue()
    payload.warc_b64 = base64.b64encode(warc_bytes).decode("ascii")
    payload.warc_sha256 = sha256_hex(warc_bytes)
    payload.page_sha256 = sha256_hex(delivery)
    payload.page_size = len(delivery)
    return CollectedMention(
        platform=comment.platform,
        post_id=comment.comment_id,
        url=comment.url,
        author=comment.author,
        text=comment.text,
        created_at=comment.created_at,
        collected_at=received_at,
        collector=COLLECTOR,
        collector_version=COLLECTOR_VERSION,
        matched_official_ids=[official_id],
        matches=[OfficialMatch(official_id=official_id, kind="reply", surface=surface)],
        in_reply_to_id=comment.object_id,
        in_reply_to_official_id=official_id,
        thread_id=comment.object_id,
        raw=payload,
    )
