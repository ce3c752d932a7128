"""The official connects their own Facebook page (and the Instagram professional account linked to it) from their
personal page, and disconnects it again: OAuth authorization-code flow against Meta's dialog and `/oauth/access_token`.

Invariants:
- the round trip starts only from a valid manage link of an official who takes part (`link_allows_changes`);
- the `state` parameter is random, single-use, valid for STATE_LIFETIME (an expired row, which holds an encrypted
  personal link, is deleted by the next start), and bound twice: to this browser's
  session (it must equal `session["meta_state"]`) and to a server-side row (only its sha256 is stored). A state
  that fails either check is refused with 403 and nothing is stored (no login CSRF: an attacker cannot make an
  official's page collect with the attacker's account);
- page tokens are stored only encrypted (`schildwacht.meta_tokens`) and never shown, logged or audited;
- every connect and disconnect is audited; a disconnect drops the token at once (POST, CSRF-checked);
- every call to Meta goes through the outbound guard (`schildwacht.netguard`), so a configured Graph URL cannot
  reach a private address unless `outbound_allowed_networks` names it (tests, demo).
The start is a GET link, not a form: Chromium applies the page's `form-action 'self'` to a form's redirect, which
would block the way to Meta's dialog; starting writes nothing but the single-use state.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.meta_accounts import disconnect
from schildwacht.meta_tokens import TokenUnreadable, decrypt, encrypt
from schildwacht.models import MetaAccount, MetaOAuthState, Official
from schildwacht.models.base import utcnow
from schildwacht.netguard import OutboundGuard, OutboundRefused
from triage.registry import service
from triage.web.auth import get_db, get_settings
from triage.web.registry_official import _closed_page, _manage_page, _resolve, render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

CALLBACK_PATH = "/meta/terug"
STATE_LIFETIME = timedelta(minutes=15)
SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_metadata",
    "instagram_basic",
    "instagram_manage_comments",
)
GRAPH_TIMEOUT_S = 20.0


class MetaRefused(RuntimeError):
    """Meta did not give what the connection needs; the message is Dutch."""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def callback_url(settings: Settings) -> str:
    """The redirect URI registered with the Meta app (exactly this one)."""
    return f"{settings.public_base_url.rstrip('/')}{CALLBACK_PATH}"


def _failed(request: Request, status_code: int, reason: str, back: str | None = None) -> Response:
    return render(request, "meta_failed.html", status_code, reason=reason, back=back)


@router.get("/mijn/{token}/meta/koppelen")
def meta_connect_start(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
) -> Response:
    official, _ = _resolve(db, settings, token, "manage")
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, 409)
    if not settings.meta_app_id or settings.meta_app_secret is None:
        return _failed(request, 503, "Koppelen met Facebook en Instagram is bij uw organisatie niet ingesteld.")
    state = secrets.token_urlsafe(32)
    now = utcnow()
    db.execute(delete(MetaOAuthState).where(MetaOAuthState.expires_at <= now))  # abandoned round trips
    db.add(
        MetaOAuthState(
            state_sha256=_sha256(state),
            official_id=official.id,
            link_ciphertext=encrypt(settings, token),
            created_at=now,
            expires_at=now + STATE_LIFETIME,
        )
    )
    actor = f"official:{official.id}"
    service.audit(db, official.organisation_id, actor, "meta.connect_started", "official", official.id)
    db.commit()
    request.session["meta_state"] = state
    query = urlencode(
        {
            "client_id": settings.meta_app_id,
            "redirect_uri": callback_url(settings),
            "state": state,
            "scope": ",".join(SCOPES),
            "response_type": "code",
        }
    )
    return RedirectResponse(f"{settings.meta_dialog_url}?{query}", status_code=303)


def _take_state(db: Session, request: Request, state: str) -> MetaOAuthState | None:
    """The pending round trip for `state` when this browser started it and it has not expired (used up here)."""
    expected = request.session.pop("meta_state", None)
    if not state or not isinstance(expected, str) or not hmac.compare_digest(expected, state):
        return None
    row = db.get(MetaOAuthState, _sha256(state), with_for_update=True)
    if row is None:
        return None
    db.delete(row)
    return row if row.expires_at > utcnow() else None


@router.get(CALLBACK_PATH)
def meta_connect_return(
    request: Request,
    state: str = "",
    code: str = "",
    error: str = "",
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    pending = _take_state(db, request, state)
    if pending is None:
        log.warning("Meta-koppeling geweigerd: onbekende, verlopen of vreemde state")
        db.commit()
        return _failed(request, 403, "Deze koppelaanvraag is ongeldig of verlopen. Begin opnieuw vanaf uw pagina.")
    db.commit()
    try:
        token = decrypt(settings, pending.link_ciphertext)
    except TokenUnreadable:
        return _failed(request, 403, "Deze koppelaanvraag is ongeldig of verlopen. Begin opnieuw vanaf uw pagina.")
    official, link = _resolve(db, settings, token, "manage")
    back = f"/mijn/{token}"
    if official.id != pending.official_id or not service.link_allows_changes(official):
        return _failed(request, 403, "Deze koppelaanvraag hoort niet bij deze pagina.", back)
    if error or not code:
        return _failed(request, 400, "Koppelen is afgebroken; er is niets gekoppeld.", back)
    try:
        pages = _pages_from_meta(settings, code)
    except MetaRefused as exc:
        log.warning("Meta-koppeling voor %s mislukt: %s", official.id, exc)
        return _failed(request, 502, str(exc), back)
    for page in pages:
        _store(db, settings, official, page)
    db.commit()
    names = ", ".join(p["name"] for p in pages)
    return _manage_page(request, db, token, official, link, message=f"Gekoppeld: {names}.")


def _graph_json(client: httpx.Client, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = client.get(url, **kwargs)
        doc = response.json()
    except (httpx.HTTPError, ValueError, OutboundRefused) as exc:
        raise MetaRefused(f"Meta is niet bereikbaar of gaf een onleesbaar antwoord ({type(exc).__name__}).") from exc
    if not isinstance(doc, dict) or "error" in doc or response.status_code != 200:
        message = doc.get("error", {}).get("message", "") if isinstance(doc, dict) else ""
        raise MetaRefused(f"Meta weigerde de koppeling (HTTP {response.status_code}): {str(message)[:200]}")
    return doc


def _pages_from_meta(settings: Settings, code: str) -> list[dict[str, Any]]:
    """Exchange `code` for the user's token, extend it to a long-lived one, then list the pages it manages with
    their own (non-expiring) tokens and linked Instagram professional accounts:
    [{"id", "name", "access_token", "instagram_id", "instagram_username"}]."""
    assert settings.meta_app_secret is not None  # checked when the round trip started
    graph = settings.meta_graph_url.rstrip("/")
    with OutboundGuard.from_settings(settings).client(timeout=GRAPH_TIMEOUT_S, follow_redirects=False) as client:
        exchange = _graph_json(
            client,
            f"{graph}/oauth/access_token",
            params={
                "client_id": settings.meta_app_id,
                "redirect_uri": callback_url(settings),
                "client_secret": settings.meta_app_secret.get_secret_value(),
                "code": code,
            },
        )
        short_lived = exchange.get("access_token")
        if not isinstance(short_lived, str) or not short_lived:
            raise MetaRefused("Meta gaf geen toegangstoken.")
        # Page tokens listed with a long-lived user token do not expire (those of a short-lived one last an hour).
        extended = _graph_json(
            client,
            f"{graph}/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": settings.meta_app_id,
                "client_secret": settings.meta_app_secret.get_secret_value(),
                "fb_exchange_token": short_lived,
            },
        )
        user_token = extended.get("access_token")
        if not isinstance(user_token, str) or not user_token:
            raise MetaRefused("Meta gaf geen blijvend toegangstoken.")
        listed = _graph_json(
            client,
            f"{graph}/me/accounts",
            params={"fields": "id,name,access_token"},
            headers={"Authorization": f"Bearer {user_token}"},
        )
        pages = []
        for page in listed.get("data") or []:
            if not isinstance(page, dict) or not all(isinstance(page.get(k), str) for k in ("id", "name")):
                continue
            page_token = page.get("access_token")
            if not isinstance(page_token, str) or not page_token:
                continue
            linked = _graph_json(
                client,
                f"{graph}/{page['id']}",
                params={"fields": "instagram_business_account{id,username}"},
                headers={"Authorization": f"Bearer {page_token}"},
            ).get("instagram_business_account")
            linked = linked if isinstance(linked, dict) else {}
            pages.append(
                {
                    "id": page["id"],
                    "name": page["name"],
                    "access_token": page_token,
                    "instagram_id": str(linked["id"]) if linked.get("id") else None,
                    "instagram_username": str(linked["username"]) if linked.get("username") else None,
                }
            )
    if not pages:
        raise MetaRefused("Er is geen Facebook-pagina gekozen of gedeeld; er is niets gekoppeld.")
    return pages


def _store(db: Session, settings: Settings, official: Official, page: dict[str, Any]) -> None:
    account = db.scalar(
        select(MetaAccount).where(MetaAccount.official_id == official.id, MetaAccount.page_id == page["id"])
    )
    if account is None:
        account = MetaAccount(official_id=official.id, organisation_id=official.organisation_id, page_id=page["id"])
        db.add(account)
    account.page_name = page["name"][:300]
    account.instagram_id = page["instagram_id"]
    account.instagram_username = page["instagram_username"]
    account.token_ciphertext = encrypt(settings, page["access_token"])
    account.status, account.problem = "connected", None
    account.connected_at, account.disconnected_at, account.disconnected_by = utcnow(), None, None
    db.flush()
    details = {"page_id": page["id"], "instagram_id": page["instagram_id"]}
    actor = f"official:{official.id}"
    service.audit(db, official.organisation_id, actor, "meta.connected", "official", official.id, details)


@router.post("/mijn/{token}/meta/{account_id}/ontkoppelen")
def meta_disconnect(
    request: Request,
    token: str,
    account_id: int,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    official, link = _resolve(db, settings, token, "manage")
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, 409)
    account = db.get(MetaAccount, account_id, with_for_update=True)
    if account is None or account.official_id != official.id or account.status == "disconnected":
        return _manage_page(request, db, token, official, link, 404, error="Deze koppeling bestaat niet (meer).")
    disconnect(db, account, f"official:{official.id}")
    db.commit()
    return _manage_page(request, db, token, official, link, message=f"Ontkoppeld: {account.page_name}.")
