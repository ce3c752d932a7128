"""Structured logs (schildwacht/logs.py): JSON lines off a terminal, with the message uid and never post text."""

from __future__ import annotations

import io
import json
import logging
import os

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa_exc

from schildwacht.logs import CONTEXT, configure
from tests.collectors.conftest import FakeHttp

POST_TEXT = "ik weet waar je woont, wethouder Zoetelief"


@pytest.fixture
def restore_root_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_uid_and_drop_other_extra_fields(restore_root_logging):
    stream = io.StringIO()
    configure(verbose=True, stream=stream)
    logging.getLogger("schildwacht.test").info(
        "case opened", extra={"uid": "mastodon:42", "stage": "triage-ingest", "text": POST_TEXT, "partition": 3}
    )
    logging.getLogger("schildwacht.test").debug("below the level")
    [entry] = lines(stream)
    assert entry["message"] == "case opened"
    assert entry["uid"] == "mastodon:42" and entry["stage"] == "triage-ingest" and entry["partition"] == 3
    assert entry["level"] == "INFO" and entry["logger"] == "schildwacht.test"
    assert entry["time"].endswith("+00:00")
    assert set(entry) <= {"time", "level", "logger", "message", *CONTEXT}
    assert "Zoetelief" not in stream.getvalue()


def test_an_exception_is_logged_without_the_statement_and_its_parameters(restore_root_logging, pg):
    stream = io.StringIO()
    configure(stream=stream)
    engine = create_engine(pg.url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT CAST(:t AS integer)"), {"t": POST_TEXT})  # fails: the text is no integer
    except sa_exc.DataError:
        logging.getLogger("schildwacht.test").exception("batch not stored", extra={"uid": "x:1"})
    finally:
        engine.dispose()
    [entry] = lines(stream)
    assert entry["error"] == 'InvalidTextRepresentation: invalid input syntax for type integer: "…"'
    assert "test_logs.py" in entry["traceback"]
    # psycopg quotes the offending value in its own message, SQLAlchemy adds the parameters: neither is logged
    assert "Zoetelief" not in stream.getvalue() and "[parameters:" not in stream.getvalue()


def test_a_terminal_gets_readable_lines(restore_root_logging):
    leader, follower = os.openpty()
    with open(follower, "w", buffering=1, closefd=True) as terminal:
        configure(stream=terminal)
        logging.getLogger("schildwacht.test").warning("broker weg")
    written = os.read(leader, 4096).decode()
    os.close(leader)
    assert "WARNING schildwacht.test: broker weg" in written
    assert not written.lstrip().startswith("{")


@pytest.fixture
def fake_http():
    server = FakeHttp()
    yield server
    server.close()


def test_verbose_logs_never_carry_a_request_url_with_its_secrets(restore_root_logging, fake_http):
    # the OAuth code exchange of triage/web/meta_connect.py sends the app secret and tokens in the query
    fake_http.answer = lambda method, target, headers, body: (200, {}, b'{"access_token": "x"}')
    stream = io.StringIO()
    configure(verbose=True, stream=stream)
    response = httpx.get(f"{fake_http.base}/oauth/access_token", params={"client_secret": "app-geheim-123"})
    logging.getLogger("schildwacht.test").info("exchange answered %d", response.status_code)
    assert len(fake_http.requests) == 1 and "app-geheim-123" in fake_http.requests[0][1]  # it went out with it
    assert "exchange answered 200" in stream.getvalue()  # verbose logging works
    assert "app-geheim-123" not in stream.getvalue()
