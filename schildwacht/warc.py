"""One WARC writer for all evidence: what a collector received and what a capture fetched again.

Invariants of every WARC written here:
- one gzip member per record; every record carries the same WARC-Date (the capture moment, UTC, microseconds)
  and WARC-Software, and a response's request (or head) record names it in WARC-Concurrent-To;
- HTTP headers pass `evidence_headers`, the one redaction rule: a credential header (Authorization, Cookie,
  Set-Cookie, Proxy-Authorization, X-Goog-Api-Key) stays by name with the value "[verwijderd]", never its value;
  hop-by-hop headers and Content-Length are dropped, and Content-Length is written again for the payload as stored;
  where the HTTP client undid a Content-Encoding (`HttpResponse.decoded`), that header is dropped too, so the headers
  always describe the bytes in the record;
- the payload of a response or resource record is exactly the bytes given (warcio adds the digests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REDACTED = "[verwijderd]"
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization", "x-goog-api-key"})
# Hop-by-hop, or describing the transfer rather than the bytes kept.
TRANSFER_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


def evidence_headers(pairs: Iterable[tuple[str, str]], decoded: bool = False) -> list[tuple[str, str]]:
    """`pairs` as they may go into evidence (the module's redaction rule); order and repeats are kept."""
    kept = []
    for name, value in pairs:
        lower = name.lower()
        if lower in TRANSFER_HEADERS or (decoded and lower == "content-encoding"):
            continue
        kept.append((name, REDACTED if lower in CREDENTIAL_HEADERS else value))
    return kept


def status_line(status: int, reason: str | None = None) -> str:
    """'200 OK': the status code with the given or the standard reason phrase."""
    if reason:
        return f"{status} {reason}"
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def warc_date(moment: datetime) -> str:
    """WARC-Date of `moment`: UTC with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class HttpRequest:
    """A request as sent; `headers` unredacted (the writer applies `evidence_headers`)."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class HttpResponse:
    """A response as received; `decoded` says the client undid its Content-Encoding (`body` is decoded)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    reason: str | None = None
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    decoded: bool = False


class EvidenceWarc:
    """An in-memory gzip WARC of one capture event; `getvalue()` gives its bytes."""

    def __init__(self, software: str, captured_at: datetime) -> None:
        self._buffer = BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=True)
        self._common = {"WARC-Date": warc_date(captured_at), "WARC-Software": software}

    def _write(
        self,
        uri: str,
        record_type: str,
        payload: bytes,
        http_headers: StatusAndHeaders | None = None,
        annotations: dict[str, str] | None = None,
        content_type: str | None = None,
        concurrent_to: str | None = None,
    ) -> str:
        headers = {**self._common, **(annotations or {})}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        record = self._writer.create_warc_record(
            uri,
            record_type,
            payload=BytesIO(payload),
            http_headers=http_headers,
            warc_headers_dict=headers,
            warc_content_type=content_type or "",
        )
        self._writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def response(self, response: HttpResponse, annotations: dict[str, str] | None = None) -> str:
        """A response record holding `response.body`; returns its WARC-Record-ID."""
        extra = dict(annotations or {})
        if response.ip_address:
            extra.setdefault("WARC-IP-Address", response.ip_address)
        return self._write(response.url, "response", response.body, self._response_head(response), extra)

    def response_head(
        self, response: HttpResponse, annotations: dict[str, str] | None = None, concurrent_to: str | None = None
    ) -> str:
        """A metadata record with the status line and headers of `response` but none of its body (whose sha256
        the caller states in `annotations`): the exchange is documented, the page's content is not kept."""
        head = self._response_head(response)
        head.remove_header("Content-Length")
        extra = dict(annotations or {})
        if response.ip_address:
            extra.setdefault("WARC-IP-Address", response.ip_address)
        return self._write(
            response.url,
            "metadata",
            head.to_bytes(),
            annotations=extra,
            content_type="application/http; msgtype=response",
            concurrent_to=concurrent_to,
        )

    def request(self, request: HttpRequest, concurrent_to: str | None = None) -> str:
        """A request record (request line, Host, redacted headers, body); returns its WARC-Record-ID."""
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
        http = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1",
            [("Host", parts.netloc), *evidence_headers(headers)],
            is_http_request=True,
        )
        return self._write(request.url, "request", request.body, http, concurrent_to=concurrent_to)

    def resource(
        self,
        uri: str,
        data: bytes,
        content_type: str,
        annotations: dict[str, str] | None = None,
        concurrent_to: str | None = None,
    ) -> str:
        """A resource record: bytes that did not come as one HTTP response (an imported line, one post taken out
        of a page); returns its WARC-Record-ID."""
        return self._write(
            uri, "resource", data, annotations=annotations, content_type=content_type, concurrent_to=concurrent_to
        )

    def getvalue(self) -> bytes:
        """The WARC so far."""
        return self._buffer.getvalue()

    @staticmethod
    def _response_head(response: HttpResponse) -> StatusAndHeaders:
        head = StatusAndHeaders(
            status_line(response.status, response.reason),
            evidence_headers(response.headers, decoded=response.decoded),
            protocol=response.protocol,
        )
        head.add_header("Content-Length", str(len(response.body)))
        return head
