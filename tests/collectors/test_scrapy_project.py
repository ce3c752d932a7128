"""The collectors are a Scrapy project: scrapy.cfg at the repository root names collectors.settings, so Scrapy's
own commands work from there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the `name` of each spider in collectors/spiders
SPIDERS = [
    "bluesky",
    "intake",
    "jetstream",
    "mailbox",
    "mastodon",
    "meta",
    "replay",
    "rss",
    "submitted",
    "uploads",
    "x",
    "youtube",
]


def scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_scrapy_list_names_every_spider_and_no_base_class():
    done = scrapy("list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == SPIDERS


def test_scrapy_check_runs_in_the_project():
    done = scrapy("check", "-l")
    assert done.returncode == 0, done.stderr
    assert "Unknown command" not in done.stdout + done.stderr
