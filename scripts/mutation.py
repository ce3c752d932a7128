"""Mutation testing, one module at a time: `python scripts/mutation.py [MODULE.py ...]`, or `make mutation`.

The modules and the fast tests that cover each are `[tool.schildwacht.mutation]` in pyproject.toml; the common mutmut
settings are `[tool.mutmut]`. Each module gets its own work directory `mutants/<module>/` (links to the packages, the
tests and the model, plus a pyproject.toml with only that module and only its tests), so a module's run never waits
on, nor is broken by, another module's tests. mutmut mutates the module in a copy and, for each mutant, runs the
selected tests that executed the mutated function. One embedded PostgreSQL and one Tansu broker serve every test
session of the run (`tests.support.services`).

Prints per module: killed (including timeouts), total, score, and the survivors by function (mutants whose function
no selected test reaches count as survivors). Exit status 1 when a module scores below `TARGET` or mutmut failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from schildwacht.db import migrate
from schildwacht.embedded import EmbeddedPostgres, TansuBroker

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.85
KILLED = {1, 3, 36, -24, 24, 152, 255}  # test failure, pytest internal error, timeouts (mutmut's exit codes)


def project_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]


def toml_value(value: object) -> str:
    """Strings and lists of strings, the only values written here, are spelled the same in JSON and TOML."""
    return json.dumps(value)


def work_dir(module: str, tests: list[str]) -> Path:
    """`mutants/<module>/`: links to what the tests import and read, and a config naming only this module."""
    tool = project_config()
    work = ROOT / "mutants" / module.removesuffix(".py").replace("/", ".")
    work.mkdir(parents=True, exist_ok=True)
    mutmut = tool["mutmut"] | {"only_mutate": [module], "pytest_add_cli_args_test_selection": tests}
    for name in [*mutmut["source_paths"], *mutmut["also_copy"], "tests"]:
        link = work / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    lines = ["[tool.mutmut]", *(f"{k} = {toml_value(v)}" for k, v in mutmut.items()), "", "[tool.pytest.ini_options]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in tool["pytest"]["ini_options"].items()]
    # mutmut itself drops cached results when this selection changes, and re-tests mutants of changed functions.
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return work


def retry_survivors(work: Path, module: str) -> None:
    """Forget the survivors and untested mutants of an earlier run, and which test reaches which function, so that
    tests added or changed since get their chance (mutmut's incremental stats keep stale test-to-function links
    when functions are renamed or split).

    Kills stay cached while the mutated function is unchanged (mutmut re-tests mutants of changed functions and
    drops all results when the test selection changes)."""
    (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    meta_path = work / "mutants" / f"{module}.meta"
    if not meta_path.exists():
        return
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    codes = meta["exit_code_by_key"]
    meta["exit_code_by_key"] = {name: code if code in KILLED else None for name, code in codes.items()}
    meta_path.write_text(json.dumps(meta, indent=4), encoding="utf-8")


def score(work: Path, module: str) -> tuple[int, int, int, list[str]]:
    """(killed, checked, total, surviving mutant names) from mutmut's result file for one module; a run cut short
    leaves mutants unchecked, which count neither as killed nor as checked."""
    meta = json.loads((work / "mutants" / f"{module}.meta").read_text(encoding="utf-8"))
    codes: dict[str, int | None] = meta["exit_code_by_key"]
    checked = {name: code for name, code in codes.items() if code is not None}
    survivors = sorted(name for name, code in checked.items() if code not in KILLED)
    return len(checked) - len(survivors), len(checked), len(codes), survivors


def template_database(server_url: str) -> str:
    """Create and migrate `mutation_template` on the server; return its URL."""
    admin = create_engine(make_url(server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "mutation_template"'))
    admin.dispose()
    url = make_url(server_url).set(database="mutation_template").render_as_string(hide_password=False)
    migrate(url)
    return url


def main(modules: list[str]) -> int:
    selection: dict[str, list[str]] = project_config()["schildwacht"]["mutation"]
    unknown = [m for m in modules if m not in selection]
    if unknown:
        print(f"not in [tool.schildwacht.mutation]: {unknown}", file=sys.stderr)
        return 2
    children = os.environ.get("MUTATION_CHILDREN", "1")
    postgres, broker = EmbeddedPostgres().start(), TansuBroker().start()
    rows, failed = [], []
    try:
        env = os.environ | {
            "SCHILDWACHT_TEST_POSTGRES_TEMPLATE_URL": template_database(postgres.url),
            "SCHILDWACHT_TEST_KAFKA_BOOTSTRAP": broker.bootstrap,
            # mutmut limits each mutant's CPU time (a multiple of its tests' measured seconds); torch's threads spin
            # on a busy machine and would spend that limit in a fraction of the time (classifiers/model.py threads)
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        }
        for module in modules:
            work = work_dir(module, selection[module])
            retry_survivors(work, module)
            mutmut = [sys.executable, "-m", "mutmut", "run", "--max-children", children]
            if subprocess.run(mutmut, cwd=work, env=env, check=False).returncode != 0:
                failed.append(module)
                continue
            killed, checked, total, survivors = score(work, module)
            rows.append((module, killed, checked, total, survivors))
            print(f"{module}: {killed}/{checked} killed ({total} mutants)", flush=True)
    finally:
        broker.stop()
        postgres.stop()
    print("\n| module | killed | checked | mutants | score |\n|---|---|---|---|---|")
    for module, killed, checked, total, _ in rows:
        print(f"| {module} | {killed} | {checked} | {total} | {killed / max(checked, 1):.0%} |")
    for module, *_, survivors in rows:
        by_function = Counter(name.rsplit("__mutmut_", 1)[0] for name in survivors)
        print(f"\nsurvivors in {module} (`mutmut show NAME` in its work directory):", dict(by_function) or "none")
    if failed:
        print(f"\nmutmut failed (see its output above) for: {failed}", file=sys.stderr)
    complete = all(checked == total and killed / max(total, 1) >= TARGET for _, killed, checked, total, _ in rows)
    return 0 if not failed and complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or list(project_config()["schildwacht"]["mutation"])))
