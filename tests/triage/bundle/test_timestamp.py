"""RFC 3161 timestamps against a local TSA made with `openssl ts` (CA + TSA certificate in the test's tmp dir)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509

from schildwacht.config import Settings
from tests.triage.bundle.bundlecase import make_tsa_pki, read_zip, write_zip
from triage.bundle import layout
from triage.bundle.export import export_bundle
from triage.bundle.timestamp import TimestampProblem, request_token, verify_token
from triage.bundle.verify import verify_bundle


@pytest.fixture
def stamped(db, built_case, pg, tmp_path, local_tsa) -> Path:
    settings = Settings(database_url=pg.url, data_dir=tmp_path / "data", tsa_url=local_tsa.url)
    with db() as s:
        path = export_bundle(s, built_case, "n.smits@voorbeeld.example", tmp_path / "zaak.zip", settings)
        s.commit()
    return path


def test_bundle_carries_a_token_that_verify_accepts(stamped, local_tsa):
    files = read_zip(stamped)
    assert layout.TIMESTAMP in files
    result = verify_bundle(stamped)
    assert result.ok, result.problem
    assert "RFC 3161" in result.summary[-1] and "Test TSA" in result.summary[-1]
    ca = x509.load_pem_x509_certificate(local_tsa.ca_cert.read_bytes())
    checked = verify_bundle(stamped, trusted_tsa_cas=[ca])
    assert checked.ok and "door opgegeven CA uitgegeven" in checked.summary[-1]


def test_openssl_agrees_with_our_token(stamped, local_tsa, tmp_path):
    """Interoperability: the stock openssl verifier accepts the token over the bundle's SHA256SUMS."""
    files = read_zip(stamped)
    (tmp_path / "SUMS").write_bytes(files[layout.SUMS])
    (tmp_path / "t.tsr").write_bytes(files[layout.TIMESTAMP])
    done = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(tmp_path / "SUMS"),
            "-in",
            str(tmp_path / "t.tsr"),
            "-CAfile",
            str(local_tsa.ca_cert),
            "-untrusted",
            str(local_tsa.dir / "tsa.crt"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "Verification: OK" in done.stdout, done.stdout + done.stderr


def test_token_for_different_content_is_rejected(stamped, local_tsa, tmp_path):
    files = read_zip(stamped)
    files[layout.TIMESTAMP] = request_token(local_tsa.url, b"andere inhoud / other content\n")
    result = verify_bundle(write_zip(tmp_path / "ander.zip", files))
    assert not result.ok
    assert result.problem.startswith(layout.TIMESTAMP) and "andere inhoud" in result.problem


def test_altered_token_and_untrusted_ca_are_rejected(stamped, tmp_path):
    files = read_zip(stamped)
    token = bytearray(files[layout.TIMESTAMP])
    sig_at = len(token) - 20  # inside the signature value at the end of the SignerInfo
    token[sig_at] ^= 0xFF
    with pytest.raises(TimestampProblem):
        verify_token(bytes(token), files[layout.SUMS])
    other = tmp_path / "other-pki"
    make_tsa_pki(other, "Other")
    stranger = x509.load_pem_x509_certificate((other / "ca.crt").read_bytes())
    result = verify_bundle(stamped, trusted_tsa_cas=[stranger])
    assert not result.ok and "niet uitgegeven door de opgegeven CA" in result.problem


def test_unreachable_tsa_gives_an_unstamped_but_valid_bundle(db, built_case, pg, tmp_path):
    settings = Settings(
        database_url=pg.url, data_dir=tmp_path / "data", tsa_url="http://127.0.0.1:9/tsa", capture_timeout_seconds=2
    )
    with db() as s:
        path = export_bundle(s, built_case, "n.smits@voorbeeld.example", tmp_path / "zaak.zip", settings)
        s.commit()
    assert layout.TIMESTAMP not in read_zip(path)
    result = verify_bundle(path)
    assert result.ok and "geen" in result.summary[-1]


def backdated(token: bytes, days: int) -> bytes:
    """`token` with the time in its TSTInfo moved back, the TSA's signature left as it was (a forger's edit)."""
    response = tsp.TimeStampResp.load(token)
    encapsulated = response["time_stamp_token"]["content"]["encap_content_info"]
    info = tsp.TSTInfo.load(encapsulated["content"].contents)
    info["gen_time"] = info["gen_time"].native - timedelta(days=days)
    encapsulated["content"] = info
    return response.dump(force=True)


def test_token_with_a_backdated_time_is_rejected(stamped, tmp_path):
    files = read_zip(stamped)
    files[layout.TIMESTAMP] = backdated(files[layout.TIMESTAMP], days=30)
    with pytest.raises(TimestampProblem, match="TSTInfo gewijzigd"):
        verify_token(files[layout.TIMESTAMP], files[layout.SUMS])
    result = verify_bundle(write_zip(tmp_path / "teruggedateerd.zip", files))
    assert not result.ok
    assert result.problem == f"{layout.TIMESTAMP}: TSTInfo gewijzigd (messageDigest) / TSTInfo altered"
