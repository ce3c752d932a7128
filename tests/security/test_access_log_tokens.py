"""Finding 10 (access log): uvicorn's access log printed the full path and query string, so an official's personal
link (`/mijn/<token>`, which works as a password) and query values ended up in the log of `schildwacht web`.

Now the access log of the served app (`serve_config`, the construction `web` uses) shows `/mijn/[token]` and
query parameter names without values; other paths stay readable."""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.triage.web.webfixtures import served


@contextmanager
def access_log() -> Iterator[io.StringIO]:
    """What the uvicorn.access logger writes while the block runs, formatted as plain messages."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    try:
        yield out
    finally:
        logger.removeHandler(handler)


def test_personal_link_tokens_and_query_values_do_not_reach_the_access_log(world, db):
    token = f"{secrets.token_urlsafe(30)}.{secrets.token_urlsafe(6)}.{secrets.token_urlsafe(20)}"
    secret_query = secrets.token_hex(16)
    with served(world.settings, db) as url, access_log() as log, httpx.Client(base_url=url) as c:
        c.get(f"/mijn/{token}")
        c.get(f"/mijn/{token}/inzage.json")
        c.get(f"/inloggen?terug={secret_query}&x=1")
        c.get("/static/app.css")
    lines = log.getvalue().splitlines()
    assert len(lines) == 4, lines  # each request was logged ...
    text = log.getvalue()
    assert token not in text and token[:20] not in text and secret_query not in text  # ... without the secrets
    assert '"GET /mijn/[token] HTTP/1.1"' in lines[0]
    assert '"GET /mijn/[token]/inzage.json HTTP/1.1"' in lines[1]
    assert '"GET /inloggen?terug=[...]&x=[...] HTTP/1.1"' in lines[2]
    assert '"GET /static/app.css HTTP/1.1" 200' in lines[3]  # public paths stay readable
