"""Stages meet only through Kafka and the shared core: the import graph, read from the source with `ast`.

- `collectors`, `classifiers` and `triage` never import one another, nor the composition root `schildwacht.app`;
- the shared core (`schildwacht` without `app`) imports no stage;
- only `schildwacht.app` (and `python -m schildwacht`, which starts it) knows every stage.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("collectors", "classifiers", "triage")


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name `path` imports, at any depth of the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def owner(path: Path) -> str:
    """The layer a source file belongs to: a stage, the composition root `schildwacht.app`, or the core."""
    parts = path.relative_to(ROOT).parts
    if parts[0] == "schildwacht":
        return "schildwacht.app" if parts[1] in ("app", "__main__.py") else "core"
    return parts[0]


def forbidden_for(layer: str) -> tuple[str, ...]:
    if layer in STAGES:
        return tuple(s for s in STAGES if s != layer) + ("schildwacht.app",)
    if layer == "core":
        return STAGES + ("schildwacht.app",)
    return ()


def violations() -> list[str]:
    found = []
    for package in (*STAGES, "schildwacht"):
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = forbidden_for(owner(path))
            for name in sorted(imported_modules(path)):
                if any(name == b or name.startswith(b + ".") for b in bad):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_no_stage_imports_another_and_the_core_imports_no_stage():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "layer", "name"),
    [
        ("from triage.models import Official\n", "collectors", "triage.models"),
        ("def f():\n    import classifiers.api\n", "triage", "classifiers.api"),
        ("from schildwacht.app.pipeline import runtime\n", "collectors", "schildwacht.app.pipeline"),
        ("from collectors import matching\n", "core", "collectors"),
    ],
)
def test_the_check_sees_a_cross_stage_import(tmp_path, source, layer, name):
    """The oracle itself: each kind of forbidden import written into a file is reported."""
    path = tmp_path / "m.py"
    path.write_text(source)
    bad = forbidden_for(layer)
    assert any(n == b or n.startswith(b + ".") for n in imported_modules(path) for b in bad)
    assert name in imported_modules(path)
