"""Finding 3 (passwords): staff passwords were only checked for length (12) in `users add`, so "wachtwoord2024"
or "welkom01welkom01" were accepted. Now every place that sets a password refuses short, repetitive and common
ones (a shipped list of common passwords, Dutch ones included), with a Dutch message."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from schildwacht.config import get_settings
from schildwacht.models import StaffUser
from triage.security import WeakPassword, check_password_policy, common_passwords

ACCEPTED = ["Zeilboot-Tulpenveld-73", "correct paard batterij nietje", "geheim-wachtwoord-2"]


@pytest.mark.parametrize("password", ["", "Kort-Wacht1", "9x!Tr0mbone"])
def test_short_passwords_are_refused(password):
    with pytest.raises(WeakPassword, match="minstens 12 tekens"):
        check_password_policy(password)


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaaaaaa",  # one character
        "ababababababab12",  # few distinct characters
        "welkom01welkom01",  # a repeated unit
        "Zomer!Zomer!Zomer!",  # a repeated unit, mixed case
        "1234567890123",  # a run of digits
        "mnopqrs3456789",  # runs
        "qwertyuiopasdf",  # a keyboard row
    ],
)
def test_repetitive_passwords_are_refused(password):
    with pytest.raises(WeakPassword, match="voorspelbaar"):
        check_password_policy(password)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # on the list as it is
        "q1w2e3r4t5y6",  # on the list as it is
        "Wachtwoord2024!",  # Dutch base word with digits and a symbol
        "Welkom01!!2026",  # Dutch base word
        "Voetbal-123456",  # Dutch base word
        "!!Feyenoord1908",  # Dutch base word, prefix and suffix
    ],
)
def test_common_passwords_are_refused(password):
    with pytest.raises(WeakPassword, match="veelgebruikte"):
        check_password_policy(password)


def test_the_shipped_list_is_large_and_has_dutch_entries():
    words = common_passwords()
    assert len(words) >= 5000
    assert {"wachtwoord", "welkom01", "geheim", "voetbal", "123456", "password"} <= words


@pytest.mark.parametrize("password", ACCEPTED)
def test_strong_passwords_pass(password):
    check_password_policy(password)


@pytest.fixture
def cli(pg, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg.url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args, input=None: runner.invoke(cli_app, list(args), input=input)
    get_settings.cache_clear()


def test_cli_refuses_weak_passwords_where_passwords_are_set(world, db, cli):
    weak = "Wachtwoord2024!"
    r = cli(
        "users",
        "add",
        "--email",
        "nieuw@voorbeeld.example",
        "--naam",
        "Nieuwe Collega",
        "--organisatie",
        "gm-voorbeeld",
        "--rol",
        "triagist",
        input=f"{weak}\n{weak}\n",
    )
    assert r.exit_code != 0 and "veelgebruikte" in r.output
    with db() as s:
        assert s.scalar(select(StaffUser).where(StaffUser.email == "nieuw@voorbeeld.example")) is None
        before = s.scalar(select(StaffUser.password_hash).where(StaffUser.email == "j.kokkelink@voorbeeld.example"))
    r = cli("users", "passwd", "j.kokkelink@voorbeeld.example", input="welkom01welkom01\nwelkom01welkom01\n")
    assert r.exit_code != 0 and "voorspelbaar" in r.output
    with db() as s:
        after = s.scalar(select(StaffUser.password_hash).where(StaffUser.email == "j.kokkelink@voorbeeld.example"))
    assert after == before

    strong = ACCEPTED[0]
    r = cli(
        "users",
        "add",
        "--email",
        "nieuw@voorbeeld.example",
        "--naam",
        "Nieuwe Collega",
        "--organisatie",
        "gm-voorbeeld",
        "--rol",
        "triagist",
        input=f"{strong}\n{strong}\n",
    )
    assert r.exit_code == 0, r.output
