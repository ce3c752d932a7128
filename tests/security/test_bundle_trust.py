"""Finding 6: `bundle verify` must anchor trust outside the bundle.

A forger who rewrites a post, rebuilds the custody chain and re-signs the manifest with a fresh key produces a
bundle that is perfectly self-consistent. It must fail against the organisation's trusted fingerprint (given with
`--vingerafdruk`, a trusted-keys file, or the JSON document the organisation publishes at
/.well-known/schildwacht-keys), and without any anchor verify must say "integer maar ondertekenaar niet
geverifieerd" with exit code 3, never 0. LEESMIJ.txt says where to check the fingerprint, not what it is.

Exit codes of `schildwacht bundle verify`: 0 intact and signer verified, 1 not intact / forged, 2 usage, 3 intact
but signer not verified.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from tests.security.forgery import read_bundle, reseal, rewrite_first_post, write_bundle
from tests.triage.web.triageweb_support import ORG_A, USERS
from triage.bundle import keys, layout
from triage.bundle.custody import GENESIS, canonical_json, event_hash
from triage.bundle.export import export_bundle

WELL_KNOWN = "/.well-known/schildwacht-keys"
UNVERIFIED_NL = "integer maar ondertekenaar niet geverifieerd"
UNVERIFIED_EN = "intact but signer not verified"
FORGED_TEXT = "Dit bericht was volkomen onschuldig."


def forge(genuine: Path, out: Path) -> Path:
    """What a careful forger does with the project's own code: rewrite the first post's text, rebuild the whole
    custody chain (an actor changed), re-sign the manifest with a fresh key and recompute every hash."""
    files = read_bundle(genuine)
    key = Ed25519PrivateKey.generate()
    rewrite_first_post(files, FORGED_TEXT)
    events = [json.loads(line) for line in files[layout.CUSTODY].decode().splitlines()]
    events[0]["actor"] = "system:vervalst"
    prev = GENESIS
    for event in events:
        event["prev_hash"] = prev
        event["hash"] = prev = event_hash(event)
    files[layout.CUSTODY] = b"".join(canonical_json(e) + b"\n" for e in events)
    pem = keys.public_pem(key.public_key())
    files[layout.PUBLIC_KEY] = pem.encode()
    manifest = json.loads(files[layout.MANIFEST])
    manifest["custody"]["head_hash"] = prev
    manifest["signer"].update(fingerprint=keys.fingerprint(key.public_key()), public_key_pem=pem)
    reseal(files, manifest, key)
    return write_bundle(out, files)


def verify(*args: object):
    return CliRunner().invoke(cli_app, ["bundle", "verify", *map(str, args)])


@pytest.fixture
def exported(world, db, tmp_path) -> tuple[Path, str]:
    """A genuine bundle of organisation A's threat case and the fingerprint registered for A (from the database,
    not from the bundle)."""
    with db() as s:
        path = export_bundle(s, world.cases["threat"], USERS["beheerder_a"], tmp_path / "zaak.zip", world.settings)
        s.commit()
        registered = keys.current_key(s, ORG_A).fingerprint
    return path, registered


def test_without_a_trust_anchor_verify_never_exits_zero(exported, tmp_path):
    genuine, _ = exported
    forged = forge(genuine, tmp_path / "vervalst.zip")
    for bundle in (forged, genuine):
        result = verify(bundle)
        assert result.exit_code == 3, result.output
        assert UNVERIFIED_NL in result.output.lower() and UNVERIFIED_EN in result.output.lower()
        assert "--vingerafdruk" in result.output and WELL_KNOWN in result.output


def test_forged_bundle_fails_against_the_trusted_fingerprint(exported, tmp_path):
    genuine, registered = exported
    forged = forge(genuine, tmp_path / "vervalst.zip")
    grouped = keys.format_fingerprint(registered)
    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(f"# vertrouwde sleutels\n\n{grouped}  {ORG_A}  -  -  Gemeente Voorbeeld\n", encoding="utf-8")

    for anchor in (["--vingerafdruk", grouped], ["--vertrouwde-sleutels", trusted]):
        bad = verify(forged, *anchor)
        assert bad.exit_code == 1, bad.output
        assert "NIET INTACT" in bad.output and "andere sleutel" in bad.output
        good = verify(genuine, *anchor)
        assert good.exit_code == 0, good.output
        assert "Ondertekenaar geverifieerd" in good.output and UNVERIFIED_NL not in good.output.lower()


def test_published_keys_page_is_public_and_anchors_trust(exported, client_factory, tmp_path):
    genuine, registered = exported
    anonymous = client_factory(None)
    page = anonymous.get(WELL_KNOWN)
    assert page.status_code == 200 and page.headers["content-type"].startswith("application/json")
    document = page.json()
    organisation = next(o for o in document["organisations"] if o["id"] == ORG_A)
    assert organisation["name"] == "Gemeente Voorbeeld"
    (key,) = organisation["keys"]
    assert key["fingerprint"] == registered and key["valid_from"] and key["valid_until"] is None
    assert "BEGIN PUBLIC KEY" in key["public_key_pem"]
    for secret in ("Zoetelief", "woont", "brand", "PRIVATE", "@boos"):
        assert secret not in page.text, secret

    saved = tmp_path / "schildwacht-keys.json"
    saved.write_bytes(page.content)
    good = verify(genuine, "--vertrouwde-sleutels", saved)
    assert good.exit_code == 0, good.output
    bad = verify(forge(genuine, tmp_path / "vervalst.zip"), "--vertrouwde-sleutels", saved)
    assert bad.exit_code == 1 and "andere sleutel" in bad.output, bad.output


def test_trusted_key_of_another_organisation_or_period_is_refused(exported, tmp_path):
    genuine, registered = exported
    cases = {
        "andere organisatie": f"{registered} pv-noorderland\n",
        "niet geldig": f"{registered} {ORG_A} 2020-01-01 2020-12-31T23:59:59Z\n",
    }
    for reason, line in cases.items():
        trusted = tmp_path / "vertrouwd.txt"
        trusted.write_text(line, encoding="utf-8")
        result = verify(genuine, "--vertrouwde-sleutels", trusted)
        assert result.exit_code == 1 and reason in result.output, result.output
    trusted.write_text("dit is geen vingerafdruk\n", encoding="utf-8")
    unusable = verify(genuine, "--vertrouwde-sleutels", trusted)
    assert unusable.exit_code == 2 and "regel 1" in unusable.output, unusable.output


def test_readme_says_where_to_check_the_fingerprint_not_what_it_is(exported, world):
    genuine, registered = exported
    files = read_bundle(genuine)
    readme = files[layout.README].decode("utf-8")
    compact = readme.replace(" ", "").replace(":", "").lower()
    assert registered not in compact and registered[:16] not in compact
    assert f"{world.settings.public_base_url}{WELL_KNOWN}" in readme
    assert "--vingerafdruk" in readme and "--vertrouwde-sleutels" in readme
    # The report header shows the fingerprint for information, next to where to check it.
    html = files[layout.REPORT_HTML].decode("utf-8")
    assert keys.format_fingerprint(registered) in html and f"{world.settings.public_base_url}{WELL_KNOWN}" in html
