"""SQL that autogenerate cannot express: append-only guards on audit tables.

`audit_events` never changes. A case's chain of custody can only be deleted together with the case itself, by a
transaction that declares it (`SET LOCAL schildwacht.purge = 'case'`, see triage/registry/purge.py).
"""

from __future__ import annotations

APPEND_ONLY_TABLES = ("audit_events", "custody_events")


def install_extras(op) -> None:
    """Refuse UPDATE and DELETE on append-only tables, except a declared purge of custody events."""
    op.execute("""
        CREATE OR REPLACE FUNCTION schildwacht_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'custody_events'
               AND current_setting('schildwacht.purge', true) = 'case' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
        END;
        $$ LANGUAGE plpgsql;
    """)
    for table in APPEND_ONLY_TABLES:
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION schildwacht_append_only();
        """)
