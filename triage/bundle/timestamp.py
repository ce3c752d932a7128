"""RFC 3161 trusted timestamps: ask a TSA for a token over some bytes, and check a token offline.

The token proves that the bytes (the bundle's SHA256SUMS) existed at the TSA's time. Checking it needs no network:
the message imprint, the CMS signature over the signed attributes, the messageDigest of the TSTInfo, and the
signer certificate (extendedKeyUsage timeStamping, valid at genTime); with CAs the verifier trusts, also the chain.

What the maintained `rfc3161-client` library (Trail of Bits, used by sigstore) does here, and why not everything:
- it builds the query (`request_token`) and, when the verifier brings trusted CAs (`--tsa-ca`), does the whole
  check against them: CMS signature, certificate path to a trusted root at genTime through intermediates embedded
  in the token (real TSAs sign with a certificate under an intermediate), critical timeStamping EKU, imprint;
  its parser wants strict DER, so the token's certificate set is put in DER order first (`_as_der`);
- it cannot check a token WITHOUT a trust anchor: its verifier refuses to build without a root certificate and its
  PKCS#7 check (OpenSSL PKCS7_verify, no partial chains) fails when the token's own signer certificate is given as
  the anchor ("unable to get local issuer certificate"). Bundles are verified without `--tsa-ca` by default, and
  then the token must still be shown intact (right content, signature, TSTInfo digest, EKU, validity) and its
  signer named, with `ca_checked` false. That integrity-only check stays hand-written below (asn1crypto +
  cryptography); drop it once the library can verify a signature without a chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, VerificationError, VerifierBuilder
from rfc3161_client import decode_timestamp_response as decode_response

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha1": hashes.SHA1,
}


class TimestampProblem(RuntimeError):
    """A timestamp could not be obtained or does not check out; the message says why (Dutch / English)."""


@dataclass(frozen=True)
class TimestampInfo:
    gen_time: datetime
    serial: int
    tsa_subject: str
    tsa_cert_sha256: str
    ca_checked: bool


def request_token(url: str, data: bytes, timeout: float = 30.0) -> bytes:
    """POST a sha256 timestamp query (nonce, TSA certificate requested) for `data`; returns the DER TimeStampResp
    after checking it."""
    query = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        response = httpx.post(
            url, content=query.as_bytes(), timeout=timeout, headers={"Content-Type": "application/timestamp-query"}
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise TimestampProblem(f"TSA {url} niet bereikbaar / unreachable: {exc}") from exc
    if _load(response.content)[1]["nonce"].native != query.nonce:
        raise TimestampProblem("TSA-antwoord hoort niet bij dit verzoek (nonce) / nonce mismatch")
    verify_token(response.content, data)
    return response.content


def _load(der: bytes) -> tuple[cms.SignedData, tsp.TSTInfo, bytes]:
    try:
        # The status is read on its own first: a refusal carries no token (RFC 3161), and asn1crypto's TimeStampResp
        # cannot be read without one.
        status = tsp.PKIStatusInfo.load(core.Sequence.load(der)[0].dump())["status"].native
        if status not in ("granted", "granted_with_mods"):
            raise TimestampProblem(f"TSA weigerde / TSA refused: {status}")
        token = tsp.TimeStampResp.load(der)["time_stamp_token"]
        if token["content_type"].native != "signed_data":
            raise TimestampProblem("token is geen CMS SignedData / not SignedData")
        signed = token["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TimestampProblem("token bevat geen TSTInfo / no TSTInfo")
        tst_der = encap["content"].contents
        return signed, tsp.TSTInfo.load(tst_der), tst_der
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampProblem(f"token onleesbaar / unreadable token: {exc}") from exc


def _signer_cert(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            match = cert.serial_number == sid.chosen["serial_number"].native and cert.issuer == sid.chosen["issuer"]
        else:
            match = cert.key_identifier == sid.chosen.native
        if match:
            return x509.load_der_x509_certificate(cert.dump())
    raise TimestampProblem("TSA-certificaat ontbreekt in het token / TSA certificate missing from token")


def _check_signature(cert: x509.Certificate, signer: cms.SignerInfo, hash_name: str) -> None:
    attrs = signer["signed_attrs"].dump()
    signed_bytes = b"\x31" + attrs[1:]  # signature covers the attributes as a SET OF, not [0] IMPLICIT
    signature = signer["signature"].native
    algo = signer["signature_algorithm"].signature_algo
    key = cert.public_key()
    digest = _HASHES[hash_name]()
    try:
        if isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pss":
            key.verify(signature, signed_bytes, padding.PSS(padding.MGF1(digest), padding.PSS.AUTO), digest)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed_bytes, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(digest))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, signed_bytes)
        else:
            raise TimestampProblem(f"onbekend sleuteltype / unsupported key type {type(key).__name__}")
    except InvalidSignature as exc:
        raise TimestampProblem("handtekening van de TSA ongeldig / TSA signature invalid") from exc


def verify_token(der: bytes, data: bytes, trusted_cas: list[x509.Certificate] | None = None) -> TimestampInfo:
    """Check a TimeStampResp against `data`; raises TimestampProblem naming the first failure."""
    signed, tst, tst_der = _load(der)
    imprint = tst["message_imprint"]
    imprint_alg = imprint["hash_algorithm"]["algorithm"].native
    if imprint_alg not in _HASHES or hashlib.new(imprint_alg, data).digest() != imprint["hashed_message"].native:
        raise TimestampProblem("tijdstempel hoort bij andere inhoud / timestamp is for different content")
    if len(signed["signer_infos"]) != 1:
        raise TimestampProblem("token moet precies één ondertekenaar hebben / expected one signer")
    signer = signed["signer_infos"][0]
    hash_name = signer["digest_algorithm"]["algorithm"].native
    if hash_name not in _HASHES:
        raise TimestampProblem(f"onbekend hashalgoritme / unsupported digest {hash_name}")
    attrs = {a["type"].native: a["values"][0].native for a in signer["signed_attrs"]}
    if attrs.get("content_type") != "tst_info":
        raise TimestampProblem("content-type-attribuut ontbreekt / content-type attribute missing")
    if attrs.get("message_digest") != hashlib.new(hash_name, tst_der).digest():
        raise TimestampProblem("TSTInfo gewijzigd (messageDigest) / TSTInfo altered")
    cert = _signer_cert(signed, signer)
    _check_signature(cert, signer, hash_name)
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound as exc:
        raise TimestampProblem("TSA-certificaat zonder timeStamping-gebruik / no timeStamping EKU") from exc
    if ExtendedKeyUsageOID.TIME_STAMPING not in eku.value:
        raise TimestampProblem("TSA-certificaat zonder timeStamping-gebruik / no timeStamping EKU")
    gen_time = tst["gen_time"].native
    if not cert.not_valid_before_utc <= gen_time <= cert.not_valid_after_utc:
        raise TimestampProblem("TSA-certificaat was niet geldig op dat moment / certificate not valid at gen_time")
    if trusted_cas:
        _check_chain(der, data, cert, trusted_cas)
    return TimestampInfo(
        gen_time=gen_time,
        serial=tst["serial_number"].native,
        tsa_subject=cert.subject.rfc4514_string(),
        tsa_cert_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        ca_checked=bool(trusted_cas),
    )


def _check_chain(der: bytes, data: bytes, cert: x509.Certificate, trusted_cas: list[x509.Certificate]) -> None:
    """The whole token checked by rfc3161-client against the trusted CAs; a CA list that names the TSA certificate
    itself pins it."""
    if cert in trusted_cas:
        return
    builder = VerifierBuilder()
    for ca in trusted_cas:
        builder = builder.add_root_certificate(ca)
    try:
        builder.build().verify_message(decode_response(_as_der(der)), data)
    except (VerificationError, ValueError) as exc:
        raise TimestampProblem(
            f"TSA-certificaat niet uitgegeven door de opgegeven CA / not issued by trusted CA: {exc}"
        ) from exc


def _as_der(der: bytes) -> bytes:
    """The response with its certificate SET OF in DER order. `openssl ts -reply` lists the signer first and the
    chain after it, which the library's strict DER parser refuses (InvalidSetOrdering). The CMS signature covers
    the signed attributes, not this set, so reordering it changes nothing that was signed."""
    resp = tsp.TimeStampResp.load(der)
    signed = resp["time_stamp_token"]["content"]
    certificates = signed["certificates"]
    if certificates.native is None or len(certificates) < 2:
        return der
    ordered = sorted(choice.dump() for choice in certificates)
    signed["certificates"] = cms.CertificateSet([cms.CertificateChoices.load(item) for item in ordered])
    return resp.dump(force=True)
