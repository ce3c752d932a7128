"""`schildwacht intake`: hand over e-mails, screenshots and chat exports, through the whole pipeline like `replay`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from schildwacht.app.pipeline import processed_summary, runtime, start_workers
from schildwacht.config import Settings, get_settings

err = Console(stderr=True)
# A forwarded e-mail and a DM screenshot, handed over in `schildwacht demo` after the demo posts.
DEMO_INTAKE = sorted((Path(__file__).resolve().parent / "demo" / "intake").glob("*.*"))
UPLOAD_ROUND_S = 5.0  # how often the demo takes in web uploads


def intake_summary(rt, stats, timeout: float) -> dict[str, int]:
    """Wait until every published piece is scored or parked; the one-line result of an intake."""
    result = processed_summary(rt.sessions, stats.items, stats.published_uids, stats.parked, timeout)
    result.pop("posts")
    return {"files": stats.files, "items": stats.items, **result}


def intake_demo(rt) -> dict[str, int]:
    """Hand over the demo's e-mail and screenshot; their one-line result."""
    from collectors.intake.run import run_intake

    return intake_summary(rt, run_intake(DEMO_INTAKE, rt.settings), timeout=600)


@contextmanager
def uploads_taken_in(settings: Settings, every: float = UPLOAD_ROUND_S) -> Iterator[None]:
    """While open, a background thread takes in what staff upload with "Melding toevoegen" every `every` seconds
    (the `uploads` source of `schildwacht collect --elke` in production); it stops when the block ends."""
    stop = threading.Event()

    def rounds() -> None:
        from collectors.crawl import CrawlError, crawl

        while not stop.wait(every):
            try:
                crawl("uploads", settings)
            except CrawlError as exc:
                err.print(f"[red]uploads: {exc}[/]")

    thread = threading.Thread(target=rounds, name="demo-uploads", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=120)


def intake(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="E-mails (.eml), schermafbeeldingen (.png/.jpg) en chatexports."
    ),
    official: str = typer.Option(None, "--ambtsdrager", help="Id van de ambtsdrager om wie het gaat."),
    organisation: str = typer.Option(
        None, "--organisatie", help="Alleen afzenders en ambtsdragers van deze organisatie."
    ),
    timeout: float = typer.Option(600, "--wachttijd", help="Maximaal wachten (seconden) tot alles verwerkt is."),
) -> None:
    """Neem doorgestuurde e-mails, schermafbeeldingen en WhatsApp-/Telegram-exports op in de pijplijn.

    Elk bericht gaat net als verzamelde berichten naar classificatie en triage; het originele bestand blijft het
    bewijs. Onleesbare of niet-toegestane invoer wordt geparkeerd met de reden. Zonder KAFKA_BOOTSTRAP_SERVERS /
    DATABASE_URL starten broker en database ingebed. De laatste regel op stdout is een JSON-samenvatting.
    """
    from collectors.intake.run import run_intake

    with runtime(get_settings()) as rt:
        running = start_workers(rt)
        try:
            stats = run_intake(files, rt.settings, official, organisation)
            err.print(
                f"[bold]{stats.files}[/] bestanden, {stats.items} berichten: {stats.published} doorgestuurd, "
                f"{stats.unmatched} zonder geregistreerde ambtsdrager (niet bewaard), {stats.parked} geparkeerd."
            )
            result = intake_summary(rt, stats, timeout)
        finally:
            running.join()
    typer.echo(json.dumps(result))


def register(app: typer.Typer) -> None:
    app.command("intake")(intake)
