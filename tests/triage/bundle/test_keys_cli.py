"""Organisation keys and the `schildwacht bundle` / `schildwacht keys` commands, end to end on the real database."""

from __future__ import annotations

import json
import stat
import zipfile

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.models.evidence import OrganisationKey
from triage.bundle import layout


@pytest.fixture
def cli(pg, tmp_path):
    runner = CliRunner()
    # Unencrypted keys are explicitly allowed here (tests/security/test_signing_key_at_rest.py covers the refusal).
    env = {
        "DATABASE_URL": pg.url,
        "SCHILDWACHT_DATABASE_URL": None,
        "SCHILDWACHT_DATA_DIR": str(tmp_path / "data"),
        "SCHILDWACHT_KEY_DIR": None,
        "SCHILDWACHT_KEY_PASSPHRASE": None,
        "SCHILDWACHT_KEY_PASSPHRASE_FILE": None,
        "SCHILDWACHT_ALLOW_UNENCRYPTED_KEY": "true",
        "SCHILDWACHT_TSA_URL": None,
    }

    def run(*args: str, **extra_env: str | None):
        return runner.invoke(app, list(args), env={**env, **extra_env})

    return run


def _fingerprint(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read(layout.MANIFEST))["signer"]["fingerprint"]


def test_generate_stores_only_the_public_key_in_the_db(cli, db, built_case, tmp_path):
    result = cli("keys", "generate", "gm-voorbeeld", "--door", "n.smits@voorbeeld.example")
    assert result.exit_code == 0, result.output
    assert "Vingerafdruk" in result.output
    (keyfile,) = (tmp_path / "data" / "keys").iterdir()
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert stat.S_IMODE(keyfile.parent.stat().st_mode) == 0o700
    assert b"BEGIN PRIVATE KEY" in keyfile.read_bytes()
    with db() as s:
        row = s.scalars(select(OrganisationKey)).one()
        dump = s.execute(text("SELECT row_to_json(k)::text FROM organisation_keys k")).scalar()
    assert row.fingerprint[:16] in keyfile.name and row.valid_until is None
    assert "PRIVATE" not in dump
    again = cli("keys", "generate", "gm-voorbeeld")
    assert again.exit_code == 1 and "rotate" in again.output


def test_export_verify_rotate_via_cli(cli, db, built_case, tmp_path):
    assert cli("keys", "generate", "gm-voorbeeld").exit_code == 0
    first = tmp_path / "eerste.zip"
    result = cli("bundle", "export", str(built_case), "-o", str(first), "--door", "n.smits@voorbeeld.example")
    assert result.exit_code == 0, result.output
    assert "Bundel intact" in result.output
    old_fp = _fingerprint(first)

    ok = cli("bundle", "verify", str(first), "--vingerafdruk", old_fp)
    assert ok.exit_code == 0 and "Bewaarketen" in ok.output

    public = cli("keys", "export-public", "gm-voorbeeld")
    assert public.exit_code == 0 and "BEGIN PUBLIC KEY" in public.output

    assert cli("keys", "rotate", "gm-voorbeeld").exit_code == 0
    second = tmp_path / "tweede.zip"
    assert cli("bundle", "export", str(built_case), "-o", str(second)).exit_code == 0
    new_fp = _fingerprint(second)
    assert new_fp != old_fp
    with db() as s:
        keys = s.scalars(select(OrganisationKey).order_by(OrganisationKey.id)).all()
    assert [k.fingerprint for k in keys] == [old_fp, new_fp]
    assert keys[0].valid_until is not None and keys[1].valid_until is None
    # An old bundle stays verifiable with the old (retired) fingerprint; it is not the new key.
    assert cli("bundle", "verify", str(first), "--vingerafdruk", old_fp).exit_code == 0
    wrong = cli("bundle", "verify", str(first), "--vingerafdruk", new_fp)
    assert wrong.exit_code == 1 and "NIET INTACT" in wrong.output


def test_verify_cli_exits_nonzero_naming_the_problem(cli, built_case, tmp_path):
    bundle = tmp_path / "zaak.zip"
    assert cli("bundle", "export", str(built_case), "-o", str(bundle)).exit_code == 0
    with zipfile.ZipFile(bundle) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files[layout.CUSTODY] = files[layout.CUSTODY].replace(b"a.jansen@", b"b.janssen@")
    broken = tmp_path / "kapot.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    result = cli("bundle", "verify", str(broken))
    assert result.exit_code == 1
    assert "NIET INTACT" in result.output and layout.CUSTODY in result.output


def test_passphrase_encrypts_the_private_key(cli, built_case, tmp_path):
    assert cli("keys", "generate", "gm-voorbeeld", SCHILDWACHT_KEY_PASSPHRASE="geheim wachtwoord").exit_code == 0
    (keyfile,) = (tmp_path / "data" / "keys").iterdir()
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in keyfile.read_bytes()
    out = tmp_path / "zaak.zip"
    wrong = cli("bundle", "export", str(built_case), "-o", str(out), SCHILDWACHT_KEY_PASSPHRASE="fout")
    assert wrong.exit_code == 1 and "niet te openen" in wrong.output and not out.exists()
    right = cli("bundle", "export", str(built_case), "-o", str(out), SCHILDWACHT_KEY_PASSPHRASE="geheim wachtwoord")
    assert right.exit_code == 0, right.output


def test_commands_need_a_database_and_a_known_case(cli, built_case, tmp_path):
    no_db = cli("bundle", "export", str(built_case), "-o", str(tmp_path / "x.zip"), DATABASE_URL=None)
    assert no_db.exit_code == 2 and "DATABASE_URL" in no_db.output
    unknown = cli("bundle", "export", "999999", "-o", str(tmp_path / "x.zip"))
    assert unknown.exit_code == 1 and "bestaat niet" in unknown.output
    assert cli("keys", "generate", "gm-bestaat-niet").exit_code == 1
