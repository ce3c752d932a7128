"""Command line for the registry: `schildwacht officials …`, `schildwacht retention run`, `schildwacht stats`,
`schildwacht auteurs zoek|inzage|wis` (authors' requests, triage/authors.py).

Needs DATABASE_URL (the production database); the embedded demo database only lives while `schildwacht demo` runs.
"""

from __future__ import annotations

import csv
import json
import signal
import threading
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from schildwacht.clitools import database, database_session
from schildwacht.vocabulary import LABEL_NL, LABELS

err = Console(stderr=True)
officials_app = typer.Typer(
    help="Register van ambtsdragers: toevoegen, bekijken, uitnodigen, intrekken, inzage.", no_args_is_help=True
)
retention_app = typer.Typer(help="Bewaartermijnen toepassen: verlopen gegevens wissen.", no_args_is_help=True)
authors_app = typer.Typer(
    help="Verzoeken van auteurs (AVG): zoeken, inzage, wissen; altijd binnen één organisatie.", no_args_is_help=True
)
ACTOR_HELP = "Wie dit doet (komt in het logboek), bijvoorbeeld uw e-mailadres."
HANDLE_HELP = "Gebruikersnaam van de auteur, bijv. @naam@server.example; met platform: mastodon:@naam@server.example."
ORG_HELP = "De organisatie (verplicht)."


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]Fout:[/] {exc}")
    raise typer.Exit(1)


