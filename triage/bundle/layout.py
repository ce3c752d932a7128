"""The bundle's fixed file names and the SHA256SUMS format (shared by export and verify)."""

from __future__ import annotations

import hashlib

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
