"""Every check of `triage/bundle/verify.py` on its own: one real exported bundle, then one change per case, each
expected to fail with its own Dutch/English reason, and the exact summary of an intact bundle.

A change behind the signature is made as a forger would (`tests.security.forgery`): recompute the hashes and sign
the manifest with a fresh key that the manifest names, so only the check under test can notice.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from schildwacht.config import Settings
from tests.security.forgery import read_bundle, reseal, write_bundle
from tests.triage.bundle.bundlecase import build_case, emptied, make_tsa_pki, require, write_zip
from tests.triage.bundle.localtsa import Tsa, gen_time, local_tsa_in
from triage.bundle import layout
from triage.bundle.custody import GENESIS, event_hash
from triage.bundle.export import export_bundle
from triage.bundle.keys import fingerprint, format_fingerprint, public_pem
from triage.bundle.trust import TrustedKey, TrustProblem
from triage.bundle.verify import (
    EXIT_NOT_INTACT,
    EXIT_SIGNER_UNVERIFIED,
    EXIT_USAGE,
    EXIT_VERIFIED,
    Verification,
    verify_bundle,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bundle(engine, pg, tmp_path_factory) -> tuple[Path, int]:
    sessions = emptied(engine)
    tmp = tmp_path_factory.mktemp("bundle")
    case_id = build_case(sessions)
    settings = Settings(database_url=pg.url, data_dir=tmp / "data")
    with sessions() as s:
        path = export_bundle(s, case_id, "n.smits@voorbeeld.example", tmp / "zaak.zip", settings)
        s.commit()
    return path, case_id


def changed(bundle_path: Path, tmp_path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    files = read_bundle(bundle_path)
    change(files)
    if layout.MANIFEST not in files:  # write_bundle puts the manifest first
        return write_zip(tmp_path / "veranderd.zip", files)
    return write_bundle(tmp_path / "veranderd.zip", files)


def resigned(change_manifest: Callable[[dict, dict[str, bytes]], None]) -> Callable[[dict[str, bytes]], None]:
    """A change to the manifest (and files), resealed with a fresh key that the manifest and public_key.pem name."""

    def change(files: dict[str, bytes]) -> None:
        manifest = json.loads(files[layout.MANIFEST])
        key = Ed25519PrivateKey.generate()
        pem = public_pem(key.public_key())
        manifest["signer"].update(public_key_pem=pem, fingerprint=fingerprint(key.public_key()))
        files[layout.PUBLIC_KEY] = pem.encode()
        change_manifest(manifest, files)
        reseal(files, manifest, key)

    return change


def sums_only(change_files: Callable[[dict[str, bytes]], None]) -> Callable[[dict[str, bytes]], None]:
    """A change to files with SHA256SUMS recomputed (a careless forger): the manifest and its signature untouched."""

    def change(files: dict[str, bytes]) -> None:
        change_files(files)
        files.pop(layout.TIMESTAMP, None)
        files[layout.SUMS] = layout.format_sums({n: d for n, d in files.items() if n != layout.SUMS})

    return change


def manifest_edit(edit: Callable[[dict], object]) -> Callable[[dict[str, bytes]], None]:
    def change(files: dict[str, bytes]) -> None:
        manifest = json.loads(files[layout.MANIFEST])
        edit(manifest)
        files[layout.MANIFEST] = json.dumps(manifest).encode()

    return change


def other_public_pem() -> bytes:
    return public_pem(Ed25519PrivateKey.generate().public_key()).encode()


def custody_lines(files: dict[str, bytes]) -> list[dict]:
    return [json.loads(line) for line in files[layout.CUSTODY].decode().splitlines() if line.strip()]


def first_item(files: dict[str, bytes]) -> str:
    return next(n for n in sorted(files) if n.endswith("/tekst.txt"))


def rechained(events: list[dict]) -> bytes:
    """custody.jsonl with every link and hash recomputed, as a forger who knows the hash rule writes it."""
    lines, prev = [], GENESIS
    for event in events:
        record = event | {"prev_hash": prev}
        record["hash"] = prev = event_hash(record)
        lines.append(json.dumps(record).encode() + b"\n")
    return b"".join(lines)


def pin_custody(manifest: dict, custody: bytes) -> None:
    """The manifest's count and head hash of the custody chain set to those of `custody`."""
    events = [json.loads(line) for line in custody.splitlines()]
    manifest["custody"].update(events=len(events), head_hash=events[-1]["hash"])


