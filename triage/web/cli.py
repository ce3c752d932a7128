"""Commands of the triage web stage: `web`, `organisations add`, `users add`, `feedback export`.

They need DATABASE_URL (the production database); `schildwacht demo` serves the web UI on its embedded database.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.clitools import database

err = Console(stderr=True)
users_app = typer.Typer(help="Medewerkersaccounts voor de triage-webapp.", no_args_is_help=True)
organisations_app = typer.Typer(help="Organisaties (gemeente, provincie, waterschap) die Schildwacht gebruiken.",
                                no_args_is_help=True)
feedback_app = typer.Typer(help="Beslissingen van medewerkers als gelabelde voorbeelden (voor het model).",
                           no_args_is_help=True)


def web(host: str = typer.Option(None, "--host", help="Adres om op te luisteren (standaard uit de instellingen)."),
        port: int = typer.Option(None, "--port", help="Poort (standaard uit de instellingen).")) -> None:
    """Start de triage-webapp (inloggen, wachtrij, zaken, JSON-API onder /api)."""
    import uvicorn

    from triage.web.app import create_app

    with database() as (settings, factory):
        if settings.secret_key == "dev-only-change-me":
            err.print("[yellow]Waarschuwing:[/] SCHILDWACHT_SECRET_KEY is niet ingesteld; alleen voor ontwikkeling.")
        uvicorn.run(create_app(settings, factory), host=host or settings.web_host, port=port or settings.web_port,
                    proxy_headers=True)


@organisations_app.command("add")
def organisations_add(
    organisation_id: str = typer.Argument(..., help="Korte id, bijv. gm-voorbeeld."),
    name: str = typer.Option(..., "--naam", help="Naam, bijv. Gemeente Voorbeeld."),
    kind: str = typer.Option("gemeente", "--soort", help="gemeente, provincie of waterschap."),
    address: str = typer.Option(None, "--adres", help="Postadres (voor de aangifte: gebruik het adres van de "
                                                      "organisatie)."),
    contact_email: str = typer.Option(None, "--email", help="Adres voor meldingen van bedreiging/doxing."),
    webhook_url: str = typer.Option(None, "--webhook", help="URL voor meldingen (JSON POST)."),
) -> None:
    """Voeg een organisatie toe; daarna `users add` voor de medewerkers en `officials add` voor ambtsdragers."""
    from triage import audit
    from triage.models import Organisation

    if kind not in ("gemeente", "provincie", "waterschap"):
        raise typer.BadParameter("soort moet gemeente, provincie of waterschap zijn")
    with database() as (_, factory), factory() as session, session.begin():
        if session.get(Organisation, organisation_id) is not None:
            raise typer.BadParameter(f"organisatie {organisation_id!r} bestaat al")
        session.add(Organisation(id=organisation_id, name=name, kind=kind, address=address,
                                 contact_email=contact_email, webhook_url=webhook_url))
        audit.record(session, actor="system:cli", organisation_id=organisation_id, action="organisation.create",
                     object_type="organisation", object_id=organisation_id, details={"name": name, "kind": kind})
    err.print(f"Organisatie {organisation_id} ({name}) aangemaakt.")


@users_app.command("add")
def users_add(
    email: str = typer.Option(..., "--email", help="E-mailadres (ook de inlognaam)."),
    name: str = typer.Option(..., "--naam", help="Volledige naam."),
    organisation: str = typer.Option(..., "--organisatie", "-o", help="Id van de organisatie, bijv. gm-voorbeeld."),
    role: str = typer.Option("triagist", "--rol", help="beheerder, triagist of alleen-lezen."),
    password: str = typer.Option(..., "--wachtwoord", prompt="Wachtwoord", hide_input=True,
                                 confirmation_prompt="Herhaal wachtwoord", help="Wordt gevraagd als u het weglaat."),
) -> None:
    """Maak een medewerkersaccount aan (wachtwoord wordt als argon2-hash opgeslagen)."""
    from triage import audit
    from triage.models import Organisation, StaffUser
    from triage.models.staff import STAFF_ROLES
    from triage.security import hash_password

    if role not in STAFF_ROLES:
        raise typer.BadParameter(f"rol moet een van {', '.join(STAFF_ROLES)} zijn")
    if len(password) < 12:
        raise typer.BadParameter("wachtwoord moet minstens 12 tekens hebben")
    email = email.strip().lower()
    with database() as (_, factory), factory() as session, session.begin():
        if session.get(Organisation, organisation) is None:
            raise typer.BadParameter(f"organisatie {organisation!r} bestaat niet")
        if session.scalar(select(func.count()).select_from(StaffUser).where(func.lower(StaffUser.email) == email)):
            raise typer.BadParameter(f"er bestaat al een account voor {email}")
        user = StaffUser(email=email, name=name, organisation_id=organisation, role=role,
                         password_hash=hash_password(password))
        session.add(user)
        session.flush()
        audit.record(session, actor="system:cli", organisation_id=organisation, action="staff.create",
                     object_type="staff", object_id=user.id, details={"email": email, "role": role})
    err.print(f"Account aangemaakt voor {email} ({role}, {organisation}).")


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Option(None, "--uit", "-o", help="JSONL-bestand; zonder: naar standaarduitvoer."),
    organisation: str = typer.Option(None, "--organisatie", help="Alleen deze organisatie."),
) -> None:
    """Exporteer beslissingen als gelabelde JSONL: geen_actie = vals positief, afgerond = bevestigd."""
    from triage.web.services import write_feedback

    with database() as (_, factory):
        session: Session = factory()
        try:
            if out is None:
                n = write_feedback(session, sys.stdout, organisation)
            else:
                with out.open("w", encoding="utf-8") as fh:
                    n = write_feedback(session, fh, organisation)
        finally:
            session.close()
    err.print(f"{n} voorbeelden geëxporteerd.")


def register(app: typer.Typer) -> None:
    app.command("web")(web)
    app.add_typer(organisations_app, name="organisations")
    app.add_typer(users_app, name="users")
    app.add_typer(feedback_app, name="feedback")
