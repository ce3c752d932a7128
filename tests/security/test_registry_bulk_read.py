"""Finding 8: the registry's right-of-access export (`/ambtsdragers/{id}/inzage.json|html`) held every post text of
an official and was open to a read-only user, with one `official.exported` event and no per-post reveal audit.

Now reading text through the export is a reveal: only roles that handle cases get it, and every post text included
is audited as `mention.reveal` (the case screen's event), once per post, with the mention id."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from triageweb_support import ORG_A, ORG_B, USERS

from triage.models import AuditEvent, Mention

EXPORTS = ("inzage.json", "inzage.html")


def _texts(db, official_id: str) -> dict[int, str]:
    """The post texts the database holds for the official (what an export would reveal), by mention id."""
    with db() as s:
        rows = s.execute(select(Mention.id, Mention.text).where(Mention.official_id == official_id,
                                                                Mention.text.is_not(None))).all()
    return {mention_id: text for mention_id, text in rows}


def _reveals(db, actor: str) -> list[AuditEvent]:
    with db() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "mention.reveal",
                                                       AuditEvent.actor == actor)))


@pytest.mark.parametrize("export", EXPORTS)
def test_read_only_user_gets_403_and_no_text(world, db, client_factory, export):
    texts = _texts(db, "off-vermeulen")
    assert texts, "the world must hold post texts of this official"
    reader = client_factory("lezer_b")
    r = reader.get(f"/ambtsdragers/off-vermeulen/{export}")
    assert r.status_code == 403, r.status_code
    assert "alleen-lezen" in r.text or "Uw rol" in r.text  # the Dutch refusal
    assert not [t for t in texts.values() if t in r.text]
    assert _reveals(db, USERS["lezer_b"]) == []


@pytest.mark.parametrize(("who", "official", "org"), [("triagist_b", "off-vermeulen", ORG_B),
                                                      ("beheerder_a", "off-zoetelief", ORG_A)])
@pytest.mark.parametrize("export", EXPORTS)
def test_export_audits_one_reveal_per_post_text(world, db, client_factory, who, official, org, export):
    texts = _texts(db, official)
    assert len(texts) >= 1
    client = client_factory(who)
    r = client.get(f"/ambtsdragers/{official}/{export}")
    assert r.status_code == 200, r.text
    if export == "inzage.json":
        assert {m["text"] for m in r.json()["mentions"] if m["text"] is not None} == set(texts.values())
    events = _reveals(db, USERS[who])
    revealed = [int(e.object_id) for e in events]
    assert sorted(revealed) == sorted(texts), (revealed, texts)  # exactly one event per post text included
    for e in events:
        assert e.object_type == "mention" and e.organisation_id == org
        assert e.details["mention_id"] == int(e.object_id) and e.details["channel"] == export


def test_cli_export_audits_one_reveal_per_post_text(world, db, pg, monkeypatch):
    """The operator's `schildwacht officials export` reads the same texts: audited the same way."""
    import json
    import secrets

    from typer.testing import CliRunner

    from schildwacht.cli import app
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
