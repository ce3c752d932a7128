"""Stages meet only through Kafka and the shared core: the import graph, read from the source with `ast`.

- `collectors`, `classifiers` and `triage` never import one another, nor the composition root `schildwacht.app`;
- the shared core (`schildwacht` without `app`) imports no stage;
- only `schildwacht.app` (and `python -m schildwacht`, which starts it) knows every stage;
- `training` (training code and data, in the checkout only) may import `classifiers` and the core, and nothing but
  the declaration of `schildwacht train` / `evaluate` (schildwacht/app/training_cli.py) imports it, inside its
  functions only, so starting the CLI loads no training code.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("collectors", "classifiers", "triage")
TRAINING = "training"
TRAINING_ENTRY = "schildwacht/app/training_cli.py"


def imported_modules(path: Path, module_level: bool = False) -> set[str]:
    """Every absolute module name `path` imports, at any depth of the file (`module_level`: outside functions only)."""
    names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree) if not module_level else outside_functions(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def outside_functions(tree: ast.AST) -> list[ast.AST]:
    """The nodes of `tree` that are not inside a function (what runs when the module is imported)."""
    found, todo = [], [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        todo += [n for n in ast.iter_child_nodes(node) if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return found


def imports_any(names: set[str], modules: tuple[str, ...]) -> bool:
    return any(n == m or n.startswith(m + ".") for n in names for m in modules)


def owner(path: Path) -> str:
    """The layer a source file belongs to: a stage, the composition root `schildwacht.app`, or the core."""
    parts = path.relative_to(ROOT).parts
    if parts[0] == "schildwacht":
        return "schildwacht.app" if parts[1] in ("app", "__main__.py") else "core"
    return parts[0]


def forbidden_for(layer: str) -> tuple[str, ...]:
    if layer in STAGES:
        return tuple(s for s in STAGES if s != layer) + ("schildwacht.app", TRAINING)
    if layer == "core":
        return STAGES + ("schildwacht.app", TRAINING)
    if layer == TRAINING:
        return ("collectors", "triage", "schildwacht.app")
    return ()


def violations() -> list[str]:
    found = []
    for package in (*STAGES, "schildwacht", TRAINING):
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = forbidden_for(owner(path))
            for name in sorted(imported_modules(path)):
                if any(name == b or name.startswith(b + ".") for b in bad):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_no_stage_imports_another_and_the_core_imports_no_stage():
    assert violations() == []


def test_only_the_train_commands_import_training_and_only_when_they_run():
    sources = [p for package in (*STAGES, "schildwacht") for p in sorted((ROOT / package).rglob("*.py"))]
    importers = {str(p.relative_to(ROOT)) for p in sources if imports_any(imported_modules(p), (TRAINING,))}
    assert importers == {TRAINING_ENTRY}
    assert not imports_any(imported_modules(ROOT / TRAINING_ENTRY, module_level=True), (TRAINING,))


@pytest.mark.parametrize(
    ("source", "layer", "name"),
    [
        ("from triage.models import Official\n", "collectors", "triage.models"),
        ("def f():\n    import classifiers.api\n", "triage", "classifiers.api"),
        ("from schildwacht.app.pipeline import runtime\n", "collectors", "schildwacht.app.pipeline"),
        ("from collectors import matching\n", "core", "collectors"),
        ("def f():\n    from training.train import train_model\n", "classifiers", "training.train"),
        ("import training.data\n", "core", "training.data"),
        ("from triage.models import Official\n", "training", "triage.models"),
    ],
)
def test_the_check_sees_a_cross_stage_import(tmp_path, source, layer, name):
    """The oracle itself: each kind of forbidden import written into a file is reported."""
    path = tmp_path / "m.py"
    path.write_text(source)
    bad = forbidden_for(layer)
    assert any(n == b or n.startswith(b + ".") for n in imported_modules(path) for b in bad)
    assert name in imported_modules(path)


@pytest.mark.parametrize(
    ("source", "lazy"),
    [
        ("import training.cli\n", False),
        ("if True:\n    from training import cli\n", False),
        ("def f():\n    import training.cli\n", True),
        ("class C:\n    def f(self):\n        import training.cli\n", True),
    ],
)
def test_the_check_tells_a_lazy_import_from_one_at_import_time(tmp_path, source, lazy):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert imports_any(imported_modules(path), (TRAINING,))
    assert imports_any(imported_modules(path, module_level=True), (TRAINING,)) is not lazy
