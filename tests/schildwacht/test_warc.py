"""schildwacht.warc: the one WARC writer of collection and capture, and its one header redaction rule."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator

from schildwacht.warc import EvidenceWarc, HttpRequest, HttpResponse, evidence_headers

MOMENT = datetime(2026, 11, 20, 21, 14, 5, 123456, tzinfo=UTC)
BODY = b'{"id": "1", "content": "wethouder Zoetelief"}'


def test_redaction_rule_keeps_names_hides_credentials_and_drops_transfer_headers():
    given = [
        ("Authorization", "Bearer geheim-token"),
        ("cookie", "sessie=abc"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Proxy-Authorization", "Basic eHl6"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "999"),
        ("Connection", "keep-alive"),
        ("Keep-Alive", "timeout=5"),
        ("Content-Encoding", "gzip"),
        ("Content-Type", "application/json"),
    ]
    kept = [
        ("Authorization", "[verwijderd]"),
        ("cookie", "[verwijderd]"),
        ("Set-Cookie", "[verwijderd]"),
        ("Set-Cookie", "[verwijderd]"),
        ("Proxy-Authorization", "[verwijderd]"),
    ]
    assert evidence_headers(given) == [*kept, ("Content-Encoding", "gzip"), ("Content-Type", "application/json")]
    # a body the client decoded no longer has the Content-Encoding it was sent with
    assert evidence_headers(given, decoded=True) == [*kept, ("Content-Type", "application/json")]


def test_exchange_records_hold_the_body_and_redacted_headers_on_both_sides():
    warc = EvidenceWarc("schildwacht-test/1", MOMENT)
    response_id = warc.response(
        HttpResponse(
            url="https://social.example/api/v1/statuses/1?x=1",
            status=200,
            headers=[("Content-Type", "application/json"), ("Set-Cookie", "sessie=geheim"), ("Content-Length", "3")],
            body=BODY,
            ip_address="192.0.2.7",
        ),
        annotations={"Schildwacht-Submitted-By": "n.smits@voorbeeld.example"},
    )
    warc.request(
        HttpRequest(
            "GET",
            "https://social.example/api/v1/statuses/1?x=1",
            [("Authorization", "Bearer geheim"), ("User-Agent", "SchildwachtBot/0"), ("Host", "elders.example")],
        ),
        concurrent_to=response_id,
    )
    data = warc.getvalue()
    (response, response_body), (request, _) = _records(data)
    assert b"geheim" not in _plain(data)
    assert response.rec_type == "response" and response_body == BODY
    assert response.http_headers.get_header("Content-Length") == str(len(BODY))
    assert response.http_headers.get_header("Set-Cookie") == "[verwijderd]"
    assert response.rec_headers.get_header("WARC-Date") == "2026-11-20T21:14:05.123456Z"
    assert response.rec_headers.get_header("WARC-IP-Address") == "192.0.2.7"
    assert response.rec_headers.get_header("Schildwacht-Submitted-By") == "n.smits@voorbeeld.example"
    assert response.rec_headers.get_header("WARC-Payload-Digest") == _digest(BODY)
    assert request.rec_type == "request" and request.rec_headers.get_header("WARC-Concurrent-To") == response_id
    assert (
        request.http_headers.protocol == "GET" and request.http_headers.statusline == "/api/v1/statuses/1?x=1 HTTP/1.1"
    )
    assert request.http_headers.get_header("Host") == "social.example"  # from the URL, not a header given
    assert request.http_headers.get_header("Authorization") == "[verwijderd]"


def test_response_head_documents_the_exchange_without_the_body():
    warc = EvidenceWarc("schildwacht-test/1", MOMENT)
    resource_id = warc.resource("https://social.example/page", b'{"id":"1"}', "application/json")
    warc.response_head(
        HttpResponse("https://social.example/page", 200, [("Content-Type", "application/json")], BODY),
        annotations={"Schildwacht-Page-SHA256": hashlib.sha256(BODY).hexdigest()},
        concurrent_to=resource_id,
    )
    (resource, resource_body), (head, head_body) = _records(warc.getvalue())
    assert resource.rec_type == "resource" and resource_body == b'{"id":"1"}'
    assert head.rec_type == "metadata" and head.rec_headers.get_header("WARC-Concurrent-To") == resource_id
    assert head_body == b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
    assert b"Zoetelief" not in _plain(warc.getvalue())


def _records(warc: bytes) -> list:
    """(record, payload) of every record (a record's stream is readable only while iterating)."""
    return [(r, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(warc))]


def _plain(warc: bytes) -> bytes:
    return gzip.decompress(warc)


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()
