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
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path

import typer
from rich.console import Console
from zxcvbn import matching, scoring

from schildwacht.config import Settings

MIN_ENTROPY_BITS = 256
LOCAL_KEY_FILE = "secret_key"
GENERATE_HINT = "SCHILDWACHT_SECRET_KEY=$(schildwacht secret generate)"

# Placeholders seen in this repository's history, its docs and common templates. A key that contains one of these
# (compared lower-cased, letters and digits only) is refused whatever its length.
PLACEHOLDER_MARKERS = (
    "changeme",
    "changethis",
    "replaceme",
    "placeholder",
    "insecure",
    "yoursecret",
    "secretkeyhere",
    "longrandomstring",
    "notsecret",
)

_CLASSES = (set(string.ascii_lowercase), set(string.ascii_uppercase), set(string.digits))
_OTHER_CLASS_SIZE = len(string.punctuation) + 1  # ASCII punctuation and space; non-ASCII counts the same (low)
_MIN_REPEAT = 4
MIN_WORD = 5  # shorter list words turn up by chance in random keys too often to count
DUTCH_WORDS = "dutch-words.txt"
PROJECT_WORDS = ("schildwacht", "ambtsdrager", "triagist", "bewijsbundel")


def generate_secret_key() -> str:
    """A new key: 48 random bytes, URL-safe base64 (64 characters; far above MIN_ENTROPY_BITS by
    `estimate_entropy_bits`, which tests/security/test_secret_key.py checks on 2,000 of them)."""
    return secrets.token_urlsafe(48)


@cache
def _word_lists() -> dict[str, dict[str, int]]:
    """One ranked word list (word -> its best rank, 1 = most common) merged from zxcvbn's English words, names and
    common passwords, the shipped Dutch list (schildwacht/dutch-words.txt, its header names the source) and this
    project's own words; one list, so that zxcvbn's matchers scan the key once."""
    text = files("schildwacht").joinpath(DUTCH_WORDS).read_text(encoding="utf-8")
    dutch = [line for line in text.splitlines() if line and not line.startswith("#")]
    ranked: dict[str, int] = {}
    for words in (
        *matching.RANKED_DICTIONARIES.values(),
        matching.build_ranked_dict(dutch),
        matching.build_ranked_dict(PROJECT_WORDS),
    ):
        for word, rank in words.items():
            ranked[word] = min(rank, ranked.get(word, rank))
    return {"words": ranked}


def _word_pieces(value: str) -> Iterator[tuple[int, int, float]]:
    """(start, end, bits) for every listed word of at least MIN_WORD letters in `value`, as typed or with l33t
    substitutions ("S3cr3t"); bits = log2 of zxcvbn's guesses for it (rank x capitalisation x substitutions)."""
    lists = _word_lists()
    for match in (*matching.dictionary_match(value, lists), *matching.l33t_match(value, lists)):
        if match["j"] + 1 - match["i"] >= MIN_WORD:
            yield match["i"], match["j"] + 1, math.log2(scoring.estimate_guesses(match, value))


def _repeat_pieces(value: str, bits: float) -> Iterator[tuple[int, int, float]]:
    """(start, end, bits) for every substring of at least _MIN_REPEAT characters that also occurs starting at an
    earlier position (overlap allowed); each costs `bits`, as one character."""
    for i in range(len(value)):
        length = _MIN_REPEAT - 1
        while i + length < len(value) and value.find(value[i : i + length + 1], 0, i + length) != -1:
            length += 1
        for end in range(i + _MIN_REPEAT, i + length + 1):
            yield i, end, bits


