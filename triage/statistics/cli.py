"""`schildwacht stats gir|rapport|landelijk`: the GIR export, the monthly report and the anonymous national
aggregate from the command line (the page's service, the same scope: one organisation per command, except the
aggregate, which holds only suppressed counts)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from schildwacht.clitools import database, database_session
from schildwacht.vocabulary import LABELS
from triage.statistics.period import PeriodError, custom_period, month_period, parse_filters

err = Console(stderr=True)
ORG = typer.Option(..., "--organisatie", help="De organisatie (verplicht: nooit alle samen).")
VAN = typer.Option(..., "--van", help="Eerste dag, JJJJ-MM-DD.")
TOT = typer.Option(..., "--tot", help="Laatste dag (telt mee), JJJJ-MM-DD.")
OUT = typer.Option(..., "-o", "--uitvoer", help="Uitvoerbestand; de extensie kiest het formaat.")


def _fail(message: str) -> NoReturn:
    err.print(f"[bold red]Fout:[/] {message}")
    raise typer.Exit(1)


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    err.print(f"Geschreven: {path}")


def gir(
    organisation: str = ORG,
    van: str = VAN,
    tot: str = TOT,
    output: Path = OUT,
    label: str = typer.Option(None, "--soort", help=f"Alleen deze soort: {', '.join(LABELS)}."),
    official: str = typer.Option(None, "--ambtsdrager", help="Alleen deze ambtsdrager (id)."),
    platform: str = typer.Option(None, "--platform", help="Alleen dit platform."),
    actor: str = typer.Option("cli", "--door", help="Wie dit doet (komt in het logboek)."),
) -> None:
    """GIR-export: één regel per zaak met de 7 W's, het mogelijke strafbare feit en de referenties (.csv of .json)."""
    from schildwacht.db import session_scope
    from triage import audit
    from triage.autosteps import record_gir_export
    from triage.statistics.gir import SnapshotExport

    if output.suffix not in (".csv", ".json"):
        _fail("kies een uitvoerbestand op .csv of .json")
    try:
        period, filters = custom_period(van, tot), parse_filters(official, label, platform)
    except PeriodError as exc:
        _fail(str(exc))
    with database() as (_, sessions):
        export = SnapshotExport(sessions, organisation, period, filters)  # streamed, as the web export
        try:
            with session_scope(sessions) as session:
                record_gir_export(session, export.case_ids, f"cli:{actor}")
                audit.record(
                    session,
                    actor=f"cli:{actor}",
                    organisation_id=organisation,
                    action="statistics.gir_export",
                    object_type="statistics",
                    object_id=organisation,
                    details={"van": van, "tot": tot, "format": output.suffix[1:], "cases": export.case_ids},
                )
        except BaseException:
            export.close()
            raise
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8", newline="") as out:
            out.writelines(export.chunks(output.suffix[1:]))
    err.print(f"Geschreven: {output}")
    err.print(f"{len(export.case_ids)} zaken.")


def rapport(
    organisation: str = ORG,
    month: str = typer.Option(..., "--maand", help="De maand, JJJJ-MM, bijv. 2026-11."),
    output: Path = typer.Option(None, "-o", "--uitvoer", help="Uitvoerbestand (.pdf of .html)."),
    send: bool = typer.Option(
        False,
        "--verstuur",
        help="Mail het rapport (PDF) nu naar de ontvangers uit Beheer > Instellingen; nooit twee keer per maand.",
    ),
    actor: str = typer.Option("cli", "--door", help="Wie dit doet (komt in het logboek)."),
) -> None:
    """Maandrapport (zonder berichtteksten) als PDF (.pdf) of HTML (.html), en/of nu per e-mail (--verstuur)."""
    from schildwacht.models import Organisation
    from schildwacht.secret_keys import require_strong_secrets
    from triage.statistics.report import render_html, render_pdf
    from triage.statistics.service import compute

    if output is None and not send:
        _fail("geef een uitvoerbestand (-o) of --verstuur")
    if output is not None and output.suffix not in (".pdf", ".html"):
        _fail("kies een uitvoerbestand op .pdf of .html")
    try:
        period = month_period(month)
    except PeriodError as exc:
        _fail(str(exc))
    month = f"{period.start:%Y-%m}"
    if send:
        _send(organisation, month, f"cli:{actor}")
    if output is None:
        return
    with database_session() as (settings, session):
        require_strong_secrets(settings)  # the repeat-offender pseudonyms are keyed with it
        org = session.get(Organisation, organisation)
        if org is None:
            _fail(f"onbekende organisatie {organisation!r}")
        stats = compute(session, settings, organisation, period)
        name = org.name
    _write(output, render_pdf(stats, name) if output.suffix == ".pdf" else render_html(stats, name))


def _send(organisation: str, month: str, actor: str) -> None:
    from schildwacht.secret_keys import require_strong_secrets
    from triage.statistics.monthly_mail import MonthlyMailError, send_report

    with database() as (settings, sessions):
        require_strong_secrets(settings)
        try:
            result = send_report(sessions, settings, organisation, month, actor)
        except MonthlyMailError as exc:
            _fail(str(exc))
    if result.status == "al verstuurd":
        _fail(f"het rapport over {month} is al verstuurd; het wordt nooit twee keer verstuurd")
    if result.status == "bezig":
        _fail(f"het rapport over {month} wordt op dit moment al verstuurd; probeer het over een kwartier opnieuw")
    for address in result.delivered:
        err.print(f"Verstuurd naar {address}")
    for address, error in result.failed.items():
        err.print(f"[bold red]Niet verstuurd[/] naar {address}: {error}")
    if result.failed:
        raise typer.Exit(1)


def maandmail(
    every: float = typer.Option(None, "--elke", help="Herhaal elke zoveel seconden (tot Ctrl-C/SIGTERM)."),
) -> None:
    """Verstuur de maandrapporten die vandaag aan de beurt zijn (eerste werkdag van de maand, alleen organisaties
    die dit aanzetten); met --elke als doorlopende dienst."""
    import signal
    import threading

    from schildwacht.secret_keys import require_strong_secrets
    from triage.statistics.monthly_mail import run_forever, send_due

    with database() as (settings, sessions):
        require_strong_secrets(settings)
        if every is None:
            for result in send_due(sessions, settings):
                err.print(f"{result.organisation_id} {result.month}: {result.status}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        rounds = run_forever(sessions, settings, every, stop)
    err.print(f"Gestopt na {rounds} ronde(n).")


def landelijk(van: str = VAN, tot: str = TOT, output: Path = OUT) -> None:
    """Anoniem totaal over de organisaties die delen, per kalendermaand, -kwartaal of -jaar: alleen aantallen,
    aantallen onder 5 onderdrukt, en zo nodig meer (x), zodat niets terug te rekenen is (.csv/.json)."""
    from triage.statistics.aggregate import AggregateError, aggregate, aggregate_csv, aggregate_json

    if output.suffix not in (".csv", ".json"):
        _fail("kies een uitvoerbestand op .csv of .json")
    try:
        period = custom_period(van, tot)
        with database_session() as (_, session):
            result = aggregate(session, period)
    except (PeriodError, AggregateError) as exc:
        _fail(str(exc))
    _write(output, aggregate_csv(result) if output.suffix == ".csv" else aggregate_json(result))


def register(stats_app: typer.Typer) -> None:
    """Add the subcommands to the `schildwacht stats` group."""
    stats_app.command("gir")(gir)
    stats_app.command("rapport")(rapport)
    stats_app.command("landelijk")(landelijk)
    stats_app.command("maandmail")(maandmail)
