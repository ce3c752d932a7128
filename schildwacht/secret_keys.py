"""The secret key that signs session cookies and personal links and keys the author pseudonyms in statistics.

Production commands call `require_strong_secrets` before they start: a missing key, a known placeholder or a key
under 256 bits (32 bytes) of estimated entropy ends the command with exit code 2. The check is deliberately not in
the `Settings` constructor: tests build settings with short keys of their own. `demo` and `replay` never run on a
weak key either: without a strong configured key they use `local_secret_key(data_dir)`, one random key per data
directory, so the well-known default can never sign anything.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import string
from pathlib import Path

import typer
from rich.console import Console

from schildwacht.config import Settings

MIN_ENTROPY_BITS = 256
LOCAL_KEY_FILE = "secret_key"
GENERATE_HINT = "SCHILDWACHT_SECRET_KEY=$(schildwacht secret generate)"

# Placeholders seen in this repository's history, its docs and common templates. A key that contains one of these
# (compared lower-cased, letters and digits only) is refused whatever its length.
PLACEHOLDER_MARKERS = ("changeme", "changethis", "replaceme", "placeholder", "insecure",
                       "yoursecret", "secretkeyhere", "longrandomstring", "notsecret")

_CLASSES = (set(string.ascii_lowercase), set(string.ascii_uppercase), set(string.digits))
_OTHER_CLASS_SIZE = len(string.punctuation) + 1  # ASCII punctuation and space; non-ASCII counts the same (low)
_MIN_REPEAT = 4


def generate_secret_key() -> str:
    """A new key: 48 random bytes, URL-safe base64 (64 characters, 364 bits or more by `estimate_entropy_bits`)."""
    return secrets.token_urlsafe(48)


def estimate_entropy_bits(value: str) -> float:
    """A conservative estimate of the entropy of `value`, in bits.

    Rule: bits = tokens x log2(alphabet).
    - alphabet: the sum of the sizes of the character classes that occur: lower-case letters 26, upper-case 26,
      digits 10, anything else 33 (ASCII punctuation and space; non-ASCII characters are counted in this class too,
      which underestimates them).
    - tokens: the number of steps of a greedy LZ77 parse from left to right: at each position the longest substring
      of at least 4 characters that also occurs starting at an earlier position (overlap allowed) is one token,
      otherwise the single character is. Repeats ("aaaa…", "changemechangeme…") thus add almost nothing.
    A random 43-character `secrets.token_urlsafe(32)` (256 bits) estimates at 256 bits or more unless it happens to
    lack digits (about 1 in 7,700); the 64 characters of `generate_secret_key` estimate at 364 bits or more.
    """
    if not value:
        return 0.0
    alphabet = sum(len(cls) for cls in _CLASSES if any(ch in cls for ch in value))
    if any(not any(ch in cls for cls in _CLASSES) for ch in value):
        alphabet += _OTHER_CLASS_SIZE
    tokens, i = 0, 0
    while i < len(value):
        length = _MIN_REPEAT - 1
        while i + length < len(value) and value.find(value[i:i + length + 1], 0, i + length) != -1:
            length += 1
        tokens += 1
        i += length if length >= _MIN_REPEAT else 1
    return tokens * math.log2(alphabet)


def check_secret_key(value: str | None) -> str | None:
    """Why `value` must not be used as a production secret (Dutch / English), or None when it is strong."""
    if not value:
        return "niet ingesteld / not set"
    normalised = re.sub(r"[^a-z0-9]", "", value.lower())
    if any(marker in normalised for marker in PLACEHOLDER_MARKERS):
        return "een bekende voorbeeldwaarde / a known placeholder"
    bits = estimate_entropy_bits(value)
    if bits < MIN_ENTROPY_BITS:
        return (f"te zwak: ongeveer {math.floor(bits)} bits, minstens {MIN_ENTROPY_BITS} nodig / "
                f"too weak: about {math.floor(bits)} bits, at least {MIN_ENTROPY_BITS} needed")
    return None


def weak_secrets(settings: Settings) -> dict[str, str]:
    """Environment variable -> reason, for every configured secret that is weak. The secret key is always needed;
    the pseudonym key only where it is set, non-empty (otherwise it is derived from the secret key)."""
    found = {}
    if (reason := check_secret_key(settings.secret_key)) is not None:
        found["SCHILDWACHT_SECRET_KEY"] = reason
    if settings.pseudonym_key and (reason := check_secret_key(settings.pseudonym_key)) is not None:
        found["SCHILDWACHT_PSEUDONYM_KEY"] = reason
    return found


def require_strong_secrets(settings: Settings) -> None:
    """End the command with exit code 2 and a Dutch/English explanation when a configured secret is weak."""
    weak = weak_secrets(settings)
    if not weak:
        return
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for variable, reason in weak.items():
        err.print(f"[bold red]Fout:[/] {variable} is {reason}.", markup=True)
    err.print("Schildwacht start niet zonder sterke geheime sleutel. Maak er een en zet die in de omgeving, "
              f"bijvoorbeeld:\n  {GENERATE_HINT}\n"
              "Schildwacht refuses to start without a strong secret key. Generate one and set it in the "
              f"environment, for example:\n  {GENERATE_HINT}", markup=False)
    raise typer.Exit(2)


def local_secret_key(data_dir: Path) -> str:
    """The key of this data directory (`<data_dir>/secret_key`, mode 0600), created on first use.

    For `demo` and `replay` only: the key survives restarts (sessions stay valid) and differs per data directory.
    The file is published atomically (hard link of a complete file), so concurrent first uses agree on one key.
    """
    path = data_dir / LOCAL_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{LOCAL_KEY_FILE}.{secrets.token_hex(8)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(generate_secret_key() + "\n")
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def with_local_secret(settings: Settings) -> Settings:
    """`settings` unchanged when its secret key is strong, else with the data directory's own key."""
    if check_secret_key(settings.secret_key) is None:
        return settings
    return settings.model_copy(update={"secret_key": local_secret_key(settings.data_dir)})
