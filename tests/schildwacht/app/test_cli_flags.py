"""CLI flags in one language and one meaning, over the whole `schildwacht --help` tree (every stage's commands,
including ones added later): `-o` is always `--uitvoer` (the output file), never the organisation; the same
concept is always the same Dutch flag; no English words in the flags of staff-facing commands."""

from __future__ import annotations

import re
from collections.abc import Iterator

import typer.main

from schildwacht.app.cli import app

# Developer-facing commands (model work): ML terms such as --seed and --epochs stay; -o still means --uitvoer.
DEVELOPER_COMMANDS = {"schildwacht classify", "schildwacht train", "schildwacht evaluate"}
# Flags every typer program has; not ours to translate.
FRAMEWORK_FLAGS = {"--help", "--install-completion", "--show-completion"}
ENGLISH = {
    "output", "out", "every", "reason", "trusted", "keys", "fingerprint", "port", "timeout", "no", "verbose",
    "organisation", "organization", "by", "name", "role", "password", "keep", "write", "evaluate", "device", "steps",
    "seconds", "lines", "weight", "threshold", "batch", "size", "file", "reply", "with", "without", "since", "until",
    "limit", "revoke", "days", "official", "author", "dry", "force", "all", "user", "reveal", "erase", "search",
}  # fmt: skip
# Python parameter name -> the only flags that concept may have.
CANONICAL = {
    "organisation": {"--organisatie"},
    "actor": {"--door"},
    "door": {"--door"},
    "every": {"--elke"},
    "output": {"-o", "--uitvoer"},
    "out": {"-o", "--uitvoer"},
}


def _options() -> Iterator[tuple[str, str, list[str]]]:
    """(command path, parameter name, its flags) for every option of every command."""

    def walk(command, path: str) -> Iterator[tuple[str, str, list[str]]]:
        for sub_name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, f"{path} {sub_name}")
        for param in command.params:
            if type(param).__name__.endswith("Option"):
                yield path, param.name, [*param.opts, *param.secondary_opts]

    yield from walk(typer.main.get_command(app), "schildwacht")


OPTIONS = list(_options())


def test_the_tree_is_walked():
    """Hand-counted floor: the commands below exist today, each with the named flag."""
    seen = {(path, flag) for path, _, flags in OPTIONS for flag in flags}
    for expected in [
        ("schildwacht bundle export", "--uitvoer"),
        ("schildwacht bundle verify", "--vingerafdruk"),
        ("schildwacht officials add", "--organisatie"),
        ("schildwacht collect", "--elke"),
        ("schildwacht retention run", "--elke"),
        ("schildwacht feedback export", "--uitvoer"),
        ("schildwacht web", "--poort"),
        ("schildwacht replay", "--wachttijd"),
    ]:
        assert expected in seen, expected


def test_short_o_is_always_the_output_file():
    for path, name, flags in OPTIONS:
        if "-o" in flags or "--uitvoer" in flags:
            assert set(flags) == {"-o", "--uitvoer"}, (path, name, flags)


def test_one_concept_one_flag():
    for path, name, flags in OPTIONS:
        if name in CANONICAL:
            assert set(flags) == CANONICAL[name], (path, name, flags)


def test_staff_commands_have_dutch_flags():
    for path, _name, flags in OPTIONS:
        if path in DEVELOPER_COMMANDS:
            continue
        for flag in flags:
            if flag in FRAMEWORK_FLAGS or not flag.startswith("--"):
                continue
            words = set(re.split(r"[-_]", flag.removeprefix("--")))
            assert not words & ENGLISH, (path, flag)
