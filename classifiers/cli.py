"""CLI command `classify`; ``register(app)`` adds it to the main schildwacht CLI (`train` and `evaluate` belong to
training/, declared in schildwacht/app/training_cli.py).

Heavy imports (torch, transformers, spaCy, scikit-learn) happen inside the command, never at import time.
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
    """Add the top-level command `classify` to the schildwacht CLI."""

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
