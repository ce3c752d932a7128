"""Connected Meta accounts in the database: who may be collected, tokens dropped, comments' fate recorded.

Shared by the collector (stage 1), the web app's connect and webhook routes and the registry (stage 3), so it lives
in the core. Invariants: `collectable` returns only accounts of active officials that are connected and still hold
a token; `drop_tokens` leaves no token of the official behind; comment status changes are set once (first seen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.meta_tokens import TokenUnreadable, decrypt
from schildwacht.models import AuditEvent, MetaAccount, MetaComment, MetaOAuthState, Official
from schildwacht.models.base import utcnow

RECONNECT_NOTICE = (
    "Meta heeft de toegang tot deze pagina ingetrokken of laten verlopen. Wij lezen hier niets meer mee tot u "
    "de pagina opnieuw koppelt."
)


@dataclass(frozen=True)
class CollectableAccount:
    """What the collector needs of one connected page (with its Instagram account, if any)."""

    account_id: int
    official_id: str
    page_id: str
    page_name: str
    instagram_id: str | None
    token: str


def collectable(session: Session, settings: Settings) -> list[CollectableAccount]:
    """The connected accounts of active officials, with their tokens decrypted (an unreadable one is skipped and
    marked for reconnecting)."""
    rows = session.execute(
        select(MetaAccount)
        .join(Official, Official.id == MetaAccount.official_id)
        .where(
            Official.status == "active",
            MetaAccount.status == "connected",
            MetaAccount.token_ciphertext.is_not(None),
        )
        .order_by(MetaAccount.id)
    ).scalars()
    found = []
    for row in rows:
        assert row.token_ciphertext is not None  # filtered above
        try:
            token = decrypt(settings, row.token_ciphertext)
        except TokenUnreadable:
            row.status, row.problem = "reconnect", RECONNECT_NOTICE
            continue
        found.append(CollectableAccount(row.id, row.official_id, row.page_id, row.page_name, row.instagram_id, token))
    return found


def connected_pages(session: Session) -> dict[str, dict[str, tuple[str, ...]]]:
    """Official id -> {"facebook": page ids, "instagram": account ids} of the connected accounts."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    rows = session.execute(
        select(MetaAccount.official_id, MetaAccount.page_id, MetaAccount.instagram_id)
        .where(MetaAccount.status == "connected")
        .order_by(MetaAccount.id)
    )
    for official_id, page_id, instagram_id in rows:
        pages = found.setdefault(official_id, {})
        pages["facebook"] = (*pages.get("facebook", ()), page_id)
        if instagram_id:
            pages["instagram"] = (*pages.get("instagram", ()), instagram_id)
    return found


def accounts_of(session: Session, official_id: str) -> list[MetaAccount]:
    """The official's pages that are not disconnected, oldest first (what their page and staff show)."""
    return list(
        session.scalars(
            select(MetaAccount)
            .where(MetaAccount.official_id == official_id, MetaAccount.status != "disconnected")
            .order_by(MetaAccount.id)
        )
    )


def _audit(
    session: Session, organisation_id: str, actor: str, action: str, account: MetaAccount, **details: Any
) -> None:
    session.add(
        AuditEvent(
            organisation_id=organisation_id,
            actor=actor,
            action=action,
            object_type="meta_account",
            object_id=str(account.id),
            details={"official_id": account.official_id, "page_id": account.page_id, **details},
        )
    )


def disconnect(session: Session, account: MetaAccount, actor: str, reason: str = "ontkoppeld") -> None:
    """End one connection: token dropped, status disconnected, audited."""
    now = utcnow()
    account.token_ciphertext = None
    account.status = "disconnected"
    account.disconnected_at, account.disconnected_by = now, actor
    account.problem = None
    _audit(session, account.organisation_id, actor, "meta.disconnected", account, reason=reason)


def drop_tokens(session: Session, official_id: str, actor: str) -> int:
    """Disconnect every account of the official (withdrawal of consent) and delete their unfinished connect attempts
    (each holds their personal link, encrypted); returns how many accounts held a token."""
    session.execute(delete(MetaOAuthState).where(MetaOAuthState.official_id == official_id))
    count = 0
    for account in session.scalars(
        select(MetaAccount).where(MetaAccount.official_id == official_id, MetaAccount.status != "disconnected")
    ):
        count += account.token_ciphertext is not None
        disconnect(session, account, actor, reason="toestemming ingetrokken")
    return count


def needs_reconnect(session: Session, account_id: int, detail: str) -> None:
    """Meta refused the token (code 190): the official is asked to connect again; the token is dropped."""
    account = session.get(MetaAccount, account_id)
    if account is None or account.status != "connected":
        return
    account.status, account.problem, account.token_ciphertext = "reconnect", RECONNECT_NOTICE, None
    _audit(session, account.organisation_id, "collector:meta", "meta.token_refused", account, detail=detail[:300])


def seen(session: Session, uid: str, official_id: str, account_id: int | None, object_id: str) -> None:
    """Record a collected comment (once; later sightings change nothing)."""
    statement = insert(MetaComment).values(
        uid=uid, official_id=official_id, account_id=account_id, object_id=object_id, first_seen_at=utcnow(), details={}
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=[MetaComment.uid]))


def mark(
    session: Session,
    uid: str,
    official_id: str,
    account_id: int | None,
    object_id: str,
    *,
    hidden: bool = False,
    removed_via: str | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """Record that a comment was hidden or removed (set once); returns whether this was news."""
    now = now or utcnow()
    seen(session, uid, official_id, account_id, object_id)
    column = MetaComment.hidden_at if hidden else MetaComment.removed_at
    values: dict[str, Any] = {"hidden_at": now} if hidden else {"removed_at": now, "removed_via": removed_via}
    if details:
        values["details"] = MetaComment.details.op("||")(details)
    result = session.execute(update(MetaComment).where(MetaComment.uid == uid, column.is_(None)).values(**values))
    return bool(getattr(result, "rowcount", 0))


def live_comments(session: Session, account_id: int, limit: int) -> list[MetaComment]:
    """Comments of the account not known to be removed, most recently seen first (to re-read for removals)."""
    return list(
        session.scalars(
            select(MetaComment)
            .where(MetaComment.account_id == account_id, MetaComment.removed_at.is_(None))
            .order_by(MetaComment.first_seen_at.desc())
            .limit(limit)
        )
    )
