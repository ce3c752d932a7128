"""RFC 3161 timestamps against a local TSA made with `openssl ts` (CA + TSA certificate in the test's tmp dir)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID

from schildwacht.config import Settings
from tests.triage.bundle.bundlecase import make_tsa_pki, read_zip, require, write_zip
from tests.triage.bundle.localtsa import DATA, Tsa, gen_time, local_tsa_in, openssl
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


# --- verify_token and request_token path by path, against tokens of a local `openssl ts -reply` TSA -------------


@pytest.fixture(scope="module")
def tsa(tmp_path_factory) -> Tsa:
    require(shutil.which("openssl") is not None, "openssl")
    return local_tsa_in(tmp_path_factory.mktemp("tsa"))


def edited(token: bytes, edit: Callable[[cms.SignedData, cms.SignerInfo], None]) -> bytes:
    """`token` after `edit` changed its SignedData or SignerInfo in place (a forger's or a broken TSA's token)."""
    response = tsp.TimeStampResp.load(token)
    signed = response["time_stamp_token"]["content"]
    edit(signed, signed["signer_infos"][0])
    return response.dump(force=True)


def signed_attributes(signer: cms.SignerInfo) -> bytes:
    """The bytes a CMS signature covers: the signed attributes DER-encoded as a SET OF (RFC 5652, 5.4)."""
    return cms.CMSAttributes(list(signer["signed_attrs"])).dump(force=True)


def with_certificates(*certs: x509.Certificate) -> Callable[[cms.SignedData, cms.SignerInfo], None]:
    def edit(signed: cms.SignedData, _: cms.SignerInfo) -> None:
        signed["certificates"] = cms.CertificateSet(
            [cms.CertificateChoices.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]
        )

    return edit


@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha512", "sha1"])
def test_token_reads_as_openssl_reads_it(tsa, digest):
    token = tsa.stamp(DATA, digest, tsa.config(f"{digest}.cnf", signer_digest=digest))
    seen = tsa.as_openssl_reads_it(token)
    assert seen["Status"] == "Granted." and seen["Hash Algorithm"] == digest
    der = tsa.cert().public_bytes(serialization.Encoding.DER)

    info = verify_token(token, DATA)
    assert info.serial == int(seen["Serial number"], 16)
    assert info.gen_time == gen_time(tsa, token)
    assert info.tsa_subject == "CN=Test TSA,O=Schildwacht test"
    assert info.tsa_cert_sha256 == hashlib.sha256(der).hexdigest()
    assert not info.ca_checked
    if digest != "sha1":  # rfc3161-client, which checks the path to a CA, refuses SHA-1
        assert verify_token(token, DATA, [tsa.cert("ca.crt")]).ca_checked
    with pytest.raises(TimestampProblem, match="^tijdstempel hoort bij andere inhoud / timestamp is for different"):
        verify_token(token, DATA + b" ")


@pytest.mark.parametrize("digest", ["sha3-256", "md5"])
def test_imprint_in_an_algorithm_outside_the_list_is_refused(tsa, digest):
    token = tsa.stamp(DATA, digest)
    assert tsa.as_openssl_reads_it(token)["Status"] == "Granted."
    with pytest.raises(TimestampProblem, match="^tijdstempel hoort bij andere inhoud / timestamp is for different"):
        verify_token(token, DATA)


def test_signature_digest_outside_the_list_is_refused(tsa):
    token = tsa.stamp(DATA, config=tsa.config("sha3.cnf", signer_digest="sha3-256"))
    with pytest.raises(TimestampProblem) as refused:
        verify_token(token, DATA)
    assert str(refused.value) == "onbekend hashalgoritme / unsupported digest sha3_256"


def test_ecdsa_tsa_is_accepted_and_dsa_refused(tsa):
    d = tsa.dir
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key", cwd=d)
    openssl("genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", "dsa.pem", cwd=d)
    openssl("genpkey", "-paramfile", "dsa.pem", "-out", "dsa.key", cwd=d)
    for kind in ("ec", "dsa"):
        openssl("req", "-new", "-key", f"{kind}.key", "-out", f"{kind}.csr", "-subj", f"/CN={kind} TSA", cwd=d)
        openssl("x509", "-req", "-in", f"{kind}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{kind}.crt", "-days", "30", "-extfile", "tsa.ext", cwd=d)  # fmt: skip
    ec = tsa.stamp(DATA, config=tsa.config("ec.cnf", signer_cert="$dir/ec.crt", certs="$dir/ec.crt",
                                          signer_key="$dir/ec.key"))  # fmt: skip
    assert verify_token(ec, DATA).tsa_subject == "CN=ec TSA"
    dsa = tsa.stamp(DATA, config=tsa.config("dsa.cnf", signer_cert="$dir/dsa.crt", certs="$dir/dsa.crt",
                                           signer_key="$dir/dsa.key"))  # fmt: skip
    assert tsa.as_openssl_reads_it(dsa)["Status"] == "Granted."
    with pytest.raises(TimestampProblem) as refused:
        verify_token(dsa, DATA)
    assert str(refused.value) == "onbekend sleuteltype / unsupported key type DSAPublicKey"


def test_rsa_pss_and_ed25519_signatures_are_checked(tsa):
    """Signatures `openssl ts` cannot make: the token's signed attributes re-signed with RSA-PSS by the TSA's own key,
    and by an Ed25519 key with its own certificate from the CA."""
    token = tsa.stamp(DATA)
    rsa_key = tsa.key()

    def pss(salt: int) -> Callable[[cms.SignedData, cms.SignerInfo], None]:
        def edit(_: cms.SignedData, signer: cms.SignerInfo) -> None:
            signer["signature_algorithm"] = {
                "algorithm": "rsassa_pss",
                "parameters": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
                    "salt_length": salt,
                },
            }
            pad = padding.PSS(padding.MGF1(hashes.SHA256()), salt)
            signer["signature"] = rsa_key.sign(signed_attributes(signer), pad, hashes.SHA256())

        return edit

    assert verify_token(edited(token, pss(32)), DATA).tsa_subject == "CN=Test TSA,O=Schildwacht test"
    assert verify_token(edited(token, pss(20)), DATA).tsa_subject == "CN=Test TSA,O=Schildwacht test"

    def pkcs1_labelled_pss(_: cms.SignedData, signer: cms.SignerInfo) -> None:
        pss(32)(_, signer)
        signer["signature"] = rsa_key.sign(signed_attributes(signer), padding.PKCS1v15(), hashes.SHA256())

    with pytest.raises(TimestampProblem, match="^handtekening van de TSA ongeldig / TSA signature invalid$"):
        verify_token(edited(token, pkcs1_labelled_pss), DATA)

    ed_key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    ed_cert = tsa.issue(ed_key.public_key(), 4242, now - timedelta(days=1), now + timedelta(days=1), subject="Ed TSA")

    def ed25519(signed: cms.SignedData, signer: cms.SignerInfo) -> None:
        with_certificates(ed_cert)(signed, signer)
        signer["sid"] = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value={"issuer": tsp.TimeStampResp.load(token)["time_stamp_token"]["content"]["signer_infos"][0]["sid"]
                   .chosen["issuer"], "serial_number": 4242},
        )  # fmt: skip
        signer["signature_algorithm"] = {"algorithm": "ed25519"}
        signer["signature"] = ed_key.sign(signed_attributes(signer))

    assert verify_token(edited(token, ed25519), DATA).tsa_subject == "CN=Ed TSA"


def test_altered_signature_is_named(tsa):
    def flip(_: cms.SignedData, signer: cms.SignerInfo) -> None:
        value = bytearray(signer["signature"].native)
        value[-1] ^= 0x01
        signer["signature"] = bytes(value)

    with pytest.raises(TimestampProblem) as refused:
        verify_token(edited(tsa.stamp(DATA), flip), DATA)
    assert str(refused.value) == "handtekening van de TSA ongeldig / TSA signature invalid"


EKU = "TSA-certificaat zonder timeStamping-gebruik / no timeStamping EKU"
NOT_VALID = "TSA-certificaat was niet geldig op dat moment / certificate not valid at gen_time"


@pytest.mark.parametrize(
    ("usages", "valid_from", "valid_until", "problem"),
    [
        ([ExtendedKeyUsageOID.TIME_STAMPING], -86400, 86400, None),
        ([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.TIME_STAMPING], -86400, 86400, None),
        (None, -86400, 86400, EKU),
        ([ExtendedKeyUsageOID.SERVER_AUTH], -86400, 86400, EKU),
        ([ExtendedKeyUsageOID.TIME_STAMPING], 0, 86400, None),
        ([ExtendedKeyUsageOID.TIME_STAMPING], 1, 86400, NOT_VALID),
        ([ExtendedKeyUsageOID.TIME_STAMPING], -86400, 0, None),
        ([ExtendedKeyUsageOID.TIME_STAMPING], -86400, -1, NOT_VALID),
    ],
    ids=[
        "timeStamping",
        "also serverAuth",
        "no EKU",
        "serverAuth only",
        "valid from gen_time",
        "valid 1 s after",
        "valid until gen_time",
        "expired 1 s before",
    ],  # fmt: skip
)
def test_tsa_certificate_usage_and_validity_at_gen_time(tsa, usages, valid_from, valid_until, problem):
    """The TSA's certificate re-issued by the CA for the same key and serial, with other usages or validity: the
    signature still holds, so only the certificate checks can refuse the token."""
    token = tsa.stamp(DATA)
    at = gen_time(tsa, token)
    reissued = tsa.issue(
        tsa.cert().public_key(),
        tsa.cert().serial_number,
        at + timedelta(seconds=valid_from),
        at + timedelta(seconds=valid_until),
        usages,
    )
    swapped = edited(token, with_certificates(reissued))
    if problem is None:
        assert verify_token(swapped, DATA).tsa_subject == "CN=Test TSA"
    else:
        with pytest.raises(TimestampProblem) as refused:
            verify_token(swapped, DATA)
        assert str(refused.value) == problem


def test_signer_certificate_is_found_by_issuer_and_serial_or_key_identifier(tsa):
    token = tsa.stamp(DATA)
    now = datetime.now(UTC)
    other = tsa.issue(
        Ed25519PrivateKey.generate().public_key(), 77, now - timedelta(days=1), now + timedelta(days=1), subject="Ander"
    )
    # another certificate of the same CA (same issuer, other serial) before the signer's
    signer = "CN=Test TSA,O=Schildwacht test"
    assert verify_token(edited(token, with_certificates(other, tsa.cert())), DATA).tsa_subject == signer

    def by_key_id(key_id: bytes) -> Callable[[cms.SignedData, cms.SignerInfo], None]:
        def edit(signed: cms.SignedData, signer: cms.SignerInfo) -> None:
            with_certificates(other, tsa.cert())(signed, signer)
            signer["sid"] = cms.SignerIdentifier(name="subject_key_identifier", value=key_id)

        return edit

    ski = tsa.cert().extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert verify_token(edited(token, by_key_id(ski)), DATA).tsa_subject == signer
    missing = "TSA-certificaat ontbreekt in het token / TSA certificate missing from token"
    for unknown in (edited(token, by_key_id(b"\x01" * 20)), tsa.stamp(DATA, cert=False)):
        with pytest.raises(TimestampProblem) as refused:
            verify_token(unknown, DATA)
        assert str(refused.value) == missing


def test_signer_infos_and_signed_attributes_are_checked(tsa):
    token = tsa.stamp(DATA)

    def two_signers(signed: cms.SignedData, signer: cms.SignerInfo) -> None:
        signed["signer_infos"] = cms.SignerInfos([signer, cms.SignerInfo.load(signer.dump())])

    def no_content_type(_: cms.SignedData, signer: cms.SignerInfo) -> None:
        signer["signed_attrs"] = cms.CMSAttributes(
            [a for a in signer["signed_attrs"] if a["type"].native != "content_type"]
        )

    def content_type_data(_: cms.SignedData, signer: cms.SignerInfo) -> None:
        for attribute in signer["signed_attrs"]:
            if attribute["type"].native == "content_type":
                attribute["values"] = cms.SetOfContentType(["data"])

    def no_signers(signed: cms.SignedData, _: cms.SignerInfo) -> None:
        signed["signer_infos"] = cms.SignerInfos([])

    for edit, problem in (
        (two_signers, "token moet precies één ondertekenaar hebben / expected one signer"),
        (no_signers, "token moet precies één ondertekenaar hebben / expected one signer"),
        (no_content_type, "content-type-attribuut ontbreekt / content-type attribute missing"),
        (content_type_data, "content-type-attribuut ontbreekt / content-type attribute missing"),
    ):
        with pytest.raises(TimestampProblem) as refused:
            verify_token(edited(token, edit), DATA)
        assert str(refused.value) == problem, edit.__name__


def test_response_that_is_no_token_is_named(tsa):
    (tsa.dir / "data").write_bytes(DATA)
    openssl("ts", "-query", "-data", "data", "-md5", "-cert", "-out", "md5.tsq", cwd=tsa.dir)
    refused = tsa.reply((tsa.dir / "md5.tsq").read_bytes(), tsa.config("sha256-only.cnf", digests="sha256"))
    with pytest.raises(TimestampProblem) as problem:
        verify_token(refused, DATA)
    assert str(problem.value) == "TSA weigerde / TSA refused: rejection"

    with pytest.raises(TimestampProblem, match="^token onleesbaar / unreadable token: "):
        verify_token(b"geen token", DATA)

    def not_tst_info(signed: cms.SignedData, _: cms.SignerInfo) -> None:
        signed["encap_content_info"] = {
            "content_type": "data",
            "content": signed["encap_content_info"]["content"].contents,
        }

    with pytest.raises(TimestampProblem) as problem:
        verify_token(edited(tsa.stamp(DATA), not_tst_info), DATA)
    assert str(problem.value) == "token bevat geen TSTInfo / no TSTInfo"

    response = tsp.TimeStampResp.load(tsa.stamp(DATA))
    response["time_stamp_token"] = {"content_type": "data", "content": b"geen SignedData"}
    with pytest.raises(TimestampProblem) as problem:
        verify_token(response.dump(force=True), DATA)
    assert str(problem.value) == "token is geen CMS SignedData / not SignedData"


def test_a_ca_list_that_names_the_tsa_certificate_pins_it(tsa):
    token = tsa.stamp(DATA)
    assert verify_token(token, DATA, [tsa.cert()]).ca_checked
    assert verify_token(token, DATA, [tsa.cert("ca.crt"), tsa.cert()]).ca_checked


@contextmanager
def tsa_server(answer: Callable[[bytes], tuple[int, bytes]]) -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    """An RFC 3161 HTTP endpoint on 127.0.0.1 answering each query with `answer(query)`; yields its URL and the
    (Content-Type, query) pairs it received."""
    received: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((self.headers.get("Content-Type", ""), query))
            status, body = answer(query)
            self.send_response(status)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def test_request_asks_for_a_sha256_token_with_a_fresh_nonce_and_the_certificate(tsa):
    sent: list[bytes] = []

    def answer(query: bytes) -> tuple[int, bytes]:
        sent.append(tsa.reply(query))
        return 200, sent[-1]

    with tsa_server(answer) as (url, received):
        tokens = [request_token(url, DATA), request_token(url, DATA)]
    assert tokens == sent
    queries = [tsp.TimeStampReq.load(query) for _, query in received]
    assert [content_type for content_type, _ in received] == ["application/timestamp-query"] * 2
    for query in queries:
        assert query["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
        assert query["message_imprint"]["hashed_message"].native == hashlib.sha256(DATA).digest()
        assert query["cert_req"].native is True and query["nonce"].native is not None
    assert queries[0]["nonce"].native != queries[1]["nonce"].native
    assert verify_token(tokens[0], DATA).tsa_subject == "CN=Test TSA,O=Schildwacht test"


def test_request_refuses_a_replayed_a_refused_or_a_wrong_answer(tsa):
    old = tsa.stamp(DATA)

    def other_content(query: bytes) -> tuple[int, bytes]:
        changed = tsp.TimeStampReq.load(query)
        changed["message_imprint"]["hashed_message"] = hashlib.sha256(b"andere inhoud").digest()
        return 200, tsa.reply(changed.dump(force=True))

    only_sha512 = tsa.config("sha512-only.cnf", digests="sha512")
    for answer, problem in (
        (lambda query: (200, old), "^TSA-antwoord hoort niet bij dit verzoek \\(nonce\\) / nonce mismatch$"),
        (lambda query: (200, tsa.reply(query, only_sha512)), "^TSA weigerde / TSA refused: rejection$"),
        (other_content, "^tijdstempel hoort bij andere inhoud / timestamp is for different content$"),
        (lambda query: (500, b""), "^TSA http://127\\.0\\.0\\.1:\\d+/tsa niet bereikbaar / unreachable: "),
    ):
        with tsa_server(answer) as (url, received), pytest.raises(TimestampProblem, match=problem):
            request_token(url, DATA)
        assert len(received) == 1


def test_request_gives_up_on_a_tsa_that_never_answers(tsa):
    """The TSA answers only once the test lets it, which it does after request_token gave up: a request without a
    time-out would still be waiting then, and the TSA would end up answering on its own (after 300 s)."""
    released, handled, let_go = threading.Event(), threading.Event(), []

    def answer(query: bytes) -> tuple[int, bytes]:
        let_go.append(released.wait(300))
        handled.set()
        return 500, b""

    with tsa_server(answer) as (url, received):
        with pytest.raises(TimestampProblem, match=f"^TSA {re.escape(url)} niet bereikbaar / unreachable: "):
            request_token(url, DATA, timeout=0.5)
        released.set()
        assert handled.wait(300)
    assert let_go == [True] and len(received) == 1


def test_a_token_granted_with_modifications_is_a_token(tsa):
    response = tsp.TimeStampResp.load(tsa.stamp(DATA))
    response["status"]["status"] = "granted_with_mods"  # the status is outside what the TSA signs
    assert verify_token(response.dump(force=True), DATA).tsa_subject == "CN=Test TSA,O=Schildwacht test"
