"""The bundle's fixed file names, the rule for entry names and the SHA256SUMS format (shared by export and verify)."""

from __future__ import annotations

import hashlib
import re

FORMAT = "schildwacht-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public_key.pem"
SUMS = "SHA256SUMS"
TIMESTAMP = "SHA256SUMS.tsr"
CUSTODY = "custody.jsonl"
REPORT_PDF = "rapport.pdf"
REPORT_HTML = "rapport.html"
README = "LEESMIJ.txt"
# Files that the manifest cannot list because they are derived from it.
DERIVED = (MANIFEST, SIGNATURE, SUMS, TIMESTAMP)

_UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


def path_component(value: str, fallback: str, max_length: int = 60) -> str:
    """`value` (taken from data: a platform, a post id) as one safe entry-name component.

    Invariant: the result is non-empty, at most `max_length` characters of [A-Za-z0-9._-] and starts and ends with
    a letter or digit (else it is `fallback`), so it is never '.' or '..' and never holds a separator. Runs of
    other characters become one '_'; the tail of a long value is kept (post ids differ at the end).
    """
    safe = _UNSAFE_CHARACTERS.sub("_", value)[-max_length:].strip("._-")
    return safe or fallback


def unsafe_name_reason(name: str) -> str | None:
    """Why `name` must not be an entry of a bundle (Dutch), or None for a safe relative POSIX file path.

    Safe means what every unzip tool extracts to the same place inside the target folder: no absolute path, no
    drive letter or ':' (Windows), no backslash, no control character, no empty, '.' or '..' component (so no
    directory entries either).
    """
    if not name:
        return "lege naam"
    if name.startswith("/"):
        return "absoluut pad"
    if "\\" in name:
        return "backslash in de naam"
    if ":" in name:
        return "stationsletter of ':' in de naam"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "stuurteken in de naam"
    parts = name.split("/")
    if ".." in parts:
        return "bevat '..'"
    if "" in parts or "." in parts:
        return "lege of '.'-component (map-item?)"
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_sums(files: dict[str, bytes]) -> bytes:
    """`sha256sum -c` compatible lines, sorted by path."""
    return "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode("utf-8")


def parse_sums(text: bytes) -> dict[str, str]:
    """path -> hex sha256; raises ValueError on a malformed line."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.decode("utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or name in out:
            raise ValueError(f"regel {n} onjuist / malformed line {n}")
        out[name] = digest.lower()
    return out
