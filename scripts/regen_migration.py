"""Regenerate the initial migration from the ORM models against a throwaway embedded PostgreSQL.

Until the first production release the schema lives in one migration, 0001_initial; run `make migration` after
changing schildwacht/models. Hand-written SQL (append-only triggers) lives in
schildwacht/migrations/sql_extras.py and is called at the end of upgrade().
"""

from pathlib import Path

from alembic import command

from schildwacht.db import MIGRATIONS, alembic_config
from schildwacht.embedded import EmbeddedPostgres

END = "    # ### end Alembic commands ###"

target = MIGRATIONS / "versions" / "0001_initial.py"
target.unlink(missing_ok=True)
pg = EmbeddedPostgres().start()
try:
    command.revision(alembic_config(pg.url), message="initial schema", autogenerate=True, rev_id="0001_initial")
finally:
    pg.stop()
head, sep, tail = target.read_text().partition(END)  # the first END closes upgrade()
extras = "\n    from schildwacht.migrations.sql_extras import install_extras\n\n    install_extras(op)"
target.write_text(head + sep + extras + tail)
print(f"wrote {Path(target)}")
