"""Training stays out of the runtime: the classify worker's path loads no training code, training-only library or
training data; the wheel and the Docker image carry neither the code nor the data; the train extra is optional."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "training"
#: Modules only training needs: the package itself, MinHash LSH (extra `train`) and the logistic-regression fit.
TRAINING_ONLY = ("training", "datasketch", "sklearn.linear_model")

WORKER_PATH = """
import json, os, sys

opened = []
sys.addaudithook(lambda event, args: opened.append(os.fsdecode(args[0])) if event == "open" and
                 isinstance(args[0], (str, bytes, os.PathLike)) else None)

import schildwacht.app.cli  # what `schildwacht worker classify` starts: the CLI with every command registered
from classifiers.worker import ClassifierWorker, to_input
from classifiers.api import load_classifier
from schildwacht.contracts import CollectedMention

mention = CollectedMention.model_validate_json(sys.stdin.read())
classifier = load_classifier()
result = classifier.classify([to_input(mention)])[0]
print(json.dumps({"name": classifier.name, "flags": result.flags, "modules": sorted(sys.modules), "opened": opened}))
"""


TEXT = "Ik weet waar je woont, wethouder De Vries. Pas maar op."


@pytest.mark.slow
def test_the_classify_worker_path_loads_no_training_code_library_or_data(tmp_path: Path):
    from schildwacht.contracts import CollectedMention

    mention = CollectedMention(
        platform="mastodon",
        post_id="1",
        url="https://social.example/@troll/1",
        author={"handle": "@troll@toot.example"},
        text=TEXT,
        created_at="2026-11-20T10:00:00Z",
        matched_official_ids=["off-devries"],
        matches=[
            {"official_id": "off-devries", "kind": "role", "surface": "wethouder De Vries", "start": 23, "end": 41}
        ],
    )
    assert TEXT[23:41] == "wethouder De Vries"
    # the repository root is importable, so an import of `training` would succeed and be seen
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", WORKER_PATH],
        input=mention.model_dump_json(),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    # the control: the shipped model was loaded and used (its lexical half is scikit-learn's TF-IDF)
    assert seen["name"] == "schildwacht-nl-mini" and "threat" in seen["flags"]
    assert "sklearn.feature_extraction.text" in seen["modules"] and "classifiers.model" in seen["modules"]
    loaded = [m for m in seen["modules"] if any(m == t or m.startswith(t + ".") for t in TRAINING_ONLY)]
    assert loaded == []
    read = [p for p in seen["opened"] if Path(p).resolve().is_relative_to(TRAINING.resolve())]
    assert read == []
    # the hook sees what Python opens (the model's JSON files; safetensors and tokenizers open theirs natively)
    assert any(Path(p).name == "lexical_vocab.json" for p in seen["opened"])


def _training_data_files() -> list[Path]:
    return sorted(p for p in TRAINING.rglob("*") if p.is_file() and p.suffix == ".jsonl")


def test_training_data_lives_in_training():
    names = {p.relative_to(TRAINING).parts[0] for p in _training_data_files()}
    assert {"replies", "replies_pending", "probe_replies.jsonl"} <= names
    assert [p for p in (ROOT / "classifiers").rglob("*") if "replies" in p.name] == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The project's wheel, built offline from a copy of the checkout (training/ included) so that the build writes
    nothing into the checkout."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in ("schildwacht", "collectors", "classifiers", "triage", "training"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", out, src],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (path,) = out.glob("schildwacht-*.whl")
    return zipfile.ZipFile(path)


@pytest.mark.slow
def test_the_wheel_carries_no_training_code_or_data(wheel: zipfile.ZipFile):
    members = wheel.namelist()
    assert "classifiers/api.py" in members and "classifiers/spelling_exceptions.txt" in members  # the runtime ships
    rules_data = ROOT / "classifiers" / "rules_data"
    word_lists = {f"classifiers/rules_data/{p.name}" for p in rules_data.glob("*.txt")}
    assert len(word_lists) > 20 and word_lists <= set(members)  # the rule layer's lists (classifiers/lexicons.py)
    patterns = {f"classifiers/rules_data/{p.name}" for p in rules_data.glob("*.jsonl")}
    assert len(patterns) >= 3 and patterns <= set(members)  # its Matcher patterns (classifiers/rules/patterns.py)
    assert "classifiers/rules/engine.py" in members
    assert [m for m in members if m.split("/")[0] == "training"] == []
    data_names = {p.name for p in _training_data_files()}
    assert [m for m in members if Path(m).name in data_names] == []
    texts = {json.loads(line)["text"] for p in _training_data_files() for line in p.read_text().splitlines() if line}
    assert len(texts) > 5000
    carried = [
        m
        for m in members
        if m.endswith(".jsonl")
        and any(json.loads(line).get("text") in texts for line in wheel.read(m).decode().splitlines() if line.strip())
    ]
    assert carried == []


@pytest.mark.slow
def test_training_only_dependencies_are_the_optional_extra_train(wheel: zipfile.ZipFile):
    (metadata,) = [m for m in wheel.namelist() if m.endswith(".dist-info/METADATA")]
    requires = [
        line.split(":", 1)[1].strip()
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    datasketch = [r for r in requires if r.lower().startswith("datasketch")]
    assert datasketch and all('extra == "train"' in r for r in datasketch)
    assert any(r.startswith("scikit-learn") and "extra ==" not in r for r in requires)  # the runtime's TF-IDF


def copy_sources(dockerfile: str) -> list[str]:
    """The source paths of every COPY instruction (the last argument is the destination; flags are skipped)."""
    joined = dockerfile.replace("\\\n", " ")
    sources = []
    for line in joined.splitlines():
        words = line.split()
        if words and words[0].upper() in ("COPY", "ADD"):
            args = [w for w in words[1:] if not w.startswith("--")]
            sources += args[:-1]
    return sources


def test_the_docker_image_copies_no_training_code_or_data():
    sources = copy_sources((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    assert "classifiers" in sources  # the runtime is copied, so the parse sees the image's COPY lines
    whole_context = [s for s in sources if s.rstrip("/") in (".", "*")]
    assert [s for s in sources if s.strip("./").split("/")[0] == "training"] == [] and whole_context == []


@pytest.mark.parametrize(
    ("dockerfile", "carries"),
    [
        ("COPY classifiers ./classifiers\nCOPY training ./training\n", True),
        ("COPY --chown=app:app training/replies /app/training/replies\n", True),
        ("COPY schildwacht \\\n     ./training/\n", False),
        ("COPY pyproject.toml README.md ./\n", False),
    ],
)
def test_the_dockerfile_check_sees_a_copy_of_training(dockerfile: str, carries: bool):
    sources = copy_sources(dockerfile)
    assert any(s.strip("./").split("/")[0] == "training" for s in sources) is carries
