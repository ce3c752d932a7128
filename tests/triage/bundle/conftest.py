"""A realistic case in a real PostgreSQL: seeded organisation, flagged mentions, raw responses and real WARCs."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.triage.bundle.bundlecase import build_case, make_tsa_pki, open_case, require


@pytest.fixture
def case_factory() -> Callable[[Session], int]:
    """Seed the demo registry and open an (empty) case for wethouder Zoetelief; returns the case id."""
    return open_case


@pytest.fixture
def built_case(db) -> int:
    """A case with three flagged posts (diacritics, <script>, a doxxing reply with its parent) and custody."""
    return build_case(db)


@dataclass
class LocalTSA:
    url: str
    ca_cert: Path
    dir: Path


@pytest.fixture
def local_tsa(tmp_path) -> Iterator[LocalTSA]:
    """`openssl ts -reply` behind a tiny HTTP server on 127.0.0.1 (RFC 3161 over HTTP)."""
    require(shutil.which("openssl") is not None, "openssl")
    d = tmp_path / "tsa"
    make_tsa_pki(d)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                (d / "q.tsq").write_bytes(query)
                done = subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(d / "tsa.cnf"),
                        "-queryfile",
                        str(d / "q.tsq"),
                        "-out",
                        str(d / "r.tsr"),
                    ],
                    capture_output=True,
                    timeout=30,
                )
                body = (d / "r.tsr").read_bytes() if done.returncode == 0 else b""
            self.send_response(200 if body else 500)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTSA(url=f"http://127.0.0.1:{server.server_address[1]}/tsa", ca_cert=d / "ca.crt", dir=d)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
