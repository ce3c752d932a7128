"""rapport.pdf: the report as PDF (reportlab), with an embedded DejaVu font so Dutch diacritics render."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from schildwacht.vocabulary import CASE_STATUS_NL, LABEL_LONG_NL
from triage.bundle.dossier import CAPTURE_STATUS_NL, Dossier, dutch_reason
from triage.bundle.pif import APPENDIX_KINDS, KINDS_NL, Report, local_time
from triage.bundle.report_html import REFERENCE_NAMES

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str, str]:
    """(regular, bold, mono) font names: DejaVu when installed (embedded, full Unicode), else built-in Helvetica."""
    files = {
        "DejaVuSans": "DejaVuSans.ttf",
        "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
        "DejaVuSansMono": "DejaVuSansMono.ttf",
    }
    if not all((FONT_DIR / f).exists() for f in files.values()):
        return "Helvetica", "Helvetica-Bold", "Courier"
    for name, file in files.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    return "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"


def _text(value: object) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def _step_text(step: dict) -> str:
    if not step["done"]:
        return "nog niet afgerond"
    lines = [f"{local_time(step['done_at'])} door {step['done_by']}"]
    if step["reference"]:
        lines.append(f"{REFERENCE_NAMES.get(step['key'], 'Referentie')}: {step['reference']}")
    if step["vpt_code"]:
        lines.append(f"VPT-code: {step['vpt_code']}")
    if step["note"]:
        lines.append(step["note"])
    return "\n".join(lines)


def render_pdf(report: Report, dossier: Dossier) -> bytes:
    regular, bold, mono = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    code = ParagraphStyle("code", parent=body, fontName=mono, fontSize=7.5, leading=9.5, splitLongWords=True)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4)
    h3 = ParagraphStyle("h3", parent=body, fontName=bold, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3)
    verbatim = ParagraphStyle(
        "verbatim",
        parent=body,
        fontSize=10.5,
        leading=14,
        backColor=colors.HexColor("#fff3f3"),
        borderColor=colors.HexColor("#bb0000"),
        borderWidth=0.8,
        borderPadding=5,
        spaceBefore=4,
        spaceAfter=8,
    )
    context = ParagraphStyle(
        "context",
        parent=verbatim,
        fontSize=9,
        leading=12,
        backColor=colors.HexColor("#f3f3f3"),
        borderColor=colors.HexColor("#888888"),
    )

    url = ParagraphStyle("url", parent=code, fontSize=8, leading=10)

    def cell(value: object, style: ParagraphStyle) -> Paragraph:
        """A value; a (text, style) pair picks its own style (URLs wrap as code, at any character)."""
        if isinstance(value, tuple):
            return Paragraph(_text(value[0]), value[1])
        return Paragraph(_text(value), style)

    def table(rows: Sequence[tuple[str, object]], value_style: ParagraphStyle = body, key_width: float = 45) -> Table:
        key_style = ParagraphStyle("k", parent=value_style, fontName=bold)
        t = Table(
            [[Paragraph(_text(k), key_style), cell(v, value_style)] for k, v in rows],
            colWidths=[key_width * mm, (170 - key_width) * mm],
        )
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def bullets(lines: list[str], kind: str = "bullet") -> ListFlowable:
        return ListFlowable(
            [Paragraph(_text(line), body) for line in lines],
            bulletType=kind,
            bulletFontName=regular,
            bulletFontSize=9,
            leftIndent=12,
        )

    story = [
        Paragraph(_text(report.title), h1),
        Paragraph("Opgesteld door Schildwacht. Strafbepalingen zijn een suggestie, geen juridisch oordeel.", small),
        Spacer(1, 4),
        table(report.meta),
        Paragraph("Samenvatting (PIF, 7 W's)", h2),
        table(report.pif),
        Paragraph("Mogelijke strafbare feiten (advies)", h2),
        bullets(report.advice),
        Paragraph("Instructies voor de politie", h2),
        bullets(report.instructions, "1"),
        Paragraph("Verklaring en impact betrokkene", h2),
        Paragraph(_text(dossier.victim_statement), context)
        if dossier.victim_statement
        else Paragraph("Niet vastgelegd door de medewerker.", small),
        Paragraph("Stappen Steunpakket online haat", h2),
        table([(step["label"], _step_text(step)) for step in dossier.steps]),
        Paragraph("Berichten (letterlijk)", h2),
    ]
    for item in dossier.items:
        p = item.post
        story += [
            Paragraph(_text(f"Bericht {item.index} — {p['platform']}"), h3),
            Paragraph(_text(p["text"] if p["text"] is not None else "(tekst niet bewaard)"), verbatim),
            table(
                [
                    ("Permalink", (p["permalink"] or "onbekend", url)),
                    ("Post-id", p["post_id"]),
                    ("Account-id", p["account"]["id"] or "onbekend"),
                    ("Gebruikersnaam", p["account"]["handle"] or "onbekend"),
                    ("Weergavenaam", p["account"]["display_name"] or "onbekend"),
                    ("Profiel", (p["account"]["profile_url"] or "onbekend", url)),
                    ("Geplaatst", local_time(p["posted_at"])),
                    ("Vastgelegd", f"{local_time(p['collected_at'])} door {p['collected_by']}"),
                    ("Reactie op", p["in_reply_to_id"] or "—"),
                    (
                        "Gesignaleerd als",
                        ", ".join(LABEL_LONG_NL.get(f, f) for f in p["classification"]["flags"]) or "—",
                    ),
                ]
            ),
            Spacer(1, 3),
            table(
                [("sha256 tekst", p["text_sha256"])]
                + [(f.name, f"{f.sha256}{'  (ontbreekt in de opslag)' if f.data is None else ''}") for f in item.files],
                code,
            ),
        ]
        for n, cap in enumerate(p["captures"], start=1):
            error = f"; reden: {dutch_reason(cap['error'])}" if cap["error"] else ""
            status = CAPTURE_STATUS_NL.get(cap["status"], cap["status"])
            story.append(
                Paragraph(
                    _text(
                        f"Opnieuw vastgelegd ({n}): {status} — {local_time(cap['started_at'])} met {cap['tool']}{error}"
                    ),
                    small,
                )
            )
        for ctx in p["context"]:
            story += [
                Paragraph(
                    _text(
                        f"Context — {ctx['relation']}: {ctx['author_handle'] or '?'}, "
                        f"{local_time(ctx['posted_at'])}, post-id {ctx['post_id']}"
                        + (" (ook in deze zaak)" if ctx["in_case"] else "")
                    ),
                    small,
                ),
                Paragraph(_text(ctx["text"] if ctx["text"] is not None else ctx["text_note"]), context),
            ]
    story.append(Paragraph(f"Bijlagen ({len(dossier.attachments)})", h2))
    story.append(
        table(
            [
                (
                    f"Bijlage {a.index}",
                    f"{a.filename}{' — ' + a.description if a.description else ''}\n"
                    f"bestand in de bundel: {a.path if a.data is not None else 'ontbreekt in de opslag'} · "
                    f"{a.content_type} · {a.size} bytes\ntoegevoegd {local_time(a.uploaded_at)} door {a.uploaded_by}\n"
                    f"sha256 {a.sha256}",
                )
                for a in dossier.attachments
            ]
        )
        if dossier.attachments
        else Paragraph("Geen bijlagen toegevoegd.", small)
    )
    viewed = [e for e in dossier.custody if e["kind"] in APPENDIX_KINDS]
    story += [
        Paragraph("Tijdlijn (Nederlandse tijd)", h2),
        table(report.timeline, small, 34),
        Paragraph("Bewaarketen (custody.jsonl)", h2),
        Paragraph(
            f'Alle {len(dossier.custody)} gebeurtenissen staan in custody.jsonl; {len(viewed)} keer "bekeken" '
            "staat in bijlage A.",
            small,
        ),
        table(
            [
                (
                    f"{e['seq']}. {KINDS_NL.get(e['kind'], e['kind'])}",
                    f"{local_time(e['at'])} door {e['actor']}\nsha256-keten: {e['hash']}",
                )
                for e in dossier.custody
                if e["kind"] not in APPENDIX_KINDS
            ],
            small,
            34,
        ),
    ]
    if dossier.earlier_cases:
        story += [
            Paragraph("Eerdere zaken van dezelfde afzender", h2),
            bullets(
                [
                    f"Zaak #{c['id']} — {local_time(c['opened_at'])} — "
                    f"{', '.join(LABEL_LONG_NL.get(label, label) for label in c['labels'])} — "
                    f"{CASE_STATUS_NL.get(c['status'], c['status'])}"
                    for c in dossier.earlier_cases
                ]
            ),
        ]
    story += [
        Paragraph(f"Bijlage A: bekeken ({len(viewed)})", h2),
        Paragraph("Wie de zaak of een bericht bekeek (elke keer in de bewaarketen vastgelegd).", small),
        table([(str(e["seq"]), f"{local_time(e['at'])} door {e['actor']}") for e in viewed], small, 20)
        if viewed
        else Paragraph("Niemand.", small),
    ]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.drawString(20 * mm, 10 * mm, f"Schildwacht bewijsrapport · zaak #{dossier.case['id']}")
        canvas.drawRightString(190 * mm, 10 * mm, f"pagina {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author="Schildwacht",
        lang="nl",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
