"""A local RFC 3161 time-stamping authority for the bundle tests: `openssl ts -reply` over a CA and a TSA
certificate made by `make_tsa_pki`, and `openssl ts -text` as a second reader of its tokens."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.triage.bundle.bundlecase import make_tsa_pki

DATA = b"SHA256SUMS van een bundel / of a bundle\n"
EVERY_DIGEST = "sha256, sha384, sha512, sha1, sha3-256, md5"


def openssl(*args: str | Path, cwd: Path) -> str:
    return subprocess.run(
        ["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True, text=True, timeout=60
    ).stdout


@dataclass(frozen=True)
class Tsa:
    """A CA and an RSA TSA certificate (`make_tsa_pki`) and `openssl ts -reply` configurations over them."""

    dir: Path

    def config(self, name: str, **settings: str) -> str:
        """A copy of tsa.cnf with `settings` replaced (e.g. signer_digest); returns its file name."""
        text = (self.dir / "tsa.cnf").read_text()
        for key, value in settings.items():
            text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        (self.dir / name).write_text(text)
        return name

    def stamp(self, data: bytes = DATA, digest: str = "sha256", config: str = "tsa.cnf", cert: bool = True) -> bytes:
        """The TimeStampResp that `openssl ts -reply` gives for a query over `data`."""
        (self.dir / "data").write_bytes(data)
        openssl("ts", "-query", "-data", "data", f"-{digest}", *(["-cert"] if cert else []), "-out", "q.tsq",
                cwd=self.dir)  # fmt: skip
        return self.reply((self.dir / "q.tsq").read_bytes(), config)

    def reply(self, query: bytes, config: str = "tsa.cnf") -> bytes:
        (self.dir / "q.tsq").write_bytes(query)
        openssl("ts", "-reply", "-config", config, "-queryfile", "q.tsq", "-out", "r.tsr", cwd=self.dir)
        return (self.dir / "r.tsr").read_bytes()

    def as_openssl_reads_it(self, token: bytes) -> dict[str, str]:
        """`openssl ts -reply -in ... -text`: 'Serial number', 'Time stamp', 'Status', ... (the second path)."""
        (self.dir / "read.tsr").write_bytes(token)
        text = openssl("ts", "-reply", "-in", "read.tsr", "-text", cwd=self.dir)
        return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)

    def key(self, name: str = "tsa.key") -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        """tsa.key (RSA) or ca.key (EC P-256)."""
        key = serialization.load_pem_private_key((self.dir / name).read_bytes(), None)
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        return key

    def cert(self, name: str = "tsa.crt") -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.dir / name).read_bytes())

    def issue(
        self,
        public_key: CertificatePublicKeyTypes,
        serial: int,
        not_before: datetime,
        not_after: datetime,
        usages: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.TIME_STAMPING,),
        subject: str = "Test TSA",
    ) -> x509.Certificate:
        """A certificate from this CA (serial, validity and extendedKeyUsage chosen by the test)."""
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(self.cert("ca.crt").subject)
            .public_key(public_key)
            .serial_number(serial)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        )
        if usages is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(usages)), critical=True)
        return builder.sign(self.key("ca.key"), hashes.SHA256())


def gen_time(tsa: Tsa, token: bytes) -> datetime:
    stamped = " ".join(tsa.as_openssl_reads_it(token)["Time stamp"].split())
    return datetime.strptime(stamped, "%b %d %H:%M:%S %Y GMT").replace(tzinfo=UTC)


def local_tsa_in(d: Path) -> Tsa:
    """A fresh CA and TSA in `d`, answering queries in every digest of EVERY_DIGEST."""
    make_tsa_pki(d)
    tsa = Tsa(d)
    tsa.config("tsa.cnf", digests=EVERY_DIGEST)
    return tsa
