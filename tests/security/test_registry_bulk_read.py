"""Finding 8: the registry's right-of-access export (`/ambtsdragers/{id}/inzage.json|html`) held every post text of
an official and was open to a read-only user, with one `official.exported` event and no per-post reveal audit.

Now reading text through the export is a reveal: only roles that handle cases get it, and every post text included
is audited as `mention.reveal` (the case screen's event), once per post, with the mention id.

Review item 3: that export was a GET, so any site could send a logged-in triagist's browser there (a top-level
navigation carries the SameSite=Lax cookie) and "reveal" every text of an official in their name, filling the audit
log and the custody chains. Now the export is a POST with the CSRF token (buttons on the official's staff page); a
GET only shows the buttons and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schildwacht.models import AuditEvent, CustodyEvent, Mention
from tests.triage.web.triageweb_support import ORG_A, ORG_B, USERS, csrf_of

EXPORTS = ("inzage.json", "inzage.html")


def _texts(db, official_id: str) -> dict[int, str]:
    """The post texts the database holds for the official (what an export would reveal), by mention id."""
    with db() as s:
        rows = s.execute(
            select(Mention.id, Mention.text).where(Mention.official_id == official_id, Mention.text.is_not(None))
        ).all()
    return {mention_id: text for mention_id, text in rows}


def _reveals(db, actor: str) -> list[AuditEvent]:
    with db() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == "mention.reveal", AuditEvent.actor == actor))
        )


def _written(db) -> tuple[int, int]:
    """How many audit events and custody events exist: what an export writes."""
    with db() as s:
        return (
            s.scalar(select(func.count()).select_from(AuditEvent)),
            s.scalar(select(func.count()).select_from(CustodyEvent)),
        )


def _export(client, official: str, export: str):
    """The export as the staff page does it: the button's form, POSTed with the page's CSRF token."""
    page = client.get(f"/ambtsdragers/{official}")
    assert page.status_code == 200
    assert f'action="/ambtsdragers/{official}/{export}"' in page.text  # a form button, not a link
    return client.post(
        f"/ambtsdragers/{official}/{export}", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )


@pytest.mark.parametrize("export", EXPORTS)
def test_read_only_user_gets_403_and_no_text(world, db, client_factory, export):
    texts = _texts(db, "off-vermeulen")
    assert texts, "the world must hold post texts of this official"
    reader = client_factory("lezer_b")
    for r in (
        reader.get(f"/ambtsdragers/off-vermeulen/{export}"),
        reader.post(f"/ambtsdragers/off-vermeulen/{export}", data={"csrf_token": reader.csrf}),
    ):
        assert r.status_code == 403, r.status_code
        assert "alleen-lezen" in r.text or "Uw rol" in r.text  # the Dutch refusal
        assert not [t for t in texts.values() if t in r.text]
    assert _reveals(db, USERS["lezer_b"]) == []


@pytest.mark.parametrize(
    ("who", "official", "org"), [("triagist_b", "off-vermeulen", ORG_B), ("beheerder_a", "off-zoetelief", ORG_A)]
)
@pytest.mark.parametrize("export", EXPORTS)
def test_export_audits_one_reveal_per_post_text(world, db, client_factory, who, official, org, export):
    texts = _texts(db, official)
    assert len(texts) >= 1
    client = client_factory(who)
    r = _export(client, official, export)
    assert r.status_code == 200, r.text
    if export == "inzage.json":
        assert {m["text"] for m in r.json()["mentions"] if m["text"] is not None} == set(texts.values())
    events = _reveals(db, USERS[who])
    revealed = [int(e.object_id) for e in events]
    assert sorted(revealed) == sorted(texts), (revealed, texts)  # exactly one event per post text included
    for e in events:
        assert e.object_type == "mention" and e.organisation_id == org
        assert e.details["mention_id"] == int(e.object_id) and e.details["channel"] == export


@pytest.mark.parametrize("export", EXPORTS)
def test_get_of_the_export_reveals_and_writes_nothing(world, db, client_factory, export):
    """A cross-site link (GET with the Lax cookie) no longer reveals: it gets the page with the button."""
    texts = _texts(db, "off-zoetelief")
    client = client_factory("triagist_a")
    before = _written(db)
    r = client.get(f"/ambtsdragers/off-zoetelief/{export}", follow_redirects=False)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Inzage tonen" in r.text and f'method="post" action="/ambtsdragers/off-zoetelief/{export}"' in r.text
    assert not [t for t in texts.values() if t in r.text]
    assert _written(db) == before  # no official.exported, no mention.reveal, no custody event
    assert _reveals(db, USERS["triagist_a"]) == []


@pytest.mark.parametrize("token", [None, "vervalst-token"])
@pytest.mark.parametrize("export", EXPORTS)
def test_post_without_valid_csrf_is_refused_and_writes_nothing(world, db, client_factory, export, token):
    """A cross-site form POST carries no (or a wrong) token: 403, nothing revealed, nothing written."""
    texts = _texts(db, "off-zoetelief")
    client = client_factory("beheerder_a")
    before = _written(db)
    r = client.post(
        f"/ambtsdragers/off-zoetelief/{export}",
        data={} if token is None else {"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 403, r.status_code
    assert not [t for t in texts.values() if t in r.text]
    assert _written(db) == before


def test_cli_export_audits_one_reveal_per_post_text(world, db, pg, monkeypatch):
    """The operator's `schildwacht officials export` reads the same texts: audited the same way."""
    import json
    import secrets

    from typer.testing import CliRunner

    from schildwacht.app.cli import app
    from schildwacht.config import get_settings

    monkeypatch.setenv("DATABASE_URL", pg.url)
    monkeypatch.setenv("SCHILDWACHT_SECRET_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(app, ["officials", "export", "off-zoetelief", "--door", "fg@voorbeeld.example"])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 0, r.output
    texts = _texts(db, "off-zoetelief")
    assert {m["text"] for m in json.loads(r.stdout)["mentions"] if m["text"] is not None} == set(texts.values())
    assert sorted(int(e.object_id) for e in _reveals(db, "cli:fg@voorbeeld.example")) == sorted(texts)
