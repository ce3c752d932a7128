"""Pre-counted flagged posts for the statistics page (issue 20): a day-level aggregate of `mentions`.

Invariant: for every organisation, local day (Europe/Amsterdam), official, platform and exact label set, `posts` is
the number of flagged mentions posted that day and `hours[h + 1]` how many of them at local hour h. The trigger
`mentions_flagged_post_days` (schildwacht/migrations/statistics_extras.py) keeps it so in the same transaction as
every insert, update and delete of a mention, so it is never stale; rows that drop to zero are removed. A period of
whole local days is therefore a range of `day`, and every post figure is a sum over rows instead of a scan of the
mentions.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base


class FlaggedPostDay(Base):
    """Flagged posts of one day, official, platform and label set, with their hour-of-day histogram."""

    __tablename__ = "flagged_post_days"

    organisation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # local date in Europe/Amsterdam
    official_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(40), primary_key=True)
    flags: Mapped[list[str]] = mapped_column(JSONB, primary_key=True)  # the mentions' exact `flags` value
    posts: Mapped[int]
    hours: Mapped[list[int]] = mapped_column(ARRAY(Integer))  # 24 counts; hours[1] is 00:00-00:59 local
