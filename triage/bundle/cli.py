"""`schildwacht bundle ...` and `schildwacht keys ...`: export and verify evidence bundles, manage signing keys."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from cryptography import x509

from schildwacht.clitools import database_session


def export(case: int = typer.Argument(..., help="Zaaknummer / case id."),
           output: Path = typer.Option(..., "-o", "--output", dir_okay=False, help="Doelbestand (.zip)."),
           door: str = typer.Option(None, "--door",
                                    help="Wie exporteert (e-mail); standaard cli:<gebruiker>.")) -> None:
    """Exporteer een zaak als ondertekende bewijsbundel (ZIP) voor de politie / export a signed bundle."""
    from triage.bundle.export import export_bundle
    from triage.bundle.keys import KeyProblem
    from triage.bundle.verify import verify_bundle

    try:
        with database_session() as (settings, session):
            path = export_bundle(session, case, door or f"cli:{getpass.getuser()}", output, settings)
    except (LookupError, KeyProblem) as exc:
        typer.echo(f"Export mislukt / export failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    result = verify_bundle(path)
    typer.echo(f"Bundel geschreven / written: {path}")
    for line in result.summary if result.ok else [f"CONTROLE MISLUKT / CHECK FAILED: {result.problem}"]:
        typer.echo(line)
    if not result.ok:
        raise typer.Exit(1)


def verify(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="De bundel (.zip)."),
           fingerprint: str = typer.Option(None, "--fingerprint",
                                           help="Verwachte vingerafdruk van de sleutel (zoals gepubliceerd)."),
           tsa_ca: list[Path] = typer.Option(None, "--tsa-ca", exists=True, dir_okay=False,
                                             help="Vertrouwd CA-certificaat (PEM) van de tijdstempeldienst.")) -> None:
    """Controleer een bundel offline: hashes, handtekening, tijdstempel, bewaarketen / verify a bundle offline.

    Exit 0 = intact; 1 = eerste probleem wordt genoemd / first problem is named.
    """
    from triage.bundle.verify import verify_bundle

    cas = [x509.load_pem_x509_certificate(p.read_bytes()) for p in tsa_ca or []]
    result = verify_bundle(file, fingerprint, cas or None)
    if not result.ok:
        typer.echo(f"NIET INTACT / NOT INTACT: {result.problem}")
        raise typer.Exit(1)
    for line in result.summary:
        typer.echo(line)


def _key_command(action: str):
    def run(organisation: str = typer.Argument(..., help="Organisatie-id, bv. gm-voorbeeld."),
            door: str = typer.Option(None, "--door", help="Wie dit doet (e-mail); standaard cli:<gebruiker>.")) -> None:
        from triage.bundle import keys

        try:
            with database_session() as (settings, session):
                row = getattr(keys, action)(session, settings, organisation, door or f"cli:{getpass.getuser()}")
                fp = row.fingerprint
        except keys.KeyProblem as exc:
            typer.echo(f"Mislukt / failed: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"Sleutel {'gemaakt' if action == 'generate' else 'vervangen'} voor {organisation} "
                   f"(privésleutel in {keys.key_dir(settings)}).")
        typer.echo(f"Vingerafdruk / fingerprint: {keys.format_fingerprint(fp)}")
    run.__doc__ = {"generate": "Maak de eerste ondertekeningssleutel van een organisatie / generate a key.",
                   "rotate": "Vervang de sleutel; de oude blijft geregistreerd voor oude bundels / rotate."}[action]
    return run


def export_public(organisation: str = typer.Argument(..., help="Organisatie-id."),
                  output: Path = typer.Option(None, "-o", "--output", dir_okay=False,
                                              help="Schrijf de PEM naar dit bestand (anders stdout).")) -> None:
    """Toon of bewaar de publieke sleutel en vingerafdruk om te publiceren / export the public key."""
    from triage.bundle import keys

    with database_session() as (_, session):
        row = keys.current_key(session, organisation)
        if row is None:
            typer.echo(f"Geen sleutel voor {organisation} / no key.", err=True)
            raise typer.Exit(1)
        pem, fp, since = row.public_key_pem, row.fingerprint, row.valid_from
    if output:
        output.write_text(pem, encoding="ascii")
    else:
        typer.echo(pem, nl=False)
    typer.echo(f"Vingerafdruk / fingerprint: {keys.format_fingerprint(fp)} (geldig vanaf {since:%Y-%m-%d %H:%M} UTC)",
               err=True)


def register(app: typer.Typer) -> None:
    bundle = typer.Typer(help="Bewijsbundels exporteren en controleren / evidence bundles.", no_args_is_help=True)
    bundle.command("export")(export)
    bundle.command("verify")(verify)
    keys_app = typer.Typer(help="Ondertekeningssleutels van organisaties / signing keys.", no_args_is_help=True)
    keys_app.command("generate")(_key_command("generate"))
    keys_app.command("rotate")(_key_command("rotate"))
    keys_app.command("export-public")(export_public)
    app.add_typer(bundle, name="bundle")
    app.add_typer(keys_app, name="keys")
