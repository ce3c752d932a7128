"""`python -m schildwacht` runs the CLI."""

from schildwacht.cli import app

app()