def chain_of_another_case(m: dict, f: dict[str, bytes]) -> None:
    f[layout.CUSTODY] = rechained([e | {"case_id": e["case_id"] + 1} for e in custody_lines(f)])
    pin_custody(m, f[layout.CUSTODY])


def manifest_lists(path: str) -> Callable[[dict[str, bytes]], None]:
    """The forger's manifest (re-signed) lists `path` with its hash, but a ZIP cannot hold it, so it is left out."""

    def change(files: dict[str, bytes]) -> None:
        def add(m: dict, f: dict[str, bytes]) -> None:
            f[path] = b"buiten de bundel / outside the bundle"
            m["files"].append({"path": path, "sha256": "", "size": 0})

        resigned(add)(files)
        del files[path]
        files[layout.SUMS] = layout.format_sums({n: d for n, d in files.items() if n != layout.SUMS})

    return change


def without_public_key_file(m: dict, f: dict[str, bytes]) -> None:
    del f[layout.PUBLIC_KEY]
    m["files"] = [e for e in m["files"] if e["path"] != layout.PUBLIC_KEY]


def with_a_character_outside_base64(files: dict[str, bytes]) -> None:
    signature = files[layout.SIGNATURE]
    files[layout.SIGNATURE] = signature[:10] + b"!" + signature[10:]


