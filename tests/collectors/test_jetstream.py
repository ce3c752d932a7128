"""The Jetstream spider against a local WebSocket server speaking Jetstream's message shapes: matching posts are
published, the time_us cursor is stored and sent back on the next connection, replayed events are not published
twice."""

from __future__ import annotations

import asyncio
import json
import threading
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import serve

from collectors.crawl import crawl
from schildwacht.contracts import CollectedMention

BASE_US = 1_795_000_000_000_000


def post_event(n: int, text: str, reply_to: str | None = None) -> dict:
    record = {"$type": "app.bsky.feed.post", "createdAt": "2026-11-20T10:00:00.000Z", "langs": ["nl"], "text": text}
    if reply_to:
        parent = {"uri": f"at://did:plc:ouder/app.bsky.feed.post/{reply_to}", "cid": "bafy"}
        record["reply"] = {"parent": parent, "root": parent}
    return {
        "did": f"did:plc:schrijver{n}",
        "time_us": BASE_US + n,
        "kind": "commit",
        "commit": {
            "rev": f"rev{n}",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": f"3lrkey{n}",
            "record": record,
            "cid": f"bafy{n}",
        },
    }


EVENTS = [
    post_event(1, "Wethouder Zoetelief moet oppassen, we weten waar ze woont."),
    post_event(2, "Mooi weer vandaag in het park."),
    {"did": "did:plc:x", "time_us": BASE_US + 3, "kind": "identity", "identity": {"did": "did:plc:x"}},
    post_event(4, "Zoetelief, schaam je.", reply_to="3lrkey1"),
]
LATER = [post_event(5, "Nog een keer: wethouder Zoetelief is een schande.")]


class FakeJetstream:
    """Serves, per connection, every event with time_us at or after the `cursor` query parameter, then closes."""

    def __init__(self) -> None:
        self.events = list(EVENTS)
        self.queries: list[dict[str, list[str]]] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(30), "websocket server did not start"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        async def handler(connection) -> None:
            query = parse_qs(urlsplit(connection.request.path).query)
            self.queries.append(query)
            since = int(query.get("cursor", ["0"])[0])
            for event in self.events:
                if event["time_us"] >= since:
                    await connection.send(json.dumps(event))

        self.stop = asyncio.Event()
        async with serve(handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await self.stop.wait()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=30)


def test_jetstream_publishes_matching_posts_and_resumes_from_its_time_us_cursor(stack, registry_seeded, read_topic):
    server = FakeJetstream()
    try:
        settings = stack.settings.model_copy(
            update={"collector_jetstream_url": f"ws://127.0.0.1:{server.port}/subscribe"}
        )
        first = crawl("jetstream", settings)
        server.events += LATER
        second = crawl("jetstream", settings)
    finally:
        server.close()

    assert server.queries[0] == {"wantedCollections": ["app.bsky.feed.post"]}
    assert server.queries[1]["cursor"] == [str(BASE_US + 4)], "the second round resumes at the last event seen"
    assert sorted(first["schildwacht/published_uids"]) == ["bluesky:3lrkey1", "bluesky:3lrkey4"]
    assert second["schildwacht/published_uids"] == ["bluesky:3lrkey5"], "the replayed event 4 is not sent again"
    raw = {m.uid: m for m in (CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw))}
    assert sorted(raw) == ["bluesky:3lrkey1", "bluesky:3lrkey4", "bluesky:3lrkey5"]
    assert json.loads(raw["bluesky:3lrkey4"].raw.inline_bytes()) == EVENTS[3]
    assert (
        raw["bluesky:3lrkey4"].in_reply_to_id == "3lrkey1" and raw["bluesky:3lrkey4"].author.id == "did:plc:schrijver4"
    )
