"""`schildwacht train` / `evaluate`: declared in the composition root, carried out by `training` only when they run;
from the console script of an editable install (checkout not on sys.path) they still find training/, and where
training/ or the `train` extra is missing they stop with a Dutch message instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schildwacht.app import training_cli
from schildwacht.app.cli import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("command", "options"), [("train", ["--uitvoer", "--apparaat"]), ("evaluate", ["--model"])])
def test_help_of_the_training_commands(command: str, options: list[str]):
    res = CliRunner().invoke(app, [command, "--help"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert all(option in res.output for option in options)


def test_the_console_script_situation_finds_training_in_the_checkout(tmp_path: Path):
    """Like `.venv/bin/schildwacht` started elsewhere: neither the working directory nor PYTHONPATH is the checkout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import sys\n"
        "assert 'training' not in sys.modules\n"
        "try:\n"
        "    import training\n"
        "except ModuleNotFoundError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('training importable without the checkout on sys.path')\n"
        "from schildwacht.app.training_cli import training_commands\n"
        "print(training_commands().__file__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert Path(run.stdout.strip()) == ROOT / "training" / "cli.py"


def test_without_training_the_commands_stop_with_a_dutch_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An installation from the wheel: no `training` package and no training/ beside the installed code."""
    monkeypatch.setattr(training_cli, "REPO_ROOT", tmp_path)
    for name in ("training", "training.cli"):  # importing it fails as it does where it is not installed
        monkeypatch.setitem(sys.modules, name, None)
    for args in (["evaluate", "--niet-schrijven"], ["train", "-o", str(tmp_path / "m"), "--niet-evalueren"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 2
        assert "niet in deze installatie" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "m").exists()


def test_without_the_train_extra_the_commands_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "datasketch", None)  # as if `pip install -e '.[train]'` had not run
    res = CliRunner().invoke(app, ["evaluate", "--model", str(tmp_path), "--niet-schrijven"])
    assert res.exit_code == 2
    assert "datasketch" in res.output and ".[train]" in res.output
