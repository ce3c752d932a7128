"""The monthly report for the burgemeester, griffier or security coordinator: key figures, charts and tables of one
organisation for one month, as PDF (reportlab, charts as PNG) and as a standalone HTML file (charts as SVG).

Invariant: built only from `Statistics` (the same service as the page), so it holds counts, roles, labels and
author pseudonyms and never a post text, a handle or a case detail.
"""

from __future__ import annotations

import io
from datetime import datetime
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from schildwacht.vocabulary import AMSTERDAM
from triage.statistics import charts
from triage.statistics.service import Statistics, display

# The charts of the report, in reading order (the page has more).
REPORT_CHARTS = (
    "zaken_per_week",
    "werkproces",
    "tijd_tot_claim",
    "platformmeldingen",
    "per_platform",
    "per_functie",
    "per_gender",
    "dreiging_per_dag",
    "dreiging_per_uur",
)


def key_figures(stats: Statistics) -> list[tuple[str, str]]:
    """The figures on the first page: (name, value)."""
    h = stats.headline
    rate = "–" if h.rate is None else display("Aandeel", h.rate)
    notices = stats.table("platformmeldingen").rows
    sent, answered = sum(r[1] for r in notices), sum(r[2] for r in notices)
    return [
        ("Gesignaleerde berichten", str(stats.flagged_posts)),
        ("Zaken", str(stats.cases)),
        ("Bedreigingszaken met melding of aangifte", f"{rate} ({h.threat_aangifte} van {h.threat_cases})"),
        ("Landelijk (Monitor Integriteit en Veiligheid 2024)", display("Aandeel", h.national_rate)),
        ("Meldingen bij platforms beantwoord", f"{answered} van {sent}"),
        ("Auteurs met meer dan één zaak", str(len(stats.table("herhalers").rows))),
    ]


def _title(stats: Statistics, organisation_name: str) -> str:
    kind = "Maandrapport" if stats.period.kind == "maand" else "Rapport"
    return f"{kind} online haat – {organisation_name} – {stats.period.label()}"


def render_pdf(stats: Statistics, organisation_name: str) -> bytes:
    """The report as PDF (A4): key figures, then per chart its image and table."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
        title=_title(stats, organisation_name),
        author="Schildwacht",
    )
    width = A4[0] - 3.6 * cm
    grid = TableStyle(
        [
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf3")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    made = datetime.now(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    story = [
        Paragraph(escape(_title(stats, organisation_name)), styles["Title"]),
        Paragraph(
            f"Periode {stats.period.start:%d-%m-%Y} t/m {stats.period.last_day:%d-%m-%Y}. Gemaakt {made}. "
            "Dit rapport bevat alleen aantallen: geen berichtteksten en geen namen van auteurs.",
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
        Table(key_figures(stats), colWidths=[width * 0.62, width * 0.38], style=grid),
        Spacer(1, 0.5 * cm),
    ]
    for key in REPORT_CHARTS:
        table = stats.table(key)
        image = Image(
            io.BytesIO(charts.png(table, organisation=stats.organisation_id)),
            width=width,
            height=width * charts.aspect(table),
        )
        cells = [list(table.columns)] + [
            [display(c, v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows
        ]
        block = [Paragraph(escape(table.title), styles["Heading3"]), image]
        if len(cells) > 1 and key != "dreiging_per_uur":
            block.append(
                Table(
                    [[Paragraph(escape(str(c)), styles["BodyText"]) for c in cells[0]], *cells[1:]],
                    repeatRows=1,
                    style=grid,
                )
            )
        story += [KeepTogether(block), Spacer(1, 0.4 * cm)]
    doc.build(story)
    return buffer.getvalue()


def render_html(stats: Statistics, organisation_name: str) -> str:
    """The report as one standalone HTML file (inline SVG charts, tables; no script, no external resource)."""
    title = escape(_title(stats, organisation_name))
    parts = [
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>',
        "<style>body{font-family:sans-serif;max-width:52rem;margin:2rem auto;color:#222}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #ccc;padding:.2rem .6rem;"
        "text-align:left}svg{width:100%;height:auto}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>Periode {stats.period.start:%d-%m-%Y} t/m {stats.period.last_day:%d-%m-%Y}. Dit rapport bevat alleen "
        "aantallen: geen berichtteksten en geen namen van auteurs.</p><table>",
        *(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in key_figures(stats)),
        "</table>",
    ]
    for key in REPORT_CHARTS:
        table = stats.table(key)
        head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(display(c, v))}</td>" for c, v in zip(table.columns, row, strict=True))
            for row in table.rows
        )
        svg = charts.inline_svg(table, organisation=stats.organisation_id)
        parts.append(f"<h2>{escape(table.title)}</h2>{svg}<table><tr>{head}</tr>{body}</table>")
    parts.append("</body></html>")
    return "".join(parts)
