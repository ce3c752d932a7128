"""The trigger that keeps `flagged_post_days` (schildwacht/models/statistics.py) exact.

Every insert, delete, and update of the counted columns of a mention first takes the old row out of its day (when it
was flagged) and then adds the new row (when it is flagged), in the statement's own transaction: whatever writes
mentions (ingest, label corrections, merges, retention, purge, seed) keeps the aggregate current, and a rolled-back
write leaves it untouched. Unflagged mentions cost one comparison. The backfill makes an existing database consistent
when the trigger is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from schildwacht.vocabulary import AMSTERDAM

if TYPE_CHECKING:
    from alembic.operations import Operations

LOCAL = f"timezone('{AMSTERDAM.key}', {{row}}.created_at)"


def install_flagged_post_days_trigger(op: Operations) -> None:
    """Install the trigger on `mentions` and count the mentions already there."""
    old, new = LOCAL.format(row="OLD"), LOCAL.format(row="NEW")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION schildwacht_flagged_post_days() RETURNS trigger AS $$
        DECLARE
            slot int;
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.flagged THEN
                slot := extract(hour FROM {old})::int + 1;
                UPDATE flagged_post_days d SET posts = d.posts - 1, hours[slot] = d.hours[slot] - 1
                 WHERE d.organisation_id = OLD.organisation_id AND d.day = ({old})::date
                   AND d.official_id = OLD.official_id AND d.platform = OLD.platform AND d.flags = OLD.flags;
                DELETE FROM flagged_post_days d
                 WHERE d.organisation_id = OLD.organisation_id AND d.day = ({old})::date
                   AND d.official_id = OLD.official_id AND d.platform = OLD.platform AND d.flags = OLD.flags
                   AND d.posts <= 0;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.flagged THEN
                slot := extract(hour FROM {new})::int + 1;
                INSERT INTO flagged_post_days AS d (organisation_id, day, official_id, platform, flags, posts, hours)
                VALUES (NEW.organisation_id, ({new})::date, NEW.official_id, NEW.platform, NEW.flags, 1,
                        array_fill(0, ARRAY[slot - 1]) || 1 || array_fill(0, ARRAY[24 - slot]))
                ON CONFLICT (organisation_id, day, official_id, platform, flags)
                DO UPDATE SET posts = d.posts + 1, hours[slot] = d.hours[slot] + 1;
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql;
    """)
    op.execute("""
        CREATE TRIGGER mentions_flagged_post_days
        AFTER INSERT OR DELETE OR UPDATE OF flagged, flags, created_at, official_id, platform, organisation_id
        ON mentions FOR EACH ROW EXECUTE FUNCTION schildwacht_flagged_post_days();
    """)
    local = LOCAL.format(row="m")
    per_hour = ", ".join(f"count(*) FILTER (WHERE hour = {h})" for h in range(24))
    op.execute(f"""
        INSERT INTO flagged_post_days (organisation_id, day, official_id, platform, flags, posts, hours)
        SELECT organisation_id, day, official_id, platform, flags, count(*), ARRAY[{per_hour}]
        FROM (
            SELECT m.organisation_id, ({local})::date AS day, extract(hour FROM {local})::int AS hour,
                   m.official_id, m.platform, m.flags
            FROM mentions m WHERE m.flagged
        ) flagged
        GROUP BY organisation_id, day, official_id, platform, flags;
    """)
