"""A local stand-in for the Meta Graph API for the demo: one fictional Facebook page with a post and its comments,
in the Graph API's shapes (`data` + `paging.cursors`, comments with `from`, `parent`, `is_hidden`, errors as
`{"error": {"code", ...}}`). Only `Authorization: Bearer <token>` with the demo token is served (else code 190).
Everything in it is fictional.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from schildwacht.app.demo.local_server import QuietHandler, start, stop

PAGE_ID = "104000000000777"
PAGE_NAME = "Wethouder Marieke Zoetelief (demo)"
POST_ID = f"{PAGE_ID}_8001"
COMMENTS = (  # (name, text, hours ago, hidden by the page)
    ("Boze Burger", "Zoetelief, ik weet waar je woont. Pas maar op.", 5.0, False),
    ("Anke Buurvrouw", "Goed dat het zwembad openblijft!", 4.5, False),
    ("Trol1978", "Wat een leugenaar ben jij, wethouder.", 3.0, True),
    ("Kees Kritisch", "Ik ben het niet eens met dit besluit, de raad moet dit herzien.", 2.0, False),
)
Answer = tuple[int, dict[str, str], bytes]


class FakeMeta:
    """The demo's page, post and comments; `serve()` starts it on 127.0.0.1 and returns its base URL."""

    def __init__(self, token: str) -> None:
        self.token = token
        now = datetime.now(UTC)
        stamp = "%Y-%m-%dT%H:%M:%S+0000"
        self.post = {"id": POST_ID, "created_time": (now - timedelta(hours=6)).strftime(stamp)}
        self.comments = [
            {
                "id": f"{POST_ID}_{9001 + i}",
                "message": text,
                "created_time": (now - timedelta(hours=hours)).strftime(stamp),
                "from": {"id": f"9000{i}", "name": name},
                "is_hidden": hidden,
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/8001?comment_id={9001 + i}",
            }
            for i, (name, text, hours, hidden) in enumerate(COMMENTS)
        ]
        self.requests: list[str] = []
        self.server: ThreadingHTTPServer | None = None

    def answer(self, target: str, headers: dict[str, str]) -> Answer:
        self.requests.append(target)
        if headers.get("Authorization") != f"Bearer {self.token}":
            error = {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
            return 400, {}, json.dumps({"error": error}).encode()
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        items: list[dict[str, Any]]
        if parts.path == f"/{PAGE_ID}/posts":
            items = [self.post]
        elif parts.path == f"/{POST_ID}/comments":
            items = self.comments
        else:
            found = [c for c in self.comments if parts.path == f"/{c['id']}"]
            if found:
                return 200, {}, json.dumps({"id": found[0]["id"], "is_hidden": found[0]["is_hidden"]}).encode()
            error = {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}
            return 400, {}, json.dumps({"error": {**error, "error_subcode": 33}}).encode()
        start = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
        page = items[start : start + int(query.get("limit", "25"))]
        doc: dict[str, Any] = {"data": page}
        if page:
            doc["paging"] = {"cursors": {"after": base64.b64encode(str(start + len(page)).encode()).decode()}}
        return 200, {}, json.dumps(doc).encode()

    def serve(self) -> str:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self.reply(*fake.answer(self.path, dict(self.headers)))

        self.server, base = start(Handler)
        return base

    def close(self) -> None:
        stop(self.server)
