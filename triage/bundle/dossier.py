"""Everything a bundle says about a case, read from the database into plain data (no rendering, no files)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.models import Case, CaseAttachment, EvidenceBlob, Mention, Official, Organisation
from schildwacht.models.evidence import Capture
from schildwacht.models.workflow import WORKFLOW_STEPS, CaseStep
from schildwacht.vocabulary import has_public_task
from triage.bundle import layout
from triage.bundle.custody import case_events, format_time, to_record
from triage.label_corrections import correction_records, corrections_by_mention

_EXTENSIONS = {
    "application/json": "json",
    "text/html": "html",
    "application/activity+json": "json",
    "application/ld+json": "json",
    "application/xml": "xml",
    "application/rss+xml": "xml",
    "application/atom+xml": "xml",
    "text/plain": "txt",
    "image/png": "png",
    "application/pdf": "pdf",
}


# How a capture attempt ended, as staff and the police read it.
CAPTURE_STATUS_NL = {"ok": "vastgelegd", "partial": "deels vastgelegd", "failed": "mislukt"}
ATTACHMENTS_DIR = "bijlagen"
_ENGLISH_HALF = re.compile(r" / [^:;]*")


def dutch_reason(error: str | None) -> str | None:
    """A capture error as staff and the police read it: the capture worker writes "dutch / english: detail" pairs
    (joined by "; "); this keeps the Dutch half and the detail."""
    return _ENGLISH_HALF.sub("", error) if error else error


def software_version() -> str:
    try:
        return version("schildwacht")
    except PackageNotFoundError:
        return "onbekend"


def iso(at: datetime | None) -> str | None:
    return format_time(at) if at else None


@dataclass
class ItemFile:
    """One file in an item folder; `data` None means the evidence was referenced but is not in the store."""

    name: str
    sha256: str
    data: bytes | None
    description: str


@dataclass
class Item:
    index: int
    folder: str
    post: dict  # post.json: identifiers, timestamps, text, context, classification, evidence references
    files: list[ItemFile] = field(default_factory=list)


@dataclass
class Attachment:
    """A file staff added to the case; `path` is its entry in the bundle (bijlagen/NN-<safe name>)."""

    index: int
    path: str
    filename: str
    content_type: str
    size: int
    sha256: str
    description: str | None
    uploaded_by: str
    uploaded_at: str
    data: bytes | None


@dataclass
class Dossier:
    """Invariant: `steps` lists every Steunpakket step in order (done or not); `attachments` every upload of the
    case, oldest first; `custody` the whole chain in order (the report may group it, the bundle keeps it all)."""

    case: dict
    official: dict
    organisation: dict
    vpt: bool
    items: list[Item]
    earlier_cases: list[dict]
    custody: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    victim_statement: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def _ext(content_type: str | None) -> str:
    return _EXTENSIONS.get((content_type or "").split(";")[0].strip().lower(), "bin")


def _folder(index: int, mention: Mention) -> str:
    """items/NN-<platform>-<post id>, both taken from data and made safe (layout.path_component)."""
    return (
        f"items/{index:02d}-{layout.path_component(mention.platform, 'platform')}-"
        f"{layout.path_component(mention.post_id, 'post')}"
    )


def _blob_file(session: Session, name: str, sha256: str | None, description: str) -> ItemFile | None:
    if not sha256:
        return None
    blob = session.get(EvidenceBlob, sha256)
    return ItemFile(name=name, sha256=sha256, data=blob.data if blob else None, description=description)


def _context(session: Session, mention: Mention, case_uids: set[str]) -> list[dict]:
    """The parent post and other posts of the same thread known to Schildwacht (same organisation)."""
    rows: list[tuple[str, Mention]] = []
    if mention.in_reply_to_id:
        parent = session.scalars(
            select(Mention).where(
                Mention.platform == mention.platform,
                Mention.post_id == mention.in_reply_to_id,
                Mention.organisation_id == mention.organisation_id,
            )
        ).first()
        if parent is not None:
            rows.append(("ouderbericht", parent))
    if mention.thread_id:
        seen = {m.uid for _, m in rows} | case_uids  # posts of this case are in the bundle themselves
        thread = session.scalars(
            select(Mention)
            .where(
                Mention.platform == mention.platform,
                Mention.thread_id == mention.thread_id,
                Mention.organisation_id == mention.organisation_id,
            )
            .order_by(Mention.created_at)
            .limit(50)
        )
        rows += [("zelfde draad", m) for m in thread if m.uid not in seen]
    return [
        {
            "relation": relation,
            "uid": m.uid,
            "post_id": m.post_id,
            "permalink": m.url,
            "author_handle": m.author_handle,
            "posted_at": iso(m.created_at),
            "in_case": m.uid in case_uids,
            "text": m.text,
            "text_note": None if m.text is not None else "tekst niet bewaard (bewaartermijn)",
        }
        for relation, m in rows
    ]


def _captures(session: Session, mention: Mention) -> tuple[list[dict], list[ItemFile]]:
    """Every capture attempt (failures included) and the files of each successful part."""
    records, files = [], []
    for n, cap in enumerate(
        session.scalars(select(Capture).where(Capture.mention_id == mention.id).order_by(Capture.started_at)), start=1
    ):
        parts = {
            "raw": (cap.raw_sha256, "raw.{ext}", "ruw serverantwoord bij opnieuw vastleggen"),
            "warc": (cap.warc_sha256, "warc.gz", "WARC-record bij opnieuw vastleggen"),
            "html": (cap.html_sha256, "dom.html", "pagina zoals de browser die toonde (DOM)"),
            "screenshot": (cap.screenshot_sha256, "screenshot.png", "schermafbeelding"),
            "pdf": (cap.pdf_sha256, "print.pdf", "PDF-afdruk"),
        }
        names = {}
        for part, (sha, suffix, description) in parts.items():
            blob = session.get(EvidenceBlob, sha) if sha else None
            name = f"capture-{n}-" + suffix.format(ext=_ext(blob.content_type if blob else None))
            item_file = _blob_file(session, name, sha, description)
            if item_file:
                files.append(item_file)
                names[part] = item_file.name
        records.append(
            {
                "status": cap.status,
                "url": cap.url,
                "started_at": iso(cap.started_at),
                "finished_at": iso(cap.finished_at),
                "tool": cap.tool,
                "http_status": cap.http_status,
                "error": cap.error,
                "files": names,
            }
        )
    return records, files


def _item(session: Session, index: int, mention: Mention, case_uids: set[str]) -> Item:
    raw = mention.raw_meta or {}
    files: list[ItemFile] = []
    from_page = raw.get("page_sha256") is not None  # one post taken from a page of several: only its own record
    raw_file = _blob_file(
        session,
        f"raw.{_ext(raw.get('content_type'))}",
        raw.get("sha256"),
        "het eigen record van dit bericht uit het serverantwoord bij verzameling (sha256 van de hele pagina: "
        "page_sha256)"
        if from_page
        else "ruw serverantwoord van het platform bij verzameling",
    )
    warc_file = _blob_file(
        session,
        "record.warc.gz",
        raw.get("warc_sha256"),
        "WARC bij verzameling (verzoek, statusregel en headers van de pagina, het eigen record van dit bericht)"
        if from_page
        else "WARC (verzoek en antwoord) bij verzameling",
    )
    files += [f for f in (raw_file, warc_file) if f]
    captures, capture_files = _captures(session, mention)
    files += capture_files
    post = {
        "uid": mention.uid,
        "platform": mention.platform,
        "post_id": mention.post_id,
        "permalink": mention.url,
        "account": {
            "id": mention.author_id,
            "handle": mention.author_handle,
            "display_name": mention.author_display_name,
            "profile_url": mention.author_profile_url,
        },
        "posted_at": iso(mention.created_at),
        "collected_at": iso(mention.collected_at),
        "collected_by": f"{mention.collector}/{mention.collector_version}",
        "text": mention.text,
        "text_sha256": mention.text_sha256,
        "in_reply_to_id": mention.in_reply_to_id,
        "thread_id": mention.thread_id,
        "context": _context(session, mention, case_uids),
        "classification": {
            "flags": mention.flags,
            "scores": mention.scores,
            "model": f"{mention.model_name}@{mention.model_version}",
            "scored_at": iso(mention.scored_at),
        },
        # Staff corrections of the labels above (the model's flags and scores stay as they were computed).
        "staff_corrections": correction_records(
            session, corrections_by_mention(session, [mention.id]).get(mention.id, [])
        ),
        "evidence": {
            "raw": _ref(raw_file, raw.get("content_type"), raw.get("size")),
            "warc": _ref(warc_file),
            "tls_cert_sha256": raw.get("tls_cert_sha256"),
            "page_sha256": raw.get("page_sha256"),
            "page_size": raw.get("page_size"),
        },
        "captures": captures,
    }
    return Item(index=index, folder=_folder(index, mention), post=post, files=files)


def _ref(item_file: ItemFile | None, content_type: str | None = None, size: int | None = None) -> dict | None:
    if item_file is None:
        return None
    return {
        "file": item_file.name if item_file.data is not None else None,
        "sha256": item_file.sha256,
        "content_type": content_type,
        "size": size,
        "missing": item_file.data is None,
    }


def _steps(session: Session, case_id: int) -> list[dict]:
    done = {row.step: row for row in session.scalars(select(CaseStep).where(CaseStep.case_id == case_id))}
    return [
        {
            "key": key,
            "label": label,
            "done": key in done,
            "done_at": iso(done[key].done_at) if key in done else None,
            "done_by": done[key].done_by if key in done else None,
            "reference": done[key].reference if key in done else None,
            "vpt_code": done[key].vpt_code if key in done else None,
            "note": done[key].note if key in done else None,
        }
        for key, label in WORKFLOW_STEPS
    ]


def _attachments(session: Session, case_id: int) -> list[Attachment]:
    rows = session.scalars(
        select(CaseAttachment).where(CaseAttachment.case_id == case_id).order_by(CaseAttachment.id)
    ).all()
    out = []
    for n, row in enumerate(rows, start=1):
        blob = session.get(EvidenceBlob, row.sha256)
        out.append(
            Attachment(
                index=n,
                path=f"{ATTACHMENTS_DIR}/{n:02d}-{layout.path_component(row.filename, 'bijlage')}",
                filename=row.filename,
                content_type=row.content_type,
                size=row.size,
                sha256=row.sha256,
                description=row.description,
                uploaded_by=row.uploaded_by,
                uploaded_at=format_time(row.uploaded_at),
                data=blob.data if blob else None,
            )
        )
    return out


def load_dossier(session: Session, case_id: int) -> Dossier:
    """Read a case with its posts, evidence, captures, custody events and the author's other cases."""
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"zaak {case_id} bestaat niet / case not found")
    official = session.get(Official, case.official_id)
    organisation = session.get(Organisation, case.organisation_id)
    assert official is not None and organisation is not None, "cases.official_id and organisation_id are foreign keys"
    mentions = list(
        session.scalars(select(Mention).where(Mention.case_id == case_id).order_by(Mention.created_at, Mention.id))
    )
    uids = {m.uid for m in mentions}
    earlier = session.scalars(
        select(Case)
        .where(Case.organisation_id == case.organisation_id, Case.author_key == case.author_key, Case.id != case.id)
        .order_by(Case.opened_at)
    )
    return Dossier(
        case={
            "id": case.id,
            "status": case.status,
            "labels": case.labels,
            "opened_at": iso(case.opened_at),
            "last_post_at": iso(case.last_post_at),
            "author_key": case.author_key,
            "thread_id": case.thread_id,
            "legal_hold": case.legal_hold,
        },
        official={"id": official.id, "name": official.full_name, "role": official.role},
        organisation={
            "id": organisation.id,
            "name": organisation.name,
            "kind": organisation.kind,
            "address": organisation.address,
            "contact_email": organisation.contact_email,
        },
        vpt=has_public_task(official.role),
        items=[_item(session, n, m, uids) for n, m in enumerate(mentions, start=1)],
        earlier_cases=[
            {
                "id": c.id,
                "opened_at": iso(c.opened_at),
                "labels": c.labels,
                "status": c.status,
                "official_id": c.official_id,
            }
            for c in earlier
        ],
        custody=[to_record(e) for e in case_events(session, case_id)],
        steps=_steps(session, case_id),
        victim_statement=case.victim_statement,
        attachments=_attachments(session, case_id),
    )
