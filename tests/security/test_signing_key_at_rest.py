"""Finding 10 (part): the bundle signing key must not lie unencrypted at rest in production.

The passphrase comes from a file (`SCHILDWACHT_KEY_PASSPHRASE_FILE`, a compose secret in docker-compose.yml).
Production commands that create or use the signing key refuse to run without a passphrase (exit 2, Dutch and
English) unless `SCHILDWACHT_ALLOW_UNENCRYPTED_KEY=true`; the library path that `demo` and tests use keeps working
without one and warns.
"""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.config import Settings
from tests.triage.bundle.bundlecase import build_case
from triage.bundle import layout
from triage.bundle.export import export_bundle

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct paard batterij nietje 7"


@pytest.fixture
def cli(pg, tmp_path):
    runner = CliRunner()
    env = {
        "DATABASE_URL": pg.url,
        "SCHILDWACHT_DATABASE_URL": None,
        "SCHILDWACHT_DATA_DIR": str(tmp_path / "data"),
        "SCHILDWACHT_KEY_DIR": None,
        "SCHILDWACHT_KEY_PASSPHRASE": None,
        "SCHILDWACHT_KEY_PASSPHRASE_FILE": None,
        "SCHILDWACHT_ALLOW_UNENCRYPTED_KEY": None,
        "SCHILDWACHT_TSA_URL": None,
    }

    def run(*args: str, **extra_env: str | None):
        return runner.invoke(app, list(args), env={**env, **extra_env})

    return run


def _key_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "data" / "keys"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_production_commands_refuse_to_sign_without_a_passphrase(cli, db, tmp_path):
    case_id = build_case(db)
    generate = cli("keys", "generate", "gm-voorbeeld")
    assert generate.exit_code == 2, generate.output
    assert "SCHILDWACHT_KEY_PASSPHRASE_FILE" in generate.output
    assert "wachtwoord" in generate.output and "passphrase" in generate.output
    out = tmp_path / "zaak.zip"
    export = cli("bundle", "export", str(case_id), "-o", str(out))
    assert export.exit_code == 2 and "SCHILDWACHT_KEY_PASSPHRASE_FILE" in export.output, export.output
    assert not out.exists() and _key_files(tmp_path) == []


def test_passphrase_from_a_file_encrypts_the_key_and_signs(cli, db, tmp_path):
    case_id = build_case(db)
    secret = tmp_path / "signing_key_passphrase"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    secret.chmod(0o600)
    assert cli("keys", "generate", "gm-voorbeeld", SCHILDWACHT_KEY_PASSPHRASE_FILE=str(secret)).exit_code == 0
    (keyfile,) = _key_files(tmp_path)
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in keyfile.read_bytes()
    out = tmp_path / "zaak.zip"
    wrong = tmp_path / "fout"
    wrong.write_text("een ander wachtwoord\n", encoding="utf-8")
    refused = cli("bundle", "export", str(case_id), "-o", str(out), SCHILDWACHT_KEY_PASSPHRASE_FILE=str(wrong))
    assert refused.exit_code == 1 and "niet te openen" in refused.output and not out.exists()
    done = cli("bundle", "export", str(case_id), "-o", str(out), SCHILDWACHT_KEY_PASSPHRASE_FILE=str(secret))
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(out) as zf:
        fp = json.loads(zf.read(layout.MANIFEST))["signer"]["fingerprint"]
    assert cli("bundle", "verify", str(out), "--vingerafdruk", fp).exit_code == 0
    missing = cli(
        "bundle", "export", str(case_id), "-o", str(out), SCHILDWACHT_KEY_PASSPHRASE_FILE=str(tmp_path / "bestaat-niet")
    )
    assert missing.exit_code == 2 and "bestaat-niet" in missing.output, missing.output


def test_explicit_opt_out_allows_an_unencrypted_key_with_a_warning(cli, db, tmp_path):
    build_case(db)
    result = cli("keys", "generate", "gm-voorbeeld", SCHILDWACHT_ALLOW_UNENCRYPTED_KEY="true")
    assert result.exit_code == 0, result.output
    assert "ONVERSLEUTELD" in result.output and "UNENCRYPTED" in result.output
    (keyfile,) = _key_files(tmp_path)
    assert b"BEGIN PRIVATE KEY" in keyfile.read_bytes()


def test_library_export_used_by_demo_still_works_and_warns(db, pg, tmp_path, caplog):
    case_id = build_case(db)
    with caplog.at_level(logging.WARNING, logger="triage.bundle.keys"), db() as s:
        path = export_bundle(
            s, case_id, "demo", tmp_path / "zaak.zip", Settings(database_url=pg.url, data_dir=tmp_path / "data")
        )
        s.commit()
    assert path.exists()
    assert any("onversleuteld" in r.getMessage().lower() for r in caplog.records), caplog.text


def test_compose_gives_the_passphrase_to_the_signing_service_as_a_secret():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    (secret,) = (name for name in compose["secrets"] if "passphrase" in name)
    assert "file" in compose["secrets"][secret]
    web = compose["services"]["web"]
    assert secret in web["secrets"]
    assert web["environment"]["SCHILDWACHT_KEY_PASSPHRASE_FILE"] == f"/run/secrets/{secret}"
    assert "SCHILDWACHT_KEY_PASSPHRASE" not in web["environment"]
    assert "SCHILDWACHT_ALLOW_UNENCRYPTED_KEY" not in web["environment"]
