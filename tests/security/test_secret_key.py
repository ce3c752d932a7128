"""Finding 1: no default secret key. Production commands refuse a missing, placeholder or low-entropy key (exit 2,
Dutch and English, saying how to make one); `demo`/`replay` sign with a random key of their own data directory;
author pseudonyms are never derived from a default.

The commands run as real processes (`.venv/bin/schildwacht`) against the real test PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from itsdangerous import TimestampSigner

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.embedded import free_port
from tests.triage.registry.registry_helpers import add_case, add_official, add_org
from tests.triage.web.triageweb_support import USERS, Client, login

REPO = Path(__file__).resolve().parents[2]
SCHILDWACHT = str(Path(sys.executable).with_name("schildwacht"))
OLD_DEFAULT = "dev-only-change-me"
HINT = "SCHILDWACHT_SECRET_KEY=$(schildwacht secret generate)"
# A key typed by hand: 64 characters, but only one character repeated.
WEAK_KEYS = {
    "default": OLD_DEFAULT,
    "empty": "",
    "placeholder": "changeme",
    "old-env-example": "change-me-to-a-long-random-string",
    "placeholder-padded": "change-me-to-a-long-random-string-" + "Q7v2Kp9Xz4Lm8Rt3Wb6Yn1Hc5Jd0Fg",
    "one-char": "x",
    "short": "k3Y!9zQ",
    "low-entropy": "a" * 64,
    "repeated-word": "Geheim12" * 8,
}


def _env(tmp_path: Path, database_url: str, **variables: str | None) -> dict[str, str]:
    """The environment of a production command: nothing from this shell's SCHILDWACHT_*, the test database, a
    private data directory; a variable given as None is left unset."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SCHILDWACHT_") and k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    env |= {"SCHILDWACHT_DATABASE_URL": database_url, "SCHILDWACHT_DATA_DIR": str(tmp_path / "data")}
    env |= {k: v for k, v in variables.items() if v is not None}
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCHILDWACHT, *args], check=False, env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _assert_refused(result: subprocess.CompletedProcess[str], variable: str = "SCHILDWACHT_SECRET_KEY") -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)  # None: it served
    message = " ".join(result.stderr.split())
    assert variable in message
    assert HINT in message
    assert "Schildwacht start niet zonder sterke geheime sleutel" in message  # Dutch
    assert "Schildwacht refuses to start without a strong secret key" in message  # English


