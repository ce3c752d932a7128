"""Review item 8 (finding 6 follow-up): a compromised signing key must be refusable.

Without an RFC 3161 timestamp the only signing time in a bundle is the `exported_at` that the signer wrote
himself, so whoever steals an organisation's private key (current or retired) signs a forged bundle and dates it
inside the key's validity; a trust anchor with a validity period cannot tell. `schildwacht keys revoke ORG
FINGERPRINT --reden ...` marks the key as revoked (compromised); the published /.well-known/schildwacht-keys
document and trusted-keys files carry that state, and `bundle verify` refuses (exit 1) every bundle signed by a
revoked key, whatever its dates, also the genuine ones (the organisation exports those again with a new key).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from schildwacht.models import AuditEvent
from schildwacht.models.evidence import OrganisationKey
from tests.security.forgery import read_bundle, reseal, rewrite_first_post, write_bundle
from tests.triage.web.triageweb_support import ORG_A, ORG_B, USERS
from triage.bundle import keys, layout
from triage.bundle.custody import format_time
from triage.bundle.export import export_bundle

WELL_KNOWN = "/.well-known/schildwacht-keys"
FORGED_TEXT = "Dit bericht was volkomen onschuldig."
REASON = "laptop met de sleutelmap gestolen"


def run_cli(pg, settings, *args: object):
    env = {
        "DATABASE_URL": pg.url,
        "SCHILDWACHT_DATABASE_URL": None,
        "SCHILDWACHT_DATA_DIR": str(settings.data_dir),
        "SCHILDWACHT_KEY_DIR": None,
        "SCHILDWACHT_KEY_PASSPHRASE": None,
        "SCHILDWACHT_KEY_PASSPHRASE_FILE": None,
        "SCHILDWACHT_PUBLIC_BASE_URL": settings.public_base_url,
    }
    return CliRunner().invoke(cli_app, [str(a) for a in args], env=env)


def stolen_key(settings, fingerprint: str) -> Ed25519PrivateKey:
    """What a thief takes from the key directory (the world's key is stored without passphrase)."""
    path = keys.key_dir(settings) / f"{ORG_A}-{fingerprint[:16]}.key"
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return private


def forge_with(genuine: Path, key: Ed25519PrivateKey, out: Path, exported_at: str) -> Path:
    """The first post's text rewritten, every hash recomputed, the export time set to `exported_at`, and the
    manifest signed with `key` (the organisation's own, stolen): nothing in the bundle shows the forgery."""
    files = read_bundle(genuine)
    rewrite_first_post(files, FORGED_TEXT)
    manifest = json.loads(files[layout.MANIFEST])
    manifest["exported_at"] = exported_at
    reseal(files, manifest, key)
    return write_bundle(out, files)


def verify(*args: object):
    return CliRunner().invoke(cli_app, ["bundle", "verify", *map(str, args)])


def save_published_keys(client_factory, path: Path) -> tuple[Path, dict]:
    page = client_factory(None).get(WELL_KNOWN)
    assert page.status_code == 200, page.text
    path.write_bytes(page.content)
    return path, page.json()


def published_key(document: dict, fingerprint: str) -> dict:
    organisation = next(o for o in document["organisations"] if o["id"] == ORG_A)
    return next(k for k in organisation["keys"] if k["fingerprint"] == fingerprint)


def export(world, db, path: Path) -> tuple[Path, str]:
    with db() as s:
        bundle = export_bundle(s, world.cases["threat"], USERS["beheerder_a"], path, world.settings)
        s.commit()
        return bundle, keys.current_key(s, ORG_A).fingerprint


@pytest.fixture
def exported(world, db, tmp_path) -> tuple[Path, str]:
    """A genuine bundle of organisation A's threat case and A's registered fingerprint (from the database)."""
    return export(world, db, tmp_path / "zaak.zip")


def test_a_revoked_key_makes_verify_refuse_every_bundle_it_signed(exported, world, db, pg, client_factory, tmp_path):
    genuine, fingerprint = exported
    with db() as s:
        valid_from = s.scalars(select(OrganisationKey.valid_from)).one()
    backdated = format_time(valid_from + timedelta(seconds=1))
    forged = forge_with(genuine, stolen_key(world.settings, fingerprint), tmp_path / "vervalst.zip", backdated)
    before, _ = save_published_keys(client_factory, tmp_path / "voor.json")
    # The attack: with the thief's bundle dated inside the key's validity, the published keys vouch for it.
    assert verify(forged, "--vertrouwde-sleutels", before).exit_code == 0

    revoked = run_cli(
        pg,
        world.settings,
        "keys",
        "revoke",
        ORG_A,
        keys.format_fingerprint(fingerprint),
        "--reden",
        REASON,
        "--door",
        USERS["beheerder_a"],
    )
    assert revoked.exit_code == 0, revoked.output
    assert "ingetrokken" in revoked.output and world.settings.public_base_url + WELL_KNOWN in revoked.output

    after, document = save_published_keys(client_factory, tmp_path / "na.json")
    assert published_key(document, fingerprint)["revoked_at"]
    assert REASON not in json.dumps(document)  # the reason is internal: it goes to the audit log
    for bundle in (forged, genuine):
        result = verify(bundle, "--vertrouwde-sleutels", after)
        assert result.exit_code == 1, result.output
        assert "NIET INTACT" in result.output and "ingetrokken" in result.output and "revoked" in result.output

    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "key.revoke")).one()
        assert event.actor == USERS["beheerder_a"] and event.organisation_id == ORG_A
        assert event.details["fingerprint"] == fingerprint and event.details["reason"] == REASON
        # A revoked key signs nothing more: the next export makes a new key, and that bundle verifies.
        assert keys.current_key(s, ORG_A) is None
    fresh, new_fingerprint = export(world, db, tmp_path / "opnieuw.zip")
    assert new_fingerprint != fingerprint
    republished, document = save_published_keys(client_factory, tmp_path / "opnieuw.json")
    assert published_key(document, new_fingerprint)["revoked_at"] is None
    assert verify(fresh, "--vertrouwde-sleutels", republished).exit_code == 0
    assert verify(genuine, "--vertrouwde-sleutels", republished).exit_code == 1


