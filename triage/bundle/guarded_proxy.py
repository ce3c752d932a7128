"""A forward proxy on 127.0.0.1 through which the capture browser makes every request, under the outbound guard.

Why a proxy and not Playwright request interception: interception (`page.route`) sees only what the page's
network service hands it. Redirect hops of a continued request, WebSockets, preconnects, service-worker fetches
and WebRTC do not all pass through it, and fulfilling requests ourselves would still leave Chromium resolving and
connecting on its own for everything the handler never sees. A proxy sits below all of that: with
`--proxy-server` and `--proxy-bypass-list=<-loopback>` (loopback is otherwise sent direct) Chromium resolves no
name itself and opens no connection except to this proxy, whatever the page does; WebRTC is held to proxied TCP,
and chromium's own resolver is set to answer no name at all.
The capture keeps using Chromium's own command line (`--dump-dom`, `--screenshot`, `--print-to-pdf`) and needs no
browser driver.

Invariants:
- every upstream connection goes through the capture's `Pins`: one checked resolution per host, connections only
  to those addresses, the original name kept (CONNECT tunnels carry the browser's own TLS, so SNI and certificate
  check are the browser's against the real name; plain-HTTP requests are sent by the pinned httpx client);
- a refused destination (redirect hop, sub-resource, WebSocket, tunnel) gets 403 and is added to `refusals`;
  nothing is fetched from it;
- plain-HTTP responses are relayed as served (raw bytes, content encoding untouched); redirects are passed to the
  browser, whose next request comes back here and is checked again;
- whatever a connection sends, the proxy answers it (400 for a malformed request or an impossible CONNECT target,
  413 for a request body over `MAX_REQUEST_BODY`, which is never forwarded, 502 for anything else) or closes it,
  and keeps serving other connections;
- the proxy listens only between enter and exit; leaving it closes every browser connection still open and waits
  at most `CLOSE_WAIT_SECONDS` for their handlers, so `refusals` is complete unless a handler was stuck upstream
  (and such a handler can no longer deliver anything to the browser).
"""

from __future__ import annotations

import logging
import select
import socket
import socketserver
import threading
import time
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import h11
import httpx

from schildwacht.netguard import OutboundRefused, Pins

log = logging.getLogger(__name__)

HOP_BY_HOP = {
    b"connection",
    b"proxy-connection",
    b"keep-alive",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"proxy-authorization",
    b"proxy-authenticate",
    b"host",
    b"content-length",
}
MAX_REQUEST_BODY = 10 * 1024 * 1024
"""Largest request body forwarded (bytes); a page that uploads more gets 413. A capture only reads pages."""
CLOSE_WAIT_SECONDS = 10.0
"""How long leaving the proxy waits for the handlers of the browser connections it has just closed."""


