"""Commands of the triage web stage: `web`, `organisations add`, `users add|passwd|role|deactivate|sessions`,
`feedback export`.

They need DATABASE_URL (the production database); `schildwacht demo` serves the web UI on its embedded database.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from schildwacht.clitools import database
from schildwacht.config import Settings
from schildwacht.vocabulary import NETWORK_KIND, amsterdam_time

err = Console(stderr=True)
CLI_ACTOR = "system:cli"
users_app = typer.Typer(help="Medewerkersaccounts voor de triage-webapp.", no_args_is_help=True)
organisations_app = typer.Typer(
    help="Organisaties (gemeente, provincie, waterschap) die Schildwacht gebruiken.", no_args_is_help=True
)
feedback_app = typer.Typer(
    help="Beslissingen van medewerkers als gelabelde voorbeelden (voor het model).", no_args_is_help=True
)


def web(
    host: str = typer.Option(None, "--host", help="Adres om op te luisteren (standaard uit de instellingen)."),
    port: int = typer.Option(None, "--poort", help="Poort (standaard uit de instellingen)."),
) -> None:
    """Start de triage-webapp (inloggen, wachtrij, zaken, JSON-API onder /api). Achter een reverse proxy:
    zet SCHILDWACHT_TRUSTED_PROXIES op het adres van de proxy, anders wordt X-Forwarded-For genegeerd."""

    from schildwacht.secret_keys import require_strong_secrets
    from triage.bundle.cli import refuse_unprotected_signing_key
    from triage.web.app import create_app
    from triage.web.serving import Server, serve_config

    with database() as (settings, factory):
        require_strong_secrets(settings)  # exit 2 on a missing, placeholder or low-entropy key
        refuse_unprotected_signing_key(settings)  # exit 2 without a passphrase: the web app signs bundles
        Server(serve_config(settings, create_app(settings, factory), host, port)).run()


@organisations_app.command("add")
def organisations_add(
    organisation_id: str = typer.Argument(..., help="Korte id, bijv. gm-voorbeeld."),
    name: str = typer.Option(..., "--naam", help="Naam, bijv. Gemeente Voorbeeld."),
    kind: str = typer.Option(
        "gemeente", "--soort", help="gemeente, provincie, waterschap of netwerk (alleen het landelijke totaal)."
    ),
    address: str = typer.Option(
        None, "--adres", help="Postadres (voor de aangifte: gebruik het adres van de organisatie)."
    ),
    contact_email: str = typer.Option(None, "--email", help="Eén e-mailadres voor meldingen van bedreiging/doxing."),
    webhook_url: str = typer.Option(None, "--webhook", help="Eén https-URL voor meldingen (JSON POST)."),
) -> None:
    """Voeg een organisatie toe; daarna `users add` voor de medewerkers en `officials add` voor ambtsdragers."""
    from schildwacht import contacts
    from schildwacht.models import Organisation
    from triage import audit

    if kind not in ("gemeente", "provincie", "waterschap", NETWORK_KIND):
        raise typer.BadParameter("soort moet gemeente, provincie, waterschap of netwerk zijn")
    try:
        contact_email = contacts.email_address(contact_email) if contact_email is not None else None
        webhook_url = contacts.webhook_url(webhook_url) if webhook_url is not None else None
    except contacts.ContactError as exc:
        raise typer.BadParameter(str(exc)) from None
    with database() as (_, factory), factory() as session, session.begin():
        if session.get(Organisation, organisation_id) is not None:
            raise typer.BadParameter(f"organisatie {organisation_id!r} bestaat al")
        session.add(
            Organisation(
                id=organisation_id,
                name=name,
                kind=kind,
                address=address,
                contact_email=contact_email,
                webhook_url=webhook_url,
            )
        )
        audit.record(
            session,
            actor="system:cli",
            organisation_id=organisation_id,
            action="organisation.create",
            object_type="organisation",
            object_id=organisation_id,
            details={"name": name, "kind": kind},
        )
    err.print(f"Organisatie {organisation_id} ({name}) aangemaakt.")


def _password_option(prompt: str) -> Any:
    return typer.Option(
        ...,
        "--wachtwoord",
        prompt=prompt,
        hide_input=True,
        confirmation_prompt="Herhaal wachtwoord",  # type: ignore[arg-type]  # click takes the prompt text too
        help="Wordt gevraagd als u het weglaat (minstens 12 tekens, niet voorspelbaar of veelgebruikt).",
    )


@contextmanager
def _account_change() -> Iterator[tuple[Settings, Session]]:
    """One committed transaction for an account command; a refused change exits with its Dutch reason."""
    from triage.web.accounts import AccountError

    try:
        with database() as (settings, factory), factory() as session, session.begin():
            yield settings, session
    except AccountError as exc:
        err.print(f"[bold red]Fout:[/] {exc}")
        raise typer.Exit(1) from None


@users_app.command("add")
def users_add(
    email: str = typer.Option(..., "--email", help="E-mailadres (ook de inlognaam)."),
    name: str = typer.Option(..., "--naam", help="Volledige naam."),
    organisation: str = typer.Option(..., "--organisatie", help="Id van de organisatie, bijv. gm-voorbeeld."),
    role: str = typer.Option("triagist", "--rol", help="beheerder, triagist, alleen-lezen; netwerk (in een netwerk)"),
    password: str = _password_option("Wachtwoord"),
) -> None:
    """Maak een medewerkersaccount aan (wachtwoord wordt als argon2-hash opgeslagen)."""
    from triage.web.accounts import create_user

    with _account_change() as (_, session):
        user = create_user(
            session, email=email, name=name, organisation_id=organisation, role=role, password=password, actor=CLI_ACTOR
        )
    err.print(f"Account aangemaakt voor {user.email} ({role}, {organisation}).")


@users_app.command("passwd")
def users_passwd(
    email: str = typer.Argument(..., help="E-mailadres van het account."),
    password: str = _password_option("Nieuw wachtwoord"),
) -> None:
    """Stel een nieuw wachtwoord in; alle sessies van het account worden beëindigd."""
    from triage.web.accounts import change_password, find_user

    with _account_change() as (_, session):
        ended = change_password(session, find_user(session, email), password, actor=CLI_ACTOR)
    err.print(f"Wachtwoord gewijzigd; {ended} sessie(s) beëindigd.")


@users_app.command("role")
def users_role(
    email: str = typer.Argument(..., help="E-mailadres van het account."),
    role: str = typer.Option(..., "--rol", help="beheerder, triagist, alleen-lezen; netwerk (in een netwerk)"),
) -> None:
    """Geef een account een andere rol; alle sessies van het account worden beëindigd."""
    from triage.web.accounts import change_role, find_user

    with _account_change() as (_, session):
        ended = change_role(session, find_user(session, email), role, actor=CLI_ACTOR)
    err.print(f"Rol gewijzigd naar {role}; {ended} sessie(s) beëindigd.")


@users_app.command("deactivate")
def users_deactivate(email: str = typer.Argument(..., help="E-mailadres van het account.")) -> None:
    """Blokkeer een account (bijv. bij vertrek): inloggen kan niet meer en alle sessies worden beëindigd."""
    from triage.web.accounts import deactivate, find_user

    with _account_change() as (_, session):
        ended = deactivate(session, find_user(session, email), actor=CLI_ACTOR)
    err.print(f"Account geblokkeerd; {ended} sessie(s) beëindigd.")


@users_app.command("sessions")
def users_sessions(
    email: str = typer.Argument(..., help="E-mailadres van het account."),
    revoke: bool = typer.Option(False, "--intrekken", help="Beëindig alle sessies (bijv. bij een gestolen laptop)."),
) -> None:
    """Toon de actieve sessies van een account, of beëindig ze met --intrekken."""
    from triage.web.accounts import find_user
    from triage.web.sessions import active_sessions, revoke_all

    with _account_change() as (settings, session):
        user = find_user(session, email)
        if revoke:
            ended = revoke_all(session, user, reason="revoked_by_admin", actor=CLI_ACTOR)
        else:
            live = active_sessions(session, settings, user.id)
    if revoke:
        err.print(f"{ended} sessie(s) ingetrokken voor {user.email}.")
        return
    table = Table("sessie", "aangemeld", "laatst actief", "adres", "browser")
    for record in live:
        table.add_row(
            record.sid_sha256[:12],
            amsterdam_time(record.created_at),
            amsterdam_time(record.last_seen_at),
            record.ip or "-",
            (record.user_agent or "-")[:60],
        )
    err.print(table)
    err.print(f"{len(live)} actieve sessie(s) voor {user.email}.")


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Option(None, "--uitvoer", "-o", help="JSONL-bestand; zonder: naar standaarduitvoer."),
    organisation: str = typer.Option(..., "--organisatie", help="De organisatie (verplicht: één per export)."),
) -> None:
    """Exporteer beslissingen van medewerkers als gelabelde JSONL voor modelverbetering (doel en grondslag: DPIA):
    afgerond = bevestigd (met tekst), geen_actie = vals positief (zonder tekst). Alleen wat de bewaartermijnen nog
    bewaren; `delete_by` zegt wanneer de kopie weg moet."""
    from triage.feedback import write_feedback

    with database() as (settings, factory):
        session: Session = factory()
        try:
            if out is None:
                n = write_feedback(session, sys.stdout, settings, organisation)
            else:
                with out.open("w", encoding="utf-8") as fh:
                    n = write_feedback(session, fh, settings, organisation)
        finally:
            session.close()
    err.print(f"{n} voorbeelden geëxporteerd.")


def register(app: typer.Typer) -> None:
    app.command("web")(web)
    app.add_typer(organisations_app, name="organisations")
    app.add_typer(users_app, name="users")
    app.add_typer(feedback_app, name="feedback")
