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
  browser, whose next request comes back here and is checked again.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from types import TracebackType

import h11
import httpx

from schildwacht.netguard import OutboundRefused, Pins

HOP_BY_HOP = {b"connection", b"proxy-connection", b"keep-alive", b"te", b"trailer", b"transfer-encoding",
              b"upgrade", b"proxy-authorization", b"proxy-authenticate", b"host", b"content-length"}


class GuardedProxy:
    """Context manager: the proxy runs from enter to exit; `address` is "127.0.0.1:port"."""

    def __init__(self, pins: Pins, timeout: float) -> None:
        self.pins, self.timeout = pins, timeout
        self.refusals: list[str] = []
        self.client = pins.client(timeout=timeout, follow_redirects=False)  # sends the plain-HTTP requests
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="capture-proxy", daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def chromium_flags(self) -> list[str]:
        """Flags that send every request of a Chromium run through this proxy."""
        return [f"--proxy-server=http://{self.address}", "--proxy-bypass-list=<-loopback>",
                "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
                # belt and braces: chromium's own resolver answers no name, so nothing can go around the proxy
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]

    def refuse(self, reason: str) -> None:
        """Remember that a destination was refused (once per reason)."""
        with self._lock:
            if reason not in self.refusals:
                self.refusals.append(reason)

    def __enter__(self) -> "GuardedProxy":
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.client.close()
        self._thread.join(timeout=self.timeout)


class _Server(socketserver.ThreadingTCPServer):
    # server_close() waits for the connection threads, so `refusals` is complete once the proxy has exited (each
    # thread ends when the browser closes its socket, or after the timeout).
    daemon_threads = False
    block_on_close = True
    proxy: GuardedProxy


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
                self._forward(proxy, conn, event)
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    return
                conn.start_next_cycle()
        except (OSError, h11.ProtocolError, httpx.HTTPError):
            return

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
        self._send(conn, h11.Response(status_code=status, headers=[
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]), h11.Data(data=body), h11.EndOfMessage())

    def _tunnel(self, proxy: GuardedProxy, conn: h11.Connection, request: h11.Request) -> None:
        host, _, port = request.target.decode("ascii", "replace").rpartition(":")
        try:
            upstream = proxy.pins.connect(host, int(port), proxy.timeout)
        except OutboundRefused as exc:
            proxy.refuse(str(exc))
            self._reply(conn, 403, str(exc))
            return
        except (OSError, ValueError) as exc:
            self._reply(conn, 502, f"niet bereikbaar / unreachable: {exc}")
            return
        with upstream:
            self._send(conn, h11.Response(status_code=200, headers=[], reason=b"Connection Established"))
            leftover, _ = conn.trailing_data
            if leftover:
                upstream.sendall(leftover)
            _relay(self.request, upstream, proxy.timeout)

    def _forward(self, proxy: GuardedProxy, conn: h11.Connection, request: h11.Request) -> None:
        body = b""
        while not isinstance(event := self._next_event(conn), h11.EndOfMessage):
            if not isinstance(event, h11.Data):
                raise h11.RemoteProtocolError("onverwacht verzoek")
            body += event.data
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
        try:
            url = proxy.pins.guard.check_url(request.target.decode("ascii", "replace"))
            response = proxy.client.send(httpx.Request(request.method.decode("ascii"), url, headers=headers,
                                                        content=body), stream=True)
        except OutboundRefused as exc:
            proxy.refuse(str(exc))
            self._reply(conn, 403, str(exc))
            return
        except httpx.HTTPError as exc:
            self._reply(conn, 502, f"niet bereikbaar / unreachable: {type(exc).__name__}")
            return
        try:
            upstream = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP - {b"content-length"}]
            self._send(conn, h11.Response(status_code=response.status_code, headers=upstream,
                                          reason=response.reason_phrase.encode("latin-1", "replace")))
            for chunk in response.iter_raw():
                self._send(conn, h11.Data(data=chunk))
            self._send(conn, h11.EndOfMessage())
        finally:
            response.close()


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
