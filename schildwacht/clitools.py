"""Helpers shared by the stages' command-line commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker, session_scope


@contextmanager
def database(settings: Settings | None = None) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    """The configured database (DATABASE_URL). The embedded one only lives inside `demo` and `replay`.

    Settings are read afresh per command, so the environment of each invocation decides."""
    settings = settings or Settings()
    if not settings.database_url:
        raise typer.BadParameter("DATABASE_URL is niet ingesteld / DATABASE_URL is not set.")
    engine = make_engine(settings.database_url)
    try:
        yield settings, make_sessionmaker(engine)
    finally:
        engine.dispose()


@contextmanager
def database_session(settings: Settings | None = None) -> Iterator[tuple[Settings, Session]]:
    """One committed transaction on the configured database."""
    with database(settings) as (settings, sessions), session_scope(sessions) as session:
        yield settings, session
