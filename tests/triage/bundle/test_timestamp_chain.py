"""A TSA certificate under an intermediate CA, as real TSAs have it (root -> intermediate -> TSA, the token carrying
the TSA and intermediate certificates): trusting the root checks the whole path (rfc3161-client), trusting another
root refuses it, and without a trusted CA the token is still shown intact but not CA-checked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms, tsp
from cryptography import x509

from tests.support.components import require
from tests.triage.bundle.bundlecase import TSA_CONF, make_tsa_pki
from triage.bundle.timestamp import TimestampProblem, verify_token

DATA = b"SHA256SUMS van een bundel / of a bundle\n"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def chained_token(tmp_path) -> tuple[bytes, Path]:
    """(DER TimeStampResp over DATA from a TSA under an intermediate, the PKI folder)."""
    require(shutil.which("openssl") is not None, "openssl")
    d = tmp_path / "pki"
    make_tsa_pki(d, "Chain")  # ca.crt is the root; tsa.crt is re-issued below by the intermediate
    (d / "ca.ext").write_text("basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "int.key",
             "-out", "int.csr", "-subj", "/CN=Chain Intermediate CA", cwd=d)  # fmt: skip
    _openssl("x509", "-req", "-in", "int.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
             "int.crt", "-days", "30", "-extfile", "ca.ext", cwd=d)  # fmt: skip
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "int.crt", "-CAkey", "int.key", "-CAcreateserial", "-out",
             "tsa.crt", "-days", "30", "-extfile", "tsa.ext", cwd=d)  # fmt: skip
    # the signer certificate goes in by itself (-cert); `certs` adds the intermediate
    (d / "tsa.cnf").write_text(TSA_CONF.format(dir=d).replace("certs = $dir/tsa.crt", "certs = $dir/int.crt"))
    (d / "data").write_bytes(DATA)
    _openssl("ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "q.tsq", cwd=d)
    _openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq", "-out", "r.tsr", cwd=d)
    return (d / "r.tsr").read_bytes(), d


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_root_ca_checks_the_path_through_the_intermediate(chained_token):
    token, d = chained_token
    info = verify_token(token, DATA, [_cert(d / "ca.crt")])
    assert info.ca_checked and "Chain TSA" in info.tsa_subject


def test_intermediate_is_not_a_trust_anchor_unless_given(chained_token, tmp_path):
    token, d = chained_token
    other = tmp_path / "other"
    make_tsa_pki(other, "Other")
    with pytest.raises(TimestampProblem, match="niet uitgegeven door de opgegeven CA"):
        verify_token(token, DATA, [_cert(other / "ca.crt")])


def test_without_a_trusted_ca_the_token_is_intact_but_not_ca_checked(chained_token):
    token, _ = chained_token
    info = verify_token(token, DATA)
    assert not info.ca_checked and "Chain TSA" in info.tsa_subject
    with pytest.raises(TimestampProblem, match="andere inhoud"):
        verify_token(token, DATA + b"!")


def test_certificates_in_any_order_are_checked_against_the_root(chained_token):
    """`openssl ts -reply` lists the signer first; the CA path check still works whichever order the token's
    certificates come in (rfc3161-client's DER parser wants a sorted SET OF)."""
    token, d = chained_token
    response = tsp.TimeStampResp.load(token)
    signed = response["time_stamp_token"]["content"]
    certificates = sorted((choice.dump() for choice in signed["certificates"]), reverse=True)
    assert len(certificates) == 2
    signed["certificates"] = cms.CertificateSet([cms.CertificateChoices.load(c) for c in certificates])
    info = verify_token(response.dump(force=True), DATA, [_cert(d / "ca.crt")])
    assert info.ca_checked and "Chain TSA" in info.tsa_subject
