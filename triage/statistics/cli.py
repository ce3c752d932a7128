"""`schildwacht stats gir|rapport|landelijk`: the GIR export, the monthly report and the anonymous national
aggregate from the command line (the page's service, the same scope: one organisation per command, except the
aggregate, which holds only suppressed counts)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from schildwacht.clitools import database_session
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
    label: str = typer.Option(None, "--soort", help="Alleen deze soort: threat, doxxing, gender, abuse."),
    official: str = typer.Option(None, "--ambtsdrager", help="Alleen deze ambtsdrager (id)."),
    platform: str = typer.Option(None, "--platform", help="Alleen dit platform."),
    actor: str = typer.Option("cli", "--door", help="Wie dit doet (komt in het logboek)."),
) -> None:
    """GIR-export: één regel per zaak met de 7 W's, het mogelijke strafbare feit en de referenties (.csv of .json)."""
    from triage import audit
    from triage.autosteps import record_gir_export
    from triage.statistics.gir import gir_csv, gir_json, gir_records

    if output.suffix not in (".csv", ".json"):
        _fail("kies een uitvoerbestand op .csv of .json")
    try:
        period, filters = custom_period(van, tot), parse_filters(official, label, platform)
    except PeriodError as exc:
        _fail(str(exc))
    with database_session() as (_, session):
        records = gir_records(session, organisation, period, filters)
        record_gir_export(session, [r["zaak"] for r in records], f"cli:{actor}")
        audit.record(
            session,
            actor=f"cli:{actor}",
            organisation_id=organisation,
            action="statistics.gir_export",
            object_type="statistics",
            object_id=organisation,
            details={"van": van, "tot": tot, "format": output.suffix[1:], "cases": [r["zaak"] for r in records]},
        )
    _write(output, gir_csv(records) if output.suffix == ".csv" else gir_json(records, organisation, period))
    err.print(f"{len(records)} zaken.")


def rapport(
    organisation: str = ORG,
    month: str = typer.Option(..., "--maand", help="De maand, JJJJ-MM, bijv. 2026-11."),
    output: Path = OUT,
) -> None:
    """Maandrapport (zonder berichtteksten) als PDF (.pdf) of HTML (.html)."""
    from schildwacht.models import Organisation
    from schildwacht.secret_keys import require_strong_secrets
    from triage.statistics.report import render_html, render_pdf
    from triage.statistics.service import compute

    if output.suffix not in (".pdf", ".html"):
        _fail("kies een uitvoerbestand op .pdf of .html")
    try:
        period = month_period(month)
    except PeriodError as exc:
        _fail(str(exc))
    with database_session() as (settings, session):
        require_strong_secrets(settings)  # the repeat-offender pseudonyms are keyed with it
        org = session.get(Organisation, organisation)
        if org is None:
            _fail(f"onbekende organisatie {organisation!r}")
        stats = compute(session, settings, organisation, period)
        name = org.name
    _write(output, render_pdf(stats, name) if output.suffix == ".pdf" else render_html(stats, name))


def landelijk(van: str = VAN, tot: str = TOT, output: Path = OUT) -> None:
    """Anoniem totaal over de organisaties die delen: alleen aantallen, aantallen onder 5 onderdrukt (.csv/.json)."""
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
