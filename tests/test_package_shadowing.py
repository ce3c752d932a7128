"""The tests are a package (`tests.classifiers`, `tests.triage`, ...), so no test folder can shadow a source package.

Before `tests/` had an `__init__.py`, pytest put `tests/` itself on `sys.path` and `tests/classifiers/__init__.py`
was importable as the top-level `classifiers`, hiding the real one depending on collection order.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("stage", ["classifiers", "collectors", "triage", "training"])
def test_stage_package_is_the_source_not_the_test_folder(stage: str) -> None:
    tests_package = importlib.import_module(f"tests.{stage}")  # the test folder of the same name, imported first
    source = importlib.import_module(stage)
    assert Path(source.__file__).resolve() == ROOT / stage / "__init__.py"
    assert Path(tests_package.__file__).resolve() == ROOT / "tests" / stage / "__init__.py"
    assert source is not tests_package


def test_tests_folder_is_not_on_sys_path() -> None:
    """The cause of the old shadowing: with `tests/` on sys.path, `tests/classifiers` is a top-level package."""
    on_path = {Path(entry or ".").resolve() for entry in sys.path}
    assert ROOT / "tests" not in on_path
