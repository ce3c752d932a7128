"""File import: replay a JSONL file of posts through the collector pipeline (used by `schildwacht replay`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from collectors.crawl import crawl
from schildwacht.config import Settings


@dataclass
class ReplayStats:
    posts: int
    published: int
    unmatched: int
    parked: int
    published_uids: list[str] = field(default_factory=list)
    parked_uids: list[str | None] = field(default_factory=list)


def run_replay(path: Path, settings: Settings) -> ReplayStats:
    """Run the replay spider over a JSONL file and publish the posts that mention a consenting official.

    Matched posts go to `settings.topic_raw` as CollectedMention (confirmed by the broker), unreadable
    lines to `settings.topic_dead_letter`; posts about nobody in the registry are neither published nor kept.
    Raises CrawlError when Kafka did not confirm everything. Safe to call repeatedly in one process.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"bestand niet gevonden: {path}")
    stats = crawl("replay", settings, path=str(path.resolve()))
    published = list(stats.get("schildwacht/published_uids", []))
    parked = list(stats.get("schildwacht/parked_uids", []))
    return ReplayStats(
        posts=stats.get("schildwacht/posts", 0),
        published=len(published),
        unmatched=stats.get("schildwacht/unmatched", 0),
        parked=len(parked),
        published_uids=published,
        parked_uids=parked,
    )
