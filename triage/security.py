"""Staff credentials: password hashing (argon2id), the password policy and the normal form of login e-mails."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 6
MAX_STEP_SHARE = 0.5  # at most this share of neighbouring characters may be equal or "next" (ab, 21, qw)
MIN_BASE_WORD = 4  # a common word padded with digits/symbols counts as common when the word has this many letters
MAX_EMAIL_LENGTH = 254  # the longest address SMTP can carry (RFC 5321 path minus the angle brackets)
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_POSITION = {ch: (row, col) for row, keys in enumerate(KEYBOARD_ROWS) for col, ch in enumerate(keys)}


class WeakPassword(ValueError):
    """A password the policy refuses; the message is Dutch and shown to the person choosing it."""


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises on a bad hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (triage/common-passwords.txt, lowercase; its header names the source)."""
    text = files("triage").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _is_common(password: str) -> bool:
    """On the list as typed (case-insensitive), or a listed word padded with digits and symbols ("Welkom01!")."""
    lowered = password.lower()
    base = lowered.strip("0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    words = common_passwords()
    return lowered in words or (len(base) >= MIN_BASE_WORD and base in words)


def _is_step(a: str, b: str) -> bool:
    """Neighbours that add nothing: the same character, the next code point, or adjacent keys in one row."""
    if abs(ord(a) - ord(b)) <= 1:
        return True
    pa, pb = _KEY_POSITION.get(a), _KEY_POSITION.get(b)
    return pa is not None and pb is not None and pa[0] == pb[0] and abs(pa[1] - pb[1]) == 1


def _is_repetitive(password: str) -> bool:
    """Few distinct characters, a repeated unit ("welkom01welkom01") or mostly runs ("abcd1234", "qwertyuiop")."""
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return True
    if any(lowered[period:] == lowered[:-period] for period in range(1, len(lowered) // 2 + 1)):
        return True
    steps = sum(_is_step(a, b) for a, b in zip(lowered, lowered[1:]))
    return steps >= MAX_STEP_SHARE * (len(lowered) - 1)


def check_password_policy(password: str) -> None:
    """Raise WeakPassword unless the password is long enough, not repetitive and not a common password.

    Every place that sets a staff password calls this first (triage.web.accounts)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben.")
    if _is_common(password):
        raise WeakPassword(
            "Dit wachtwoord (of het woord waarop het gebaseerd is) staat op de lijst van "
            "veelgebruikte wachtwoorden; kies een ander."
        )
    if _is_repetitive(password):
        raise WeakPassword(
            "Het wachtwoord is te voorspelbaar: te weinig verschillende tekens, een herhaald "
            "patroon of een reeks (zoals 'abcabc', '123456' of 'qwerty'). Kies een langere zin of "
            "willekeurige woorden."
        )


def normalise_email(raw: str | None) -> str:
    """The form in which a typed login e-mail is compared, rate-limited and written to the audit log.

    Invariants: NFKC-normalised, without control or format characters (Unicode category C: line breaks, escape
    sequences, bidi overrides, zero-width characters, NUL), stripped, lowercase, at most MAX_EMAIL_LENGTH chars."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    return text.strip().lower()[:MAX_EMAIL_LENGTH]
