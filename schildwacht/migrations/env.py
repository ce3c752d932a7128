"""Alembic environment: runs migrations against the URL set by schildwacht.db.alembic_config."""

from alembic import context
from sqlalchemy import create_engine

from schildwacht.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set (schildwacht.db.migrate sets it)")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
