"""Meta's webhook receiver refuses an oversized delivery before reading it: the ASGI app is driven directly, so the
test sees how many body chunks the route asked for (the TestClient would read the whole body first)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr

from triage.web.app import create_app
from triage.web.meta_webhook import MAX_BODY, WEBHOOK_PATH

CHUNK = 256 * 1024
CHUNKS = 4 * MAX_BODY // CHUNK  # four times the limit in all


def deliver(app: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST CHUNKS chunks of CHUNK bytes to the webhook; returns (status, chunks the app asked for)."""
    asked = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal asked
        if asked >= CHUNKS:
            return {"type": "http.disconnect"}
        asked += 1
        return {"type": "http.request", "body": b"{" * CHUNK, "more_body": asked < CHUNKS}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": WEBHOOK_PATH,
        "raw_path": WEBHOOK_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"schildwacht.test"), (b"x-hub-signature-256", b"sha256=" + b"0" * 64), *headers],
        "client": ("203.0.113.9", 40000),
        "server": ("schildwacht.test", 80),
    }
    asyncio.run(app(scope, receive, send))
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    return start["status"], asked


@pytest.mark.parametrize(
    "headers, most_chunks",
    [
        ([(b"transfer-encoding", b"chunked")], MAX_BODY // CHUNK + 1),  # streamed: stops just past the limit
        ([(b"content-length", str(CHUNKS * CHUNK).encode())], 0),  # declared too large: nothing is read
    ],
    ids=["chunked", "declared"],
)
def test_oversized_webhook_body_is_refused_without_reading_it(world, db, headers, most_chunks):
    settings = world.settings.model_copy(
        update={"meta_app_id": "1234567890", "meta_app_secret": SecretStr("app-geheim-123")}
    )
    status, asked = deliver(create_app(settings, db), headers)
    assert status == 413
    assert asked <= most_chunks < CHUNKS
