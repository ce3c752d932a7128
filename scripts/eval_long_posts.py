"""Long-post validation of window scoring (issue #17): threat recall on long posts and the share of clean long posts
flagged, with windows on and off, beside the unchanged short-post numbers.

    .venv/bin/python scripts/eval_long_posts.py [--model models/schildwacht-nl-mini] [--schrijf]

Validation data only: the lines of the validation authors (`b_facebook`, `r_mayor`, read from their own files) and
the posts of the generator validation templates, drawn as `training.train.build_splits` draws them for the
model's seed. Never the test author, the probe or MHC. Each line is embedded at a random place
among 3-6 ordinary sentences written for this script (FILLER), with a fixed seed, so every run builds the same posts.
`--schrijf` writes the table into the model card between the LONGPOSTS markers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.api import DEFAULT_MODEL_DIR, ClassifyInput, CombinedClassifier  # noqa: E402
from schildwacht.contracts import LABELS, Span  # noqa: E402
from training.data import REPLIES_DIR, REPLIES_VAL_AUTHORS, _labels  # noqa: E402
from training.generator import generate, split_by_template  # noqa: E402

SEED = 17
START, END = "<!-- LONGPOSTS:START -->", "<!-- LONGPOSTS:END -->"

#: Ordinary sentences of a long Facebook comment about local life, written for this script (no labels).
FILLER = [
    "Ik woon nu bijna twintig jaar in deze wijk en ken de meeste buren wel.",
    "Op zaterdag is de markt op het plein altijd gezellig druk.",
    "De speeltuin bij de basisschool is vorig jaar eindelijk opgeknapt.",
    "Volgende maand is er weer een informatieavond in het buurthuis.",
    "Mijn kleinkinderen spelen daar graag na schooltijd.",
    "De bus naar het station rijdt tegenwoordig maar twee keer per uur.",
    "Bij de bakker op de hoek staat 's ochtends vaak een rij tot buiten.",
    "Het nieuwe fietspad langs de dijk is echt een verbetering.",
    "In de zomer zitten de terrasjes aan de haven vol.",
    "Onze hond moet drie keer per dag uit, dus ik loop veel door het park.",
    "De vuilniswagen kwam deze week een dag later dan normaal.",
    "Er zijn weer nieuwe bankjes geplaatst bij de vijver.",
    "Mijn buurman heeft zijn hele tuin vol tomaten staan.",
    "Het parkeren bij het gezondheidscentrum blijft een gedoe.",
    "De bibliotheek heeft sinds kort ook op zondag open.",
    "Ik heb de raadsvergadering van dinsdag via de livestream gevolgd.",
    "De plannen voor de nieuwe woonwijk liggen ter inzage op het gemeentehuis.",
    "Volgens mij wonen hier steeds meer jonge gezinnen.",
    "Het voetbalveld van de club wordt deze winter vervangen door kunstgras.",
    "Ik ben benieuwd wat er met het oude postkantoor gaat gebeuren.",
    "De gemeente heeft een brief gestuurd over de werkzaamheden aan de riolering.",
    "Bij de rotonde staan sinds vorige week nieuwe verkeersborden.",
    "De kerstmarkt was dit jaar drukker dan ooit.",
    "Mijn dochter zit in de jeugdraad en vindt het erg leerzaam.",
    "Er is nog steeds geen pinautomaat in het dorp.",
    "De sportschool aan de Kerkstraat is verhuisd naar het bedrijventerrein.",
    "Het water in de gracht is deze zomer een stuk schoner.",
    "De wijkagent fietst hier regelmatig langs en maakt altijd even een praatje.",
    "Ik heb gisteren een formulier ingevuld voor een nieuwe parkeervergunning.",
    "In het buurthuis wordt elke woensdag gekaart.",
    "De lantaarnpalen in onze straat zijn vervangen door ledlampen.",
    "Volgende week begint de avondvierdaagse weer.",
    "Mijn moeder gaat twee keer per week naar de dagbesteding.",
    "Het gemeentehuis is op vrijdagmiddag gesloten, dat wist ik niet.",
    "De afvalcontainers bij het winkelcentrum zitten vaak vol.",
    "Het is fijn dat de huisartsenpost weer in het dorp zit.",
    "Ik ben zelf ook vrijwilliger bij de voedselbank.",
    "Er staat een mooie tentoonstelling over de geschiedenis van het dorp in de kerk.",
    "De oversteekplaats bij de school is veel veiliger geworden.",
    "Iedereen een fijne zondag gewenst.",
]


@dataclass
class Line:
    text: str
    labels: list[int]
    source: str


def validation_lines(seed: int) -> list[Line]:
    """The validation authors' replies and the generator validation posts (as build_splits draws them)."""
    lines = []
    for author in REPLIES_VAL_AUTHORS:
        for row in (REPLIES_DIR / f"{author}.jsonl").read_text(encoding="utf-8").splitlines():
            if row.strip():
                data = json.loads(row)
                lines.append(Line(data["text"], _labels(data), "replies_val"))
    _, id_val = split_by_template(0.2, seed=13, leak_free=False)
    _, val_ids = split_by_template(0.2, seed=13)
    lines += [
        Line(p.text, list(p.labels), "generator_val") for p in generate(15, seed + 202, id_val) if p.template in val_ids
    ]
    return lines


