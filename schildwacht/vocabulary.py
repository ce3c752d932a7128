"""The one vocabulary of Schildwacht: case statuses, classifier labels and their severity, staff and official roles,
the offences suggested to staff and the police, and how a moment is shown in Dutch local time.

Invariants:
- every status, label and staff role is a `StrEnum` member, so it compares equal to the string stored in the
  database and carried in messages; its Dutch names (one per audience: staff, official, outside readers) live
  here and nowhere else; the exported tuples and tables hold plain `str`;
- `OPEN_STATUSES` and `CLOSED_STATUSES` split `CASE_STATUSES` without overlap;
- the legal advice (`legal_advice`) is the single source for both the case screen and the police report, so the
  two always say the same; it is advice for staff, never a legal verdict;
- times are shown in Europe/Amsterdam; an aware datetime or an ISO 8601 string with an offset (or `Z`) is required,
  so a moment is never silently read in the machine's own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _codes(*members: StrEnum) -> tuple[str, ...]:
    """Plain strings, so database drivers, JSON and templates never see an enum type."""
    return tuple(member.value for member in members)


def _names(table: dict[StrEnum, str]) -> dict[str, str]:
    return {member.value: name for member, name in table.items()}


# ------------------------------------------------------------------------------------------------ case statuses


class CaseStatus(StrEnum):
    NIEUW = "nieuw"
    IN_BEHANDELING = "in_behandeling"
    WACHT_OP_BETROKKENE = "wacht_op_betrokkene"
    AFGEROND = "afgerond"
    GEEN_ACTIE = "geen_actie"


CASE_STATUSES: tuple[str, ...] = _codes(*CaseStatus)
OPEN_STATUSES: tuple[str, ...] = _codes(CaseStatus.NIEUW, CaseStatus.IN_BEHANDELING, CaseStatus.WACHT_OP_BETROKKENE)
CLOSED_STATUSES: tuple[str, ...] = _codes(CaseStatus.AFGEROND, CaseStatus.GEEN_ACTIE)
# As staff read it (queue, case screen, flash messages).
CASE_STATUS_NL: dict[str, str] = _names(
    {
        CaseStatus.NIEUW: "Nieuw",
        CaseStatus.IN_BEHANDELING: "In behandeling",
        CaseStatus.WACHT_OP_BETROKKENE: "Wacht op betrokkene",
        CaseStatus.AFGEROND: "Afgerond",
        CaseStatus.GEEN_ACTIE: "Geen actie",
    }
)
# As the official reads it on their own pages and export (addressed to them: "wacht op u").
CASE_STATUS_FOR_OFFICIAL_NL: dict[str, str] = _names(
    {
        CaseStatus.NIEUW: "nieuw",
        CaseStatus.IN_BEHANDELING: "in behandeling",
        CaseStatus.WACHT_OP_BETROKKENE: "wacht op u",
        CaseStatus.AFGEROND: "afgerond",
        CaseStatus.GEEN_ACTIE: "geen actie",
    }
)


class OfficialStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"


OFFICIAL_STATUSES: tuple[str, ...] = _codes(*OfficialStatus)
OFFICIAL_STATUS_NL: dict[str, str] = _names(
    {
        OfficialStatus.INVITED: "uitgenodigd",
        OfficialStatus.ACTIVE: "actief",
        OfficialStatus.PAUSED: "gepauzeerd",
        OfficialStatus.WITHDRAWN: "ingetrokken",
    }
)


class MetaAccountStatus(StrEnum):
    """A connected Facebook page / Instagram account (schildwacht/models/meta.py)."""

    CONNECTED = "connected"
    RECONNECT = "reconnect"  # Meta refused the token (expired or revoked): the official must connect again
    DISCONNECTED = "disconnected"


META_ACCOUNT_STATUSES: tuple[str, ...] = _codes(*MetaAccountStatus)
META_ACCOUNT_STATUS_NL: dict[str, str] = _names(
    {
        MetaAccountStatus.CONNECTED: "gekoppeld",
        MetaAccountStatus.RECONNECT: "opnieuw koppelen nodig",
        MetaAccountStatus.DISCONNECTED: "ontkoppeld",
    }
)


# ------------------------------------------------------------------------------------------- labels, severity


class Label(StrEnum):
    """Classifier labels, most urgent first."""

    THREAT = "threat"
    DOXXING = "doxxing"
    GENDER = "gender"
    IDENTITY = "identity"
    ABUSE = "abuse"


LABELS: tuple[str, ...] = _codes(*Label)
# Lower rank = more urgent; the queue sorts on it and an alert names the most urgent label.
SEVERITY_RANK: dict[str, int] = {label.value: rank for rank, label in enumerate(Label)}
# Short names: chips, filters, scores on the staff screens.
LABEL_NL: dict[str, str] = _names(
    {
        Label.THREAT: "Bedreiging",
        Label.DOXXING: "Doxing",
        Label.GENDER: "Gendergerelateerde haat",
        Label.IDENTITY: "Identiteitsgerichte haat",
        Label.ABUSE: "Belediging / haat",
    }
)
# Self-explaining names for readers outside the team: alert messages and the police report.
LABEL_LONG_NL: dict[str, str] = _names(
    {
        Label.THREAT: "Bedreiging",
        Label.DOXXING: "Doxing (persoonsgegevens verspreid)",
        Label.GENDER: "Seksistische of gendergerelateerde haat",
        Label.IDENTITY: (
            "Haat gericht op identiteit (afkomst, geloof, huidskleur, seksuele oriëntatie, genderidentiteit "
            "of beperking)"
        ),
        Label.ABUSE: "Belediging / haatdragende taal",
    }
)


# ------------------------------------------------------------------------------------------------------ roles


class StaffRole(StrEnum):
    BEHEERDER = "beheerder"
    TRIAGIST = "triagist"
    ALLEEN_LEZEN = "alleen-lezen"
    NETWERK = "netwerk"


STAFF_ROLES: tuple[str, ...] = _codes(*StaffRole)
STAFF_ROLE_NL: dict[str, str] = _names(
    {
        StaffRole.BEHEERDER: "Beheerder",
        StaffRole.TRIAGIST: "Triagist",
        StaffRole.ALLEEN_LEZEN: "Alleen lezen",
        StaffRole.NETWERK: "Netwerk / Ondersteuningsteam",
    }
)
# The roles of an organisation's own staff (gemeente, provincie, waterschap).
ORGANISATION_ROLES: tuple[str, ...] = _codes(StaffRole.BEHEERDER, StaffRole.TRIAGIST, StaffRole.ALLEEN_LEZEN)
# The one role of a network organisation (organisation kind NETWORK_KIND, e.g. the Ondersteuningsteam Weerbaar
# Bestuur): it sees only the anonymous aggregate of the organisations that share, never a case, text or name.
NETWORK_ROLE: str = StaffRole.NETWERK.value
NETWORK_KIND = "netwerk"
# Roles that act on cases (claim, decide, export) and read an official's texts in bulk (each read audited).
CASE_WRITE_ROLES: tuple[str, ...] = _codes(StaffRole.BEHEERDER, StaffRole.TRIAGIST)
# Roles that manage the registry of officials and the organisation's accounts.
ADMIN_ROLES: tuple[str, ...] = _codes(StaffRole.BEHEERDER)

# Who may receive the monthly statistics report by e-mail (the organisation's settings page), in that order.
REPORT_RECIPIENT_NL: dict[str, str] = {
    "burgemeester": "Burgemeester",
    "griffier": "Griffier",
    "veiligheidscoordinator": "Veiligheidscoördinator",
}


class PlatformAnswer(StrEnum):
    """How a platform answered a notice (step gemeld_bij_platform, DSA)."""

    VERWIJDERD = "verwijderd"
    AFGEWEZEN = "afgewezen"
    GEEN_REACTIE = "geen_reactie"


PLATFORM_ANSWERS: tuple[str, ...] = _codes(*PlatformAnswer)
# Answers that are an answer: they set the step's `platform_answered_at`; "geen reactie" leaves it empty.
PLATFORM_ANSWERED: tuple[str, ...] = _codes(PlatformAnswer.VERWIJDERD, PlatformAnswer.AFGEWEZEN)
PLATFORM_ANSWER_NL: dict[str, str] = _names(
    {
        PlatformAnswer.VERWIJDERD: "Verwijderd",
        PlatformAnswer.AFGEWEZEN: "Afgewezen (blijft staan)",
        PlatformAnswer.GEEN_REACTIE: "Geen reactie",
    }
)

# The roles an official can be registered with (the registry's choice list).
OFFICIAL_ROLES: tuple[str, ...] = (
    "burgemeester",
    "wethouder",
    "raadslid",
    "statenlid",
    "gedeputeerde",
    "commissaris van de koning",
    "waterschapsbestuurder",
    "griffier",
    "secretaris",
    "ambtenaar",
)
# Roles with a public task: the police register these with the VPT code (Veilige Publieke Taak). Every registry
# role has one; the two extra spellings cover roles typed by hand.
PUBLIC_TASK_ROLES: tuple[str, ...] = (*OFFICIAL_ROLES, "commissaris", "dijkgraaf")


def has_public_task(role: str) -> bool:
    """True when an official with this role (any case, surrounding spaces ignored) has a public task (VPT)."""
    return role.strip().lower() in PUBLIC_TASK_ROLES


# ---------------------------------------------------------------------------------------------- legal advice


@dataclass(frozen=True)
class Offence:
    """A possibly applicable article of the Wetboek van Strafrecht, as advice (never a verdict)."""

    article: str  # "285 Sr"
    name: str  # "Bedreiging"
    note: str  # what must hold, in plain Dutch

    def sentence(self) -> str:
        """'Art. 285 Sr (bedreiging): ...', the form the police report prints."""
        return f"Art. {self.article} ({self.name.lower()}): {self.note}"


BEDREIGING = Offence(
    "285 Sr",
    "Bedreiging",
    "dreigen met een ernstig misdrijf (tegen het leven, zware mishandeling, verkrachting, brandstichting ...) dat "
    "redelijke vrees kan wekken; bedreiging van gezinsleden telt mee.",
)
DOXING = Offence(
    "285d Sr",
    "Doxing",
    "sinds 1 januari 2024: persoonsgegevens verzamelen of verspreiden om iemand te intimideren of te hinderen in "
    "het ambt; strafverhoging met een derde bij burgemeester, wethouder of raadslid.",
)
BELEDIGING = Offence(
    "266/267 Sr",
    "Belediging",
    "ook om persoonlijke kenmerken; seksistische beledigingen vallen hieronder. Art. 267: een derde hoger bij "
    "belediging in verband met de ambtsuitoefening. Klachtdelict: de betrokkene moet zelf een klacht indienen.",
)
SMAAD_LASTER = Offence(
    "261/262 Sr",
    "Smaad, laster",
    "alleen bij het ten laste leggen van een bepaald feit. Klachtdelict: de betrokkene moet zelf een klacht indienen.",
)
OPRUIING = Offence(
    "131 Sr",
    "Opruiing",
    "alleen bij een openlijke oproep tot geweld of strafbare feiten tegen het gezag.",
)
GROEPSBELEDIGING = Offence(
    "137c Sr",
    "Groepsbelediging",
    "in het openbaar opzettelijk beledigend uitlaten over een groep mensen wegens hun ras (afkomst, huidskleur), "
    "godsdienst of levensovertuiging, seksuele gerichtheid of handicap; gaat de haat over geslacht of "
    "genderidentiteit, kijk dan naar 137d en 266/267. Geen klachtdelict.",
)
AANZETTEN_TOT_HAAT = Offence(
    "137d Sr",
    "Aanzetten tot haat, discriminatie of geweld",
    "in het openbaar aanzetten tot haat tegen, discriminatie van of geweld tegen mensen wegens hun ras (afkomst, "
    "huidskleur), godsdienst of levensovertuiging, seksuele gerichtheid, handicap of geslacht (ook "
    "genderidentiteit). Geen klachtdelict.",
)
OFFENCES_BY_LABEL: dict[str, tuple[Offence, ...]] = {  # keys: Label values
    Label.THREAT.value: (BEDREIGING,),
    Label.DOXXING.value: (DOXING,),
    Label.GENDER.value: (BELEDIGING,),
    # Identity-based hate aimed at the official: the group articles, and the insult of the person (in office).
    Label.IDENTITY.value: (GROEPSBELEDIGING, AANZETTEN_TOT_HAAT, BELEDIGING),
    Label.ABUSE.value: (BELEDIGING,),
}
# Never flagged by the classifier: staff and police judge these themselves for every case.
SELF_ASSESSED: tuple[Offence, ...] = (SMAAD_LASTER, OPRUIING)
SELF_ASSESSED_INTRO = "Niet automatisch gesignaleerd, zelf beoordelen"
ADVICE_DISCLAIMER = "Advies, geen juridisch oordeel."


@dataclass(frozen=True)
class LegalAdvice:
    suggested: tuple[Offence, ...]  # from the case's labels, most severe label first, each article once
    self_assessed: tuple[Offence, ...]  # always the same: SELF_ASSESSED

    def sentences(self) -> list[str]:
        """The advice as the police report prints it: one sentence per suggested offence, then one line for the
        offences to judge oneself."""
        tail = " ".join(o.sentence() for o in self.self_assessed)
        return [o.sentence() for o in self.suggested] + [f"{SELF_ASSESSED_INTRO}: {tail}"]


def legal_advice(labels: Iterable[str]) -> LegalAdvice:
    """The offences to suggest for a case with these labels (unknown labels ignored)."""
    ordered = sorted(set(labels) & set(OFFENCES_BY_LABEL), key=SEVERITY_RANK.__getitem__)
    suggested = dict.fromkeys(offence for label in ordered for offence in OFFENCES_BY_LABEL[label])
    return LegalAdvice(suggested=tuple(suggested), self_assessed=SELF_ASSESSED)


# ------------------------------------------------------------------------------------------------------ time


def _aware(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"tijdstip zonder tijdzone: {value!r}")
    return moment


def amsterdam_time(value: datetime | str, *, seconds: bool = False) -> str:
    """'20-11-2026 22:14' (or with ':05' seconds) in Dutch local time, from an aware datetime or ISO 8601 string."""
    return _aware(value).astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


def amsterdam_and_utc(value: datetime | str) -> str:
    """'20-11-2026 22:14:05 (Amsterdam) · 2026-11-20 21:14:05 UTC': both clocks, for evidence the police read."""
    moment = _aware(value)
    return f"{amsterdam_time(moment, seconds=True)} (Amsterdam) · {moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


# Intake (forwarded mail, uploads, `schildwacht intake`): the way a file came in (IntakeReceipt.channel), the kind of
# file by the mention's platform, and when text read from an image (OCR) must be checked against the image.
INTAKE_CHANNEL_NL: dict[str, str] = {
    "email": "e-mail (doorgestuurd naar het meldpunt)",
    "upload": "upload in Schildwacht",
    "cli": "opdrachtregel (schildwacht intake)",
}
INTAKE_FORMAT_NL: dict[str, str] = {
    "email": "e-mail",
    "screenshot": "schermafbeelding",
    "whatsapp": "chatexport (WhatsApp)",
    "telegram": "chatexport (Telegram)",
}
LOW_OCR_CONFIDENCE = 60.0  # Tesseract's mean word confidence (0-100) below which staff must check the reading


def ocr_warning(confidence: float | None) -> str | None:
    """The Dutch warning beside text read from an image with confidence below LOW_OCR_CONFIDENCE; None otherwise."""
    if confidence is None or confidence >= LOW_OCR_CONFIDENCE:
        return None
    return f"OCR-lezing onzeker ({confidence:.0f}%): controleer de tekst tegen de afbeelding"
