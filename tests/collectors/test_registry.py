"""The registry reads only active officials from PostgreSQL and picks up consent changes on refresh."""

from __future__ import annotations

from sqlalchemy import update

from collectors.registry import Registry
from schildwacht.db import session_scope
from schildwacht.models import Official


def test_registry_lists_active_officials_and_refreshes(stack, registry_seeded):
    registry = Registry(stack.settings, refresh_seconds=0)
    cached = Registry(stack.settings, refresh_seconds=3600)
    try:
        ids = {o.id for o in registry.officials()}
        assert "off-zoetelief" in ids and "off-dijkhuizen" not in ids
        assert {o.id for o in cached.officials()} == ids
        zoetelief = next(o for o in registry.officials() if o.id == "off-zoetelief")
        assert zoetelief.handles["mastodon"] == ("@mzoetelief@social.voorbeeld.example",)
        with session_scope(registry_seeded) as session:
            session.execute(update(Official).where(Official.id == "off-zoetelief").values(status="withdrawn"))
        assert "off-zoetelief" not in {o.id for o in registry.officials()}
        assert "off-zoetelief" in {o.id for o in cached.officials()}  # until its refresh interval passes
    finally:
        registry.close()
        cached.close()
