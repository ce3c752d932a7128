"""Test data for bundle tests: post texts and a helper that stores a flagged post with raw bytes and a real WARC."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from schildwacht.app.seed import seed
from schildwacht.db import make_sessionmaker
from schildwacht.models import Case, EvidenceBlob, Mention
from tests.support.components import CHROMIUM, require  # noqa: F401 - re-exported for the bundle tests
from tests.support.mentions import add_mention as support_add_mention
from triage.bundle.custody import append_event

T0 = datetime(2026, 11, 20, 21, 14, 5, tzinfo=UTC)
DIACRITICS = (
    "Joëlle, jij en je café-vriendjes zijn één grote schande. Wacht maar tot ik je vind, ik weet waar je woont."
)
SCRIPT = "<script>alert('x')</script> Wethouder Zoetelief & co: we komen jullie halen <b>vanavond</b>."
PARENT = "Vanavond besluit de raad over de opvanglocatie aan de Havenweg."
REPLY = "Zoetelief, je huis staat aan de Dorpsstraat 12. Iedereen weet het nu."


def make_warc(url: str, body: bytes, content_type: str = "application/json") -> bytes:
    """A real WARC (request + response records, gzip per record) as a collector would store it."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    req = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "x")], is_http_request=True),
    )
    resp = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"),
    )
    writer.write_record(req)
    writer.write_record(resp)
    return out.getvalue()


def _blob(session: Session, data: bytes, content_type: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    if session.get(EvidenceBlob, sha) is None:
        session.add(EvidenceBlob(sha256=sha, content_type=content_type, size=len(data), data=data))
    return sha


def add_mention(
    session: Session,
    post_id: str,
    text: str,
    *,
    official_id: str = "off-zoetelief",
    created_at: datetime = T0,
    flags: tuple[str, ...] = ("threat",),
    in_reply_to_id: str | None = None,
    thread_id: str | None = None,
    case_id: int | None = None,
    with_raw: bool = True,
) -> Mention:
    """A flagged (by default) post of @boze_burger about `official_id`, with raw JSON and its WARC as evidence."""
    url = f"https://social.noorderland.example/@boze_burger/{post_id}"
    raw_meta = None
    if with_raw:
        raw = json.dumps(
            {
                "id": post_id,
                "content": f"<p>{text}</p>",
                "url": url,
                "account": {"id": "1099", "acct": "boze_burger@social.noorderland.example"},
            },
            ensure_ascii=False,
        ).encode("utf-8")
        warc = make_warc(url, raw)
        raw_meta = {
            "sha256": _blob(session, raw, "application/json"),
            "content_type": "application/json",
            "size": len(raw),
            "ref": None,
            "warc_ref": None,
            "warc_sha256": _blob(session, warc, "application/warc"),
            "tls_cert_sha256": "ab" * 32,
        }
    return support_add_mention(
        session,
        organisation_id="gm-voorbeeld",
        official_id=official_id,
        text=text,
        post_id=post_id,
        url=url,
        author="@boze_burger@social.noorderland.example",
        author_id="1099",
        author_display_name="Boze Bürger",
        author_profile_url="https://social.noorderland.example/@boze_burger",
        created_at=created_at,
        collected_at=created_at + timedelta(minutes=3),
        scored_at=created_at + timedelta(minutes=4),
        collector="mastodon",
        collector_version="1.2",
        in_reply_to_id=in_reply_to_id,
        thread_id=thread_id,
        raw_meta=raw_meta,
        scores={
            "threat": 0.93 if "threat" in flags else 0.02,
            "abuse": 0.4,
            "gender": 0.1,
            "doxxing": 0.1,
            "identity": 0.05,
        },
        flags=flags,
        model_name="robbert-schildwacht",
        model_version="2026.11",
        case_id=case_id,
    )


def open_case(session: Session) -> int:
    """Seed the demo registry and open an (empty) case for wethouder Zoetelief; returns the case id."""
    seed(session)
    case = Case(
        organisation_id="gm-voorbeeld",
        official_id="off-zoetelief",
        author_key="mastodon:@boze_burger@social.noorderland.example",
        thread_id="t-1",
        labels=["threat", "doxxing", "abuse"],
        severity=0,
        opened_at=T0,
        last_post_at=T0,
    )
    session.add(case)
    session.flush()
    return case.id


def build_case(sessions: sessionmaker[Session]) -> int:
    """A case with three flagged posts (diacritics, <script>, a doxxing reply with its parent) and custody."""
    with sessions() as s:
        case_id = open_case(s)
        add_mention(s, "900", PARENT, flags=(), thread_id="t-1", with_raw=False)
        add_mention(s, "901", DIACRITICS, case_id=case_id, thread_id="t-1")
        add_mention(
            s, "902", SCRIPT, created_at=T0 + timedelta(minutes=7), flags=("abuse",), case_id=case_id, thread_id="t-1"
        )
        add_mention(
            s,
            "903",
            REPLY,
            created_at=T0 + timedelta(minutes=9),
            flags=("doxxing",),
            case_id=case_id,
            in_reply_to_id="900",
            thread_id="t-1",
        )
        append_event(s, case_id, "created", "system:triage-ingest", {"mention_uid": "mastodon:901"})
        append_event(s, case_id, "post_added", "system:triage-ingest", {"mention_uid": "mastodon:902"})
        append_event(s, case_id, "post_added", "system:triage-ingest", {"mention_uid": "mastodon:903"})
        append_event(s, case_id, "viewed", "a.jansen@voorbeeld.example", {})
        s.commit()
    return case_id


def emptied(engine: Engine) -> sessionmaker[Session]:
    """Like the root `db` fixture, for module-scoped fixtures: empty every table, return a session factory."""
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text("select tablename from pg_tables where schemaname='public' and tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    return make_sessionmaker(engine)


TSA_CONF = """
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_tsa_pki(d: Path, name: str = "Test") -> None:
    """A CA and a TSA certificate (extendedKeyUsage critical timeStamping) made with the openssl CLI."""
    d.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "30",
        "-subj",
        f"/CN={name} Root CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )
    _openssl(
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        f"/O=Schildwacht test/CN={name} TSA",
        cwd=d,
    )
    (d / "tsa.ext").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n"
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.crt",
        "-days",
        "30",
        "-extfile",
        "tsa.ext",
        cwd=d,
    )
    (d / "tsaserial").write_text("01\n")
    (d / "tsa.cnf").write_text(TSA_CONF.format(dir=d))


def read_zip(path: Path) -> dict[str, bytes]:
    """Every member of a bundle by name."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    """A ZIP with exactly these members (used to build tampered bundles)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path
