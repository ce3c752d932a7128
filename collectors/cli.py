"""Collector commands for the `schildwacht` CLI (help texts in Dutch)."""

from __future__ import annotations

import logging
import time
from enum import Enum

import typer
from rich.console import Console

from collectors.crawl import CrawlError, crawl
from schildwacht.config import Settings

err = Console(stderr=True)
log = logging.getLogger("collectors")


class Source(str, Enum):
    mastodon = "mastodon"
    bluesky = "bluesky"
    rss = "rss"
    jetstream = "jetstream"  # Bluesky in real time; nothing when SCHILDWACHT_COLLECTOR_JETSTREAM_URL is unset
    mailbox = "mailbox"  # the forwarding mailbox (IMAP); nothing when SCHILDWACHT_INTAKE_IMAP_HOST is unset
    uploads = "uploads"  # files staff uploaded in the web app ("Melding toevoegen"); nothing when none wait
    meta = "meta"  # Facebook pages and Instagram accounts that officials connected (comments; Meta Graph API)
    x = "x"  # X API v2; nothing when SCHILDWACHT_COLLECTOR_X_BEARER_TOKEN is unset
    youtube = "youtube"  # YouTube Data API v3; nothing when SCHILDWACHT_COLLECTOR_YOUTUBE_API_KEY is unset


def collect_once(settings: Settings, sources: list[Source]) -> dict[str, dict[str, int]]:
    """One round over the sources; returns per source the counts and logs one structured line each."""
    counts: dict[str, dict[str, int]] = {}
    for source in sources:
        try:
            stats = crawl(source.value, settings)
        except CrawlError as exc:
            err.print(f"[red]{source.value}: {exc}[/]")
            counts[source.value] = {"fout": 1}
            continue
        counts[source.value] = {
            "gepubliceerd": stats.get("schildwacht/published", 0),
            "niet_relevant": stats.get("schildwacht/unmatched", 0),
            "geparkeerd": stats.get("schildwacht/parked", 0),
            "http_fouten": stats.get("schildwacht/http_errors", 0),
            "verzoeken": stats.get("downloader/request_count", 0),
        }
        line = " ".join(f"{k}={v}" for k, v in counts[source.value].items())
        err.print(f"verzameld bron={source.value} {line}", soft_wrap=True, highlight=False)
        log.info("verzameld bron=%s %s", source.value, line)
    return counts


def _configured() -> Settings:
    """The production broker and database; collectors never start embedded services (that is `demo`/`replay`)."""
    from schildwacht.config import get_settings

    settings = get_settings()
    missing = [
        name
        for name, value in (
            ("KAFKA_BOOTSTRAP_SERVERS", settings.kafka_bootstrap_servers),
            ("DATABASE_URL", settings.database_url),
        )
        if not value
    ]
    if missing:
        raise typer.BadParameter(
            f"{' en '.join(missing)} niet ingesteld. Verzamelen gebruikt de productie-broker en -database; "
            "probeer `schildwacht demo` of `schildwacht replay` voor een proefrun met ingebouwde diensten."
        )
    return settings


def collect(
    source: list[Source] = typer.Option(list(Source), "--bron", "-b", help="Bron(nen) om te verzamelen."),
    every: float = typer.Option(
        0, "--elke", min=0, help="Herhaal elke zoveel seconden (0: één keer verzamelen en stoppen)."
    ),
) -> None:
    """Verzamel openbare berichten over de geregistreerde (instemmende) bestuurders en stuur ze door.

    Elke bron onthoudt tot waar hij gekomen is; een herstart gaat daar verder, zonder dubbelingen.
    """
    settings = _configured()
    while True:
        started = time.monotonic()
        collect_once(settings, source)
        if not every:
            return
        pause = max(0.0, every - (time.monotonic() - started))
        err.print(f"volgende ronde over {pause:.0f} s (Ctrl-C stopt)")
        time.sleep(pause)


def capture_url(
    url: str = typer.Argument(..., help="De URL van het bericht (bijv. een post op X of Facebook)."),
    submitted_by: str = typer.Option(..., "--door", help="E-mailadres van wie de URL aanlevert."),
    official: str = typer.Option(None, "--ambtsdrager", help="Id van de ambtsdrager om wie het gaat."),
) -> None:
    """Leg één aangeleverde URL vast (precies wat de server teruggeeft, met WARC) en stuur hem door."""
    stats = crawl("submitted", _configured(), url=url, submitted_by=submitted_by, official_id=official)
    uids = stats.get("schildwacht/published_uids", [])
    if uids:
        err.print(f"vastgelegd en doorgestuurd: {uids[0]}")
    elif stats.get("schildwacht/unmatched"):
        err.print("[yellow]vastgelegd, maar niet doorgestuurd: geen actieve (instemmende) bestuurder gevonden[/]")
    else:
        err.print("[red]niet vastgelegd: de pagina kon niet worden opgehaald (zie log)[/]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the collector commands to the `schildwacht` app."""
    app.command("collect")(collect)
    app.command("capture-url")(capture_url)
