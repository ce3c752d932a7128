"""The report's content in Dutch, independent of format: PIF summary (7 W's), advice, officer steps, timeline."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from schildwacht.vocabulary import CASE_STATUS_NL, LABEL_LONG_NL, amsterdam_and_utc, amsterdam_time, legal_advice
from triage.bundle.dossier import CAPTURE_STATUS_NL, Dossier, dutch_reason
from triage.bundle.keys import format_fingerprint

KINDS_NL = {
    "created": "zaak geopend",
    "post_added": "bericht toegevoegd",
    "captured": "opnieuw vastgelegd",
    "viewed": "bekeken",
    "status_changed": "status gewijzigd",
    "assigned": "toegewezen",
    "exported": "bundel geëxporteerd",
    "note": "notitie",
    "attachment_added": "bijlage toegevoegd",
    "received_via_intake": "ontvangen via intake",
}
# Custody kinds that the report lists in an appendix (there can be hundreds), not in its timeline.
APPENDIX_KINDS = ("viewed",)


def local_time(value: str | None) -> str:
    """'20-11-2026 22:14:05 (Amsterdam) · 2026-11-20 21:14:05 UTC' from a custody/manifest UTC timestamp."""
    if not value:
        return "onbekend"
    return amsterdam_and_utc(value)


def short_time(value: str | None) -> str:
    """'20-11-2026 22:14:05' in Dutch local time (Europe/Amsterdam)."""
    if not value:
        return "onbekend"
    return amsterdam_time(value, seconds=True)


def safe_link(url: str | None) -> str | None:
    """The URL when it is plain http(s), else None (shown as text, never as a link)."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


@dataclass
class Report:
    title: str
    meta: list[tuple[str, str]]
    pif: list[tuple[str, str]]
    advice: list[str]
    instructions: list[str]
    timeline: list[tuple[str, str]]


def _authors(dossier: Dossier) -> str:
    seen: dict[str, str] = {}
    for item in dossier.items:
        acc = item.post["account"]
        key = f"{item.post['platform']}:{acc['id'] or acc['handle']}"
        seen[key] = (
            f"{acc['display_name'] or '(geen weergavenaam)'} — {acc['handle'] or '?'} op "
            f"{item.post['platform']}, account-id {acc['id'] or 'onbekend'}, "
            f"profiel {acc['profile_url'] or '?'}"
        )
    return "; ".join(seen.values()) or dossier.case["author_key"]


def _manner(dossier: Dossier) -> str:
    replies = sum(1 for i in dossier.items if i.post["in_reply_to_id"])
    parts = [f"{len(dossier.items) - replies} openbaar bericht(en)", f"{replies} reactie(s) op een ander bericht"]
    if dossier.case["thread_id"]:
        parts.append(f"in één gespreksdraad ({dossier.case['thread_id']})")
    return "Tekst, " + ", ".join(parts) + f"; gericht aan of over {dossier.official['name']}."


