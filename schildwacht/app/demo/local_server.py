"""The HTTP skeleton the demo's platform stand-ins share (fake_meta, fake_x): a quiet request handler that replies
with a JSON body by default, and starting and stopping a threaded server on 127.0.0.1 on a free port.

Invariant: a server started here only ever listens on the loopback address.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = "application/json; charset=utf-8"


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that logs nothing and replies in one call."""

    def reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """Send `body` with `status` and `headers`; Content-Type JSON unless `headers` names another."""
        extra = dict(headers)
        self.send_response(status)
        self.send_header("Content-Type", extra.pop("Content-Type", JSON))
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def start(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Serve `handler` on 127.0.0.1 in a daemon thread; returns the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def stop(server: ThreadingHTTPServer | None) -> None:
    """Stop a server from `start` (nothing when there is none)."""
    if server is not None:
        server.shutdown()
        server.server_close()
