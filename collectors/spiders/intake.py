"""Intake spider: files staff or officials hand over (e-mail, screenshot, chat export) become collected posts.

Who may hand over what (checked per piece before anything is published):
- `official_id` (``--ambtsdrager``) must be a registered official with consent; otherwise every piece is parked
  with the reason and without its content (nothing of an official without consent is kept);
- a forwarded e-mail's sender must be a registered official or active staff member, of `organisation` when given,
  whose mail does not fail DMARC/DKIM alignment; a forged or unknown sender is parked with the reason (content kept
  in the dead letter for staff to judge); a sender who is an official without consent: parked without content;
- a piece for a consenting official is matched as "submitted" for that official (forwarder or handing-over staff
  recorded); other pieces go through the ordinary name/handle matching, and are not kept when nobody matches.
Unreadable files are parked by `collectors.intake.files`. Each piece's evidence is one WARC resource record with
its exact bytes and the intake annotations (forwarder, .eml sha256 at receipt, OCR confidence, ...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from collectors.evidence import COLLECTOR_VERSION, Capture
from collectors.intake.files import pieces_of
from collectors.intake.pieces import Piece, Refusal
from collectors.intake.senders import Person, by_address, official
from collectors.items import ParkedItem, PostItem
from collectors.spiders.base import SourceSpider
from schildwacht.contracts import IntakeChannel, IntakeReceipt, sha256_hex
from schildwacht.db import make_engine, make_sessionmaker
from schildwacht.warc import EvidenceWarc

HANDED_OVER_BY_CLI = "schildwacht intake"


def piece_capture(piece: Piece, collector: str, received_at: datetime, receipt: IntakeReceipt | None = None) -> Capture:
    """The evidence of one piece: its exact bytes in a WARC resource record with the intake annotations, and how
    it came in (`receipt`, which travels in the contract's `raw.intake`)."""
    uri = f"urn:sha256:{sha256_hex(piece.raw)}"
    annotations = dict(piece.annotations)
    if receipt is not None:
        annotations |= {
            "Schildwacht-Intake-Channel": receipt.channel,
            "Schildwacht-Handed-Over-By": receipt.handed_over_by,
        }
    if piece.page_sha256:
        annotations |= {"Schildwacht-Page-SHA256": piece.page_sha256, "Schildwacht-Page-Size": str(piece.page_size)}
    warc = EvidenceWarc(f"schildwacht-{collector}/{COLLECTOR_VERSION}", received_at)
    warc.resource(uri, piece.raw, piece.content_type, annotations=annotations)
    return Capture(
        raw=piece.raw,
        content_type=piece.content_type,
        captured_at=received_at,
        source_url=uri,
        warc=warc.getvalue(),
        page_sha256=piece.page_sha256,
        page_size=piece.page_size,
        intake=receipt,
    )


class HandOverSpider(SourceSpider):
    """What the intake and mailbox spiders share: turning one handed-over file into items (no `name`: not listed).

    `official_id` and `organisation` are set by the subclass before `file_items` is called."""

    uses_cursors = False
    official_id: str | None = None
    organisation: str | None = None
    channel: IntakeChannel = "cli"  # the way in, recorded in each piece's IntakeReceipt
    handed_over_by: str = HANDED_OVER_BY_CLI  # who handed the files over, unless a forwarder's mail says who

    def database(self) -> Engine:
        """An engine on the registry database (the caller disposes of it)."""
        if not self.config.database_url:
            raise ValueError("Geen database ingesteld (DATABASE_URL): het register van bestuurders is nodig.")
        return make_engine(self.config.database_url)

    def file_items(self, session, data: bytes, name: str, target: Person | None) -> list[PostItem | ParkedItem]:
        """The items of one file `name` with bytes `data`; `target` is the official named for it, if any."""
        received_at = datetime.now(UTC)
        self.crawler.stats.inc_value("schildwacht/intake_files")
        if self.official_id and (target is None or not target.consenting):
            state = "niet geregistreerd" if target is None else "zonder (of met ingetrokken) toestemming"
            return [self._parked(f"{name}: ambtsdrager {self.official_id} {state}: niets bewaard", b"")]
        if target and self.organisation and target.organisation_id != self.organisation:
            return [self._parked(f"{name}: ambtsdrager {target.id} hoort niet bij {self.organisation}", data)]
        items: list[PostItem | ParkedItem] = []
        for piece in pieces_of(data, name, self.config.collector_max_bytes, received_at):
            if isinstance(piece, Refusal):
                items.append(self._parked(piece.reason, piece.payload))
                continue
            self.crawler.stats.inc_value("schildwacht/intake_items")
            items.append(self._accepted(session, piece, target, name, sha256_hex(data), received_at))
        return items

    def _accepted(
        self, session, piece: Piece, target: Person | None, name: str, file_sha256: str, received_at: datetime
    ) -> PostItem | ParkedItem:
        submitted_for = target.id if target else None
        submitted_by = self.handed_over_by
        if piece.forwarder is not None:
            sender = by_address(session, piece.forwarder)
            where = f"{name}: afzender {piece.forwarder}"
            if piece.sender_check == "fail":
                return self._parked(
                    f"{where} niet bevestigd ({piece.annotations.get(_AUTH)}): mogelijk vervalst", piece.raw
                )
            if sender is None:
                return self._parked(f"{where} is geen geregistreerde ambtsdrager of medewerker", piece.raw)
            if self.organisation and sender.organisation_id != self.organisation:
                return self._parked(f"{where} hoort niet bij {self.organisation}", piece.raw)
            if not sender.consenting:
                return self._parked(
                    f"{where}: geen (of ingetrokken) toestemming of inactief account: niets bewaard", b""
                )
            submitted_by = piece.forwarder
            if sender.kind == "official" and submitted_for is None:
                submitted_for = sender.id
        return PostItem(
            platform=piece.platform,
            post_id=piece.post_id,
            url=f"mid:{piece.post_id}" if piece.platform == "email" and "@" in piece.post_id else _urn(piece),
            author=piece.author,
            created_at=piece.created_at or received_at,
            text=piece.text,
            capture=piece_capture(
                piece,
                self.name,
                received_at,
                IntakeReceipt(
                    channel=self.channel,
                    handed_over_by=submitted_by[:400],
                    file_name=name[:400],
                    file_sha256=file_sha256,
                    ocr_confidence=piece.ocr_confidence,
                ),
            ),
            collector=self.name,
            in_reply_to_id=piece.in_reply_to_id,
            thread_id=piece.thread_id,
            submitted_for=submitted_for,
            submitted_by=submitted_by,
        )

    def _parked(self, reason: str, payload: bytes) -> ParkedItem:
        return ParkedItem(self.name, reason, payload)


class IntakeSpider(HandOverSpider):
    """Yields one PostItem per message in `paths` (or a ParkedItem with the reason); makes no requests."""

    name = "intake"

    def __init__(
        self, paths: list[str], official_id: str | None = None, organisation: str | None = None, *args, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.paths = [Path(p) for p in paths]
        self.official_id, self.organisation = official_id, organisation

    async def first_requests(self) -> AsyncIterator[Any]:
        engine = self.database()
        try:
            with make_sessionmaker(engine)() as session:
                target = official(session, self.official_id) if self.official_id else None
                for path in self.paths:
                    for item in self.file_items(session, path.read_bytes(), path.name, target):
                        yield item
        finally:
            engine.dispose()


_AUTH = "Schildwacht-Sender-Authentication"


def _urn(piece: Piece) -> str:
    return f"urn:sha256:{sha256_hex(piece.raw)}"