CASES = {
    "manifest missing": (lambda f: f.pop(layout.MANIFEST), "manifest.json: ontbreekt / missing"),
    "manifest no JSON": (
        lambda f: f.update({layout.MANIFEST: b"{kapot"}),
        "manifest.json: onleesbaar / unreadable (",
    ),
    "manifest not an object": (
        lambda f: f.update({layout.MANIFEST: b"[]"}),
        "manifest.json: onvolledig, veld format / incomplete",
    ),
    "manifest without signer": (
        manifest_edit(lambda m: m.pop("signer")),
        "manifest.json: onvolledig, veld signer / incomplete",
    ),
    "manifest items not a list": (
        manifest_edit(lambda m: m.update(items={})),
        "manifest.json: onvolledig, veld items / incomplete",
    ),
    "manifest file entry without hash": (
        manifest_edit(lambda m: m["files"][0].pop("sha256")),
        "manifest.json: onvolledig, veld files / incomplete",
    ),
    "manifest file entry not an object": (
        manifest_edit(lambda m: m["files"].append("rapport.pdf")),
        "manifest.json: onvolledig, veld files / incomplete",
    ),
    "unknown format": (
        manifest_edit(lambda m: m.update(format="schildwacht-bundle/9")),
        "manifest.json: onbekend formaat 'schildwacht-bundle/9' / unknown format",
    ),
    "signature file missing": (
        lambda f: f.pop(layout.SIGNATURE),
        "manifest.sig: ontbreekt in de ZIP / missing from ZIP",
    ),
    "sums file missing": (lambda f: f.pop(layout.SUMS), "SHA256SUMS: ontbreekt in de ZIP / missing from ZIP"),
    "listed file missing": (
        lambda f: f.pop(layout.REPORT_PDF),
        "rapport.pdf: staat in het manifest maar ontbreekt in de ZIP / missing from ZIP",
    ),
    "extra file": (
        lambda f: f.update({"extra.txt": b"x"}),
        "extra.txt: extra bestand dat niet in het manifest staat / not in manifest",
    ),
    "sums unreadable": (
        lambda f: f.update({layout.SUMS: b"\xff\xfe geen sums"}),
        "SHA256SUMS: onleesbaar / unreadable (",
    ),
    "file missing from sums": (
        lambda f: f.update(
            {layout.SUMS: b"".join(line + b"\n" for line in f[layout.SUMS].splitlines() if b"rapport.pdf" not in line)}
        ),
        "rapport.pdf: ontbreekt in SHA256SUMS / not listed in SHA256SUMS",
    ),
    "sums name a file not in the ZIP": (
        lambda f: f.update({layout.SUMS: f[layout.SUMS] + b"0" * 64 + b"  weg.txt\n"}),
        "weg.txt: staat in SHA256SUMS maar ontbreekt in de ZIP / missing from ZIP",
    ),
    "file altered, sums not": (
        lambda f: f.update({layout.REPORT_HTML: f[layout.REPORT_HTML] + b" "}),
        "rapport.html: gewijzigd, sha256 klopt niet met SHA256SUMS / altered (hash mismatch)",
    ),
    "file altered, sums recomputed": (
        sums_only(lambda f: f.update({layout.REPORT_HTML: f[layout.REPORT_HTML] + b" "})),
        "rapport.html: gewijzigd, sha256 klopt niet met het manifest / altered (hash mismatch)",
    ),
    "signature not base64": (
        sums_only(lambda f: f.update({layout.SIGNATURE: b"!!geen base64!!"})),
        "manifest.sig: handtekening klopt niet bij manifest.json / signature invalid (Error)",
    ),
    "signature of another text": (
        sums_only(lambda f: f.update({layout.SIGNATURE: f[layout.SIGNATURE][4:] + f[layout.SIGNATURE][:4]})),
        "manifest.sig: handtekening klopt niet bij manifest.json / signature invalid (",
    ),
    "fingerprint not of the key": (
        resigned(lambda m, f: m["signer"].update(fingerprint="0" * 64)),
        "manifest.json: vingerafdruk hoort niet bij de publieke sleutel / fingerprint mismatch",
    ),
    "public key file differs": (
        resigned(lambda m, f: f.update({layout.PUBLIC_KEY: other_public_pem()})),
        "public_key.pem: wijkt af van de sleutel in het manifest / differs from manifest",
    ),
    "signer of another organisation": (
        resigned(lambda m, f: m["signer"].update(organisation_id="pv-noorderland")),
        "manifest.json: ondertekenaar en organisatie van de zaak verschillen / signer and case organisation differ",
    ),
    "case organisation not an object": (
        resigned(lambda m, f: m["official"].update(organisation="gm-voorbeeld")),
        "manifest.json: ondertekenaar en organisatie van de zaak verschillen / signer and case organisation differ",
    ),
    "signer organisation not a string": (
        resigned(lambda m, f: m["signer"].update(organisation_id=None)),
        "manifest.json: ondertekenaar en organisatie van de zaak verschillen / signer and case organisation differ",
    ),
    "custody unreadable": (
        resigned(lambda m, f: f.update({layout.CUSTODY: b"{kapot\n"})),
        "custody.jsonl: onleesbaar / unreadable (",
    ),
    "custody event cut off the end": (
        resigned(
            lambda m, f: f.update(
                {layout.CUSTODY: b"".join(line + b"\n" for line in f[layout.CUSTODY].splitlines()[:-1])}
            )
        ),
        "custody.jsonl: aantal of laatste gebeurtenis wijkt af van het manifest / events removed or added at the end",
    ),
    "custody count pinned differently": (
        resigned(lambda m, f: m["custody"].update(events=m["custody"]["events"] + 1)),
        "custody.jsonl: aantal of laatste gebeurtenis wijkt af van het manifest / events removed or added at the end",
    ),
    "custody head pinned differently": (
        resigned(lambda m, f: m["custody"].update(head_hash="0" * 64)),
        "custody.jsonl: aantal of laatste gebeurtenis wijkt af van het manifest / events removed or added at the end",
    ),
    "custody event altered in the chain": (
        resigned(
            lambda m, f: f.update(
                {
                    layout.CUSTODY: b"".join(
                        json.dumps(e | {"actor": "vervalser"} if e["seq"] == 1 else e).encode() + b"\n"
                        for e in custody_lines(f)
                    )
                }
            )
        ),
        "custody.jsonl: gebeurtenis 1: inhoud gewijzigd (hash klopt niet) / event altered (hash mismatch)",
    ),
    "custody of another case": (
        resigned(lambda m, f: m["case"].update(id=m["case"]["id"] + 1)),
        "custody.jsonl: hoort bij een andere zaak / belongs to another case",
    ),
    "custody chain of another case": (
        resigned(chain_of_another_case),
        "custody.jsonl: hoort bij een andere zaak / belongs to another case",
    ),
    "member with ..": (
        lambda f: f.update({"items/../../buiten.txt": b"x"}),
        "veranderd.zip: 'items/../../buiten.txt': onveilige bestandsnaam in de ZIP (bevat '..') / unsafe entry name",
    ),
    "absolute member": (
        lambda f: f.update({"/tmp/buiten.txt": b"x"}),
        "veranderd.zip: '/tmp/buiten.txt': onveilige bestandsnaam in de ZIP (absoluut pad) / unsafe entry name",
    ),
    "manifest lists a path with ..": (
        manifest_lists("../buiten.txt"),
        "../buiten.txt: staat in het manifest maar ontbreekt in de ZIP / missing from ZIP",
    ),
    "manifest lists an absolute path": (
        manifest_lists("/etc/passwd"),
        "/etc/passwd: staat in het manifest maar ontbreekt in de ZIP / missing from ZIP",
    ),
    "signature with a character outside base64": (
        sums_only(with_a_character_outside_base64),
        "manifest.sig: handtekening klopt niet bij manifest.json / signature invalid (Error)",
    ),
    "public key file not ASCII": (
        resigned(lambda m, f: f.update({layout.PUBLIC_KEY: f[layout.PUBLIC_KEY] + "é".encode()})),
        "public_key.pem: wijkt af van de sleutel in het manifest / differs from manifest",
    ),
    "public key file missing": (
        resigned(without_public_key_file),
        "public_key.pem: wijkt af van de sleutel in het manifest / differs from manifest",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_problem_is_found_and_named(bundle, tmp_path, name):
    change, reason = CASES[name]
    result = verify_bundle(changed(bundle[0], tmp_path, change))
    assert result.ok is False and result.exit_code == EXIT_NOT_INTACT and not result.signer_verified
    assert result.problem.startswith(reason), result.problem
    assert result.summary == []


def test_an_event_of_another_case_inside_the_chain_is_named(bundle, tmp_path):
    path, case_id = bundle

    def splice(m: dict, f: dict[str, bytes]) -> None:
        f[layout.CUSTODY] = rechained([e | {"case_id": case_id + 1} if e["seq"] == 2 else e for e in custody_lines(f)])
        pin_custody(m, f[layout.CUSTODY])

    result = verify_bundle(changed(path, tmp_path, resigned(splice)))
    assert result.problem == (
        f"custody.jsonl: gebeurtenis 2: hoort bij zaak {case_id + 1}, niet {case_id} / event from another case"
    )


def test_custody_of_one_event_is_a_chain(bundle, tmp_path):
    def first_only(m: dict, f: dict[str, bytes]) -> None:
        f[layout.CUSTODY] = f[layout.CUSTODY].splitlines(keepends=True)[0]
        pin_custody(m, f[layout.CUSTODY])

    files = read_bundle(bundle[0])
    first = custody_lines(files)[0]
    result = verify_bundle(changed(bundle[0], tmp_path, resigned(first_only)))
    assert result.ok, result.problem
    assert result.summary[2] == (
        f"Bewaarketen / custody: 1 gebeurtenissen, laatste: created door system:triage-ingest op {first['at']}"
    )


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        (64 * 1024 * 1024, "public_key.pem: gewijzigd, sha256 klopt niet met SHA256SUMS / altered (hash mismatch)"),
        (64 * 1024 * 1024 + 1, "public_key.pem: onredelijk groot / unreasonably large"),
    ],
    ids=["64 MiB is read", "one byte more is refused unread"],
)
def test_control_files_are_read_up_to_64_mib(bundle, tmp_path, size, problem):
    result = verify_bundle(changed(bundle[0], tmp_path, lambda f: f.update({layout.PUBLIC_KEY: b" " * size})))
    assert result.problem == problem


