"""`schildwacht train`, `schildwacht fit-stacker` and `schildwacht evaluate`: declared here, carried out by the
`training` package.

`training` lives only in the source checkout (the wheel and the Docker image leave it out), so this module imports
it only inside a command that runs: starting the CLI, `--help` and every other command (`schildwacht worker
classify` above all) load no training code. Run from an editable install in the checkout, the console script does
not have the checkout on sys.path; the commands then add the checkout that holds `training/`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import typer

from schildwacht.config import REPO_ROOT

NOT_INSTALLED = (
    "De trainingscode zit niet in deze installatie: trainen en evalueren kan alleen vanuit de broncode "
    "(map training/, met pip install -e '.[train]')."
)


def training_commands() -> ModuleType:
    """The module `training.cli`, from the checkout this installation runs from; a Dutch error where it is absent."""
    try:
        import training.cli
    except ModuleNotFoundError as exc:
        if exc.name != "training" or not (REPO_ROOT / "training" / "__init__.py").is_file():
            typer.secho(NOT_INSTALLED, err=True)
            raise typer.Exit(code=2) from exc
        sys.path.insert(0, str(REPO_ROOT))
        import training.cli
    return training.cli


def register(app: typer.Typer) -> None:
    """Add the top-level commands `train`, `fit-stacker` and `evaluate` to the schildwacht CLI."""

    @app.command(
        "train",
        help="Train het Nederlandse classificatiemodel (tokenizer + klein BERT-model, plus "
        "TF-IDF+LR) op de gegenereerde berichten, de handgeschreven trainingsreacties "
        "(training/replies, zonder de validatie- en testauteurs), RTP-LX en de helft van de "
        "MHC-sjablonen. Met --feedback BESTAND... wordt in plaats daarvan het basismodel "
        "(--basis) bijgetraind op feedbackexports van medewerkers (schildwacht feedback export) "
        "en naar een nieuwe map (-o) geschreven.",
    )
    def train_cmd(
        output: Path = typer.Option(
            Path("models/schildwacht-nl-mini"), "--uitvoer", "-o", help="Uitvoermap voor het model."
        ),
        epochs: int | None = typer.Option(
            None, "--epochs", "-e", min=1, help="Aantal epochs (standaard 5; met --feedback 3)."
        ),
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
            True,
            "--evalueer/--niet-evalueren",
            help="Na het trainen evalueren en het modelkaartrapport schrijven (niet bij --feedback).",
        ),
        feedback: list[Path] | None = typer.Option(
            None,
            "--feedback",
            metavar="BESTAND",
            help="Feedbackexport (schildwacht feedback export; herhaal voor meer bestanden, alle van één "
            "organisatie): het basismodel wordt hierop bijgetraind. Alleen berichten met tekst tellen; "
            "afgewezen berichten zonder tekst worden overgeslagen en geteld.",
        ),
        base: Path = typer.Option(
            Path("models/schildwacht-nl-mini"),
            "--basis",
            help="Met --feedback: het model dat wordt bijgetraind (gewichten, tokenizer, kalibratiedeel en "
            "drempels komen hiervandaan).",
        ),
        continue_from: Path | None = typer.Option(
            None,
            "--verder-van",
            metavar="MAP",
            help="Zonder --feedback: neem tokenizer en gewichten over van dit eerdere model en train daarop "
            "verder op alle trainingsdata (geen tokenizer- en MLM-voortraining; een nieuw label krijgt een "
            "nieuwe uitgang). Zo komt er een label of data bij zonder de uren die een volledige training op "
            "een cpu kost.",
        ),
        stack_authors: list[str] = typer.Option(
            [],
            "--stapelaar-auteur",
            metavar="AUTEUR",
            help="Zonder --feedback: laat deze auteur van training/replies (bestandsnaam zonder .jsonl; herhaal "
            "voor meer) buiten de training, zodat de stapelaar (schildwacht fit-stacker) op berichten leert die "
            "het model niet zag.",
        ),
        replay: int = typer.Option(
            3000,
            "--herhaling",
            min=0,
            help="Met --feedback: zoveel voorbeelden uit de oorspronkelijke trainingsdata trainen mee, zodat "
            "het model niet vergeet wat het kon.",
        ),
    ) -> None:
        if feedback:
            training_commands().run_train_feedback(
                output, feedback, base=base, epochs=epochs or 3, replay=replay, seed=seed, device=device
            )
            return
        training_commands().run_train(
            output,
            epochs=epochs or 5,
            seed=seed,
            mlm_seconds=mlm_seconds,
            mlm_steps=mlm_steps,
            pretrain_lines=pretrain_lines,
            device=device,
            per_template=per_template,
            use_mhc=not no_mhc,
            reply_weight=reply_weight,
            evaluate_after=evaluate_after,
            continue_from=continue_from,
            stack_authors=stack_authors,
        )

    @app.command(
        "fit-stacker",
        help="Leer de stapelaar van een af model: per label een logistische regressie over wat de transformer, "
        "het TF-IDF-model (hele bericht en sterkste venster) en de regels van een bericht zeggen, geleerd op de "
        "trainingsreacties van auteurs die het model nooit zag (niet de validatie-, test- of bevroren auteurs). "
        "Schrijft de gewichten in thresholds.json; schildwacht evaluate weegt daarna of de stapelaar wint.",
    )
    def fit_stacker_cmd(
        model: Path = typer.Option(Path("models/schildwacht-nl-mini"), "--model", "-m", help="Modelmap."),
    ) -> None:
        training_commands().run_fit_stacker(model)

    @app.command(
        "evaluate",
        help="Evalueer TF-IDF+LR, alleen regels, de transformer en de combinatie op dezelfde "
        "validatiedata (sjablonen en reactie-auteurs die niet in de training zaten); toont "
        "per label precisie, recall en F1, op MHC per functionaliteit, meet ook op de "
        "testauteur (o_instagram, nooit gebruikt voor een keuze) en op de twee helften "
        "van de handgeschreven proefreacties (training/probe_replies.jsonl), kiest per "
        "label de modelpoort (model_gate) en het TF-IDF-aandeel van de modelkans "
        "(lexical_weight) onder de harde doelen van het issue, weegt per regelfamilie "
        "op de validatiesets of die iets oplevert (elke familie om beurten uit), en schrijft "
        "het rapport in de modelkaart.",
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
            "--write/--no-write",
            help="Rapport in README.md van het model en gekozen variant in thresholds.json schrijven "
            "(met --final: het eindtoetsrapport in README.md en eval_results.json).",
        ),
        final: bool = typer.Option(
            False,
            "--final",
            "--eindtoets",
            help="Eindtoets: scoor een af model één keer op de bevroren testset (of MAP) via het volledige "
            "classificatiepad; toont per label, per patroon, per stijl en per auteur de cijfers, de doelen van "
            "het issue en de ablatie per regelfamilie, met de sha256 van elk gelezen bestand. Alleen voor het "
            "eindmodel: daarna telt de set niet meer als onbekend voor latere keuzes.",
        ),
        test_dir: Path | None = typer.Argument(
            None,
            metavar="MAP",
            help="Alleen met --final: map met vijf-label-JSONL-bestanden (standaard de bevroren testset).",
            show_default=False,
        ),
    ) -> None:
        if test_dir is not None and not final:
            raise typer.BadParameter("een testmap hoort alleen bij --final.", param_hint="MAP")
        if final:
            training_commands().run_final(model, test_dir, write)
            return
        training_commands().run_evaluate(model, seed, write)
