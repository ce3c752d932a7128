"""Shipped model loads from its local directory; the classify CLI path produces valid output."""

from __future__ import annotations

import json

import pytest

from classifiers.api import DEFAULT_MODEL_DIR, ClassifyInput, load_classifier
from schildwacht.contracts import LABELS, Span
from tests.support.components import require

HAS_MODEL = (DEFAULT_MODEL_DIR / "config.json").exists()


@pytest.fixture(scope="module")
def clf():
    return load_classifier()


def test_fallback_to_rules_when_no_model(tmp_path, caplog):
    c = load_classifier(tmp_path / "missing")
    assert c.name == "schildwacht-rules"
    assert "regellaag" in caplog.text or "rules" in caplog.text


def test_env_var_is_respected(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHILDWACHT_MODEL_PATH", str(tmp_path / "nothing-here"))
    assert load_classifier().name == "schildwacht-rules"


def test_saved_model_loads_with_auto_classes():
    require(HAS_MODEL, "the shipped model models/schildwacht-nl-mini")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(str(DEFAULT_MODEL_DIR))
    tok = AutoTokenizer.from_pretrained(str(DEFAULT_MODEL_DIR))
    assert model.config.problem_type == "multi_label_classification"
    assert [model.config.id2label[i] for i in range(len(LABELS))] == list(LABELS)
    enc = tok(["ik ga je vermoorden"], return_tensors="pt")
    assert model(**enc).logits.shape == (1, len(LABELS))
    files = {p.name for p in DEFAULT_MODEL_DIR.iterdir()}
    assert {"model.safetensors", "config.json", "thresholds.json", "README.md"} <= files
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file())
    assert size < 50 * 1024 * 1024


def test_shipped_classifier_contract(clf, official):
    require(HAS_MODEL, "the shipped model models/schildwacht-nl-mini")
    assert clf.name == "schildwacht-nl-mini"
    items = [
        ClassifyInput("ik ga je vermoorden, wethouder", [official]),
        ClassifyInput("Aftreden! Deze wethouder liegt over de cijfers", [official]),
        ClassifyInput("<p>" + "bla " * 300_000 + "</p>"),
        ClassifyInput("\udc80\ud800 💀"),
    ] * 20
    out = clf.classify(items)
    assert len(out) == len(items)
    for r in out:
        assert set(r.scores) == set(LABELS) and all(0 <= v <= 1 for v in r.scores.values())
        assert all(isinstance(s, Span) for s in r.spans)
        assert r.flags == [lab for lab in LABELS if r.scores[lab] >= clf.thresholds[lab]]
    assert "threat" in out[0].flags and out[0].target == "off-1"
    assert out[1].flags == []


def test_classify_cli_lines():
    import typer
    from typer.testing import CliRunner

    from classifiers.cli import register

    app = typer.Typer()

    @app.callback()
    def _main() -> None:
        pass

    register(app)
    lines = [
        {
            "id": 1,
            "text": "we weten waar je woont, wethouder",
            "officials": [{"id": "o1", "names": ["Anna de Vries"], "handles": ["@anna"]}],
            "reply_to_official": "o1",
        },
        {"id": "b", "text": "Deze burgemeester liegt over de cijfers"},
        {"id": 3, "text": "Alle politici moeten dood"},
    ]
    lines.append({"id": 4, "text": "ik ga je \udc80 vermoorden <b>hoer</b>"})  # lone surrogate via JSON escape
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    res = CliRunner().invoke(app, ["classify"], input=stdin)
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert len(out) == 5
    assert out[0]["id"] == 1 and {"threat", "doxxing"} <= set(out[0]["flags"]) and out[0]["target"] == "o1"
    assert out[1]["flags"] == [] and out[1]["target"] is None
    assert "threat" in out[2]["flags"] and out[2]["target"] is None
    for o in out[:3]:
        assert set(o["scores"]) == set(LABELS)
        for s in o["spans"]:
            Span.model_validate(s)
    assert out[3]["id"] == 4 and "threat" in out[3]["flags"]
    assert "error" in out[4]
    help_text = CliRunner().invoke(app, ["classify", "--help"]).stdout
    assert "Classificeer" in help_text


def test_frame_damping_applies_to_the_framed_label_only():
    from classifiers.api import combine_scores
    from classifiers.rules import RuleEngine

    # the rules suppress a gender-role phrase inside a counter-speech frame ("walgelijk"); nothing about threat
    res = RuleEngine().analyze("Walgelijk dat mensen zeggen dat vrouwen in de keuken horen.")
    assert {h.label for h in res.suppressed} >= {"gender"} and "threat" not in {h.label for h in res.suppressed}
    out = combine_scores(res, [0.8, 0.0, 0.8, 0.0, 0.0], "max", 0.5, {lab: 0.6 for lab in LABELS})
    assert out["threat"] >= 0.5 > out["gender"]