def test_custody_without_events_is_refused(bundle, tmp_path):
    def empty(m: dict, f: dict[str, bytes]) -> None:
        f[layout.CUSTODY] = b"\n"
        m["custody"].update(events=0)

    result = verify_bundle(changed(bundle[0], tmp_path, resigned(empty)))
    assert result.problem.startswith("custody.jsonl: aantal of laatste gebeurtenis wijkt af van het manifest")


@pytest.mark.parametrize("exported_at", [None, "gisteren", "2026-11-20T21:00:00", 20261120])
def test_export_time_must_be_readable_with_a_time_zone_when_a_key_is_checked(bundle, tmp_path, exported_at):
    key = Ed25519PrivateKey.generate()

    def edit(m: dict, f: dict[str, bytes]) -> None:
        if exported_at is None:
            m.pop("exported_at")
        else:
            m["exported_at"] = exported_at

    files = read_bundle(bundle[0])
    manifest = json.loads(files[layout.MANIFEST])
    pem = public_pem(key.public_key())
    manifest["signer"].update(public_key_pem=pem, fingerprint=fingerprint(key.public_key()))
    files[layout.PUBLIC_KEY] = pem.encode()
    edit(manifest, files)
    reseal(files, manifest, key)
    path = write_bundle(tmp_path / "tijd.zip", files)
    assert verify_bundle(path).ok  # without an anchor the export time is not read
    result = verify_bundle(path, expected_fingerprint=fingerprint(key.public_key()))
    assert result.problem == "manifest.json: exporttijd ontbreekt of onleesbaar / export time unreadable"


