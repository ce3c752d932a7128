"""Meta's webhook receiver (`/meta/webhook`): the one route without a staff login or personal link, because Meta's
servers call it (docs/security.md, "Meta-webhook").

Invariants:
- GET answers Meta's subscription check only: `hub.mode=subscribe` with the configured `hub.verify_token`
  (constant-time) gets `hub.challenge` back as plain text (digits only); anything else is 403;
- POST reads at most MAX_BODY bytes (a larger declared or streamed body is refused with 413 unread) and acts
  only on a body whose `X-Hub-Signature-256` verifies under the app secret
  (`schildwacht.meta_webhooks.signature_valid`); a forgery is refused with 403, logged, and nothing is read from it.
  It is exempt from the session CSRF check (`triage.web.auth.CSRF_EXEMPT_PATHS`): the signature is its proof;
- a comment reaches the pipeline only for a page or Instagram account that is connected to an active official, and
  only through the raw topic (`schildwacht.kafka.publish`, acks=all), like every collected post; the web app never
  imports the collectors. When Kafka does not confirm, the answer is 503, so Meta delivers again;
- removed and hidden comments are recorded on `meta_comments` (set once), never dropped.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response
from kafka.errors import KafkaError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from schildwacht import meta_accounts
from schildwacht.config import Settings
from schildwacht.contracts import DeadLetter
from schildwacht.kafka import ensure_topics, make_producer, publish
from schildwacht.meta_webhooks import CommentChange, comment_changes, mention, signature_valid
from schildwacht.models import MetaAccount, Official
from triage.web.auth import get_db, get_settings

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

WEBHOOK_PATH = "/meta/webhook"
MAX_BODY = 1024 * 1024


@dataclass
class Outcome:
    """What one delivery led to (logged; the tests read it from the database and the topics)."""

    published: list[str] = field(default_factory=list)
    parked: int = 0
    recorded: int = 0
    ignored: int = 0


@router.get(WEBHOOK_PATH)
def meta_webhook_verify(request: Request, settings: Settings = Depends(get_settings)) -> Response:
    params = request.query_params
    expected = settings.meta_webhook_verify_token
    supplied = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge", "")
    if (
        params.get("hub.mode") != "subscribe"
        or expected is None
        or not hmac.compare_digest(expected.get_secret_value().encode(), supplied.encode())
        or not challenge.isdigit()
    ):
        log.warning("Meta-webhook: verificatie geweigerd")
        return PlainTextResponse("Geweigerd.", status_code=403)
    return PlainTextResponse(challenge)


@router.post(WEBHOOK_PATH)
async def meta_webhook_receive(
    request: Request, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
) -> Response:
    client = request.client.host if request.client else "?"
    body = await _body_within_limit(request)
    if body is None:
        log.warning("Meta-webhook: bericht van %s groter dan %d bytes geweigerd", client, MAX_BODY)
        return PlainTextResponse("Te groot.", status_code=413)
    secret = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else None
    if not signature_valid(secret, body, request.headers.get("x-hub-signature-256")):
        log.warning("Meta-webhook: ongeldige handtekening van %s geweigerd (%d bytes)", client, len(body))
        return PlainTextResponse("Ongeldige handtekening.", status_code=403)
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        doc = None
    try:
        outcome = await run_in_threadpool(_deliver, db, settings, body, doc)
    except KafkaError as exc:
        log.error("Meta-webhook: Kafka bevestigde niet (%s); Meta levert opnieuw", exc)
        return PlainTextResponse("Tijdelijk niet beschikbaar.", status_code=503)
    log.info(
        "Meta-webhook: %d gepubliceerd, %d vastgelegd, %d geparkeerd, %d genegeerd",
        len(outcome.published),
        outcome.recorded,
        outcome.parked,
        outcome.ignored,
    )
    return PlainTextResponse("EVENT_RECEIVED")


async def _body_within_limit(request: Request) -> bytes | None:
    """The request body, or None as soon as it is declared or streamed larger than MAX_BODY (the rest is never
    read, so an oversized delivery costs at most MAX_BODY of memory)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _owner(db: Session, change: CommentChange) -> MetaAccount | None:
    """The connected account of an active official that received the change (page or Instagram id)."""
    column = MetaAccount.page_id if change.change.get("field") == "feed" else MetaAccount.instagram_id
    return db.scalar(
        select(MetaAccount)
        .join(Official, Official.id == MetaAccount.official_id)
        .where(column == change.account_id, MetaAccount.status == "connected", Official.status == "active")
        .order_by(MetaAccount.id)
        .limit(1)
    )


def _deliver(db: Session, settings: Settings, body: bytes, doc: object) -> Outcome:
    outcome = Outcome()
    messages: list[tuple[str, bytes | None, bytes]] = []
    for found in comment_changes(doc) if doc is not None else [("", "geen geldige JSON")]:
        if isinstance(found, tuple):
            position, reason = found
            reason = f"Meta-webhook {position}: {reason}"
            letter = DeadLetter.park(stage="triage.meta_webhook", reason=reason, payload=body)
            messages.append((settings.topic_dead_letter, None, letter.to_bytes()))
            outcome.parked += 1
            continue
        account = _owner(db, found)
        if account is None:
            outcome.ignored += 1  # not connected (any more), or the official does not take part: nothing is kept
            continue
        uid = f"{'facebook' if found.change.get('field') == 'feed' else 'instagram'}:{found.comment_id}"
        if found.verb in ("remove", "hide"):
            hidden = found.verb == "hide"
            outcome.recorded += meta_accounts.mark(
                db,
                uid,
                account.official_id,
                account.id,
                found.object_id,
                hidden=hidden,
                removed_via=None if hidden else "webhook",
                details={"webhook": found.change.get("value", {})},
            )
            continue
        comment = found.comment
        if found.verb != "add" or comment is None or comment.parent_id is not None:
            outcome.ignored += 1  # edits keep the first version; replies to commenters are polled (matcher)
            continue
        if comment.author.id in (account.page_id, account.instagram_id):
            outcome.ignored += 1  # the official's own comment
            continue
        meta_accounts.seen(db, uid, account.official_id, account.id, found.object_id)
        surface = account.page_id if comment.platform == "facebook" else str(account.instagram_id)
        collected = mention(found, account.official_id, surface, body)
        messages.append((settings.topic_raw, collected.key, collected.to_bytes()))
        outcome.published.append(collected.uid)
    if messages:
        _publish(settings, messages)
    db.commit()
    return outcome


def _publish(settings: Settings, messages: list[tuple[str, bytes | None, bytes]]) -> None:
    """Publish and wait for the broker (acks=all); raises KafkaError when it does not confirm."""
    ensure_topics(settings)
    producer = make_producer(settings)
    try:
        for topic, key, value in messages:
            publish(producer, topic, key, value)
    finally:
        producer.close(timeout=10)
