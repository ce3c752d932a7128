"""Issue 16, finding 4: the capture worker's browser must not reach internal addresses, and nothing internal may
end up as evidence.

Before the fix only the first httpx fetch was checked; chromium then loaded the permalink unguarded and followed a
redirect (or loaded sub-resources) to 127.0.0.1. The post's site here is a real server on 127.0.0.2, which the
deployment declares reachable (`outbound_allowed_networks`), standing in for a public host; the internal site is a
real server on 127.0.0.1. Nothing else is contacted: the guard's resolver knows only `localhost`, so what Chromium
asks for on its own behalf (component updates, account checks) ends at the proxy without a DNS query.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from schildwacht.config import Settings
from schildwacht.models import EvidenceBlob, Mention
from schildwacht.netguard import OutboundGuard
from tests.security.sites import INTERNAL, PUBLIC_STAND_IN, Seen, Site, loopback_dns
from tests.triage.bundle.bundlecase import CHROMIUM, build_case, require
from triage.bundle.capture import capture_mention
from triage.bundle.custody import case_events

SECRET = b"GEHEIM-INTERN-7f3a"


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    """(the post's site on 127.0.0.2, the internal site on 127.0.0.1)."""
    secret_page = (200, {"Content-Type": "text/html"}, b"<h1>" + SECRET + b"</h1>")
    with Site(INTERNAL, lambda request: secret_page) as internal:
        inside = f"127.0.0.1:{internal.port}"

        def post(request: Seen):
            html = {"Content-Type": "text/html; charset=utf-8"}
            if request.path == "/post/browser-redirect" and "Chrome" in request.user_agent:  # only the browser
                return 302, {"Location": f"http://{inside}/geheim"}, b""
            if request.path == "/post/redirect":
                return 302, {"Location": f"http://{inside}/geheim"}, b""
            if request.path == "/post/subresources":
                return (
                    200,
                    html,
                    (
                        f'<p>Wethouder, we weten je te vinden.</p><img src="http://{inside}/geheim.png">'
                        f'<iframe src="http://localhost:{internal.port}/geheim"></iframe>'
                        f'<script>fetch("http://{inside}/api"); new WebSocket("ws://{inside}/ws");</script>'
                    ).encode(),
                )
            return 200, html, b"<p>Wethouder, we weten je te vinden.</p>"

        with Site(PUBLIC_STAND_IN, post) as public:
            yield public, internal


def _capture(db, pg, tmp_path, url: str):
    settings = Settings(
        database_url=pg.url,
        data_dir=tmp_path / "data",
        capture_timeout_seconds=30,
        capture_chromium=CHROMIUM,
        outbound_allowed_networks=[f"{PUBLIC_STAND_IN}/32"],
    )
    with db() as s:
        mention = s.scalars(select(Mention).where(Mention.uid == "mastodon:901")).one()
        mention.url = url
        guard = OutboundGuard(settings.outbound_allowed_networks, resolver=loopback_dns)
        capture = capture_mention(s, settings, mention, guard=guard)
        s.commit()
        blobs = [b.data for b in s.scalars(select(EvidenceBlob)).all()]
        events = case_events(s, mention.case_id)
        return capture, blobs, events


def test_browser_redirect_to_loopback_is_refused_and_kept_out_of_evidence(db, pg, tmp_path, sites):
    require(CHROMIUM is not None, "chromium")
    public, internal = sites
    build_case(db)
    url = f"http://{PUBLIC_STAND_IN}:{public.port}/post/browser-redirect"
    capture, blobs, events = _capture(db, pg, tmp_path, url)
    assert capture.http_status == 200 and capture.raw_sha256  # the post's own page was fetched
    assert internal.seen == []  # the internal site was never asked, by httpx nor by chromium
    assert not any(SECRET in blob for blob in blobs)
    assert (capture.html_sha256, capture.screenshot_sha256, capture.pdf_sha256) == (None, None, None)
    assert capture.status == "partial"
    assert "geweigerd adres" in capture.error and "127.0.0.1 is een niet-openbaar adres (loopback)" in capture.error
    assert events[-1].kind == "captured" and events[-1].details["error"] == capture.error


def test_internal_subresources_are_refused_and_the_run_not_kept(db, pg, tmp_path, sites):
    require(CHROMIUM is not None, "chromium")
    public, internal = sites
    build_case(db)
    capture, blobs, _ = _capture(db, pg, tmp_path, f"http://{PUBLIC_STAND_IN}:{public.port}/post/subresources")
    assert internal.seen == []
    assert not any(SECRET in blob for blob in blobs)
    assert capture.raw_sha256 and capture.html_sha256 is None and capture.screenshot_sha256 is None
    assert "localhost wijst naar het niet-openbare adres 127.0.0.1" in capture.error


def test_redirect_to_loopback_stops_the_capture_before_the_browser(db, pg, tmp_path, sites):
    public, internal = sites
    build_case(db)
    capture, _, _ = _capture(db, pg, tmp_path, f"http://{PUBLIC_STAND_IN}:{public.port}/post/redirect")
    assert capture.status == "failed" and capture.http_status is None and not capture.raw_sha256
    assert "ophalen geweigerd" in capture.error and "127.0.0.1" in capture.error
    assert public.paths == ["/post/redirect"] and internal.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:{port}/geheim",
        "http://localhost:{port}/x",
        "http://[::ffff:127.0.0.1]:{port}/x",
        "http://2130706433:{port}/x",
    ],
)
def test_internal_permalinks_are_never_fetched(db, pg, tmp_path, sites, url):
    _, internal = sites
    build_case(db)
    capture, _, _ = _capture(db, pg, tmp_path, url.format(port=internal.port))
    assert capture.status == "failed" and capture.http_status is None and not capture.raw_sha256
    assert "geweigerd" in capture.error or "alleen http- en https" in capture.error
    assert internal.seen == []
