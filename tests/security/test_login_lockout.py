"""Finding 3 (lockout): the login limit keyed on client address + e-mail, and `schildwacht web` let uvicorn trust
X-Forwarded-For from loopback, so rotating that header gave unlimited password guesses for one account.

Now forwarded headers count only from SCHILDWACHT_TRUSTED_PROXIES (none by default), an account locks after too
many failures from any address (exponential back-off), and one address locks after too many failures on any
accounts. The live tests serve the app through `serve_config`, the construction `schildwacht web` uses."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import uvicorn
from sqlalchemy import select, update
from triageweb_support import USERS, Client, csrf_of

from schildwacht.config import Settings
from schildwacht.embedded import free_port
from triage.models.workflow import LoginAttempt
from triage.seed import DEMO_PASSWORD
from triage.web.app import create_app
from triage.web.serving import serve_config

VICTIM = USERS["triagist_a"]


@contextmanager
def served(settings: Settings, db) -> Iterator[str]:
    """The app as `schildwacht web` serves it (same uvicorn construction), on a free loopback port."""
    config = serve_config(settings, create_app(settings, db), host="127.0.0.1", port=free_port(), lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _attempt(client: httpx.Client, token: str, password: str, forwarded_for: str | None = None,
             email: str = VICTIM) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "wachtwoord": password},
                       headers=headers)


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
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "wachtwoord": password},
                       follow_redirects=False)


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


def test_web_trusts_forwarded_headers_only_from_configured_proxies(world, db):
    app = create_app(world.settings, db)
    default = serve_config(world.settings, app)
    assert default.proxy_headers is False
    behind = serve_config(world.settings.model_copy(update={"trusted_proxies": "10.0.0.5, 10.9.0.0/16"}), app)
    assert behind.proxy_headers is True and behind.forwarded_allow_ips == ["10.0.0.5", "10.9.0.0/16"]
