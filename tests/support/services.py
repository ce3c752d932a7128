"""Real PostgreSQL and Kafka for the tests: started per test session, or borrowed from servers already running.

`make mutation` (scripts/mutation.py) runs the tests hundreds of times, once per mutant; starting a cluster and a
broker for each run would dominate. It starts one of each, migrates a template database and sets

- `SCHILDWACHT_TEST_POSTGRES_TEMPLATE_URL`: URL of a migrated database on a running server;
- `SCHILDWACHT_TEST_KAFKA_BOOTSTRAP`: bootstrap address of a running broker.

Invariant: a borrowed database is a fresh copy of the template (`CREATE DATABASE ... TEMPLATE`) private to one test
session and dropped at its end, so concurrent sessions never see each other's rows; topics are already unique per
test (`stack`). Without the variables every session starts its own embedded services, as before.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from schildwacht.embedded import EmbeddedPostgres, TansuBroker

POSTGRES_TEMPLATE_ENV = "SCHILDWACHT_TEST_POSTGRES_TEMPLATE_URL"
KAFKA_ENV = "SCHILDWACHT_TEST_KAFKA_BOOTSTRAP"


@dataclass(frozen=True)
class Borrowed:
    """A running service the session did not start (same attributes the tests read from the embedded ones)."""

    url: str = ""
    bootstrap: str = ""


def _admin_engine(template_url: str):
    admin = make_url(template_url).set(database="postgres")
    return create_engine(admin, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@contextmanager
def postgres() -> Iterator[EmbeddedPostgres | Borrowed]:
    """A migrated database: a private copy of the borrowed template, or a new embedded cluster."""
    template_url = os.environ.get(POSTGRES_TEMPLATE_ENV)
    if not template_url:
        from schildwacht.db import migrate

        server = EmbeddedPostgres().start()
        try:
            migrate(server.url)
            yield server
        finally:
            server.stop()
        return
    template = make_url(template_url)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(template_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"'))
        yield Borrowed(url=template.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def kafka() -> Iterator[TansuBroker | Borrowed]:
    """The borrowed broker, or a new embedded Tansu broker."""
    bootstrap = os.environ.get(KAFKA_ENV)
    if bootstrap:
        yield Borrowed(bootstrap=bootstrap)
        return
    broker = TansuBroker().start()
    try:
        yield broker
    finally:
        broker.stop()
