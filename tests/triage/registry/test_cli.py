"""`schildwacht officials …`, `schildwacht retention run` and `schildwacht stats` against the real database."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.config import get_settings
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Mention, Official
from tests.triage.registry.registry_helpers import add_case, add_mention, add_official, add_org


@pytest.fixture
def cli(pg, db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg.url)
    monkeypatch.setenv("SCHILDWACHT_SECRET_KEY", secrets.token_urlsafe(48))  # invite and stats refuse a weak key
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, list(args))
        return result

    yield run
    get_settings.cache_clear()


def test_officials_commands(cli, db, tmp_path):
    with session_scope(db) as s:
        add_org(s, "gm-a")
    csv_file = tmp_path / "raad.csv"
    csv_file.write_text(
        "full_name;role;email;handles;name_variants\n"
        'Anna de Vries;raadslid;anna@gm-a.example;"x:@annadv;mastodon:@anna@s.example";'
        "Anna de Vries|raadslid De Vries\n"
        "Bert Bos;wethouder;;x:@bertbos;wethouder Bos\n",
        encoding="utf-8",
    )
    r = cli("officials", "import", str(csv_file), "--organisatie", "gm-a")
    assert r.exit_code == 0, r.output
    ids = json.loads(r.stdout.strip().splitlines()[-1])
    assert len(ids) == 2
    with session_scope(db) as s:
        anna = s.get(Official, ids[0])
        assert anna.handles == {"mastodon": ["@anna@s.example"], "x": ["@annadv"]}
        assert anna.name_variants == ["Anna de Vries", "raadslid De Vries"] and anna.status == "invited"

    bad = tmp_path / "fout.csv"
    bad.write_text("full_name,role,handles\nOk Persoon,raadslid,x:@ok\nFout,raadslid,myspace:@x\n", encoding="utf-8")
    r = cli("officials", "import", str(bad), "--organisatie", "gm-a")
    assert r.exit_code == 1 and "regel 3" in r.output
    with session_scope(db) as s:  # all or nothing
        assert s.scalars(select(Official).where(Official.full_name == "Ok Persoon")).first() is None

    r = cli(
        "officials",
        "add",
        "--organisatie",
        "gm-a",
        "--naam",
        "Cor Claes",
        "--rol",
        "burgemeester",
        "--account",
        "x:@cor",
        "--id",
        "off-cor",
    )
    assert r.exit_code == 0 and r.stdout.strip() == "off-cor"
    r = cli("officials", "invite", "off-cor")
    assert r.exit_code == 0 and "/mijn/" in r.stdout
    r = cli("officials", "list", "--json", "--organisatie", "gm-a")
    assert {row["id"] for row in json.loads(r.stdout)} == {*ids, "off-cor"}

    with session_scope(db) as s:
        s.get(Official, "off-cor").status = "active"
        add_mention(s, s.get(Official, "off-cor"))
    r = cli("officials", "withdraw", "off-cor", "--door", "griffier@gm-a.example")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["unflagged_purged"] == 1
    with session_scope(db) as s:
        assert s.get(Official, "off-cor").status == "withdrawn"
    r = cli("officials", "export", "off-cor")
    assert r.exit_code == 0 and json.loads(r.stdout)["official"]["status"] == "withdrawn"
    assert cli("officials", "export", "off-niemand").exit_code == 1


def test_retention_and_stats_commands(cli, db):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a")
        add_mention(s, a)
        add_case(s, a, "geen_actie", age_days=400, labels=["gender"], author="mastodon:@geheim@bad.example")
        add_case(s, a, "nieuw", labels=["threat"], author="mastodon:@geheim@bad.example")
    r = cli("retention", "run")
    assert r.exit_code == 0, r.output
    counts = json.loads(r.stdout)
    assert counts["unflagged_purged"] == 1 and counts["dismissed_cases_deleted"] == 1
    with session_scope(db) as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")).one()
        assert s.scalars(select(Mention).where(Mention.text.is_not(None))).all()  # the open case's post stays
    r = cli("stats", "--organisatie", "gm-a", "--json")
    assert r.exit_code == 0
    stats = json.loads(r.stdout)
    assert stats["cases"] == 1 and "geheim" not in r.stdout
    assert cli("stats", "--organisatie", "gm-a").exit_code == 0
    assert cli("stats").exit_code == 2  # never pooled over organisations
