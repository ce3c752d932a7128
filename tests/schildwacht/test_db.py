"""Schema, migrations and the demo seed against the real embedded PostgreSQL."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from schildwacht.app.seed import DEMO_PASSWORD, seed
from schildwacht.db import migrate, session_scope
from schildwacht.models import AuditEvent, Official, StaffUser
from triage.security import verify_password


def test_migrate_is_idempotent(pg, db):
    migrate(pg.url)
    with session_scope(db) as s:
        assert s.execute(text("select version_num from alembic_version")).scalar() == "0001_initial"


def test_seed_loads_demo_and_hashes_passwords(db):
    with session_scope(db) as s:
        first = seed(s)
        again = seed(s)
    assert first["officials"] >= 5 and first["organisations"] == 2
    assert again == {"organisations": 0, "officials": 0, "staff": 0}
    with session_scope(db) as s:
        user = s.query(StaffUser).first()
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, DEMO_PASSWORD)
        assert not verify_password(user.password_hash, "wrong")
        assert s.query(Official).filter_by(status="withdrawn").count() >= 1


def test_audit_log_is_append_only(db):
    with session_scope(db) as s:
        s.add(AuditEvent(actor="test", action="viewed", object_type="case", object_id="1"))
    with pytest.raises(DBAPIError, match="append-only"):
        with session_scope(db) as s:
            s.execute(text("update audit_events set action='x'"))
    with pytest.raises(DBAPIError, match="append-only"):
        with session_scope(db) as s:
            s.execute(text("delete from audit_events"))