def test_intact_bundle_summary_says_what_was_checked(bundle):
    path, case_id = bundle
    files = read_bundle(path)
    manifest = json.loads(files[layout.MANIFEST])
    events = custody_lines(files)
    fp = manifest["signer"]["fingerprint"]
    with zipfile.ZipFile(path) as zf:
        entries = len(zf.namelist())
    unverified = verify_bundle(path)
    assert unverified.ok and not unverified.signer_verified and unverified.exit_code == EXIT_SIGNER_UNVERIFIED
    assert unverified.problem is None
    assert unverified.summary == [
        f"Bundel intact / bundle intact: zaak #{case_id}, {entries} bestanden, 3 bericht(en); "
        "organisatie volgens de bundel: Gemeente Voorbeeld",
        f"Ondertekenaar NIET geverifieerd / signer NOT verified: vingerafdruk {format_fingerprint(fp)}, "
        "geen vertrouwde sleutel opgegeven / no trusted key given",
        f"Bewaarketen / custody: {len(events)} gebeurtenissen, laatste: {events[-1]['kind']} door "
        f"{events[-1]['actor']} op {events[-1]['at']}",
        "Tijdstempel / timestamp: geen (niet aangevraagd of TSA onbereikbaar) / none",
    ]
    verified = verify_bundle(path, expected_fingerprint=fp)
    assert verified.ok and verified.signer_verified and verified.exit_code == EXIT_VERIFIED
    assert verified.summary[1] == (
        f"Ondertekenaar geverifieerd / signer verified: vingerafdruk {format_fingerprint(fp)} is een "
        "vertrouwde sleutel / matches a trusted key"
    )
    assert verified.summary[0] == unverified.summary[0] and verified.summary[2:] == unverified.summary[2:]


def test_exit_code_of_each_result():
    assert Verification(ok=False).exit_code == EXIT_NOT_INTACT == 1
    assert Verification(ok=False, signer_verified=True).exit_code == EXIT_NOT_INTACT
    assert Verification(ok=True, signer_verified=True).exit_code == EXIT_VERIFIED == 0
    assert Verification(ok=True).exit_code == EXIT_SIGNER_UNVERIFIED == 3


def test_a_missing_file_or_no_zip_is_named(tmp_path):
    assert verify_bundle(tmp_path / "weg.zip").problem.startswith("weg.zip: geen leesbare ZIP / not a readable ZIP (")
    (tmp_path / "kapot.zip").write_bytes(b"dit is geen zip")
    result = verify_bundle(tmp_path / "kapot.zip")
    assert not result.ok and result.problem.startswith("kapot.zip: geen leesbare ZIP")