def embed(line: str, r: random.Random) -> str:
    """`line` at a random place among 3-6 different FILLER sentences."""
    around = r.sample(FILLER, r.randint(3, 6))
    around.insert(r.randint(0, len(around)), line.strip())
    return " ".join(around)


def rates(results, lines: list[Line]) -> dict[str, float]:
    """Threat recall and precision, the share of clean posts (no label) flagged for any label, the counts."""
    t = LABELS.index("threat")
    pos = [r for r, x in zip(results, lines) if x.labels[t]]
    flagged = [x for r, x in zip(results, lines) if "threat" in r.flags]
    clean = [r for r, x in zip(results, lines) if not any(x.labels)]
    hit = sum("threat" in r.flags for r in pos)
    return {
        "threat_recall": hit / max(1, len(pos)),
        "threat_precision": sum(x.labels[t] for x in flagged) / max(1, len(flagged)),
        "clean_flagged": sum(bool(r.flags) for r in clean) / max(1, len(clean)),
        "threats": len(pos),
        "clean": len(clean),
    }


def table(rows: list[tuple[str, str, dict[str, float], dict[str, float]]]) -> str:
    out = [
        "| set | posts | threats / clean | threat recall before | after | threat precision before | after "
        "| clean flagged before | after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, kind, off, on in rows:
        out.append(
            f"| {name} | {kind} | {int(on['threats'])} / {int(on['clean'])} | {off['threat_recall']:.3f} | "
            f"{on['threat_recall']:.3f} | {off['threat_precision']:.3f} | {on['threat_precision']:.3f} | "
            f"{off['clean_flagged']:.3f} | {on['clean_flagged']:.3f} |"
        )
    return "\n".join(out)


class FlagsOnly(CombinedClassifier):
    """The classifier without model evidence: scores and flags do not depend on it, and occlusion is most of the
    model work on flagged posts."""

    def _model_spans(self, jobs: list[tuple[str, int, int, list[str], list[float]]]) -> list[list[Span]]:
        return [[] for _ in jobs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--schrijf", action="store_true", help="write the table into the model card")
    args = ap.parse_args()
    model_dir = Path(args.model)
    meta = json.loads((model_dir / "thresholds.json").read_text(encoding="utf-8"))
    seed = int((meta.get("training") or {}).get("seed", 0))
    lines = validation_lines(seed)
    r = random.Random(SEED)
    long_posts = [embed(x.text, r) for x in lines]
    fillers = [" ".join(r.sample(FILLER, r.randint(4, 7))) for _ in range(200)]
    on = FlagsOnly(model_dir)
    off = FlagsOnly(model_dir, windows=False)
    rows = []
    for source in ("replies_val", "generator_val"):
        picked = [k for k, x in enumerate(lines) if x.source == source]
        sub = [lines[k] for k in picked]
        for kind, texts in (("short (as written)", [x.text for x in sub]), ("long (3-6 sentences around)", None)):
            texts = texts or [long_posts[k] for k in picked]
            items = [ClassifyInput(t) for t in texts]
            rows.append((source, kind, rates(off.classify(items), sub), rates(on.classify(items), sub)))
            print(rows[-1], flush=True)
    none = [Line(t, [0] * len(LABELS), "filler") for t in fillers]
    items = [ClassifyInput(x.text) for x in none]
    rows.append(
        ("filler only", "4-7 ordinary sentences", rates(off.classify(items), none), rates(on.classify(items), none))
    )
    report = table(rows)
    print(report)
    if args.schrijf:
        card = model_dir / "README.md"
        text = card.read_text(encoding="utf-8")
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        card.write_text(f"{head}{START}\n{report}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