def build_report(
    dossier: Dossier, exported_by: str, exported_at: str, fingerprint: str, version: str, keys_url: str
) -> Report:
    """Assemble the report's sections from a dossier. The fingerprint is shown for information only: the report is
    inside the bundle, so the police compare it with the one the organisation publishes at `keys_url`."""
    off, org, items = dossier.official, dossier.organisation, dossier.items
    labels = [LABEL_LONG_NL.get(label, label) for label in dossier.case["labels"]]
    posted = sorted(i.post["posted_at"] for i in items if i.post["posted_at"])
    platforms = sorted({i.post["platform"] for i in items})
    hosts = sorted({urlsplit(i.post["permalink"] or "").hostname or "" for i in items} - {""})
    earlier = (
        f" Eerdere zaken van dezelfde afzender: {', '.join('#' + str(c['id']) for c in dossier.earlier_cases)}."
        if dossier.earlier_cases
        else " Geen eerdere zaken van deze afzender bekend."
    )
    pif = [
        (
            "Wie",
            f"Slachtoffer: {off['name']}, {off['role']} van {org['name']}"
            f"{' (publieke taak: VPT)' if dossier.vpt else ''}. Afzender: {_authors(dossier)}.{earlier}",
        ),
        (
            "Wat",
            f"{len(items)} bericht(en); gesignaleerd als: {', '.join(labels) or 'geen label'}. "
            "Volledige teksten letterlijk hieronder.",
        ),
        (
            "Waar",
            f"Online: {', '.join(platforms)} ({', '.join(hosts) or 'onbekende host'}); zie de permalinks per bericht.",
        ),
        ("Waarmee", "Openbare berichten op sociale media / internet (tekst)."),
        ("Welke wijze", _manner(dossier)),
        ("Wanneer", f"Van {local_time(posted[0])} tot {local_time(posted[-1])}." if posted else "Onbekend."),
        (
            "Waarom",
            f"De berichten richten zich op {off['name']} in de rol van {off['role']}. Een motief is niet "
            "automatisch vastgesteld; aan te vullen door de betrokkene of de medewerker.",
        ),
    ]
    advice = legal_advice(dossier.case["labels"]).sentences()  # the same advice the case screen shows
    instructions = [
        f"Neem de melding of aangifte op met het adres van de organisatie: {org['name']}, "
        f"{org['address'] or 'adres onbekend'} — niet het huisadres van de betrokkene.",
        f"Registreer de VPT-code (Veilige Publieke Taak): de betrokkene is {off['role']} van {org['name']}. "
        "Het OM eist bij slachtoffers met een publieke taak een hogere straf.",
        "Belediging, smaad en laster zijn klachtdelicten: laat de betrokkene zelf de klacht indienen.",
        "Een anoniem account identificeren vraagt een vordering van de officier van justitie aan het platform; "
        "gebruik daarvoor de post-id's en account-id's in deze bundel.",
        "Controleer de bundel vóór gebruik: 'schildwacht bundle verify <bestand>.zip --vingerafdruk "
        f'"<vingerafdruk>"\' met de vingerafdruk die {org["name"]} publiceert op {keys_url} (of opvraagt via een '
        "bekend kanaal), niet die in deze bundel. Zie LEESMIJ.txt.",
        "De bestanden record.warc.gz bevatten de oorspronkelijke serverantwoorden (WARC, ISO 28500); raw.* zijn "
        "dezelfde antwoorden als los bestand. Voeg de bundel in zijn geheel toe aan het proces-verbaal.",
    ]
    timeline: list[tuple[str, str]] = []
    for item in items:
        p = item.post
        timeline.append((p["posted_at"], f"Bericht {item.index} geplaatst door {p['account']['handle']}"))
        timeline.append((p["collected_at"], f"Bericht {item.index} vastgelegd door {p['collected_by']}"))
        for cap in p["captures"]:
            timeline.append(
                (
                    cap["started_at"],
                    f"Bericht {item.index} opnieuw vastgelegd: {CAPTURE_STATUS_NL.get(cap['status'], cap['status'])}"
                    + (f" ({dutch_reason(cap['error'])})" if cap["error"] else ""),
                )
            )
    for event in dossier.custody:
        if event["kind"] in APPENDIX_KINDS:  # listed in the report's appendix, not in the timeline
            continue
        kind = KINDS_NL.get(event["kind"], event["kind"])
        timeline.append((event["at"], f"Bewaarketen: {kind} door {event['actor']}"))
    timeline.sort(key=lambda row: row[0] or "")
    meta = [
        (
            "Zaak",
            f"#{dossier.case['id']} (status: {CASE_STATUS_NL.get(dossier.case['status'], dossier.case['status'])})",
        ),
        ("Betrokkene", f"{off['name']}, {off['role']}, {org['name']}"),
        ("VPT", "ja — slachtoffer met een publieke taak" if dossier.vpt else "nee"),
        ("Geëxporteerd door", exported_by),
        ("Exporttijd", local_time(exported_at)),
        ("Software", f"Schildwacht {version}"),
        ("Sleutel (vingerafdruk)", format_fingerprint(fingerprint)),
        (
            "Vingerafdruk controleren",
            f"alleen ter informatie; vergelijk met {keys_url} of vraag de vingerafdruk op bij {org['name']}",
        ),
    ]
    return Report(
        title=f"Bewijsrapport zaak #{dossier.case['id']} — {off['name']} ({org['name']})",
        meta=meta,
        pif=pif,
        advice=advice,
        instructions=instructions,
        timeline=[(short_time(at), what) for at, what in timeline],
    )
