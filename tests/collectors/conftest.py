"""Helpers for the collector tests: read back what really reached the broker."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kafka import KafkaConsumer, TopicPartition

from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.db import session_scope


def _read_topic(settings: Settings, topic: str, timeout: float = 20.0) -> list:
    """Every record currently on `topic` (all partitions, from the beginning to the end offsets)."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
        max_partition_fetch_bytes=settings.kafka_max_request_size,
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        records = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end[tp] for tp in tps):
            assert time.monotonic() < deadline, f"timed out reading {topic}"
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


@pytest.fixture
def read_topic():
    """read_topic(settings, topic) -> every record on the topic, from the beginning."""
    return _read_topic


@pytest.fixture
def registry_seeded(db):
    """The demo registry (7 consenting officials, 1 withdrawn) in the emptied database."""
    with session_scope(db) as session:
        seed(session)
    return db


Answer = Callable[[str, str, dict, bytes], tuple[int, dict, bytes]]  # (method, target, headers, body) -> reply


class FakeHttp:
    """A real HTTP server on 127.0.0.1 in a thread; `answer(method, target, headers, body)` gives
    (status, headers, body). Requests and the bodies served are recorded for assertions."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.answer: Answer = lambda method, target, headers, body: (404, {}, b"{}")
        self.requests: list[tuple[str, str, dict]] = []
        self.served: list[bytes] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append((self.command, self.path, dict(self.headers)))
                    code, headers, payload = fake.answer(self.command, self.path, dict(self.headers), body)
                    fake.served.append(payload)
                headers = dict(headers)
                self.send_response(code)
                self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
                for name, value in headers.items():
                    if name != "Content-Length":
                        self.send_header(name, value)
                # a scripted Content-Length may announce more than is sent (truncated or giant answers)
                self.send_header("Content-Length", headers.pop("Content-Length", str(len(payload))))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_http():
    """A local HTTP server whose answers the test scripts (see FakeHttp)."""
    server = FakeHttp()
    yield server
    server.close()


@pytest.fixture
def fake_https(tmp_path):
    """(FakeHttp over TLS with a fresh self-signed certificate, that certificate in DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = FakeHttp(tls=context)
    yield server, cert.public_bytes(serialization.Encoding.DER)
    server.close()
