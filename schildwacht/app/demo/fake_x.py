"""A local stand-in for X API v2 recent search (`GET /2/tweets/search/recent`), for the demo and the tests.

It answers in the shapes of the public X API v2 reference: `data` (posts with id, text, author_id, created_at,
conversation_id, in_reply_to_user_id, referenced_tweets, edit_history_tweet_ids), `includes.users` and
`includes.tweets` for the expansions, `errors` for referenced posts that are gone (deleted), and `meta`
(newest_id, oldest_id, result_count, next_token); `since_id`, `until_id`, `max_results` and `next_token` work as
documented (newest first). Queries are the subset the x spider sends: `(@handle OR "phrase" …) -is:retweet`,
`from:handle -is:retweet` and `conversation_id:ID`. Only `Authorization: Bearer <token>` with the configured token
is served (else 401 in X's problem shape); every answer carries `x-rate-limit-*` headers. `script` queues canned
answers for requests whose `name=value&…` parameters contain a substring (first match wins), e.g. a 429 or a
broken body. Everything in it is fictional.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from schildwacht.app.demo.local_server import QuietHandler, start, stop

SEARCH_PATH = "/2/tweets/search/recent"
STREAM_PATH = "/2/tweets/search/stream"
RULES_PATH = "/2/tweets/search/stream/rules"
TWITTER_EPOCH_MS = 1288834974657
DEMO_DATA = Path(__file__).with_name("x_posts.json")
WINDOW_LIMIT = 450  # requests per 15-minute window, as X's app-only limit for recent search

Answer = tuple[int, dict[str, str], bytes]


def snowflake(moment: datetime, sequence: int = 0) -> str:
    """An X post id for `moment` (snowflake: milliseconds since X's epoch << 22, plus a sequence)."""
    return str(((int(moment.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22) + sequence)


@dataclass
class FakeX:
    """The fake's data and behaviour; `serve()` starts it on 127.0.0.1 (see module docstring)."""

    token: str
    users: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {"id", "username", "name"}
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> post
    script: list[tuple[str, Answer]] = field(default_factory=list)  # (parameter substring, answer), used once each
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)  # path, query, headers
    served: list[bytes] = field(default_factory=list)
    remaining: int = WINDOW_LIMIT
    reset_in_s: int = 900
    page_size: int = 100  # at most this many per page, whatever max_results asks (X may return fewer)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)  # filtered-stream rules by id
    # filtered stream: one list of lines per connection, sent in order, then the connection closes; the last one is
    # followed by a keep-alive every 0.1 s until the client hangs up (at most 60 s)
    connections: list[list[bytes]] = field(default_factory=list)
    hang_ups: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.base = ""  # set by serve()

    # -- data ---------------------------------------------------------------------------------------------------

    def user(self, user_id: str, username: str, name: str) -> dict[str, str]:
        self.users[user_id] = {"id": user_id, "username": username, "name": name}
        return self.users[user_id]

    def post(
        self,
        author: dict[str, str],
        text: str,
        minutes_ago: float = 0.0,
        reply_to: dict[str, Any] | None = None,
        seq: int = 0,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Add a post by `author` (optionally a reply to `reply_to`), made `minutes_ago` or `at`, and return it."""
        moment = at or datetime.now(UTC) - timedelta(minutes=minutes_ago)
        post_id = snowflake(moment, seq)
        tweet: dict[str, Any] = {
            "id": post_id,
            "text": text,
            "author_id": author["id"],
            "created_at": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": reply_to["conversation_id"] if reply_to else post_id,
            "lang": "nl",
            "edit_history_tweet_ids": [post_id],
        }
        if reply_to:
            tweet["in_reply_to_user_id"] = reply_to["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to["id"]}]
        self.tweets[post_id] = tweet
        return tweet

    def delete(self, post_id: str) -> None:
        """The post is gone: search no longer finds it, references to it answer with an error."""
        self.tweets.pop(post_id, None)

    @classmethod
    def demo(cls, token: str) -> FakeX:
        """The fictional demo timeline (x_posts.json): fixed ids and times, so a second demo run finds nothing new."""
        data = json.loads(DEMO_DATA.read_text(encoding="utf-8"))
        fake = cls(token=token)
        for entry in data["users"]:
            fake.user(entry["id"], entry["username"], entry["name"])
        made: dict[str, dict[str, Any]] = {}
        for seq, entry in enumerate(data["posts"]):
            parent = made.get(entry.get("reply_to", ""))
            at = datetime.fromisoformat(entry["created_at"])
            made[entry["ref"]] = fake.post(fake.users[entry["author"]], entry["text"], reply_to=parent, seq=seq, at=at)
        return fake

    # -- searching ----------------------------------------------------------------------------------------------

    def matches(self, query: str, tweet: dict[str, Any]) -> bool:
        author = self.users.get(tweet.get("author_id", ""), {}).get("username", "")
        if query.startswith("conversation_id:"):
            return tweet["conversation_id"] == query.split(":", 1)[1].strip()
        found = re.fullmatch(r"from:(\S+) -is:retweet", query)
        if found:
            return author.lower() == found.group(1).lower()
        group = re.fullmatch(r"\((.*)\) -is:retweet", query)
        if not group:
            return False
        text = tweet["text"].lower()
        terms = [t.strip().strip('"').lower() for t in group.group(1).split(" OR ")]
        return any(term in text for term in terms if term)

    def search(self, params: dict[str, str]) -> Answer:
        query = params.get("query", "")
        size = int(params.get("max_results", "10"))
        if not 10 <= size <= 100:
            return self.problem(400, "Invalid Request", "max_results must be between 10 and 100")
        since, until = int(params.get("since_id", "0")), int(params.get("until_id", str(1 << 70)))
        hits = sorted(
            (t for t in self.tweets.values() if since < int(t["id"]) < until and self.matches(query, t)),
            key=lambda t: int(t["id"]),
            reverse=True,
        )
        size = min(size, self.page_size)
        start = int(params.get("next_token", "0") or "0")
        page = hits[start : start + size]
        if not page:
            return 200, {}, json.dumps({"meta": {"result_count": 0}}).encode()
        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if start + size < len(hits):
            meta["next_token"] = f"{start + size:016d}"
        doc: dict[str, Any] = {"data": page, "includes": self.includes(page), "meta": meta}
        errors = self.missing_references(page)
        if errors:
            doc["errors"] = errors
        return 200, {}, json.dumps(doc, ensure_ascii=False).encode()

    def includes(self, page: list[dict[str, Any]]) -> dict[str, Any]:
        user_ids = {t["author_id"] for t in page if "author_id" in t} | {
            t["in_reply_to_user_id"] for t in page if "in_reply_to_user_id" in t
        }
        referenced = {r["id"] for t in page for r in t.get("referenced_tweets", ()) if r["id"] in self.tweets}
        found: dict[str, Any] = {"users": [self.users[u] for u in sorted(user_ids) if u in self.users]}
        if referenced:
            found["tweets"] = [self.tweets[r] for r in sorted(referenced)]
        return found

    def missing_references(self, page: list[dict[str, Any]]) -> list[dict[str, str]]:
        gone = sorted({r["id"] for t in page for r in t.get("referenced_tweets", ()) if r["id"] not in self.tweets})
        return [
            {
                "value": post_id,
                "detail": f"Could not find tweet with referenced_tweets.id: [{post_id}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "referenced_tweets.id",
                "resource_id": post_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            for post_id in gone
        ]

    @staticmethod
    def problem(status: int, title: str, detail: str) -> Answer:
        body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
        return status, {"Content-Type": "application/problem+json"}, json.dumps(body).encode()

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Answer:
        with self.lock:
            self.requests.append((path, params, headers))
            asked = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
            for index, (needle, canned) in enumerate(self.script):
                if needle in asked:
                    del self.script[index]
                    return canned
            if headers.get("Authorization") != f"Bearer {self.token}":
                return self.problem(401, "Unauthorized", "Unauthorized")
            if path == RULES_PATH:
                return self.list_rules()
            if path != SEARCH_PATH:
                return self.problem(404, "Not Found Error", f"no route for {path}")
            self.remaining = max(0, self.remaining - 1)
            status, extra, body = self.search(params)
            limits = {
                "x-rate-limit-limit": str(WINDOW_LIMIT),
                "x-rate-limit-remaining": str(self.remaining),
                "x-rate-limit-reset": str(int(time.time()) + self.reset_in_s),
            }
            return status, {**limits, **extra}, body

    # -- filtered stream ----------------------------------------------------------------------------------------

    def stream_line(self, tweet: dict[str, Any], rules: list[str]) -> bytes:
        """One line of the filtered stream for `tweet`, matched by the rules with these tags."""
        matched = [{"id": rule_id, "tag": rule["tag"]} for rule_id, rule in self.rules.items() if rule["tag"] in rules]
        event = {"data": tweet, "includes": self.includes([tweet]), "matching_rules": matched}
        return json.dumps(event, ensure_ascii=False).encode() + b"\r\n"

    def change_rules(self, body: bytes) -> Answer:
        request = json.loads(body)
        sent = datetime.now(UTC).isoformat()
        if "delete" in request:
            ids = [i for i in request["delete"]["ids"] if i in self.rules]
            for rule_id in ids:
                del self.rules[rule_id]
            summary = {"deleted": len(ids), "not_deleted": len(request["delete"]["ids"]) - len(ids)}
            return 200, {}, json.dumps({"meta": {"sent": sent, "summary": summary}}).encode()
        created = []
        for rule in request.get("add", []):
            rule_id = str(1_600_000_000_000_000_000 + len(self.rules) + len(self.requests))
            self.rules[rule_id] = {"id": rule_id, "value": rule["value"], "tag": rule["tag"]}
            created.append(self.rules[rule_id])
        summary = {"created": len(created), "not_created": 0, "valid": len(created), "invalid": 0}
        return 200, {}, json.dumps({"data": created, "meta": {"sent": sent, "summary": summary}}).encode()

    def list_rules(self) -> Answer:
        doc: dict[str, Any] = {"meta": {"sent": datetime.now(UTC).isoformat(), "result_count": len(self.rules)}}
        if self.rules:
            doc["data"] = list(self.rules.values())
        return 200, {}, json.dumps(doc).encode()

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Serve one stream connection (HTTP/1.0: the body ends when the connection closes)."""
        with self.lock:
            lines = self.connections.pop(0) if self.connections else []
            last = not self.connections
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.end_headers()
        try:
            for line in lines:
                handler.wfile.write(line)
                handler.wfile.flush()
                time.sleep(0.05)
            if last:
                for _ in range(600):
                    handler.wfile.write(b"\r\n")
                    handler.wfile.flush()
                    time.sleep(0.1)
            self.hang_ups.append("einde bereikt")
        except (BrokenPipeError, ConnectionResetError):
            self.hang_ups.append("client hing op")

    # -- serving ------------------------------------------------------------------------------------------------

    def serve(self) -> str:
        """Start serving on 127.0.0.1 in a daemon thread; returns the base URL."""
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == STREAM_PATH and self.headers.get("Authorization") == f"Bearer {fake.token}":
                    with fake.lock:
                        fake.requests.append((parts.path, params, dict(self.headers)))
                    fake.stream(self)
                    return
                status, headers, body = fake.answer(parts.path, params, dict(self.headers))
                self.reply(status, headers, body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    fake.requests.append((self.path, {}, dict(self.headers)))
                    if self.headers.get("Authorization") != f"Bearer {fake.token}":
                        answer = fake.problem(401, "Unauthorized", "Unauthorized")
                    else:
                        answer = fake.change_rules(body)
                self.reply(*answer)

            def reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                with fake.lock:
                    fake.served.append(body)
                super().reply(status, headers, body)

        self.server, self.base = start(Handler)
        return self.base

    def close(self) -> None:
        stop(self.server)
