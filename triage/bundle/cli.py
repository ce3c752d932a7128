"""`schildwacht bundle ...` and `schildwacht keys ...`: export and verify evidence bundles, manage signing keys."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from cryptography import x509

from schildwacht.clitools import database_session
from schildwacht.config import Settings


def refuse_unprotected_signing_key(settings: Settings) -> None:
    """Production commands that create or use a signing key: refuse an unencrypted one (exit 2), or warn loudly
    where it is explicitly allowed."""
    from triage.bundle.keys import KeyProblem, require_protected_keys

    try:
        warning = require_protected_keys(settings)
    except KeyProblem as exc:
        typer.echo(f"Geweigerd / refused: {exc}", err=True)
        raise typer.Exit(2) from exc
    if warning:
        typer.echo(warning, err=True)


def export(
    case: int = typer.Argument(..., help="Zaaknummer / case id."),
    output: Path = typer.Option(..., "-o", "--uitvoer", dir_okay=False, help="Doelbestand (.zip)."),
    door: str = typer.Option(None, "--door", help="Wie exporteert (e-mail); standaard cli:<gebruiker>."),
) -> None:
    """Exporteer een zaak als ondertekende bewijsbundel (ZIP) voor de politie / export a signed bundle."""
    from triage.bundle.export import export_bundle
    from triage.bundle.keys import KeyProblem
    from triage.bundle.trust import registered_keys
    from triage.bundle.verify import verify_bundle

    settings = Settings()
    refuse_unprotected_signing_key(settings)
    try:
        with database_session(settings) as (settings, session):
            path = export_bundle(session, case, door or f"cli:{getpass.getuser()}", output, settings)
            anchors = registered_keys(session)
    except (LookupError, KeyProblem) as exc:
        typer.echo(f"Export mislukt / export failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    result = verify_bundle(path, trusted_keys=anchors)
    typer.echo(f"Bundel geschreven / written: {path}")
    for line in result.summary if result.ok else [f"CONTROLE MISLUKT / CHECK FAILED: {result.problem}"]:
        typer.echo(line)
    if result.exit_code:
        raise typer.Exit(1)


def verify(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="De bundel (.zip)."),
    fingerprint: str = typer.Option(
        None,
        "--vingerafdruk",
        help="Vingerafdruk van de sleutel zoals de organisatie die publiceert (niet uit de bundel). Samen "
        "met --vertrouwde-sleutels: de bundel moet met deze sleutel ondertekend zijn én die sleutel "
        "moet in het bestand staan.",
    ),
    trusted: Path = typer.Option(
        None,
        "--vertrouwde-sleutels",
        exists=True,
        dir_okay=False,
        help="Bestand met vertrouwde sleutels: per regel 'vingerafdruk [organisatie-id [geldig-vanaf "
        "[geldig-tot|ingetrokken [naam]]]]', of het JSON-document van "
        "<organisatie>/.well-known/schildwacht-keys (vlak voor de controle opgehaald: ingetrokken "
        "sleutels staan erop).",
    ),
    tsa_ca: list[Path] = typer.Option(
        None, "--tsa-ca", exists=True, dir_okay=False, help="Vertrouwd CA-certificaat (PEM) van de tijdstempeldienst."
    ),
) -> None:
    """Controleer een bundel offline: hashes, handtekening, tijdstempel, bewaarketen en ondertekenaar / verify.

    Exitcode / exit code: 0 = intact en ondertekenaar geverifieerd; 1 = niet intact, andere sleutel of
    ingetrokken sleutel (het eerste probleem wordt genoemd); 2 = verkeerd gebruik; 3 = integer maar ondertekenaar
    niet geverifieerd (geen --vingerafdruk of --vertrouwde-sleutels).
    """
    from triage.bundle.trust import TrustProblem, load_trusted_keys, normalise_fingerprint
    from triage.bundle.verify import EXIT_USAGE, SIGNER_UNVERIFIED, verify_bundle

    try:
        anchors = load_trusted_keys(trusted) if trusted else []
        expected = normalise_fingerprint(fingerprint) if fingerprint else None
        cas = [x509.load_pem_x509_certificate(p.read_bytes()) for p in tsa_ca or []]
    except (TrustProblem, ValueError) as exc:  # an unreadable CA certificate is a ValueError
        typer.echo(f"Onbruikbare invoer / unusable input: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    result = verify_bundle(file, expected_fingerprint=expected, trusted_tsa_cas=cas or None, trusted_keys=anchors)
    if not result.ok:
        typer.echo(f"NIET INTACT / NOT INTACT: {result.problem}")
    for line in result.summary:
        typer.echo(line)
    if result.ok and not result.signer_verified:
        typer.echo(SIGNER_UNVERIFIED)
    raise typer.Exit(result.exit_code)


def _key_command(action: str):
    def run(
        organisation: str = typer.Argument(..., help="Organisatie-id, bv. gm-voorbeeld."),
        door: str = typer.Option(None, "--door", help="Wie dit doet (e-mail); standaard cli:<gebruiker>."),
    ) -> None:
        from triage.bundle import keys
        from triage.bundle.trust import published_keys_url

        settings = Settings()
        refuse_unprotected_signing_key(settings)
        try:
            with database_session(settings) as (settings, session):
                row = getattr(keys, action)(session, settings, organisation, door or f"cli:{getpass.getuser()}")
                fp = row.fingerprint
        except keys.KeyProblem as exc:
            typer.echo(f"Mislukt / failed: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(
            f"Sleutel {'gemaakt' if action == 'generate' else 'vervangen'} voor {organisation} "
            f"(privésleutel in {keys.key_dir(settings)})."
        )
        typer.echo(f"Vingerafdruk / fingerprint: {keys.format_fingerprint(fp)}")
        typer.echo(f"Gepubliceerd op / published at: {published_keys_url(settings)}")

    run.__doc__ = {
        "generate": "Maak de eerste ondertekeningssleutel van een organisatie / generate a key.",
        "rotate": "Vervang de sleutel; de oude blijft geregistreerd voor oude bundels / rotate.",
    }[action]
    return run


def revoke(
    organisation: str = typer.Argument(..., help="Organisatie-id, bv. gm-voorbeeld."),
    fingerprint: str = typer.Argument(..., help="Vingerafdruk van de sleutel (64 hexadecimale tekens, groepen mogen)."),
    reden: str = typer.Option(..., "--reden", help="Waarom (alleen in het auditlog, niet gepubliceerd)."),
    door: str = typer.Option(None, "--door", help="Wie dit doet (e-mail); standaard cli:<gebruiker>."),
) -> None:
    """Trek een sleutel in die (mogelijk) in verkeerde handen is / revoke a compromised key.

    Daarna weigert 'bundle verify' (exitcode 1) elke bundel die met deze sleutel is ondertekend, ook echte en oude:
    exporteer lopende zaken opnieuw. Een huidige sleutel wordt meteen buiten gebruik gesteld; de volgende export (of
    'keys generate') maakt een nieuwe. De intrekking staat op de gepubliceerde sleutelpagina.
    """
    from triage.bundle import keys
    from triage.bundle.trust import TrustProblem, normalise_fingerprint, published_keys_url

    settings = Settings()
    try:
        fp = normalise_fingerprint(fingerprint)
    except TrustProblem as exc:
        typer.echo(f"Onbruikbare invoer / unusable input: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        with database_session(settings) as (settings, session):
            keys.revoke(session, organisation, fp, door or f"cli:{getpass.getuser()}", reden)
    except keys.KeyProblem as exc:
        typer.echo(f"Mislukt / failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"Sleutel {keys.format_fingerprint(fp)} van {organisation} ingetrokken / revoked. Bundels die ermee "
        "zijn ondertekend, worden voortaan geweigerd; exporteer lopende zaken opnieuw."
    )
    typer.echo(f"Gepubliceerd op / published at: {published_keys_url(settings)}")


def export_public(
    organisation: str = typer.Argument(..., help="Organisatie-id."),
    output: Path = typer.Option(
        None, "-o", "--uitvoer", dir_okay=False, help="Schrijf de PEM naar dit bestand (anders stdout)."
    ),
) -> None:
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
    typer.echo(
        f"Vingerafdruk / fingerprint: {keys.format_fingerprint(fp)} (geldig vanaf {since:%Y-%m-%d %H:%M} UTC)", err=True
    )


def register(app: typer.Typer) -> None:
    bundle = typer.Typer(help="Bewijsbundels exporteren en controleren / evidence bundles.", no_args_is_help=True)
    bundle.command("export")(export)
    bundle.command("verify")(verify)
    keys_app = typer.Typer(help="Ondertekeningssleutels van organisaties / signing keys.", no_args_is_help=True)
    keys_app.command("generate")(_key_command("generate"))
    keys_app.command("rotate")(_key_command("rotate"))
    keys_app.command("revoke")(revoke)
    keys_app.command("export-public")(export_public)
    app.add_typer(bundle, name="bundle")
    app.add_typer(keys_app, name="keys")
