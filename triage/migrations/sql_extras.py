"""SQL that autogenerate cannot express: append-only guards on audit tables."""

from __future__ import annotations

APPEND_ONLY_TABLES = ("audit_events",)


def install_extras(op) -> None:
    """Refuse UPDATE and DELETE on append-only tables (retention runs as a separate, logged migration path)."""
    op.execute("""
        CREATE OR REPLACE FUNCTION schildwacht_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
        END;
        $$ LANGUAGE plpgsql;
    """)
    for table in APPEND_ONLY_TABLES:
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION schildwacht_append_only();
        """)