@officials_app.command("add")
def add(
    organisation: str = typer.Option(..., "--organisatie", help="Id van de organisatie, bijv. gm-voorbeeld."),
    name: str = typer.Option(..., "--naam", help="Volledige naam."),
    role: str = typer.Option(..., "--rol", help="Functie: wethouder, raadslid, burgemeester, statenlid …"),
    email: str = typer.Option(None, "--email", help="E-mailadres voor de uitnodiging."),
    handle: list[str] = typer.Option([], "--account", help="Account als 'platform:naam'; mag vaker."),
    variant: list[str] = typer.Option([], "--naamvariant", help="Naam waarop gezocht wordt; mag vaker."),
    alert: list[str] = typer.Option([], "--melden-aan", help="E-mailadres dat meldingen krijgt; mag vaker."),
    gender: str = typer.Option(None, "--gender", help="Alleen als de persoon dit zelf opgaf: v, m of x."),
    official_id: str = typer.Option(None, "--id", help="Eigen id (standaard: gemaakt uit de naam)."),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Voeg een ambtsdrager toe (status: uitgenodigd). Er wordt pas gezocht na eigen toestemming."""
    from triage.registry import service

    try:
        with database_session() as (settings, session):
            official = service.add_official(
                session,
                organisation,
                name,
                role,
                f"cli:{actor}",
                official_id=official_id,
                settings=settings,
                email=email,
                handles=";".join(handle),
                name_variants=variant,
                alert_contacts=alert,
                gender=gender,
            )
            typer.echo(official.id)
    except service.RegistryError as exc:
        _fail(exc)


@officials_app.command("list")
def list_(
    organisation: str = typer.Option(None, "--organisatie", help="Alleen deze organisatie."),
    status: str = typer.Option(None, "--status", help="invited, active, paused of withdrawn."),
    as_json: bool = typer.Option(False, "--json", help="Als JSON (één object per ambtsdrager)."),
) -> None:
    """Toon de ambtsdragers met status en toestemming."""
    from triage.registry import service

    with database_session() as (_, session):
        rows: list[dict[str, Any]] = []
        for o in service.list_officials(session, organisation, status):
            consent = service.current_consent(o)
            rows.append(
                {
                    "id": o.id,
                    "organisation_id": o.organisation_id,
                    "full_name": o.full_name,
                    "role": o.role,
                    "status": o.status,
                    "platforms": sorted(o.handles or {}),
                    "notice_version": consent.notice_version if consent else None,
                }
            )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "organisatie", "naam", "functie", "status", "platforms", "privacyverklaring")
    for r in rows:
        table.add_row(
            r["id"],
            r["organisation_id"],
            r["full_name"],
            r["role"],
            r["status"],
            ", ".join(r["platforms"]),
            r["notice_version"] or "—",
        )
    Console().print(table)


@officials_app.command("withdraw")
def withdraw(
    official_id: str = typer.Argument(..., help="Id van de ambtsdrager."),
    keep: list[int] = typer.Option(
        [], "--bewaar", help="Zaak-id die bewaard blijft (aangifte, legal hold); mag vaker."
    ),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Trek de toestemming in: zoeken stopt direct, niet-gemarkeerde inhoud en open zaken worden gewist."""
    from triage.registry import service

    try:
        with database_session() as (_, session):
            counts = service.withdraw(
                session, official_id, f"cli:{actor}", keep, method="intrekking via beheerder (CLI)"
            )
    except service.RegistryError as exc:
        _fail(exc)
    typer.echo(json.dumps(counts))


@officials_app.command("import")
def import_(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV met kolommen full_name, role, en "
        "eventueel id, organisation_id, email, gender, handles (platform:naam;…), "
        "name_variants (a|b), alert_contacts (a|b).",
    ),
    organisation: str = typer.Option(None, "--organisatie", help="Organisatie voor rijen zonder organisation_id."),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Importeer ambtsdragers uit een CSV-bestand (alles of niets). Iedereen krijgt status 'uitgenodigd'."""
    from triage.registry import service

    with file.open(encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
        fh.seek(0)
        delimiter = max(";,\t", key=header.count)  # Dutch spreadsheets often write ';'
        rows = list(csv.DictReader(fh, delimiter=delimiter))
    try:
        with database_session() as (settings, session):
            ids = []
            for line, row in enumerate(rows, start=2):
                row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                org = row.get("organisation_id") or organisation
                if not org:
                    raise service.RegistryError(
                        f"regel {line}: geen organisatie (kolom organisation_id of --organisatie)"
                    )
                try:
                    official = service.add_official(
                        session,
                        org,
                        row.get("full_name", ""),
                        row.get("role", ""),
                        f"cli:{actor}",
                        settings=settings,
                        official_id=row.get("id") or None,
                        email=row.get("email") or None,
                        gender=row.get("gender") or None,
                        handles=row.get("handles", ""),
                        name_variants=row.get("name_variants", ""),
                        alert_contacts=row.get("alert_contacts", ""),
                    )
                except service.RegistryError as exc:
                    raise service.RegistryError(f"regel {line}: {exc}") from None
                ids.append(official.id)
    except service.RegistryError as exc:
        _fail(exc)
    err.print(f"{len(ids)} ambtsdrager(s) geïmporteerd (status: uitgenodigd).")
    typer.echo(json.dumps(ids))


@officials_app.command("invite")
def invite(
    official_id: str = typer.Argument(..., help="Id van de ambtsdrager."),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Maak een persoonlijke link: een uitnodiging (eenmalig), of een beheerlink als de persoon al meedoet.

    Voor de serverbeheerder: geef de link alleen aan de ambtsdrager zelf. In de webapp gaat de link per e-mail
    naar de ambtsdrager en ziet geen medewerker hem."""
    from schildwacht.secret_keys import require_strong_secrets
    from triage.registry import service

    try:
        with database_session() as (settings, session):
            require_strong_secrets(settings)  # the link is signed with the secret key
            official = service.get_official(session, official_id)
            if official is None:
                raise service.RegistryError(f"Onbekende ambtsdrager {official_id!r}.")
            purpose = "manage" if official.status in ("active", "paused") else "invite"
            token = service.issue_link(session, settings, official, purpose, f"cli:{actor}")
    except service.RegistryError as exc:
        _fail(exc)
    err.print("Beheerlink" if purpose == "manage" else "Uitnodigingslink (werkt één keer)")
    typer.echo(service.link_url(settings, token))


@officials_app.command("export")
def export(
    official_id: str = typer.Argument(..., help="Id van de ambtsdrager."),
    html: bool = typer.Option(False, "--html", help="Leesbare HTML in plaats van JSON."),
    output: Path = typer.Option(None, "--uitvoer", "-o", help="Schrijf naar dit bestand (standaard: scherm)."),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Inzage: alles wat over deze ambtsdrager bewaard wordt (registratie, toestemming, berichten, zaken)."""
    from triage.registry import pages, service
    from triage.registry.export import audit_text_reveals, export_official

    try:
        with database_session() as (_, session):
            data = export_official(session, official_id)
            as_ = "html" if html else "json"
            service.audit(
                session,
                data["organisation"]["id"],
                f"cli:{actor}",
                "official.exported",
                "official",
                official_id,
                {"as": as_},
            )
            audit_text_reveals(session, data, f"cli:{actor}", data["organisation"]["id"], channel=f"cli.{as_}")
    except service.RegistryError as exc:
        _fail(exc)
    text = pages.export_document(data) if html else json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"Geschreven: {output}")
    else:
        typer.echo(text)


@retention_app.command("run")
def retention_run(
    every: float = typer.Option(None, "--elke", help="Herhaal elke zoveel seconden (tot Ctrl-C/SIGTERM)."),
) -> None:
    """Pas de bewaartermijnen toe: wis wat verlopen is en schrijf de aantallen in het logboek."""
    from triage.registry.retention import run_forever, run_retention

    if every is None:
        with database_session() as (settings, session):
            counts = run_retention(session, settings)
        typer.echo(json.dumps(counts))
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with database() as (settings, sessions):
        runs = run_forever(sessions, settings, every, stop)
    err.print(f"Gestopt na {runs} run(s).")


stats_app = typer.Typer(help="Statistiek van één organisatie; ook GIR-export, maandrapport en landelijk totaal.")


@stats_app.callback(invoke_without_command=True)
def stats(
    ctx: typer.Context,
    organisation: str = typer.Option(None, "--organisatie", help="De organisatie (verplicht: nooit alle samen)."),
    as_json: bool = typer.Option(False, "--json", help="Als JSON."),
) -> None:
    """Tellingen van één organisatie per soort, functie en gender; auteurs alleen als pseudoniem."""
    if ctx.invoked_subcommand is not None:
        return
    if not organisation:
        raise typer.BadParameter("verplicht: nooit alle organisaties samen", param_hint="--organisatie")
    from schildwacht.secret_keys import require_strong_secrets
    from triage.registry.statistics import compute_stats

    with database_session() as (settings, session):
        require_strong_secrets(settings)  # pseudonyms are keyed with it
        data = compute_stats(session, settings, organisation)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    out = Console()
    out.print(f"Zaken: [bold]{data['cases']}[/]  per soort: {data['cases_per_label']}")
    for title, key in (("functie", "per_role"), ("gender", "per_gender")):
        table = Table(title, "zaken", *(LABEL_NL[label].lower() for label in LABELS), "aandeel gender-gericht")
        for name, row in data[key].items():
            pl = row["per_label"]
            table.add_row(
                name,
                str(row["cases"]),
                *(str(pl[label]) for label in LABELS),
                f"{row['gender_targeted_share']:.0%}",
            )
        out.print(table)
    out.print(
        f"Auteurs (pseudoniem): {data['authors']['distinct']} verschillend, "
        f"{data['authors']['repeat']} met meer dan één zaak."
    )


@authors_app.command("zoek")
def authors_search(
    handle: str = typer.Argument(..., help=HANDLE_HELP),
    organisation: str = typer.Option(..., "--organisatie", help=ORG_HELP),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Toon de zaken en berichten van een auteur in deze organisatie (zonder inhoud), als JSON."""
    from triage.authors import AuthorError, search

    try:
        with database_session() as (_, session):
            data = search(session, organisation, handle, f"cli:{actor}")
    except AuthorError as exc:
        _fail(exc)
    err.print(f"{len(data['cases'])} zaak/zaken, {len(data['mentions'])} bericht(en).")
    typer.echo(json.dumps(data, ensure_ascii=False))


@authors_app.command("inzage")
def authors_export(
    handle: str = typer.Argument(..., help=HANDLE_HELP),
    organisation: str = typer.Option(..., "--organisatie", help=ORG_HELP),
    output: Path = typer.Option(None, "--uitvoer", "-o", help="Schrijf naar dit bestand (standaard: scherm)."),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Inzage voor een auteur: alles wat deze organisatie over hem of haar bewaart (JSON). Elke tekst wordt gelogd."""
    from triage.authors import AuthorError, export

    try:
        with database_session() as (_, session):
            data = export(session, organisation, handle, f"cli:{actor}")
    except AuthorError as exc:
        _fail(exc)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"Geschreven: {output}")
    else:
        typer.echo(text)


@authors_app.command("wis")
def authors_erase(
    handle: str = typer.Argument(..., help=HANDLE_HELP),
    organisation: str = typer.Option(..., "--organisatie", help=ORG_HELP),
    reason: str = typer.Option(
        ..., "--reden", help="Waarom (bijv. 'verzoek betrokkene van 12-05'); komt in het logboek."
    ),
    actor: str = typer.Option("cli", "--door", help=ACTOR_HELP),
) -> None:
    """Wis de gegevens van een auteur, behalve wat een zaak met legal hold of een open zaak nog nodig heeft.

    Elke geraakte zaak krijgt een aantekening in de bewaarketen (zonder gebruikersnaam of inhoud)."""
    from triage.authors import AuthorError, erase

    try:
        with database_session() as (_, session):
            counts = erase(session, organisation, handle, f"cli:{actor}", reason)
    except AuthorError as exc:
        _fail(exc)
    kept = counts["kept_legal_hold"] + counts["kept_open"]
    err.print(
        f"{counts['mentions_purged']} bericht(en) gewist; "
        + (f"bewaard in zaak {', '.join(map(str, kept))} (legal hold of open zaak)." if kept else "niets bewaard.")
    )
    typer.echo(json.dumps(counts))


def register(app: typer.Typer) -> None:
    app.add_typer(officials_app, name="officials")
    app.add_typer(retention_app, name="retention")
    app.add_typer(authors_app, name="auteurs")
    from triage.statistics.cli import register as register_statistics

    register_statistics(stats_app)  # stats gir | rapport | landelijk
    app.add_typer(stats_app, name="stats")
