"""SQL that autogenerate cannot express: append-only guards on audit tables, the automatic legal hold.

`audit_events` never changes; rows past their retention window are deleted only by a transaction that declares it
(`SET LOCAL schildwacht.purge = 'retention'`, triage/registry/retention.py). A case's chain of custody can only be
deleted together with the case itself, by a transaction that declares it (`SET LOCAL schildwacht.purge = 'case'`,
see triage/registry/purge.py).

Legal hold: recording a melding/aangifte or GIR step puts the case on legal hold in the same statement, whatever
records it (web, API, CLI, seed), and audits it as `case.legal_hold.set` (triage/legal_hold.py lifts it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.operations import Operations

APPEND_ONLY_TABLES = ("audit_events", "custody_events")
# Steunpakket steps whose recording puts a case on legal hold (evidence the police or the GIR may ask for).
HOLD_STEPS = ("melding_aangifte", "gir_geregistreerd")


def install_extras(op: Operations) -> None:
    """Refuse UPDATE and DELETE on append-only tables, except a declared purge of custody events."""
    op.execute("""
        CREATE OR REPLACE FUNCTION schildwacht_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'custody_events'
               AND current_setting('schildwacht.purge', true) = 'case' THEN
                RETURN OLD;
            END IF;
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events'
               AND current_setting('schildwacht.purge', true) = 'retention' THEN
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
    install_legal_hold_trigger(op)

    from schildwacht.migrations.statistics_extras import install_flagged_post_days_trigger

    install_flagged_post_days_trigger(op)


def install_legal_hold_trigger(op: Operations) -> None:
    """A recorded HOLD_STEPS step puts its case on legal hold (once: an existing hold keeps its reason and date)."""
    steps = ", ".join(f"'{step}'" for step in HOLD_STEPS)
    op.execute("""
        CREATE OR REPLACE FUNCTION schildwacht_hold_on_step() RETURNS trigger AS $$
        DECLARE
            held_org text;
            why text := CASE NEW.step WHEN 'melding_aangifte' THEN 'melding/aangifte bij de politie'
                                      ELSE 'registratie in het GIR' END
                        || COALESCE(' (' || NEW.reference || ')', '');
        BEGIN
            UPDATE cases SET legal_hold = true, legal_hold_since = now(), legal_hold_by = NEW.done_by,
                             legal_hold_reason = 'Automatisch: ' || why, legal_hold_reviewed_at = NULL
             WHERE id = NEW.case_id AND legal_hold IS NOT TRUE
            RETURNING organisation_id INTO held_org;
            IF FOUND THEN
                INSERT INTO audit_events (at, organisation_id, actor, action, object_type, object_id, details)
                VALUES (now(), held_org, NEW.done_by, 'case.legal_hold.set', 'case', NEW.case_id::text,
                        jsonb_build_object('case_id', NEW.case_id, 'automatic', true, 'step', NEW.step,
                                           'reason', 'Automatisch: ' || why));
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
    """)
    op.execute(f"""
        CREATE TRIGGER case_steps_legal_hold AFTER INSERT OR UPDATE OF step, reference ON case_steps
        FOR EACH ROW WHEN (NEW.step IN ({steps})) EXECUTE FUNCTION schildwacht_hold_on_step();
    """)
