"""Evidence captured at collection time: the bytes that concern one post, WARC records, hashes, TLS fingerprint.

Every collected post carries a `Capture` of its own, so the evidence of one post never carries other people's posts:
- an answer that is one post (a submitted URL, one event of a stream, a line of an imported file): the exact bytes
  served, in a WARC with the response and request records (or one resource record for a file import);
- one post out of a page that lists many (a timeline, a search result, a thread, a feed): `PageEvidence.post`
  keeps the post's own JSON as raw bytes, and a WARC with that JSON as a resource record, the page's status line
  and headers without its body, and the request. The page's sha256 and size travel with the post
  (`Capture.page_sha256`, WARC header `Schildwacht-Page-SHA256`), with where in the page the post stood
  (`Schildwacht-Page-Position`), so provenance verifies against the platform's answer without keeping it.
Every Capture has the capture time in UTC, the collector's name and version, and for HTTPS the sha256 of the
server certificate (DER). WARC writing and its header redaction are `schildwacht.warc`'s.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response

from schildwacht.contracts import IntakeReceipt, RawPayload, sha256_hex
from schildwacht.warc import EvidenceWarc, HttpRequest, HttpResponse

COLLECTOR_VERSION = "0.2.0"
POST_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Capture:
    """What was kept for one post, frozen at capture time."""

    raw: bytes
    content_type: str | None
    captured_at: datetime
    source_url: str
    warc: bytes
    tls_cert_sha256: str | None = None
    page_sha256: str | None = None
    page_size: int | None = None
    intake: IntakeReceipt | None = None  # how a handed-over file came in (intake only)

    @property
    def raw_sha256(self) -> str:
        return sha256_hex(self.raw)

    @property
    def warc_sha256(self) -> str:
        return sha256_hex(self.warc)

    def payload(self) -> RawPayload:
        """The contract's RawPayload: raw bytes inline (when small enough), the WARC records, the page's hash."""
        raw = RawPayload.from_bytes(self.raw, content_type=self.content_type)
        raw.warc_b64 = base64.b64encode(self.warc).decode("ascii")
        raw.warc_sha256 = self.warc_sha256
        raw.tls_cert_sha256 = self.tls_cert_sha256
        raw.page_sha256 = self.page_sha256
        raw.page_size = self.page_size
        raw.intake = self.intake
        return raw


def _software(collector: str) -> str:
    return f"schildwacht-{collector}/{COLLECTOR_VERSION}"


def _pairs(headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]


def _tls_fingerprint(response: Response) -> str | None:
    certificate = getattr(response, "certificate", None)
    if certificate is None:
        return None
    return hashlib.sha256(certificate.dump()).hexdigest()


def _exchange(response: Response, body: bytes) -> tuple[HttpResponse, HttpRequest | None]:
    """Scrapy's response and request as `schildwacht.warc` describes them (nothing decoded: see settings)."""
    http_response = HttpResponse(
        url=response.url,
        status=response.status,
        headers=_pairs(response.headers),
        body=body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
    )
    request = response.request
    if request is None:
        return http_response, None
    return http_response, HttpRequest(request.method, request.url, _pairs(request.headers), request.body or b"")


def _content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def capture_response(
    response: Response, collector: str, annotations: dict[str, str] | None = None, body: bytes | None = None
) -> Capture:
    """Freeze an HTTP answer that is one post: response and request records in one gzip WARC.

    `annotations` become extra WARC header fields of the response record (e.g. who submitted the URL).
    `body` replaces the response body as raw bytes and WARC payload: one event of a streamed answer
    (server-sent events), whose position in the stream the caller states in `annotations`."""
    captured_at = datetime.now(UTC)
    body = response.body if body is None else body
    http_response, http_request = _exchange(response, body)
    warc = EvidenceWarc(_software(collector), captured_at)
    record_id = warc.response(http_response, annotations)
    if http_request is not None:
        warc.request(http_request, concurrent_to=record_id)
    return Capture(
        raw=body,
        content_type=_content_type(response),
        captured_at=captured_at,
        source_url=response.url,
        warc=warc.getvalue(),
        tls_cert_sha256=_tls_fingerprint(response),
    )


def entity_bytes(entity: Any) -> bytes:
    """A post's own JSON as kept in evidence: UTF-8, keys in the platform's order, no insignificant whitespace."""
    return json.dumps(entity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class PageEvidence:
    """One fetched page that lists many posts; `post()` gives each post its own Capture (see module docstring).

    Invariant: no Capture made here holds a byte of the page's body other than the post's own JSON."""

    def __init__(self, response: Response, collector: str) -> None:
        self.response = response
        self.collector = collector
        self.captured_at = datetime.now(UTC)
        self.sha256 = sha256_hex(response.body)
        self.size = len(response.body)
        self.tls_cert_sha256 = _tls_fingerprint(response)

    def post(self, entity: Any, position: str) -> Capture:
        """The evidence of the post `entity`, found at `position` in the page (a JSON pointer such as `/3` or
        `/feed/2/post`, or `entries/4` in a feed)."""
        raw = entity_bytes(entity)
        http_response, http_request = _exchange(self.response, self.response.body)
        page = {
            "Schildwacht-Page-SHA256": self.sha256,
            "Schildwacht-Page-Size": str(self.size),
            "Schildwacht-Page-Position": position,
        }
        warc = EvidenceWarc(_software(self.collector), self.captured_at)
        record_id = warc.resource(self.response.url, raw, POST_CONTENT_TYPE, annotations=page)
        warc.response_head(http_response, annotations=page, concurrent_to=record_id)
        if http_request is not None:
            warc.request(http_request, concurrent_to=record_id)
        return Capture(
            raw=raw,
            content_type=POST_CONTENT_TYPE,
            captured_at=self.captured_at,
            source_url=self.response.url,
            warc=warc.getvalue(),
            tls_cert_sha256=self.tls_cert_sha256,
            page_sha256=self.sha256,
            page_size=self.size,
        )


def capture_resource(uri: str, data: bytes, collector: str, content_type: str = "application/json") -> Capture:
    """Freeze bytes that did not come over HTTP (a line of an imported file) as a WARC resource record."""
    captured_at = datetime.now(UTC)
    warc = EvidenceWarc(_software(collector), captured_at)
    warc.resource(uri, data, content_type)
    return Capture(raw=data, content_type=content_type, captured_at=captured_at, source_url=uri, warc=warc.getvalue())
