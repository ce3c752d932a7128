"""Running the intake spider over files (used by `schildwacht intake`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from collectors.crawl import crawl
from schildwacht.config import Settings


@dataclass
class IntakeStats:
    files: int
    items: int
    published: int
    unmatched: int
    parked: int
    published_uids: list[str] = field(default_factory=list)


def run_intake(
    paths: list[Path], settings: Settings, official_id: str | None = None, organisation: str | None = None
) -> IntakeStats:
    """Take in `paths`: every message that concerns a consenting official goes to the raw topic (confirmed by
    the broker), every refused file or message to the dead-letter topic with the reason. Raises CrawlError when
    Kafka did not confirm everything, FileNotFoundError for a path that is not a file."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"bestand niet gevonden: {', '.join(missing)}")
    stats = crawl(
        "intake",
        settings,
        paths=[str(Path(p).resolve()) for p in paths],
        official_id=official_id,
        organisation=organisation,
    )
    published = list(stats.get("schildwacht/published_uids", []))
    return IntakeStats(
        files=stats.get("schildwacht/intake_files", 0),
        items=stats.get("schildwacht/intake_items", 0),
        published=len(published),
        unmatched=stats.get("schildwacht/unmatched", 0),
        parked=len(stats.get("schildwacht/parked_uids", [])),
        published_uids=published,
    )