class GuardedProxy:
    """Context manager: the proxy listens from enter to exit; `address` is "127.0.0.1:port" while it does."""

    def __init__(self, pins: Pins, timeout: float) -> None:
        self.pins, self.timeout = pins, timeout
        self.refusals: list[str] = []
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}  # open browser connections
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    @property
    def address(self) -> str:
        if self._server is None:
            raise RuntimeError("the proxy listens only inside its with-block")
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def client(self) -> httpx.Client:
        """The pinned client that sends the plain-HTTP requests (inside the with-block)."""
        if self._client is None:
            raise RuntimeError("the proxy forwards only inside its with-block")
        return self._client

    def chromium_flags(self) -> list[str]:
        """Flags that keep every connection of a Chromium run on this proxy.

        The proxy flags send every request here, loopback included (`<-loopback>`; loopback is otherwise sent
        direct). The rest close what a proxy setting does not cover: QUIC (HTTP/3; WebTransport is refused by
        Chromium itself when a proxy is set), WebRTC over UDP, DNS-over-HTTPS and Chromium's own resolver (which
        answers no name at all), and the media router's multicast discovery (Cast, DIAL). Chromium keeps only the
        last `--disable-features` of a command line: the caller must not pass another one."""
        return [
            f"--proxy-server=http://{self.address}",
            "--proxy-bypass-list=<-loopback>",
            "--disable-quic",
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--disable-features=DnsOverHttps,MediaRouter,DialMediaRouteProvider,NetworkTimeServiceQuerying",
        ]

    def refuse(self, reason: str) -> None:
        """Remember that a destination was refused (once per reason)."""
        with self._lock:
            if reason not in self.refusals:
                self.refusals.append(reason)

    def _opened(self, connection: socket.socket, handler: threading.Thread) -> None:
        with self._lock:
            self._connections[connection] = handler

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    def __enter__(self) -> GuardedProxy:
        self._client = self.pins.client(timeout=self.timeout, follow_redirects=False)
        try:
            self._server = _Server(("127.0.0.1", 0), _Handler)
        except BaseException:
            self._client.close()
            raise
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="capture-proxy", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None and self._thread is not None, "exit without enter"
        self._server.shutdown()  # returns once no connection is accepted any more: every open one is tracked
        self._server.server_close()
        with self._lock:
            still_open = dict(self._connections)
        for connection in still_open:
            try:
                connection.shutdown(socket.SHUT_RDWR)  # the handler's next read sees the end and it finishes
            except OSError:
                pass  # already closed by the browser
        deadline = time.monotonic() + CLOSE_WAIT_SECONDS
        for handler in still_open.values():
            handler.join(timeout=max(0.0, deadline - time.monotonic()))
        self.client.close()
        self._thread.join(timeout=CLOSE_WAIT_SECONDS)


class _Server(socketserver.ThreadingTCPServer):
    """One daemon thread per browser connection, tracked by the proxy (not by socketserver, whose close would wait
    for them without a bound)."""

    daemon_threads = True
    block_on_close = False
    proxy: GuardedProxy

    # a TCP server's request is a socket (socketserver types it for UDP servers too)
    def process_request(self, request: socket.socket, client_address: Any) -> None:  # type: ignore[override]
        handler = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="capture-proxy-connection",
            daemon=True,
        )
        self.proxy._opened(request, handler)  # in the accepting thread: tracked before shutdown() can return
        handler.start()

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        self.proxy._closed(request)
        super().shutdown_request(request)