def test_a_retired_key_can_be_revoked_too(exported, world, db, pg, client_factory, tmp_path):
    genuine, old = exported
    with db() as s:
        new = keys.rotate(s, world.settings, ORG_A, USERS["beheerder_a"]).fingerprint
        s.commit()
    assert (
        verify(genuine, "--vertrouwde-sleutels", save_published_keys(client_factory, tmp_path / "a.json")[0]).exit_code
        == 0
    )

    assert run_cli(pg, world.settings, "keys", "revoke", ORG_A, old, "--reden", REASON).exit_code == 0
    saved, document = save_published_keys(client_factory, tmp_path / "b.json")
    assert published_key(document, old)["revoked_at"] and published_key(document, new)["revoked_at"] is None
    assert published_key(document, old)["valid_until"]
    result = verify(genuine, "--vertrouwde-sleutels", saved)
    assert result.exit_code == 1 and "ingetrokken" in result.output, result.output
    with db() as s:
        assert keys.current_key(s, ORG_A).fingerprint == new  # the current key is untouched


def test_revoke_refuses_unknown_keys_twice_and_without_a_reason(exported, world, pg):
    _, fingerprint = exported
    unknown = run_cli(pg, world.settings, "keys", "revoke", ORG_A, "ab" * 32, "--reden", REASON)
    assert unknown.exit_code == 1 and "geen sleutel" in unknown.output, unknown.output
    other_org = run_cli(pg, world.settings, "keys", "revoke", ORG_B, fingerprint, "--reden", REASON)
    assert other_org.exit_code == 1 and "geen sleutel" in other_org.output, other_org.output
    no_reason = run_cli(pg, world.settings, "keys", "revoke", ORG_A, fingerprint)
    assert no_reason.exit_code == 2, no_reason.output
    assert run_cli(pg, world.settings, "keys", "revoke", ORG_A, fingerprint, "--reden", REASON).exit_code == 0
    again = run_cli(pg, world.settings, "keys", "revoke", ORG_A, fingerprint, "--reden", REASON)
    assert again.exit_code == 1 and "al ingetrokken" in again.output, again.output


def test_a_trusted_keys_file_can_mark_a_key_revoked(exported, tmp_path):
    genuine, fingerprint = exported
    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(f"{keys.format_fingerprint(fingerprint)}  {ORG_A}  -  -  Gemeente Voorbeeld\n", encoding="utf-8")
    assert verify(genuine, "--vertrouwde-sleutels", trusted).exit_code == 0
    trusted.write_text(
        f"{keys.format_fingerprint(fingerprint)}  {ORG_A}  -  ingetrokken  Gemeente Voorbeeld\n", encoding="utf-8"
    )
    result = verify(genuine, "--vertrouwde-sleutels", trusted)
    assert result.exit_code == 1 and "ingetrokken" in result.output, result.output
    # Revocation wins over any other line for the same key: there are no exceptions.
    trusted.write_text(f"{fingerprint} {ORG_A}\n{fingerprint} - - ingetrokken\n", encoding="utf-8")
    assert verify(genuine, "--vertrouwde-sleutels", trusted).exit_code == 1
