"""Shared fixtures: one real Tansu broker and one real PostgreSQL 18 per test session (or borrowed ones, see
`tests.support.services`).

Tests that need a component that is missing skip locally and fail under CI=true (`tests.support.components.require`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker, migrate
from schildwacht.embedded import EmbeddedPostgres, TansuBroker
from tests.support import services
from tests.support.services import Borrowed


@pytest.fixture(scope="session")
def broker() -> Iterator[TansuBroker | Borrowed]:
    with services.kafka() as b:
        yield b


@pytest.fixture(scope="session")
def pg() -> Iterator[EmbeddedPostgres | Borrowed]:
    with services.postgres() as server:
        yield server


@pytest.fixture
def pg_outage() -> Iterator[EmbeddedPostgres]:
    """A migrated PostgreSQL of this test's own, which the test may stop (`stop(keep_data=True)`) and start again at
    the same URL: a real outage, while the session's `pg` stays up for the other tests."""
    server = EmbeddedPostgres().start()
    migrate(server.url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def engine(pg: EmbeddedPostgres) -> Iterator[Engine]:
    eng = make_engine(pg.url)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    """A session factory on an emptied database."""
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text("select tablename from pg_tables where schemaname='public' and tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    return make_sessionmaker(engine)


@dataclass
class Stack:
    settings: Settings
    bootstrap: str
    database_url: str


@pytest.fixture
def stack(broker: TansuBroker, pg: EmbeddedPostgres, db, tmp_path) -> Stack:
    """Settings pointing at the real broker and database, with topics unique to this test."""
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(
        kafka_bootstrap_servers=broker.bootstrap,
        database_url=pg.url,
        data_dir=tmp_path / "data",
        topic_raw=f"raw-{suffix}",
        topic_scored=f"scored-{suffix}",
        topic_dead_letter=f"dlq-{suffix}",
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        outbound_allowed_networks=["127.0.0.0/8"],  # the fake platforms run on 127.0.0.1 (tests/security narrows it)
    )
    return Stack(settings=settings, bootstrap=broker.bootstrap, database_url=pg.url)