class _Handler(socketserver.BaseRequestHandler):
    """One browser connection: plain-HTTP requests (keep-alive) or one CONNECT tunnel."""

    server: _Server

    def handle(self) -> None:
        proxy = self.server.proxy
        self.request.settimeout(proxy.timeout)
        conn = h11.Connection(h11.SERVER)
        try:
            while isinstance(event := self._next_event(conn), h11.Request):
                if event.method == b"CONNECT":
                    self._tunnel(proxy, conn, event)
                    return
                if not self._forward(proxy, conn, event):
                    return
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    return
                conn.start_next_cycle()
        except h11.RemoteProtocolError as exc:
            self._answer_failure(conn, exc.error_status_hint, "ongeldig verzoek / bad request")
        except OSError:
            return  # the browser went away, the connection timed out, or the proxy is closing
        except Exception:  # noqa: BLE001 - one broken request must not take the proxy down
            log.exception("capture proxy: request failed")
            self._answer_failure(conn, 502, "proxyfout / proxy error")

    def _next_event(self, conn: h11.Connection) -> object:
        """The next h11 event from the browser (an Event, or h11.PAUSED after a CONNECT)."""
        while (event := conn.next_event()) is h11.NEED_DATA:
            conn.receive_data(self.request.recv(65536))
        return event

    def _send(self, conn: h11.Connection, *events: h11.Event) -> None:
        for event in events:
            data = conn.send(event)
            if data:
                self.request.sendall(data)

    def _reply(self, conn: h11.Connection, status: int, text: str) -> None:
        body = text.encode()
        self._send(
            conn,
            h11.Response(
                status_code=status,
                headers=[
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            ),
            h11.Data(data=body),
            h11.EndOfMessage(),
        )

    def _answer_failure(self, conn: h11.Connection, status: int, text: str) -> None:
        """Answer `status` if no response was started yet; the connection is closed afterwards either way."""
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        try:
            self._reply(conn, status, text)
        except (OSError, h11.LocalProtocolError):
            pass

    def _tunnel(self, proxy: GuardedProxy, conn: h11.Connection, request: h11.Request) -> None:
        target = _connect_target(request.target)
        if target is None:
            self._reply(conn, 400, "ongeldig CONNECT-doel, verwacht host:poort / invalid CONNECT target")
            return
        try:
            upstream = proxy.pins.connect(*target, proxy.timeout)
        except OutboundRefused as exc:
            proxy.refuse(str(exc))
            self._reply(conn, 403, str(exc))
            return
        except OSError as exc:
            self._reply(conn, 502, f"niet bereikbaar / unreachable: {exc}")
            return
        with upstream:
            self._send(conn, h11.Response(status_code=200, headers=[], reason=b"Connection Established"))
            leftover, _ = conn.trailing_data
            if leftover:
                upstream.sendall(leftover)
            _relay(self.request, upstream, proxy.timeout)

    def _forward(self, proxy: GuardedProxy, conn: h11.Connection, request: h11.Request) -> bool:
        """Relay one plain-HTTP request; False when the connection must close (the request was refused unread)."""
        declared = next((value for name, value in request.headers if name == b"content-length"), b"0")
        if int(declared) > MAX_REQUEST_BODY:  # h11 has checked that it is a number
            self._reply(conn, 413, "verzoek te groot / request body too large")
            return False
        body = bytearray()
        while not isinstance(event := self._next_event(conn), h11.EndOfMessage):
            if not isinstance(event, h11.Data):
                raise h11.RemoteProtocolError("onverwacht verzoek / unexpected request")
            body += event.data
            if len(body) > MAX_REQUEST_BODY:  # a chunked body that keeps coming
                self._reply(conn, 413, "verzoek te groot / request body too large")
                return False
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
        try:
            url = proxy.pins.guard.check_url(request.target.decode("ascii", "replace"))
            response = proxy.client.send(
                httpx.Request(request.method.decode("ascii"), url, headers=headers, content=bytes(body)), stream=True
            )
        except OutboundRefused as exc:
            proxy.refuse(str(exc))
            self._reply(conn, 403, str(exc))
            return True
        except httpx.HTTPError as exc:
            self._reply(conn, 502, f"niet bereikbaar / unreachable: {type(exc).__name__}")
            return True
        try:
            upstream = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP - {b"content-length"}]
            self._send(
                conn,
                h11.Response(
                    status_code=response.status_code,
                    headers=upstream,
                    reason=response.reason_phrase.encode("latin-1", "replace"),
                ),
            )
            for chunk in response.iter_raw():
                self._send(conn, h11.Data(data=chunk))
            self._send(conn, h11.EndOfMessage())
        finally:
            response.close()
        return True


def _connect_target(target: bytes) -> tuple[str, int] | None:
    """(host, port) of a CONNECT request's `host:port`, or None when it is not exactly that with a port 1-65535."""
    try:
        text = target.decode("ascii")
        parts = urlsplit(f"//{text}")
        host, port = parts.hostname, parts.port
    except (UnicodeDecodeError, ValueError):
        return None
    if not host or not port or parts.netloc != text or "@" in text:
        return None
    return host, port


def _relay(browser: socket.socket, upstream: socket.socket, idle_timeout: float) -> None:
    """Copy bytes both ways until either side closes or nothing moves for `idle_timeout` seconds."""
    peers = {browser: upstream, upstream: browser}
    while True:
        readable, _, _ = select.select(list(peers), [], [], idle_timeout)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            peers[sock].sendall(data)
