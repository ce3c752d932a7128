"""A local stand-in for the YouTube Data API v3 `commentThreads.list`, on a `FakeHttp` server
(tests/collectors/conftest.py), in the shapes of the public API reference: commentThread resources with snippet
(channelId, videoId, topLevelComment, totalReplyCount) and replies.comments, comment resources with snippet
(textDisplay, textOriginal, authorDisplayName, authorChannelUrl, authorChannelId.value, publishedAt, parentId),
`nextPageToken`/`pageToken` paging (newest thread first), and Google's error shape
(`{"error": {"code", "message", "errors": [{"reason", "domain", "message"}]}}`) for a wrong key (400 badRequest),
a spent daily quota (403 quotaExceeded) and disabled comments (403 commentsDisabled). Only `X-Goog-Api-Key` with the
configured key is served; every answered call counts one unit in `units`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]


def google_error(status: int, reason: str, message: str, domain: str = "youtube.commentThread") -> Answer:
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return status, {}, json.dumps(body).encode()


class FakeYouTube:
    """See the module docstring; `thread()` and `reply()` add data, `script` queues canned answers."""

    def __init__(self, http: Any, key: str, quota: int = 10_000) -> None:
        self.key = key
        self.quota = quota
        self.units = 0
        self.page_size = 100
        self.threads: list[dict[str, Any]] = []
        self.disabled: set[str] = set()  # video ids with comments turned off
        self.script: list[tuple[str, Answer]] = []
        self.asked: list[dict[str, str]] = []
        self.sequence = 0
        http.answer = self.answer

    def comment(self, author: str, channel: str, video: str, text: str, minutes_ago: float, **extra: Any) -> dict:
        self.sequence += 1
        moment = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "kind": "youtube#comment",
            "etag": f"etag{self.sequence}",
            "id": extra.pop("comment_id", f"Ugz{self.sequence:04d}xYzAbC"),
            "snippet": {
                "channelId": channel,
                "videoId": video,
                "textDisplay": text,
                "textOriginal": text,
                "authorDisplayName": f"@{author}",
                "authorProfileImageUrl": "https://yt3.ggpht.com/fictief=s48",
                "authorChannelUrl": f"http://www.youtube.com/@{author}",
                "authorChannelId": {"value": f"UC{author[:20]:_<22}"},
                "canRate": True,
                "viewerRating": "none",
                "likeCount": 0,
                "publishedAt": moment,
                "updatedAt": moment,
                **extra,
            },
        }

    def thread(self, author: str, channel: str, video: str, text: str, minutes_ago: float) -> dict:
        """A new top-level comment (and its thread) under `video` of `channel`."""
        top = self.comment(author, channel, video, text, minutes_ago)
        thread = {
            "kind": "youtube#commentThread",
            "etag": f"thread{self.sequence}",
            "id": top["id"],
            "snippet": {
                "channelId": channel,
                "videoId": video,
                "topLevelComment": top,
                "canReply": True,
                "totalReplyCount": 0,
                "isPublic": True,
            },
        }
        self.threads.append(thread)
        return thread

    def reply(self, thread: dict, author: str, text: str, minutes_ago: float) -> dict:
        snippet = thread["snippet"]
        self.sequence += 1
        reply = self.comment(
            author,
            snippet["channelId"],
            snippet["videoId"],
            text,
            minutes_ago,
            comment_id=f"{thread['id']}.{self.sequence:04d}rEpLy",
            parentId=thread["id"],
        )
        thread.setdefault("replies", {"comments": []})["comments"].append(reply)
        snippet["totalReplyCount"] += 1
        return reply

    def answer(self, method: str, target: str, headers: dict, body: bytes) -> Answer:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.asked.append(query)
        asked = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        for index, (needle, canned) in enumerate(self.script):
            if needle in asked:
                del self.script[index]
                return canned
        if headers.get("X-Goog-Api-Key") != self.key:
            return google_error(400, "badRequest", "API key not valid. Please pass a valid API key.", "global")
        if self.units >= self.quota:
            return google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
                "youtube.quota",
            )
        self.units += 1
        if parts.path != "/youtube/v3/commentThreads":
            return google_error(404, "notFound", "Not Found", "global")
        if query.get("videoId") in self.disabled:
            return google_error(403, "commentsDisabled", "The video has disabled comments.")
        if "allThreadsRelatedToChannelId" in query:
            chosen = [t for t in self.threads if t["snippet"]["channelId"] == query["allThreadsRelatedToChannelId"]]
        else:
            chosen = [t for t in self.threads if t["snippet"]["videoId"] == query.get("videoId")]
        chosen.sort(key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"], reverse=True)
        size = min(int(query.get("maxResults", "20")), self.page_size)
        start = int(query.get("pageToken", "0") or "0")
        doc: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "etag": f"page{start}",
            "pageInfo": {"totalResults": len(chosen[start : start + size]), "resultsPerPage": size},
            "items": chosen[start : start + size],
        }
        if start + size < len(chosen):
            doc["nextPageToken"] = f"{start + size:08d}"
        return 200, {}, json.dumps(doc, ensure_ascii=False).encode()
