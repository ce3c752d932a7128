"""A local web site that serves a post (or a 404 for a deleted one) and the settings to capture it from there, for
the tests of the steps Schildwacht records itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.triage.web.triageweb_support import CHROMIUM

PAGE = b"<!doctype html><html lang=nl><head><meta charset=utf-8><title>post</title></head><body><p>bericht</p></body>"
COLLECTED = b'{"id": "1", "content": "zoals verzameld"}'


@pytest.fixture
def site() -> Iterator[str]:
    """A local web site: /weg answers 404 (a deleted post), everything else the post page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            gone = self.path.startswith("/weg")
            body = b"niet gevonden" if gone else PAGE
            self.send_response(404 if gone else 200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def capture_settings(world):
    """The local site (127.0.0.1) is declared reachable, as an intranet deployment would."""
    return world.settings.model_copy(
        update={
            "capture_chromium": CHROMIUM,
            "capture_timeout_seconds": 30,
            "outbound_allowed_networks": ["127.0.0.0/8"],
        }
    )
