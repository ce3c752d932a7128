"""Finding 3 (lockout): the login limit keyed on client address + e-mail, and `schildwacht web` let uvicorn trust
X-Forwarded-For from loopback, so rotating that header gave unlimited password guesses for one account.

Now forwarded headers count only from SCHILDWACHT_TRUSTED_PROXIES (none by default), an account locks after too
many failures from any address (exponential back-off), and one address locks after too many failures on any
accounts. The live tests serve the app through `serve_config`, the construction `schildwacht web` uses.

Review follow-ups: parallel guesses were all checked before any was recorded (the limit is now read and the
attempt recorded under one lock per account and per address), and a trusted proxy network written with host bits
(`127.0.0.5/8`) was handed to uvicorn as a literal that never matched."""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from schildwacht.app.seed import DEMO_PASSWORD
from schildwacht.models.workflow import LoginAttempt
from tests.triage.web.triageweb_support import USERS, Client, csrf_of
from tests.triage.web.webfixtures import served
from triage.web.serving import trusted_proxies

VICTIM = USERS["triagist_a"]


def _attempt(
    client: httpx.Client, token: str, password: str, forwarded_for: str | None = None, email: str = VICTIM
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "wachtwoord": password}, headers=headers)


def _age_attempts(db, by: timedelta) -> None:
    """Move every recorded login attempt into the past: the back-off 'has passed' without waiting."""
    with db() as s, s.begin():
        s.execute(update(LoginAttempt).values(at=LoginAttempt.at - by))


def test_rotating_forwarded_for_is_ignored_without_trusted_proxies(world, db):
    with served(world.settings, db) as url, httpx.Client(base_url=url, follow_redirects=False) as c:
        token = csrf_of(c.get("/inloggen").text)
        statuses = [_attempt(c, token, "fout", f"203.0.113.{i}").status_code for i in range(20)]
        refused = _attempt(c, token, DEMO_PASSWORD, "198.51.100.7")
    limit = world.settings.login_max_failures
    assert statuses == [401] * limit + [429] * (20 - limit)
    assert refused.status_code == 429 and "Te veel mislukte pogingen" in refused.text
    with db() as s:
        assert set(s.scalars(select(LoginAttempt.ip))) == {"127.0.0.1"}  # the forged header was not believed


def test_account_locks_across_addresses_behind_a_trusted_proxy(world, db):
    settings = world.settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    limit = settings.login_account_max_failures
    assert limit < 20
    with served(settings, db) as url, httpx.Client(base_url=url, follow_redirects=False) as c:
        token = csrf_of(c.get("/inloggen").text)
        statuses = [_attempt(c, token, "fout", f"203.0.113.{i}").status_code for i in range(20)]
        refused = _attempt(c, token, DEMO_PASSWORD, "198.51.100.7")
        with db() as s:
            seen = set(s.scalars(select(LoginAttempt.ip)))
        _age_attempts(db, timedelta(seconds=settings.login_backoff_base_s + 60))
        after_back_off = _attempt(c, token, DEMO_PASSWORD, "198.51.100.7")
    assert statuses == [401] * limit + [429] * (20 - limit)
    assert refused.status_code == 429 and "Te veel mislukte pogingen" in refused.text
    assert seen == {f"203.0.113.{i}" for i in range(limit)}  # the trusted proxy's header is believed
    assert after_back_off.status_code == 303


def _login(client: Client, password: str, email: str = VICTIM) -> httpx.Response:
    token = csrf_of(client.get("/inloggen").text)
    return client.post(
        "/inloggen", data={"csrf_token": token, "email": email, "wachtwoord": password}, follow_redirects=False
    )


