"""`python -m schildwacht` runs the CLI."""

from schildwacht.app.cli import app

app()
