"""The demo history fills every chart of a demo organisation, stays closed, carries no text and is added once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from schildwacht.app.demo_history import seed_history
from schildwacht.app.seed import seed
from schildwacht.db import session_scope
from schildwacht.models import Case, Mention
from triage.statistics.charts import CHARTED
from triage.statistics.period import custom_period
from triage.statistics.service import compute


def test_history_fills_every_chart_once(db, settings):
    with session_scope(db) as s:
        seed(s)
        added = seed_history(s, today=date(2026, 12, 6))
    with session_scope(db) as s:
        assert seed_history(s, today=date(2026, 12, 6)) == {"history_cases": 0, "history_posts": 0}
        cases = s.scalar(select(func.count()).select_from(Case))
        open_cases = s.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_(["nieuw", "in_behandeling"]))
        )
        texts = s.scalar(select(func.count()).select_from(Mention).where(Mention.text.is_not(None)))
        stats = compute(s, settings, "gm-voorbeeld", custom_period("2026-08-08", "2026-12-05"))
    assert added["history_cases"] == cases > 100 and open_cases == 0 and texts == 0
    for key in CHARTED:
        table = stats.table(key)
        numbers = [v for row in table.rows for v in row[1:] if isinstance(v, (int, float))]
        assert any(numbers), f"chart {key} is empty"
    assert stats.headline.threat_cases > 0 and stats.table("herhalers").rows