def test_account_back_off_doubles_with_each_further_failure(world, app, db):
    settings = world.settings
    base, limit = settings.login_backoff_base_s, settings.login_account_max_failures
    clients = [Client(app, client=(f"10.1.0.{i}", 1000)) for i in range(limit + 2)]
    assert [_login(clients[i], "fout").status_code for i in range(limit)] == [401] * limit
    assert _login(clients[limit], DEMO_PASSWORD).status_code == 429

    _age_attempts(db, timedelta(seconds=base + 5))  # first back-off over: one more guess is checked...
    assert _login(clients[limit], "fout").status_code == 401
    _age_attempts(db, timedelta(seconds=base + 5))  # ...and earns twice the wait: base + 5 s is not enough now
    r = _login(clients[limit + 1], DEMO_PASSWORD)
    assert r.status_code == 429 and re.search(r"over \d+ minu(ut|ten)", r.text)
    _age_attempts(db, timedelta(seconds=base))
    assert _login(clients[limit + 1], DEMO_PASSWORD).status_code == 303
    assert _login(clients[0], "fout").status_code == 401  # a success starts the count afresh


def test_one_address_cannot_spray_many_accounts(world, app):
    settings = world.settings
    sprayer = Client(app, client=("10.2.0.1", 1000))
    for i in range(settings.login_address_max_failures):
        assert _login(sprayer, "fout", email=f"onbekend{i}@voorbeeld.example").status_code == 401
    assert _login(sprayer, DEMO_PASSWORD).status_code == 429
    assert _login(Client(app, client=("10.2.0.2", 1000)), DEMO_PASSWORD).status_code == 303


def test_trusted_proxies_reach_uvicorn_in_normal_form(world):
    def normalised(value: str) -> list[str]:
        return trusted_proxies(world.settings.model_copy(update={"trusted_proxies": value}))

    assert normalised("") == []
    assert normalised(" 10.0.0.5, 10.9.0.0/16,127.0.0.5/8, ::1 ") == ["10.0.0.5", "10.9.0.0/16", "127.0.0.0/8", "::1"]
    for wrong in ("*", "proxy.example", "10.0.0.0/33"):
        with pytest.raises(ValueError, match="SCHILDWACHT_TRUSTED_PROXIES"):
            normalised(wrong)


def test_parallel_guesses_cannot_outrun_the_limit(world, db):
    """A burst of simultaneous wrong passwords for one account from one address: exactly the limit is checked (401,
    one LoginAttempt each), every other request is refused (429) without a password check."""
    burst, limit = 30, world.settings.login_max_failures
    with served(world.settings, db) as url:
        with httpx.Client(base_url=url) as first:
            token = csrf_of(first.get("/inloggen").text)
            cookies = dict(first.cookies)
        start = threading.Barrier(burst)

        def guess(_: int) -> int:
            with httpx.Client(base_url=url, cookies=cookies, follow_redirects=False, timeout=120) as c:
                start.wait(timeout=60)
                return _attempt(c, token, "fout").status_code

        with ThreadPoolExecutor(max_workers=burst) as pool:
            statuses = list(pool.map(guess, range(burst)))
    assert sorted(statuses) == [401] * limit + [429] * (burst - limit)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == limit


def test_trusted_proxy_network_with_host_bits_is_believed(world, db):
    """`127.0.0.5/8` means the network 127.0.0.0/8: a request from 127.0.0.1 through it has its X-Forwarded-For
    believed (the recorded address is the forwarded one)."""
    settings = world.settings.model_copy(update={"trusted_proxies": "127.0.0.5/8"})
    with served(settings, db) as url, httpx.Client(base_url=url, follow_redirects=False) as c:
        token = csrf_of(c.get("/inloggen").text)
        assert _attempt(c, token, "fout", "203.0.113.9").status_code == 401
    with db() as s:
        assert list(s.scalars(select(LoginAttempt.ip))) == ["203.0.113.9"]


def test_forwarded_header_from_an_untrusted_peer_is_logged_once(world, db, caplog):
    """Behind a proxy that is not configured as trusted, every login would seem to come from the proxy: the first
    X-Forwarded-For from each untrusted peer is logged as a warning that names SCHILDWACHT_TRUSTED_PROXIES."""
    with (
        served(world.settings, db) as url,
        httpx.Client(base_url=url) as c,
        caplog.at_level(logging.WARNING, logger="triage.web.serving"),
    ):
        for i in range(3):
            assert c.get("/inloggen", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code == 200
        assert c.get("/inloggen").status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "triage.web.serving"]
    assert len(warnings) == 1 and "127.0.0.1" in warnings[0] and "SCHILDWACHT_TRUSTED_PROXIES" in warnings[0]
