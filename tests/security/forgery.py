"""What a careful forger does to an exported bundle with the project's own code, for the bundle trust tests: read
it, rewrite a post, recompute every hash and re-sign the manifest, write it back in export order."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from triage.bundle import layout


def read_bundle(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_bundle(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in [layout.MANIFEST] + sorted(n for n in files if n != layout.MANIFEST):
            zf.writestr(name, files[name])
    return path


def rewrite_first_post(files: dict[str, bytes], text: str) -> None:
    """The first post's `tekst.txt` and the text in its `post.json` become `text`."""
    text_name = next(n for n in sorted(files) if n.endswith("/tekst.txt"))
    files[text_name] = text.encode()
    post_name = text_name.replace("/tekst.txt", "/post.json")
    post = json.loads(files[post_name])
    post["text"] = text
    files[post_name] = json.dumps(post, ensure_ascii=False).encode()


def reseal(files: dict[str, bytes], manifest: dict, key: Ed25519PrivateKey) -> None:
    """Every file's hash and size into `manifest`, the manifest signed with `key`, the timestamp dropped (it would
    not match) and SHA256SUMS recomputed: nothing inside the bundle shows the change."""
    for entry in manifest["files"]:
        entry.update(sha256=layout.sha256(files[entry["path"]]), size=len(files[entry["path"]]))
    files[layout.MANIFEST] = json.dumps(manifest, indent=2).encode()
    files[layout.SIGNATURE] = base64.b64encode(key.sign(files[layout.MANIFEST])) + b"\n"
    files.pop(layout.TIMESTAMP, None)
    files[layout.SUMS] = layout.format_sums({n: d for n, d in files.items() if n != layout.SUMS})
