"""CLI commands `classify`, `train` and `evaluate`; ``register(app)`` adds them to the main schildwacht CLI.

Heavy imports (torch, transformers, spaCy, scikit-learn) happen inside the commands, never at import time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from classifiers.api import OfficialRef


def _official(obj: Any) -> OfficialRef:
    from .api import OfficialRef

    if isinstance(obj, str):
        return OfficialRef(id=obj, names=[], handles=[])
    return OfficialRef(
        id=str(obj.get("id")), names=list(obj.get("names") or []), handles=list(obj.get("handles") or [])
    )


def classify_lines(
    lines, out, model_path: str | None = None, batch_size: int = 64, thresholds: dict | None = None
) -> int:
    """Read JSON lines {"id", "text", "officials"?, "reply_to_official"?}; write one JSON line per input.

    A line that is not valid JSON (or has no text) gets {"id": ..., "error": "..."} so outputs stay aligned."""
    from .api import ClassifyInput, load_classifier

    clf = load_classifier(model_path, thresholds)
    n = 0
    pending: list[tuple[object, ClassifyInput | None, str | None]] = []

    def flush() -> None:
        items = [c for _, c, _ in pending if c is not None]
        results = iter(clf.classify(items)) if items else iter(())
        for rid, c, err in pending:
            if c is None:
                out.write(json.dumps({"id": rid, "error": err}, ensure_ascii=False) + "\n")
                continue
            r = next(results)
            out.write(
                json.dumps(
                    {
                        "id": rid,
                        "scores": r.scores,
                        "flags": r.flags,
                        "spans": [s.model_dump() for s in r.spans],
                        "target": r.target,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        out.flush()
        pending.clear()

    for raw in lines:
        raw = raw.strip()
        if not raw:
            continue
        n += 1
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("geen JSON-object")
            text = obj.get("text")
            if not isinstance(text, str):
                raise ValueError("veld 'text' ontbreekt of is geen string")
            offs = [_official(o) for o in (obj.get("officials") or [])]
            pending.append(
                (
                    obj.get("id"),
                    ClassifyInput(text=text, officials=offs, reply_to_official=obj.get("reply_to_official")),
                    None,
                )
            )
        except (ValueError, TypeError, AttributeError) as exc:
            pending.append((obj.get("id") if isinstance(locals().get("obj"), dict) else None, None, str(exc)))
        if len(pending) >= batch_size:
            flush()
    flush()
    return n


def register(app: typer.Typer) -> None:
    """Add the top-level commands `classify`, `train` and `evaluate` to the schildwacht CLI."""

    @app.command(
        "classify",
        help='Classificeer berichten: leest JSON-regels {"id", "text", "officials"?, '
        '"reply_to_official"?} van stdin en schrijft per regel scores, vlaggen, '
        "spans en doelwit als JSON naar stdout.",
    )
    def classify_cmd(
        model: Path | None = typer.Option(
            None,
            "--model",
            "-m",
            help="Modelmap (standaard models/schildwacht-nl-mini of "
            "$SCHILDWACHT_MODEL_PATH; zonder model alleen de regels).",
        ),
        batch_size: int = typer.Option(64, "--batchgrootte", help="Aantal berichten per batch (max 64)."),
        threshold: list[str] = typer.Option(
            [], "--drempel", help="Drempel per label overschrijven, bv. --drempel threat=0.4."
        ),
    ) -> None:
        thr = {}
        for t in threshold:
            k, _, v = t.partition("=")
            thr[k.strip()] = float(v)
        classify_lines(sys.stdin, sys.stdout, str(model) if model else None, min(64, max(1, batch_size)), thr or None)

    @app.command(
        "train",
        help="Train het Nederlandse classificatiemodel (tokenizer + klein BERT-model, plus "
        "TF-IDF+LR) op de gegenereerde berichten, de handgeschreven trainingsreacties "
        "(classifiers/replies, zonder de validatie- en testauteurs), RTP-LX en de helft van de "
        "MHC-sjablonen.",
    )
    def train_cmd(
        output: Path = typer.Option(
            Path("models/schildwacht-nl-mini"), "--uitvoer", "-o", help="Uitvoermap voor het model."
        ),
        epochs: int = typer.Option(5, "--epochs", "-e", help="Aantal epochs."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        mlm_seconds: int = typer.Option(
            240, "--mlm-seconden", help="Seconden MLM-voortraining op pretrain_nl (0 = overslaan)."
        ),
        mlm_steps: int = typer.Option(
            0,
            "--mlm-stappen",
            min=0,
            help="Aantal MLM-stappen; > 0 vervangt de tijdsgrens van --mlm-seconden, zodat "
            "de voortraining op elke machine gelijk is.",
        ),
        pretrain_lines: int = typer.Option(
            200000,
            "--voortrain-regels",
            min=1000,
            help="Hoogstens zoveel regels ongelabelde Nederlandse tekst voor tokenizer "
            "en MLM (pretrain_nl heeft er ruim 155.000).",
        ),
        device: str = typer.Option(
            "cpu",
            "--apparaat",
            help="Waarop getraind wordt: cpu of cuda (een GPU; het opgeslagen model draait op de cpu).",
        ),
        per_template: int = typer.Option(30, "--per-sjabloon", help="Gegenereerde berichten per sjabloon."),
        no_mhc: bool = typer.Option(False, "--zonder-mhc", help="MHC-dev niet gebruiken voor training."),
        reply_weight: int = typer.Option(
            3,
            "--reactie-gewicht",
            min=1,
            help="Hoe vaak elke trainingsreactie meetelt (origineel + kopieën met spelfouten).",
        ),
        evaluate_after: bool = typer.Option(
            True, "--evalueer/--niet-evalueren", help="Na het trainen evalueren en het modelkaartrapport schrijven."
        ),
    ) -> None:
        from rich.console import Console

        from .train import train_model

        if device != "cpu":
            import torch

            if not device.startswith("cuda") or not torch.cuda.is_available():
                raise typer.BadParameter(
                    f"{device!r}: geen bruikbare GPU hier; gebruik cpu of cuda op een machine met een GPU.",
                    param_hint="--apparaat",
                )
        console = Console(stderr=True)
        meta = train_model(
            output,
            epochs=epochs,
            seed=seed,
            use_mhc=not no_mhc,
            mlm_seconds=mlm_seconds,
            n_per_template=per_template,
            reply_weight=reply_weight,
            pretrain_lines=pretrain_lines,
            device=device,
            mlm_max_steps=mlm_steps,
            log=console.log,
        )
        from .card import write_card

        write_card(output)
        console.log(f"klaar: {output} ({meta['training']['seconds']}s)")
        if evaluate_after:
            _evaluate(output, seed, not no_mhc, console, write=True)

    @app.command(
        "evaluate",
        help="Evalueer TF-IDF+LR, alleen regels, de transformer en de combinatie op dezelfde "
        "validatiedata (sjablonen en reactie-auteurs die niet in de training zaten); toont "
        "per label precisie, recall en F1, op MHC per functionaliteit, meet ook op de "
        "testauteur (o_instagram, nooit gebruikt voor een keuze) en op de twee helften "
        "van de handgeschreven proefreacties (classifiers/probe_replies.jsonl), kiest per "
        "label de modelpoort (model_gate) en het TF-IDF-aandeel van de modelkans "
        "(lexical_weight) onder de harde doelen van het issue, en schrijft het "
        "rapport in de modelkaart.",
    )
    def evaluate_cmd(
        model: Path = typer.Option(Path("models/schildwacht-nl-mini"), "--model", "-m", help="Modelmap."),
        seed: int | None = typer.Option(
            None,
            "--seed",
            help="Seed van de gegenereerde voorbeelden (standaard die waarmee het model "
            "getraind is, uit thresholds.json).",
        ),
        write: bool = typer.Option(
            True,
            "--schrijf/--niet-schrijven",
            help="Rapport in README.md van het model en gekozen variant in thresholds.json schrijven.",
        ),
    ) -> None:
        from rich.console import Console

        if seed is None:
            seed = _training_seed(model)
        _evaluate(model, seed, True, Console(), write=write)


def _training_seed(model: Path) -> int:
    """The seed the model was trained with (thresholds.json → training.seed), 0 when unknown."""
    try:
        return int(json.loads((Path(model) / "thresholds.json").read_text())["training"]["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _evaluate(model: Path, seed: int, use_mhc: bool, console, write: bool) -> dict:
    from .evaluate import apply_choice, evaluate, render_table, write_report_into_card

    results = evaluate(
        model if (Path(model) / "config.json").exists() else None, seed=seed, use_mhc=use_mhc, log=console.log
    )
    render_table(results, console)
    console.print(f"[bold]gekozen variant:[/bold] {results['chosen']}")
    if "model_gate" in results:
        console.print(
            f"modelpoort {results['model_gate']}, frame_damp {results['gate_damp']}, "
            f"lexicaal gewicht {results['lexical_weight']}"
        )
    if write and (Path(model) / "config.json").exists():
        from .card import write_card

        apply_choice(Path(model), results)
        write_card(Path(model))
        write_report_into_card(Path(model), results)
        console.print(f"rapport geschreven naar {Path(model) / 'README.md'}")
    return results