def test_signer_is_checked_against_the_anchors_the_verifier_brings(bundle):
    path, _ = bundle
    fp = json.loads(read_bundle(path)[layout.MANIFEST])["signer"]["fingerprint"]
    other = fingerprint(Ed25519PrivateKey.generate().public_key())

    wrong = verify_bundle(path, expected_fingerprint=other)
    assert not wrong.ok and wrong.exit_code == EXIT_NOT_INTACT
    assert wrong.problem == (
        f"manifest.sig: ondertekend met een andere sleutel ({format_fingerprint(fp)}) dan de opgegeven vingerafdruk "
        "(--vingerafdruk) / signed by another key than the given fingerprint"
    )
    named = verify_bundle(path, trusted_keys=[TrustedKey(fp, "gm-voorbeeld", "Gemeente Voorbeeld")])
    assert (
        named.ok
        and named.signer_verified
        and named.summary[1]
        == (
            f"Ondertekenaar geverifieerd / signer verified: vingerafdruk {format_fingerprint(fp)} is een vertrouwde "
            "sleutel van Gemeente Voorbeeld / matches a trusted key"
        )
    )
    by_id = verify_bundle(path, trusted_keys=[TrustedKey(fp, "gm-voorbeeld")])
    assert "vertrouwde sleutel van gm-voorbeeld / matches" in by_id.summary[1]
    revoked = verify_bundle(path, trusted_keys=[TrustedKey(fp, revoked=True)])
    assert not revoked.ok and revoked.problem.startswith(f"manifest.sig: de sleutel ({format_fingerprint(fp)}) is ")
    narrowed = verify_bundle(path, expected_fingerprint=other, trusted_keys=[TrustedKey(fp), TrustedKey(other)])
    assert not narrowed.ok and narrowed.problem == wrong.problem


@pytest.fixture(scope="module")
def tsa(tmp_path_factory) -> Tsa:
    require(shutil.which("openssl") is not None, "openssl")
    return local_tsa_in(tmp_path_factory.mktemp("tsa"))


def test_timestamp_is_checked_and_summarised(bundle, tsa, tmp_path):
    """The bundle's SHA256SUMS stamped by the local `openssl ts` TSA, as export does; what the summary says is read
    from the token by `openssl ts -text` and from the TSA certificate file."""
    files = read_bundle(bundle[0])
    token = files[layout.TIMESTAMP] = tsa.stamp(files[layout.SUMS])
    path = write_bundle(tmp_path / "gestempeld.zip", files)
    serial = int(tsa.as_openssl_reads_it(token)["Serial number"], 16)
    der = tsa.cert().public_bytes(serialization.Encoding.DER)
    stamped = (
        f"Tijdstempel / timestamp (RFC 3161): {gen_time(tsa, token):%Y-%m-%d %H:%M:%S} UTC door "
        f"CN=Test TSA,O=Schildwacht test, serienummer {serial}"
    )

    plain = verify_bundle(path)
    assert plain.ok, plain.problem
    assert plain.summary[-1] == (
        f"{stamped}; TSA-certificaat sha256 {hashlib.sha256(der).hexdigest()} (niet tegen een CA gecontroleerd)"
    )
    checked = verify_bundle(path, trusted_tsa_cas=[tsa.cert("ca.crt")])
    assert checked.ok and checked.summary[-1] == f"{stamped}; TSA-certificaat door opgegeven CA uitgegeven"
    assert checked.summary[:-1] == plain.summary[:-1]

    make_tsa_pki(tmp_path / "ander", "Other")
    stranger = Tsa(tmp_path / "ander").cert("ca.crt")
    refused = verify_bundle(path, trusted_tsa_cas=[stranger])
    assert refused.ok is False and refused.problem.startswith(
        "SHA256SUMS.tsr: TSA-certificaat niet uitgegeven door de opgegeven CA / not issued by trusted CA: "
    )
    files[layout.TIMESTAMP] = tsa.stamp(files[layout.SUMS] + b"\n")
    other = verify_bundle(write_bundle(tmp_path / "ander.zip", files))
    assert other.problem == "SHA256SUMS.tsr: tijdstempel hoort bij andere inhoud / timestamp is for different content"


