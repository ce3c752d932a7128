"""The `schildwacht` command line: one entry point, each stage registers its own commands."""

from __future__ import annotations

import logging

import typer

app = typer.Typer(
    name="schildwacht",
    help="Schildwacht: bescherming van lokale politici tegen online haat. "
         "Verzamelen → classificeren → triage → bewijsbundel.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Meer logregels / more log output.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _register_stages() -> None:
    from schildwacht import pipeline_cli

    pipeline_cli.register(app)
    from triage.bundle.cli import register as _bundle; _bundle(app)  # noqa: E702
    from triage.registry.cli import register as _registry; _registry(app)  # noqa: E702
    from collectors.cli import register as _collectors; _collectors(app)  # noqa: E702
    from triage.web.cli import register as _web; _web(app)  # noqa: E702


_register_stages()
