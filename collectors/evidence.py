"""Evidence captured at collection time: the exact bytes served, WARC records, hashes, TLS fingerprint.

Every collected post carries a `Capture`: the raw bytes (HTTP body or JSONL line), a gzip WARC with the
request and response records (or one resource record for a file import), the capture time in UTC, the
collector's name and version, and for HTTPS the sha256 of the server certificate (DER).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit

from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from schildwacht.contracts import RawPayload, sha256_hex

COLLECTOR_VERSION = "0.1.0"
# Hop-by-hop or already undone by the HTTP client: not part of the bytes we hold.
_DROP_HEADERS = {"transfer-encoding", "content-length", "connection", "keep-alive"}
# Credentials never go into evidence.
_REDACT_HEADERS = {"authorization", "cookie", "set-cookie", "proxy-authorization"}


@dataclass(frozen=True)
class Capture:
    """What was received for one request (or one imported line), frozen at capture time."""

    raw: bytes
    content_type: str | None
    captured_at: datetime
    source_url: str
    warc: bytes
    tls_cert_sha256: str | None = None

    @property
    def raw_sha256(self) -> str:
        return sha256_hex(self.raw)

    @property
    def warc_sha256(self) -> str:
        return sha256_hex(self.warc)

    def payload(self) -> RawPayload:
        """The contract's RawPayload: raw bytes inline (when small enough) plus the WARC records."""
        raw = RawPayload.from_bytes(self.raw, content_type=self.content_type)
        raw.warc_b64 = base64.b64encode(self.warc).decode("ascii")
        raw.warc_sha256 = self.warc_sha256
        raw.tls_cert_sha256 = self.tls_cert_sha256
        return raw


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _header_pairs(headers) -> list[tuple[str, str]]:
    pairs = []
    for key, values in headers.items():
        name = key.decode("latin-1")
        if name.lower() in _DROP_HEADERS:
            continue
        if name.lower() in _REDACT_HEADERS:
            pairs.append((name, "[verwijderd]"))
            continue
        pairs += [(name, v.decode("latin-1")) for v in values]
    return pairs


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _tls_fingerprint(response: Response) -> str | None:
    certificate = getattr(response, "certificate", None)
    if certificate is None:
        return None
    return hashlib.sha256(certificate.dump()).hexdigest()


def capture_response(
    response: Response, collector: str, annotations: dict[str, str] | None = None, body: bytes | None = None
) -> Capture:
    """Freeze an HTTP exchange: request and response records in one gzip WARC.

    `annotations` become extra WARC header fields of the response record (e.g. who submitted the URL).
    `body` replaces the response body as raw bytes and WARC payload: one event of a streamed answer
    (server-sent events), whose position in the stream the caller states in `annotations`."""
    captured_at = datetime.now(UTC)
    body = response.body if body is None else body
    request = response.request
    url = response.url
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    extra = {"WARC-Date": _warc_date(captured_at), "WARC-Software": f"schildwacht-{collector}/{COLLECTOR_VERSION}"}
    if response.ip_address is not None:
        extra["WARC-IP-Address"] = str(response.ip_address)

    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    resp_headers = StatusAndHeaders(_status_line(response.status), _header_pairs(response.headers), protocol="HTTP/1.1")
    resp_headers.add_header("Content-Length", str(len(body)))
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        http_headers=resp_headers,
        warc_headers_dict={**extra, **(annotations or {})},
    )
    writer.write_record(record)
    if request is not None:
        req_headers = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1",
            [("Host", parts.netloc)] + _header_pairs(request.headers),
            is_http_request=True,
        )
        req_record = writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(request.body or b""),
            http_headers=req_headers,
            warc_headers_dict=dict(extra),
        )
        req_record.rec_headers.add_header("WARC-Concurrent-To", record.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(req_record)
    content_type = response.headers.get("Content-Type")
    return Capture(
        raw=body,
        content_type=content_type.decode("latin-1") if content_type else None,
        captured_at=captured_at,
        source_url=url,
        warc=buffer.getvalue(),
        tls_cert_sha256=_tls_fingerprint(response),
    )


def capture_resource(uri: str, data: bytes, collector: str, content_type: str = "application/json") -> Capture:
    """Freeze bytes that did not come over HTTP (a line of an imported file) as a WARC resource record."""
    captured_at = datetime.now(UTC)
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    record = writer.create_warc_record(
        uri,
        "resource",
        payload=BytesIO(data),
        warc_headers_dict={
            "WARC-Date": _warc_date(captured_at),
            "Content-Type": content_type,
            "WARC-Software": f"schildwacht-{collector}/{COLLECTOR_VERSION}",
        },
    )
    writer.write_record(record)
    return Capture(raw=data, content_type=content_type, captured_at=captured_at, source_url=uri, warc=buffer.getvalue())
