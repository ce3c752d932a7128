"""A local stand-in for Meta's Graph API, in the shapes of its public reference (and the facebook-python-business-sdk
test fixtures): `{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}` pages, errors as
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}` with HTTP 400, the OAuth code exchange and
`/me/accounts`. Runs on a `tests.collectors.conftest.FakeHttp` server (a real HTTP server on 127.0.0.1).

Cursors here are base64 offsets into the object's list, as opaque to the client as Meta's; Facebook comments are
kept oldest first (what `order=chronological` asks), Instagram comments are served newest first like Instagram.
`paging.next` carries `access_token=` in its URL, as Meta's does, so a client that followed it would leak it.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

Answer = tuple[int, dict[str, str], bytes]


def graph_error(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> Answer:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return 400, {}, json.dumps({"error": error}).encode()


def _cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode()) if cursor else 0


class FakeGraph:
    """Scriptable Graph API. Tokens map to the ids they may read; `script[path]` answers first when present."""

    def __init__(self, http: Any, app_secret: str = "app-geheim-123") -> None:
        self.http = http
        self.base = http.base
        self.app_secret = app_secret
        self.tokens: dict[str, set[str]] = {}  # page token -> ids it may read (page, its IG account, objects)
        self.revoked: set[str] = set()
        self.posts: dict[str, list[dict]] = {}  # page id -> posts (newest first, as /posts lists them)
        self.media: dict[str, list[dict]] = {}  # IG user id -> media (newest first)
        self.comments: dict[str, list[dict]] = {}  # post id -> Facebook comments, oldest first
        self.ig_comments: dict[str, list[dict]] = {}  # media id -> Instagram comments, oldest first
        self.deleted: set[str] = set()
        self.instagram_of: dict[str, dict] = {}  # page id -> {"id", "username"}
        self.codes: dict[str, str] = {}  # OAuth code -> user token
        self.user_pages: dict[str, list[dict]] = {}  # user token -> [{"id", "name", "access_token"}]
        self.script: dict[str, list[Answer]] = {}
        self.headers: dict[str, str] = {}  # extra headers on every answer (usage headers)
        self.callback_base: str | None = None  # where the dialog sends the browser back (a live test server)
        http.answer = self.answer

    def add_page(self, page_id: str, token: str, instagram_id: str | None = None) -> None:
        self.tokens[token] = {page_id, *([instagram_id] if instagram_id else [])}
        self.posts.setdefault(page_id, [])
        if instagram_id:
            self.media.setdefault(instagram_id, [])

    def answer(self, method: str, target: str, headers: dict, body: bytes) -> Answer:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if self.script.get(path):
            return self.script[path].pop(0)
        if path == "/oauth/access_token":
            return self._exchange(query)
        if path == "/dialog/oauth":
            return self._dialog(query)
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else query.get("access_token", "")
        if path == "/me/accounts":
            if not token.endswith("-lang"):  # pages listed with a short-lived user token would expire in an hour
                return graph_error(190, "Short-lived token refused by this fake: extend it first")
            if token not in self.user_pages:
                return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
            return self._ok({"data": self.user_pages[token], "paging": {"cursors": {"before": "QQ", "after": "QQ"}}})
        if token in self.revoked:
            return graph_error(190, "Error validating access token: The session has been invalidated.", 460)
        if token not in self.tokens:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        segments = path.strip("/").split("/")
        if len(segments) == 2:
            owner, edge = segments
            return self._edge(token, owner, edge, query)
        if len(segments) == 1:
            return self._object(token, segments[0], query)
        return graph_error(2500, "Unknown path components", kind="OAuthException")

    def _dialog(self, query: dict) -> Answer:
        """Meta's login dialog, already agreed to: back to `redirect_uri` (on `callback_base` when set) with a code
        for the first user in `user_pages` and the state unchanged."""
        code = f"code-{len(self.codes) + 1}"
        self.codes[code] = next(iter(self.user_pages))
        target = urlsplit(query["redirect_uri"])
        base = self.callback_base or f"{target.scheme}://{target.netloc}"
        location = f"{base}{target.path}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": location}, b""

    def _ok(self, doc: Any) -> Answer:
        return 200, dict(self.headers), json.dumps(doc).encode()

    def _exchange(self, query: dict) -> Answer:
        if query.get("client_secret") != self.app_secret:
            return graph_error(1, "Error validating client secret.")
        if query.get("grant_type") == "fb_exchange_token":  # a short-lived user token for a long-lived one
            short = query.get("fb_exchange_token", "")
            if short not in self.user_pages:
                return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
            self.user_pages[f"{short}-lang"] = self.user_pages[short]
            return self._ok({"access_token": f"{short}-lang", "token_type": "bearer", "expires_in": 5183944})
        user_token = self.codes.pop(query.get("code", ""), None)  # a code is single-use
        if user_token is None:
            return graph_error(100, "This authorization code has been used.", 36009)
        return self._ok({"access_token": user_token, "token_type": "bearer", "expires_in": 3600})

    def _readable(self, token: str, owner: str) -> bool:
        allowed = self.tokens[token]
        if owner in allowed:
            return True
        objects = {p["id"] for page in allowed for p in self.posts.get(page, [])}
        objects |= {m["id"] for ig in allowed for m in self.media.get(ig, [])}
        return owner in objects

    def _edge(self, token: str, owner: str, edge: str, query: dict) -> Answer:
        if not self._readable(token, owner):
            return graph_error(10, "(#10) Requires pages_read_engagement permission", kind="OAuthException")
        limit = int(query.get("limit", "25"))
        if edge == "posts":
            items = self.posts.get(owner, [])
        elif edge == "media":
            items = self.media.get(owner, [])
        elif edge == "comments" and owner in self.comments:
            assert query.get("filter") == "stream" and query.get("order") == "chronological", query
            items = [c for c in self.comments[owner] if c["id"] not in self.deleted]
        elif edge == "comments":
            top = [c for c in reversed(self.ig_comments.get(owner, [])) if not c.get("parent_id")]
            items = [self._with_replies(c, owner) for c in top if c["id"] not in self.deleted]
        else:
            return graph_error(100, f"(#100) Tried accessing nonexisting field ({edge})", kind="OAuthException")
        offset = _offset(query.get("after"))
        page = items[offset : offset + limit]
        doc: dict[str, Any] = {"data": page}
        if page:
            doc["paging"] = {"cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page))}}
            if offset + len(page) < len(items):
                following = {**query, "after": _cursor(offset + len(page)), "access_token": token}
                doc["paging"]["next"] = f"{self.base}/v21.0/{owner}/{edge}?{urlencode(following)}"
        return self._ok(doc)

    def _with_replies(self, comment: dict, media_id: str) -> dict:
        replies = [r for r in self.ig_comments.get(media_id, []) if r.get("parent_id") == comment["id"]]
        replies = [r for r in replies if r["id"] not in self.deleted]
        shown = {k: v for k, v in comment.items() if k != "parent_id"}
        if replies:
            shown["replies"] = {"data": [{k: v for k, v in r.items() if k != "parent_id"} for r in replies]}
        return shown

    def _object(self, token: str, object_id: str, query: dict) -> Answer:
        missing = graph_error(
            100,
            f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
            "permissions, or does not support this operation.",
            33,
            kind="GraphMethodException",
        )
        if object_id in self.deleted:
            return missing
        if object_id in self.tokens[token]:
            doc: dict[str, Any] = {"id": object_id}
            if object_id in self.instagram_of:
                doc["instagram_business_account"] = self.instagram_of[object_id]
            return self._ok(doc)
        for comments in (*self.comments.values(), *self.ig_comments.values()):
            for comment in comments:
                if comment["id"] == object_id:
                    fields = query.get("fields", "id").split(",")
                    return self._ok({k: comment.get(k, False) for k in fields})
        return missing
