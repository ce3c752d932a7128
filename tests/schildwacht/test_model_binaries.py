"""The shipped model binaries are the ones whose checksums are committed beside them (models/*/SHA256SUMS), and
every weights file is listed: a retrained or swapped model must update the sums on purpose (docs/model-binaries.md)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from schildwacht.config import REPO_ROOT

MODELS = REPO_ROOT / "models"


def _sums(model_dir: Path) -> dict[str, str]:
    lines = (model_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name.strip(): digest for digest, name in (line.split(maxsplit=1) for line in lines if line.strip())}


def test_every_model_dir_has_checksums_that_match():
    model_dirs = [d for d in MODELS.iterdir() if d.is_dir()]
    assert model_dirs, "no model directory under models/"
    for model_dir in model_dirs:
        sums = _sums(model_dir)
        weights = {p.name for p in model_dir.glob("*.safetensors")}
        assert weights and weights <= set(sums), f"{model_dir.name}: weights not in SHA256SUMS: {weights - set(sums)}"
        for name, digest in sums.items():
            assert hashlib.sha256((model_dir / name).read_bytes()).hexdigest() == digest, f"{model_dir.name}/{name}"