def test_a_trusted_key_must_be_valid_at_the_export_and_at_the_timestamp(bundle, tsa, tmp_path):
    """A bundle dated (by its signer) inside the key's period but stamped by the TSA after it is refused."""
    key = Ed25519PrivateKey.generate()
    exported = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
    files = read_bundle(bundle[0])
    manifest = json.loads(files[layout.MANIFEST])
    pem = public_pem(key.public_key())
    manifest["signer"].update(public_key_pem=pem, fingerprint=fingerprint(key.public_key()))
    manifest["exported_at"] = exported.isoformat()
    files[layout.PUBLIC_KEY] = pem.encode()
    reseal(files, manifest, key)
    unstamped = write_bundle(tmp_path / "ongestempeld.zip", files)
    files[layout.TIMESTAMP] = tsa.stamp(files[layout.SUMS])
    stamped_at = gen_time(tsa, files[layout.TIMESTAMP])
    stamped = write_bundle(tmp_path / "gestempeld.zip", files)
    fp = fingerprint(key.public_key())
    around_export = TrustedKey(fp, valid_from=exported - timedelta(days=1), valid_until=exported + timedelta(days=1))

    assert verify_bundle(unstamped, trusted_keys=[around_export]).signer_verified
    late = verify_bundle(stamped, trusted_keys=[around_export])
    assert late.problem == (
        f"manifest.sig: de sleutel was bij ondertekening (2026-11-20T21:30:00.000000Z, "
        f"{stamped_at:%Y-%m-%dT%H:%M:%S}.000000Z) niet geldig volgens de vertrouwde sleutels "
        "/ key not valid at signing time"
    )
    through_stamp = TrustedKey(fp, valid_from=exported, valid_until=stamped_at)
    assert verify_bundle(stamped, trusted_keys=[through_stamp]).signer_verified


def verify_cli(*args: object):
    return CliRunner().invoke(cli_app, ["bundle", "verify", *map(str, args)])


def test_cli_exit_codes_as_documented(bundle, tmp_path):
    """0 intact and signer verified, 1 not intact, 2 usage error (before any bundle is judged), 3 signer unverified."""
    path, _ = bundle
    fp = json.loads(read_bundle(path)[layout.MANIFEST])["signer"]["fingerprint"]
    assert verify_cli(path, "--vingerafdruk", format_fingerprint(fp)).exit_code == EXIT_VERIFIED == 0
    assert verify_cli(path).exit_code == EXIT_SIGNER_UNVERIFIED == 3
    altered = changed(path, tmp_path, lambda f: f.update({layout.REPORT_HTML: f[layout.REPORT_HTML] + b" "}))
    bad = verify_cli(altered, "--vingerafdruk", fp)
    assert bad.exit_code == EXIT_NOT_INTACT == 1
    assert "NIET INTACT / NOT INTACT: rapport.html: gewijzigd" in bad.output, bad.output
    not_a_certificate = tmp_path / "ca.pem"
    not_a_certificate.write_text("geen certificaat\n", encoding="utf-8")
    not_a_key_list = tmp_path / "sleutels.txt"
    not_a_key_list.write_text("dit is geen vingerafdruk\n", encoding="utf-8")
    for usage in (
        ["--vingerafdruk", "abc"],
        ["--tsa-ca", not_a_certificate],
        ["--vertrouwde-sleutels", not_a_key_list],
    ):
        for bundle_path in (path, altered):
            result = verify_cli(bundle_path, *usage)
            assert result.exit_code == EXIT_USAGE == 2, result.output
            assert "Onbruikbare invoer / unusable input" in result.output, result.output
            assert "intact" not in result.output.lower(), result.output
    missing = verify_cli(tmp_path / "weg.zip")
    assert missing.exit_code == EXIT_USAGE and "intact" not in missing.output.lower(), missing.output


def test_a_malformed_expected_fingerprint_is_a_usage_error_not_a_verdict(bundle):
    with pytest.raises(TrustProblem, match="'abc' is geen vingerafdruk"):
        verify_bundle(bundle[0], expected_fingerprint="abc")
