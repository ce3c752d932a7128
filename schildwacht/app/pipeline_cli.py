"""Pipeline commands: replay, demo, workers, database migrations."""

from __future__ import annotations

import json
import signal
import threading
import time
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console

from schildwacht.app.pipeline import (
    DEMO_POSTS,
    Progress,
    runtime,
    start_workers,
    summary,
    wait_until_processed,
)
from schildwacht.clitools import database
from schildwacht.config import get_settings
from schildwacht.db_retry import retry_while_unreachable
from schildwacht.embedded import demo_mailbox

err = Console(stderr=True)


class WorkerKind(str, Enum):
    classify = "classify"
    ingest = "ingest"
    capture = "capture"


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM/SIGINT, so workers finish their batch and exit cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def replay(
    file: Path = typer.Argument(
        None, exists=True, dir_okay=False, help="JSONL-bestand met berichten (zonder: het meegeleverde demovoorbeeld)."
    ),
    workers: bool = typer.Option(
        True, "--workers/--zonder-workers", help="Start classificatie- en ingest-workers in dit proces."
    ),
    timeout: float = typer.Option(600, "--wachttijd", help="Maximaal wachten (seconden) tot alles verwerkt is."),
) -> None:
    """Stuur een bestand met berichten door de hele pijplijn en wacht tot alles gescoord en opgeslagen is.

    Replay a JSONL file through the whole pipeline (embedded services unless KAFKA_BOOTSTRAP_SERVERS /
    DATABASE_URL are set). The last line on stdout is a JSON summary.
    """
    from collectors.replay import run_replay

    path = file or DEMO_POSTS
    with runtime(get_settings()) as rt:
        running = start_workers(rt) if workers else None
        try:
            stats = run_replay(path, rt.settings)
            err.print(
                f"[bold]{stats.posts}[/] berichten gelezen: {stats.published} doorgestuurd, "
                f"{stats.unmatched} zonder geregistreerde ambtsdrager (niet bewaard), "
                f"{stats.parked} onleesbaar (dead-letter)."
            )
            with err.status("Verwerken…") as status:

                def show(p: Progress) -> None:
                    status.update(f"Verwerkt: {p.scored + p.dead_letter}/{p.published}")

                state = wait_until_processed(rt.sessions, stats.published_uids, timeout, show)
            result = retry_while_unreachable(
                lambda: summary(rt.sessions, stats.posts, stats.published_uids, stats.parked, state),
                until=time.monotonic() + timeout,
            )
        finally:
            if running:
                running.join()
    typer.echo(json.dumps(result))


def demo(
    host: str = typer.Option(None, "--host", help="Adres van de web-UI (standaard uit de instellingen)."),
    port: int = typer.Option(None, "--poort", help="Poort van de web-UI."),
) -> None:
    """Start alles ingebed, verwerk het demovoorbeeld en open de triage-UI (Ctrl-C stopt alles)."""

    from collectors.replay import run_replay
    from schildwacht.app.demo_meta import collect_demo_meta
    from schildwacht.app.demo_x import collect_demo_x
    from schildwacht.app.intake_cli import intake_demo, uploads_taken_in
    from schildwacht.app.seed import DEMO_FILE, DEMO_PASSWORD, demo_casework
    from triage.web.app import create_app
    from triage.web.serving import Server, serve_config

    settings = get_settings()
    maildir = settings.data_dir / "demo-mail"
    with (
        demo_mailbox(maildir) as (smtp_host, smtp_port),
        runtime(settings.model_copy(update={"smtp_host": smtp_host, "smtp_port": smtp_port}), seed_demo=True) as rt,
    ):
        running = start_workers(rt)
        try:
            stats = run_replay(DEMO_POSTS, rt.settings)
            state = wait_until_processed(rt.sessions, stats.published_uids, timeout=600)
            typer.echo(json.dumps(summary(rt.sessions, stats.posts, stats.published_uids, stats.parked, state)))
            with rt.sessions() as session:
                typer.echo(json.dumps({"demo_casework": demo_casework(session)}))
            typer.echo(json.dumps({"demo_intake": intake_demo(rt)}))
            web_settings, x_result = collect_demo_x(rt)  # a fictional X source through its local fake API
            typer.echo(json.dumps({"demo_x": x_result}))
            typer.echo(json.dumps({"demo_meta": collect_demo_meta(rt)}))  # a fictional Facebook page, local fake
            staff = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["staff"]
            url = f"http://{host or rt.settings.web_host}:{port or rt.settings.web_port}"
            err.print(f"\n[bold green]Schildwacht draait op {url}[/]")
            for user in staff:
                err.print(
                    f"  inloggen: [bold]{user['email']}[/] / [bold]{DEMO_PASSWORD}[/] ({user['role']}, "
                    f"{user['organisation_id']})"
                )
            err.print(f"Meldingen (e-mail) van dreiging/doxing komen binnen in {maildir}/new")
            err.print("Uploads via 'Melding toevoegen' worden elke paar seconden ingelezen.")
            err.print("Stoppen: Ctrl-C\n")
            app = create_app(web_settings, rt.sessions)
            with uploads_taken_in(rt.settings):
                Server(serve_config(rt.settings, app, host, port, log_level="warning")).run()
        finally:
            running.join()
    err.print("Gestopt: broker en database zijn afgesloten.")


def worker(kind: WorkerKind = typer.Argument(..., help="classify, ingest of capture")) -> None:
    """Draai één worker tot SIGTERM/Ctrl-C. classify/ingest: Kafka consumer group; capture: opnieuw vastleggen van
    gemarkeerde berichten. Vereist KAFKA_BOOTSTRAP_SERVERS en (ingest, capture) DATABASE_URL. Met
    SCHILDWACHT_METRICS_PORT: Prometheus-metrics op die poort (docs/operations.md)."""
    from schildwacht.metrics import serve_worker_metrics

    settings = get_settings()
    if kind is not WorkerKind.capture and not settings.kafka_bootstrap_servers:
        raise typer.BadParameter("KAFKA_BOOTSTRAP_SERVERS is niet ingesteld.")
    stop = _stop_on_signals()
    serve_worker_metrics(settings)
    if kind is WorkerKind.classify:
        from classifiers.worker import ClassifierWorker

        ClassifierWorker(settings).run(stop)
        return
    with database(settings) as (settings, sessions):
        if kind is WorkerKind.ingest:
            from triage.ingest import IngestWorker

            IngestWorker(settings, sessions).run(stop)
        else:
            from triage.bundle.capture import run_capture_worker

            run_capture_worker(settings, sessions, stop)


def db_upgrade() -> None:
    """Breng het databaseschema naar de nieuwste versie (Alembic) en maak de Kafka-topics aan."""
    from schildwacht.db import migrate
    from schildwacht.kafka import ensure_topics

    settings = get_settings()
    if not settings.database_url:
        raise typer.BadParameter("DATABASE_URL is niet ingesteld.")
    migrate(settings.database_url)
    if settings.kafka_bootstrap_servers:
        ensure_topics(settings)
    err.print("Schema bijgewerkt.")


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)
    app.command("demo")(demo)
    app.command("worker")(worker)
    app.command("db-upgrade")(db_upgrade)