def _generate(tmp_path: Path, database_url: str) -> str:
    result = _run(["secret", "generate"], _env(tmp_path, database_url), tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _web(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `schildwacht web` until it exits or serves: a server that answers is asked for GET /inloggen and then
    stopped, and its result has returncode None and that status code as `stdout`."""
    port = free_port()
    proc = subprocess.Popen(
        [SCHILDWACHT, "web", "--host", "127.0.0.1", "--poort", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.read(), proc.stderr.read())
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("web neither exited nor opened its port within 90 s")
        status = httpx.get(f"http://127.0.0.1:{port}/inloggen", timeout=30).status_code
        return subprocess.CompletedProcess(proc.args, None, str(status), "")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ------------------------------------------------------------------------------------------------ schildwacht web


@pytest.mark.parametrize("key", [None, *WEAK_KEYS.values()], ids=["unset", *WEAK_KEYS])
def test_web_refuses_weak_secret_key(pg, tmp_path, key):
    _assert_refused(_web(_env(tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=key), tmp_path))


def test_web_refuses_env_example_as_copied(pg, tmp_path):
    """An integrator who copies .env.example to .env and fills in nothing gets no running server."""
    shutil.copy(REPO / ".env.example", tmp_path / ".env")
    _assert_refused(_web(_env(tmp_path, pg.url), tmp_path))


def test_web_starts_with_generated_key(pg, db, tmp_path):
    key = _generate(tmp_path, pg.url)
    assert key != _generate(tmp_path, pg.url)  # a fresh key per call
    assert len(key) >= 43
    # The web app signs bundles, so it also needs the signing-key passphrase (tests/security/test_signing_key_at_rest)
    unprotected = _web(_env(tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=key), tmp_path)
    assert unprotected.returncode == 2 and "SCHILDWACHT_KEY_PASSPHRASE_FILE" in unprotected.stderr, unprotected.stderr
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(_generate(tmp_path, pg.url) + "\n")
    served = _web(
        _env(tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=key, SCHILDWACHT_KEY_PASSPHRASE_FILE=str(passphrase)), tmp_path
    )
    assert (served.returncode, served.stdout) == (None, "200"), served.stderr


def test_entropy_estimate_examples():
    from schildwacht import secret_keys

    token_urlsafe_32 = "pB0sRkz3V9wqYl8TnUe2GxJfH6aCmQd4Ri7Ko1Ns5Wv"  # 43 characters, as secrets.token_urlsafe(32)
    assert len(token_urlsafe_32) == 43 and secret_keys.check_secret_key(token_urlsafe_32) is None
    for name, key in WEAK_KEYS.items():
        assert secret_keys.check_secret_key(key) is not None, name
    estimate = secret_keys.estimate_entropy_bits
    assert estimate("a" * 64) < estimate("ab" + "a" * 62) < secret_keys.MIN_ENTROPY_BITS


# Keys spelled from words: long and of all character classes, so counting characters gave them 300+ bits.
WORD_KEYS = {
    "english": "ThisIsMyVerySecretKeyForSchildwachtProduction2026!",
    "dutch": "DitIsMijnZeerGeheimeSleutelVoorSchildwachtProductie2026!",
    "dutch-lowercase": "dit-is-mijn-zeer-geheime-sleutel-voor-schildwacht-productie-2026",
    "upper-case": "THISISMYVERYSECRETKEYFORSCHILDWACHTPRODUCTION2026",
    "l33t": "Th1s1sMyV3ryS3cr3tK3yF0rSch1ldw4chtPr0duct10n2026!",
    "sentence": "Schildwacht Productie Sleutel van de Gemeente Voorbeeld 2026 - niet delen!",
}


@pytest.mark.parametrize("key", WORD_KEYS.values(), ids=WORD_KEYS)
def test_keys_spelled_from_words_are_refused(key):
    from schildwacht import secret_keys

    assert len(key) >= 49 and secret_keys.check_secret_key(key) is not None


def test_generated_keys_always_pass():
    from schildwacht import secret_keys

    weakest = min(secret_keys.estimate_entropy_bits(secret_keys.generate_secret_key()) for _ in range(2000))
    assert weakest >= secret_keys.MIN_ENTROPY_BITS


# ---------------------------------------------------------------------------------- link and statistics commands


def _registry_data(db) -> None:
    with session_scope(db) as s:
        add_org(s, "gm-a")
        official = add_official(s, "off-a", "gm-a")
        for _ in range(2):
            add_case(s, official, labels=["abuse"], author="mastodon:@troll@bad.example")


@pytest.mark.parametrize("key", [None, OLD_DEFAULT, "a" * 64], ids=["unset", "default", "low-entropy"])
def test_link_and_stats_commands_refuse_weak_secret_key(pg, db, tmp_path, key):
    _registry_data(db)
    env = _env(tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=key)
    _assert_refused(_run(["officials", "invite", "off-a"], env, tmp_path))
    _assert_refused(_run(["stats", "--organisatie", "gm-a", "--json"], env, tmp_path))


def test_stats_refuses_weak_pseudonym_key(pg, db, tmp_path):
    _registry_data(db)
    env = _env(
        tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=_generate(tmp_path, pg.url), SCHILDWACHT_PSEUDONYM_KEY="onderzoek-2026"
    )
    _assert_refused(_run(["stats", "--organisatie", "gm-a", "--json"], env, tmp_path), "SCHILDWACHT_PSEUDONYM_KEY")


def test_stats_pseudonyms_depend_on_the_secret_key(pg, db, tmp_path):
    _registry_data(db)

    def top_author(key: str) -> str:
        result = _run(
            ["stats", "--organisatie", "gm-a", "--json"], _env(tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=key), tmp_path
        )
        assert result.returncode == 0, result.stderr
        top = json.loads(result.stdout)["authors"]["top"]
        assert len(top) == 1 and top[0]["cases"] == 2 and "troll" not in top[0]["author"]
        return top[0]["author"]

    first, second = _generate(tmp_path, pg.url), _generate(tmp_path, pg.url)
    assert top_author(first) == top_author(first)
    assert top_author(first) != top_author(second)
    invite = _run(["officials", "invite", "off-a"], _env(tmp_path, pg.url, SCHILDWACHT_SECRET_KEY=first), tmp_path)
    assert invite.returncode == 0 and "/mijn/" in invite.stdout, invite.stderr


def test_pseudonym_key_is_never_derived_from_a_default(monkeypatch):
    from triage.registry.statistics import pseudonym_key

    for variable in ("SCHILDWACHT_SECRET_KEY", "SCHILDWACHT_PSEUDONYM_KEY"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ValueError):
        pseudonym_key(Settings(_env_file=None))


# --------------------------------------------------------------------------------------------- demo and replay


def _resigned(cookie: str, key: str) -> str:
    """The cookie's session payload, signed again with `key` the way Starlette's SessionMiddleware signs."""
    payload = cookie.split(".", 1)[0]
    return TimestampSigner(key).sign(payload.encode()).decode()


def test_demo_runtime_signs_with_its_own_data_dir_key(stack, tmp_path):
    """`demo` and `replay` start through `runtime()`: with no key configured, a beheerder's session cookie re-signed
    with the old default (or an empty key) is refused, while the same payload signed with the data directory's key
    is accepted; the key is kept in <data_dir>/secret_key (0600) and reused on restart."""
    from schildwacht.app.pipeline import runtime
    from triage.web.app import create_app

    settings = stack.settings  # no secret key configured
    with runtime(settings, seed_demo=True) as rt:
        key = rt.settings.secret_key
        assert key not in ("", OLD_DEFAULT)
        key_file = settings.data_dir / "secret_key"
        assert key_file.read_text().strip() == key
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        app = create_app(rt.settings, rt.sessions)
        genuine = login(app, "beheerder_a").cookies.get("schildwacht_sessie")
        for forged_with, expected in ((OLD_DEFAULT, 401), ("", 401), (key, 200)):
            attacker = Client(app, base_url="http://testserver")
            attacker.cookies.set("schildwacht_sessie", _resigned(genuine, forged_with))
            r = attacker.get("/api/me")
            assert r.status_code == expected, (forged_with, r.text)
            if expected == 200:
                assert r.json()["email"] == USERS["beheerder_a"]

    with runtime(settings.model_copy(update={"secret_key": OLD_DEFAULT})) as again:
        assert again.settings.secret_key == key  # restart: same key, sessions survive
    from schildwacht.secret_keys import with_local_secret

    elsewhere = with_local_secret(settings.model_copy(update={"data_dir": tmp_path / "other"}))
    assert elsewhere.secret_key not in (key, "", OLD_DEFAULT)


def test_weak_meta_secrets_are_named_and_strong_ones_pass():
    """The optional Meta secrets (token encryption key, webhook verify token) are checked only where set, each named
    by its environment variable."""
    from schildwacht import secret_keys

    strong = secret_keys.generate_secret_key()
    base = {"secret_key": strong, "_env_file": None}
    assert secret_keys.weak_secrets(Settings(**base)) == {}
    weak = Settings(**base, meta_token_key="changeme", meta_webhook_verify_token="geheim123")
    assert set(secret_keys.weak_secrets(weak)) == {
        "SCHILDWACHT_META_TOKEN_KEY",
        "SCHILDWACHT_META_WEBHOOK_VERIFY_TOKEN",
    }
    other = secret_keys.generate_secret_key()
    assert secret_keys.weak_secrets(Settings(**base, meta_token_key=other, meta_webhook_verify_token=other)) == {}
