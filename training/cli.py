"""What `schildwacht train` and `schildwacht evaluate` do. Their options are declared in the composition root
(schildwacht/app/training_cli.py), which imports this module only when one of the two commands runs.

Heavy imports (torch, transformers, spaCy, scikit-learn, datasketch) happen inside the functions."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

#: Modules of the optional dependency group `train` (pyproject.toml) that training needs and the runtime does not.
TRAIN_EXTRA_MODULES = ("datasketch",)


def require_train_extra() -> None:
    """Stop with a Dutch message when a module of the `train` extra is not installed."""
    missing = [name for name in TRAIN_EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        typer.secho(
            f"Voor trainen en evalueren ontbreekt {', '.join(missing)}: installeer de extra 'train' "
            "(pip install -e '.[train]').",
            err=True,
        )
        raise typer.Exit(code=2)


def check_device(device: str) -> None:
    """`device` is "cpu" or a CUDA device that is present here; else a usage error naming --apparaat."""
    if device == "cpu":
        return
    import torch

    if not device.startswith("cuda") or not torch.cuda.is_available():
        raise typer.BadParameter(
            f"{device!r}: geen bruikbare GPU hier; gebruik cpu of cuda op een machine met een GPU.",
            param_hint="--apparaat",
        )


def check_reply_authors(authors: list[str]) -> list[str]:
    """`authors` when each names a reply file of training/replies that is not a validation or test author; else a
    Dutch usage error."""
    from .data import REPLIES_DIR, REPLIES_TEST_AUTHORS, REPLIES_VAL_AUTHORS

    for author in authors:
        if not (REPLIES_DIR / f"{author}.jsonl").is_file():
            raise typer.BadParameter(
                f"{author!r}: geen bestand training/replies/{author}.jsonl", param_hint="--stapelaar-auteur"
            )
        if author in REPLIES_VAL_AUTHORS + REPLIES_TEST_AUTHORS:
            raise typer.BadParameter(
                f"{author!r} is een validatie- of testauteur en traint toch al niet mee",
                param_hint="--stapelaar-auteur",
            )
    return authors


def run_train(
    output: Path,
    *,
    epochs: int,
    seed: int,
    mlm_seconds: int,
    mlm_steps: int,
    pretrain_lines: int,
    device: str,
    per_template: int,
    use_mhc: bool,
    reply_weight: int,
    evaluate_after: bool,
    continue_from: Path | None = None,
    stack_authors: list[str] | None = None,
) -> None:
    """Train a model into `output` (from scratch, or continuing from the model in `continue_from`), write its card
    and, with `evaluate_after`, evaluate it and write the report. `stack_authors` are reply authors left out of
    training and calibration, so that `fit-stacker` has posts the model did not see."""
    require_train_extra()
    check_device(device)
    from .card import write_card
    from .train import train_model

    console = Console(stderr=True)
    meta = train_model(
        output,
        epochs=epochs,
        seed=seed,
        use_mhc=use_mhc,
        mlm_seconds=mlm_seconds,
        n_per_template=per_template,
        reply_weight=reply_weight,
        pretrain_lines=pretrain_lines,
        device=device,
        mlm_max_steps=mlm_steps,
        basis=continue_from,
        hold_out=check_reply_authors(stack_authors or []),
        log=console.log,
    )
    write_card(output)
    console.log(f"klaar: {output} ({meta['training']['seconds']}s)")
    if evaluate_after:
        evaluate_model(output, seed, use_mhc, console, write=True)


def run_train_feedback(
    output: Path, feedback: list[Path], *, base: Path, epochs: int, replay: int, seed: int, device: str
) -> None:
    """Fine-tune `base` on feedback exports into `output` (training/feedback_train.py). Every file is read and
    checked, and the base and the output directory too, before anything is written; a problem stops with a Dutch
    message and exit code 2."""
    from .feedback_data import FeedbackError, read_feedback
    from .feedback_train import FineTuning, check_base, check_output, fine_tune

    require_train_extra()
    check_device(device)
    console = Console(stderr=True)
    try:
        check_base(base)
        check_output(output, base)
        data = read_feedback(feedback)
    except FeedbackError as exc:
        typer.secho(f"Fout: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    skipped = sum(f.skipped_without_text for f in data.files)
    console.log(
        f"feedback: {len(data.examples)} voorbeelden met tekst uit {len(data.files)} bestand(en); "
        f"{skipped} afgewezen berichten zonder tekst overgeslagen"
    )
    settings = FineTuning(epochs=epochs, replay=replay, seed=seed, device=device)
    meta = fine_tune(base, data, output, settings, log=console.log)
    console.log(f"versie {meta['version']}, basis {base}")


def run_fit_stacker(model: Path) -> None:
    """Fit the stacker of `model` (training/stack_fit.py); a Dutch error and exit code 2 where it cannot be fitted."""
    from .stack_fit import fit_stacker

    require_train_extra()
    console = Console(stderr=True)
    try:
        entry = fit_stacker(model, log=console.log)
    except (OSError, ValueError) as exc:
        typer.secho(f"Fout: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    console.log(f"stapelaar geschreven in {model / 'thresholds.json'} ({entry['posts']} berichten)")


def run_evaluate(model: Path, seed: int | None, write: bool) -> None:
    """Evaluate `model` with the seed it was trained with (or `seed`), print the tables, optionally write them."""
    require_train_extra()
    evaluate_model(model, training_seed(model) if seed is None else seed, True, Console(), write=write)


def run_final(model: Path, test_dir: Path | None, write: bool) -> None:
    """The final report (training/final_report.py) of the finished model in `model` on `test_dir` (default: the
    frozen test set), printed; with `write` also into the model card and eval_results.json. A missing model or a
    test file that cannot be read stops with a Dutch message and exit code 2, before anything is scored."""
    require_train_extra()
    from .final_report import FROZEN_DIR, FinalReportError, final_report, render, write_report

    if not (Path(model) / "config.json").exists():
        typer.secho(
            f"Fout: {model} is geen modelmap (config.json ontbreekt); de eindtoets is voor een af model.", err=True
        )
        raise typer.Exit(code=2)
    console = Console()
    try:
        report = final_report(model, FROZEN_DIR if test_dir is None else test_dir, log=Console(stderr=True).log)
    except FinalReportError as exc:
        typer.secho(f"Fout: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    render(report, console)
    if write:
        write_report(Path(model), report)
        console.print(f"eindtoetsrapport geschreven naar {Path(model) / 'README.md'} en eval_results.json")


def training_seed(model: Path) -> int:
    """The seed the model was trained with (thresholds.json → training.seed), 0 when unknown."""
    try:
        return int(json.loads((Path(model) / "thresholds.json").read_text())["training"]["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def evaluate_model(model: Path, seed: int, use_mhc: bool, console: Console, write: bool) -> dict[str, Any]:
    """One evaluation run printed to `console`; with `write` the chosen variant goes into thresholds.json and the
    report into the model card."""
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