def estimate_entropy_bits(value: str) -> float:
    """A conservative estimate of the entropy of `value`, in bits: the cost of its cheapest spelling.

    `value` is cut into pieces and the cheapest cut counts (dynamic programming). A piece is
    - one character: log2(alphabet) bits, where alphabet is the sum of the sizes of the character classes that
      occur: lower-case letters 26, upper-case 26, digits 10, anything else 33 (ASCII punctuation and space;
      non-ASCII characters are counted in this class too, which underestimates them);
    - a repeat (`_repeat_pieces`): as much as one character, so "aaaa…" and "changemechangeme…" add almost nothing;
    - a listed word of MIN_WORD letters or more (`_word_pieces`, English and Dutch): log2 of its rank and variants,
      at most some 20 bits for a common word whatever its length, so a key spelled from words
      ("DitIsMijnGeheimeSleutel…") counts per word, not per letter.
    A random 64-character `generate_secret_key` estimates at well over 300 bits; a random 32-byte key (43
    characters of `token_urlsafe(32)`) lies at the 256-bit threshold and is refused now and then (about 2 in 100).
    """
    if not value:
        return 0.0
    alphabet = sum(len(cls) for cls in _CLASSES if any(ch in cls for ch in value))
    if any(not any(ch in cls for cls in _CLASSES) for ch in value):
        alphabet += _OTHER_CLASS_SIZE
    char_bits = math.log2(alphabet)
    pieces: list[list[tuple[int, float]]] = [[] for _ in value]
    for start, end, bits in (*_word_pieces(value), *_repeat_pieces(value, char_bits)):
        pieces[start].append((end, bits))
    cheapest = [0.0] * (len(value) + 1)  # cheapest[i]: the cheapest spelling of value[i:]
    for i in range(len(value) - 1, -1, -1):
        cheapest[i] = min([char_bits + cheapest[i + 1], *(bits + cheapest[end] for end, bits in pieces[i])])
    return cheapest[0]


def check_secret_key(value: str | None) -> str | None:
    """Why `value` must not be used as a production secret (Dutch / English), or None when it is strong."""
    if not value:
        return "niet ingesteld / not set"
    normalised = re.sub(r"[^a-z0-9]", "", value.lower())
    if any(marker in normalised for marker in PLACEHOLDER_MARKERS):
        return "een bekende voorbeeldwaarde / a known placeholder"
    bits = estimate_entropy_bits(value)
    if bits < MIN_ENTROPY_BITS:
        return (
            f"te zwak: ongeveer {math.floor(bits)} bits, minstens {MIN_ENTROPY_BITS} nodig (woorden en "
            f"herhalingen tellen weinig) / too weak: about {math.floor(bits)} bits, at least {MIN_ENTROPY_BITS} "
            "needed (words and repeats count for little)"
        )
    return None


def weak_secrets(settings: Settings) -> dict[str, str]:
    """Environment variable -> reason, for every configured secret that is weak. The secret key is always needed;
    the pseudonym key and the Meta token key only where set, non-empty (otherwise derived from the secret key); the
    Meta webhook verify token only where set (without it the webhook subscription check is refused)."""
    found = {}
    if (reason := check_secret_key(settings.secret_key)) is not None:
        found["SCHILDWACHT_SECRET_KEY"] = reason
    if settings.pseudonym_key and (reason := check_secret_key(settings.pseudonym_key)) is not None:
        found["SCHILDWACHT_PSEUDONYM_KEY"] = reason
    if settings.meta_token_key and (reason := check_secret_key(settings.meta_token_key)) is not None:
        found["SCHILDWACHT_META_TOKEN_KEY"] = reason  # encrypts Meta page tokens (schildwacht/meta_tokens.py)
    verify_token = settings.meta_webhook_verify_token
    if verify_token and (reason := check_secret_key(verify_token.get_secret_value())) is not None:
        found["SCHILDWACHT_META_WEBHOOK_VERIFY_TOKEN"] = reason  # chosen by the operator, answers Meta's check
    return found


def require_strong_secrets(settings: Settings) -> None:
    """End the command with exit code 2 and a Dutch/English explanation when a configured secret is weak."""
    weak = weak_secrets(settings)
    if not weak:
        return
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for variable, reason in weak.items():
        err.print(f"[bold red]Fout:[/] {variable} is {reason}.", markup=True)
    err.print(
        "Schildwacht start niet zonder sterke geheime sleutel. Maak er een en zet die in de omgeving, "
        f"bijvoorbeeld:\n  {GENERATE_HINT}\n"
        "Schildwacht refuses to start without a strong secret key. Generate one and set it in the "
        f"environment, for example:\n  {GENERATE_HINT}",
        markup=False,
    )
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
