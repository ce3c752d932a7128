"""Review item 9 (finding 6 follow-up): `--vingerafdruk` together with `--vertrouwde-sleutels` must narrow the match.

A police unit keeps one trusted-keys file for every organisation it works with, and asks the organisation of a
case for the fingerprint by phone. When both are given the signer must be that fingerprint AND be in the file
(organisation and period included). Before, the fingerprint was added as one more anchor, so a bundle signed by
any other key in the file (another organisation's, or a retired one) verified with exit 0 although the caller
named a different key, and a fingerprint missing from the file was accepted without the file's checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from tests.triage.web.triageweb_support import ORG_A, ORG_B, USERS
from triage.bundle import keys
from triage.bundle.export import export_bundle
from triage.bundle.trust import TrustedKey
from triage.bundle.verify import verify_bundle


def verify(*args: object):
    return CliRunner().invoke(cli_app, ["bundle", "verify", *map(str, args)])


@pytest.fixture
def bundles(world, db, tmp_path) -> dict[str, tuple[Path, str]]:
    """A genuine bundle per organisation (A's threat case, B's threat case) with its signer's registered key."""
    made = {}
    with db() as s:
        for org, case in ((ORG_A, "threat"), (ORG_B, "b_threat")):
            path = export_bundle(s, world.cases[case], USERS["beheerder_a"], tmp_path / f"{org}.zip", world.settings)
            made[org] = (path, keys.current_key(s, org).fingerprint)
        s.commit()
    return made


@pytest.fixture
def trusted_file(bundles, tmp_path) -> Path:
    """The unit's file: both organisations' keys."""
    path = tmp_path / "vertrouwd.txt"
    path.write_text(
        "".join(f"{keys.format_fingerprint(fp)}  {org}\n" for org, (_, fp) in bundles.items()), encoding="utf-8"
    )
    return path


def test_the_signer_must_be_the_given_fingerprint_as_well_as_in_the_file(bundles, trusted_file):
    (bundle_a, fp_a), (bundle_b, fp_b) = bundles[ORG_A], bundles[ORG_B]
    # The attack: a bundle signed by B's key (in the file) while the caller asked for A's fingerprint.
    wrong = verify(bundle_b, "--vingerafdruk", keys.format_fingerprint(fp_a), "--vertrouwde-sleutels", trusted_file)
    assert wrong.exit_code == 1, wrong.output
    assert "NIET INTACT" in wrong.output and "andere sleutel" in wrong.output and "--vingerafdruk" in wrong.output
    for bundle, fp in ((bundle_a, fp_a), (bundle_b, fp_b)):
        right = verify(bundle, "--vingerafdruk", fp, "--vertrouwde-sleutels", trusted_file)
        assert right.exit_code == 0 and "Ondertekenaar geverifieerd" in right.output, right.output


def test_a_fingerprint_outside_the_file_is_not_an_extra_anchor(bundles, tmp_path):
    (bundle_a, fp_a), (_, fp_b) = bundles[ORG_A], bundles[ORG_B]
    only_b = tmp_path / "alleen-b.txt"
    only_b.write_text(f"{fp_b} {ORG_B}\n", encoding="utf-8")
    result = verify(bundle_a, "--vingerafdruk", fp_a, "--vertrouwde-sleutels", only_b)
    assert result.exit_code == 1 and "andere sleutel" in result.output, result.output
    # ... and the file's own rules (organisation, period) still apply to the named fingerprint.
    elsewhere = tmp_path / "andere-organisatie.txt"
    elsewhere.write_text(f"{fp_a} {ORG_B}\n", encoding="utf-8")
    result = verify(bundle_a, "--vingerafdruk", fp_a, "--vertrouwde-sleutels", elsewhere)
    assert result.exit_code == 1 and "andere organisatie" in result.output, result.output


def test_the_library_call_narrows_the_same_way(bundles):
    (bundle_a, fp_a), (bundle_b, fp_b) = bundles[ORG_A], bundles[ORG_B]
    anchors = [TrustedKey(fingerprint=fp_a, organisation_id=ORG_A), TrustedKey(fingerprint=fp_b, organisation_id=ORG_B)]
    wrong = verify_bundle(bundle_b, expected_fingerprint=fp_a, trusted_keys=anchors)
    assert not wrong.ok and wrong.exit_code == 1 and "andere sleutel" in wrong.problem
    right = verify_bundle(bundle_a, expected_fingerprint=fp_a, trusted_keys=anchors)
    assert right.ok and right.signer_verified and right.exit_code == 0, right.problem
