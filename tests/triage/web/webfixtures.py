"""Fixtures for the triage web tests, shared with tests/security: seeded organisations, cases with posts, an app,
logged-in clients and a live uvicorn server for the browser tests. conftest.py files import them from here."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import uvicorn
from sqlalchemy import select

from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.embedded import free_port
from schildwacht.models import Mention, StaffUser
from schildwacht.models.base import utcnow
from tests.triage.web.triageweb_support import ORG_A, ORG_B, USERS, XSS_TEXT, Client, add_case, add_mention, login
from triage.web.app import create_app
from triage.web.serving import serve_config


@dataclass
class World:
    settings: Settings
    cases: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(db, pg, tmp_path) -> World:
    """Both demo organisations with cases: A has threat/doxxing/abuse/XSS cases, B has one threat case."""
    settings = Settings(
        database_url=pg.url,
        secret_key="test-secret-" + "x" * 20,
        data_dir=tmp_path,
        public_base_url="https://schildwacht.test",
    )
    w = World(settings=settings)
    with db() as s, s.begin():
        seed(s)
        abuse = add_case(
            s,
            org=ORG_A,
            official="off-debruijn",
            labels=["abuse"],
            age_minutes=300,
            texts=["Jij bent een domme trut, ga weg uit de raad"],
            author="@hater@x.example",
            spans=[{"start": 15, "end": 19, "label": "abuse", "text": "trut", "source": "lexicon"}],
        )
        threat = add_case(
            s,
            org=ORG_A,
            official="off-zoetelief",
            labels=["threat"],
            age_minutes=90,
            texts=["Zoetelief, ik weet waar je woont. Ik steek je huis in brand."],
            author="@boos@x.example",
            thread="t-1",
            spans=[{"start": 36, "end": 60, "label": "threat", "text": "Ik steek je huis in brand", "source": "rules"}],
        )
        dox = add_case(
            s,
            org=ORG_A,
            official="off-azzouzi",
            labels=["doxxing"],
            age_minutes=10,
            texts=["Azzouzi woont op Dorpsstraat 12, ga maar langs"],
            author="@dox@x.example",
        )
        xss = add_case(
            s,
            org=ORG_A,
            official="off-terhorst",
            labels=["abuse"],
            age_minutes=20,
            texts=[XSS_TEXT],
            author="@xss@x.example",
        )
        # thread context and author history for the threat case
        parent = add_mention(
            s,
            org=ORG_A,
            official="off-zoetelief",
            text="Wethouder Zoetelief opent de nieuwe brug",
            author="@nieuws@x.example",
            thread="t-1",
            post_id="t-1",
        )
        earlier = add_mention(
            s,
            org=ORG_A,
            official="off-zoetelief",
            text="Die Zoetelief moet oppassen",
            author="@boos@x.example",
            platform="bluesky",
            created=utcnow() - timedelta(days=3),
        )
        b_threat = add_case(
            s,
            org=ORG_B,
            official="off-vermeulen",
            labels=["threat"],
            age_minutes=30,
            texts=["Vermeulen, je gaat eraan"],
            author="@noord@x.example",
        )
        w.cases = {"abuse": abuse.id, "threat": threat.id, "doxxing": dox.id, "xss": xss.id, "b_threat": b_threat.id}
        w.mentions = {
            "threat": threat.mentions[0].id if threat.mentions else None,
            "parent": parent.id,
            "earlier": earlier.id,
        }
        for key in ("abuse", "doxxing", "xss", "b_threat"):
            w.mentions[key] = s.scalar(select(Mention.id).where(Mention.case_id == w.cases[key]))
        w.mentions["threat"] = s.scalar(select(Mention.id).where(Mention.case_id == threat.id))
        for key, email in USERS.items():
            w.users[key] = s.scalar(select(StaffUser.id).where(StaffUser.email == email))
    return w


@pytest.fixture
def app(world, db):
    return create_app(world.settings, db)


@pytest.fixture
def client_factory(app):
    made = []

    def make(who: str | None) -> Client:
        c = login(app, who)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@contextmanager
def served(settings: Settings, db, **options) -> Iterator[str]:
    """The app served as `schildwacht web` serves it (`serve_config`: trusted proxies only, redacted access log) by
    uvicorn on a free loopback port in a background thread; yields the base URL. `options` go to uvicorn."""
    config = serve_config(
        settings, create_app(settings, db), host="127.0.0.1", port=free_port(), lifespan="off", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def live_server(world, db):
    """The app served by `served` (the construction `schildwacht web` uses) for the browser tests."""
    with served(world.settings, db, log_level="warning") as url:
        yield url
