"""Re-capture of flagged posts from a local web server: raw + WARC always, chromium parts when available."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from schildwacht.config import Settings
from schildwacht.models import EvidenceBlob, Mention
from schildwacht.models.evidence import Capture
from tests.support.waiting import wait_for
from tests.triage.bundle.bundlecase import CHROMIUM, DIACRITICS, require
from triage.bundle import layout
from triage.bundle.capture import capture_mention, pending_mentions, run_capture_worker
from triage.bundle.custody import case_events, verify_chain
from triage.bundle.export import export_bundle
from triage.bundle.verify import verify_bundle

PAGE = f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>post</title></head>
<body><article id="post"><p>{DIACRITICS}</p></article>
<script>document.getElementById('post').dataset.rendered = 'ja';</script></body></html>""".encode()
SEEN: list[str] = []  # paths the local site was asked for


@pytest.fixture
def site() -> Iterator[str]:
    SEEN.clear()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            SEEN.append(self.path)
            if self.path.startswith("/weg"):
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"niet gevonden")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _point(db, uid: str, url: str) -> int:
    with db() as s:
        mention = s.scalars(select(Mention).where(Mention.uid == uid)).one()
        mention.url = url
        s.commit()
        return mention.id


def _settings(pg, tmp_path, chromium: str | None, allow_private: bool = True) -> Settings:
    """allow_private: the local site (127.0.0.1) is declared reachable, as an intranet deployment would."""
    return Settings(
        database_url=pg.url,
        data_dir=tmp_path / "data",
        capture_timeout_seconds=20,
        capture_chromium=chromium or "/nonexistent/chromium",
        outbound_allowed_networks=["127.0.0.0/8"] if allow_private else [],
    )


def test_capture_keeps_raw_and_warc_and_logs_custody(db, built_case, pg, tmp_path, site):
    mention_id = _point(db, "mastodon:901", f"{site}/@boze_burger/901")
    with db() as s:
        capture = capture_mention(s, _settings(pg, tmp_path, None), s.get(Mention, mention_id))
        s.commit()
        assert capture.http_status == 200 and capture.status == "partial"  # no browser: honest partial
        assert "chromium" in capture.error
        assert s.get(EvidenceBlob, capture.raw_sha256).data == PAGE
        warc = s.get(EvidenceBlob, capture.warc_sha256).data
        records = {r.rec_type: r.content_stream().read() for r in ArchiveIterator(io.BytesIO(warc))}
        assert set(records) == {"request", "response"} and records["response"] == PAGE
        events = case_events(s, built_case)
        assert events[-1].kind == "captured" and events[-1].details["capture_id"] == capture.id
        assert verify_chain(events) is None


def test_failures_are_recorded_not_hidden(db, built_case, pg, tmp_path, site):
    gone = _point(db, "mastodon:902", f"{site}/weg/902")
    down = _point(db, "mastodon:903", "http://127.0.0.1:9/903")
    settings = _settings(pg, tmp_path, None)
    with db() as s:
        deleted = capture_mention(s, settings, s.get(Mention, gone))
        unreachable = capture_mention(s, settings, s.get(Mention, down))
        s.commit()
    assert deleted.status == "failed" and deleted.http_status == 404 and "HTTP 404" in deleted.error
    assert deleted.warc_sha256  # the 404 itself is evidence that the post is gone
    assert unreachable.status == "failed" and unreachable.http_status is None and "ConnectError" in unreachable.error


def test_private_addresses_are_refused_by_default(db, built_case, pg, tmp_path, site):
    port = site.rsplit(":", 1)[1]
    settings = _settings(pg, tmp_path, None, allow_private=False)
    for url in (f"{site}/904", f"http://localhost:{port}/905"):
        mention_id = _point(db, "mastodon:901", url)
        with db() as s:
            capture = capture_mention(s, settings, s.get(Mention, mention_id))
            s.commit()
            assert capture.status == "failed" and capture.http_status is None and not capture.raw_sha256
            assert "niet-openba" in capture.error and "ophalen geweigerd" in capture.error
    assert SEEN == []  # the server was never asked (the guard itself: tests/security/test_netguard.py)


def captured(db) -> int:
    with db() as s:
        return s.scalar(select(func.count()).select_from(Capture))


def test_worker_captures_each_flagged_post_once_and_bundle_includes_it(db, built_case, pg, tmp_path, site):
    for uid in ("mastodon:901", "mastodon:902", "mastodon:903"):
        _point(db, uid, f"{site}/{uid}")
    stop = threading.Event()
    worker = threading.Thread(target=run_capture_worker, args=(_settings(pg, tmp_path, None), db, stop, 0.2))
    worker.start()
    try:
        wait_for(lambda: captured(db) >= 3, "three captures by the worker")
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive()
    with db() as s:
        assert pending_mentions(s) == []  # what the worker's next round reads: nothing left to capture again
        captures = s.scalars(select(Capture)).all()
        assert sorted(c.mention_id for c in captures) == sorted(set(c.mention_id for c in captures))
        assert len(captures) == 3
        path = export_bundle(
            s, built_case, "n.smits@voorbeeld.example", tmp_path / "zaak.zip", _settings(pg, tmp_path, None)
        )
        s.commit()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert zf.read(next(n for n in names if n.endswith("-901/capture-1-raw.html"))) == PAGE
    assert any(n.endswith("-903/capture-1-warc.gz") for n in names)
    assert verify_bundle(path).ok
    assert layout.REPORT_PDF in names


def test_chromium_screenshot_pdf_and_dom(db, built_case, pg, tmp_path, site):
    require(CHROMIUM is not None, "chromium")
    mention_id = _point(db, "mastodon:901", f"{site}/@boze_burger/901")
    with db() as s:
        capture = capture_mention(s, _settings(pg, tmp_path, CHROMIUM), s.get(Mention, mention_id))
        s.commit()
        assert capture.status == "ok", capture.error
        assert s.get(EvidenceBlob, capture.screenshot_sha256).data.startswith(b"\x89PNG")
        assert s.get(EvidenceBlob, capture.pdf_sha256).data.startswith(b"%PDF")
        dom = s.get(EvidenceBlob, capture.html_sha256).data.decode()
        assert 'data-rendered="ja"' in dom and DIACRITICS in dom
        assert "hromium" in capture.tool
