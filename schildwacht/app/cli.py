"""The `schildwacht` command line: one entry point, each stage registers its own commands."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="schildwacht",
    help="Schildwacht: bescherming van lokale politici tegen online haat. "
    "Verzamelen → classificeren → triage → bewijsbundel.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@app.callback()
def main(verbose: bool = typer.Option(False, "--uitgebreid", "-v", help="Meer logregels / more log output.")) -> None:
    from schildwacht.logs import configure

    configure(verbose)  # JSON lines when stderr is not a terminal (schildwacht/logs.py)


secret_app = typer.Typer(
    help="Geheime sleutels voor sessies, persoonlijke links en pseudoniemen / secret keys.", no_args_is_help=True
)
app.add_typer(secret_app, name="secret")


@secret_app.command("generate")
def secret_generate() -> None:
    """Print een nieuwe willekeurige sleutel, bijv. SCHILDWACHT_SECRET_KEY=$(schildwacht secret generate).

    Prints a new random key (64 URL-safe characters) for SCHILDWACHT_SECRET_KEY or SCHILDWACHT_PSEUDONYM_KEY.
    """
    from schildwacht.secret_keys import generate_secret_key

    typer.echo(generate_secret_key())


def _register_stages() -> None:
    """Each stage adds its own commands, in pipeline order."""
    from classifiers.cli import register as classifiers
    from collectors.cli import register as collectors
    from schildwacht.app.intake_cli import register as intake
    from schildwacht.app.pipeline_cli import register as pipeline
    from schildwacht.app.training_cli import register as training
    from triage.bundle.cli import register as bundle
    from triage.registry.cli import register as registry
    from triage.web.cli import register as web

    for register in (pipeline, collectors, intake, classifiers, training, web, registry, bundle):
        register(app)


_register_stages()
