"""Withdrawal empties the files staff uploaded for the official ("Melding toevoegen") and their notes: a waiting
upload is closed unread, so the uploads spider never takes it in; another official's upload is left alone."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from schildwacht.db import session_scope
from schildwacht.models import IntakeUpload
from tests.triage.registry.registry_helpers import add_official, add_org
from triage.registry import service

THREAT = b"Zoetelief, ik weet waar je woont"


def add_upload(s, official_id: str, *, processed: bool = False) -> int:
    row = IntakeUpload(
        organisation_id="gm-a",
        official_id=official_id,
        filename="schermafdruk.png",
        content_type="image/png",
        size=len(THREAT),
        sha256=hashlib.sha256(THREAT).hexdigest(),
        data=None if processed else THREAT,
        note=f"doorgestuurd door de griffier over {official_id}",
        uploaded_by="triagist@gm-a.example",
    )
    if processed:
        row.processed_at, row.result = row.uploaded_at, "1 bericht doorgestuurd, 0 geparkeerd"
    s.add(row)
    s.flush()
    return row.id


def test_withdrawal_drops_the_officials_uploads_and_notes_only(db):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_official(s, "off-a", "gm-a")
        add_official(s, "off-b", "gm-a")
        waiting_a, done_a, waiting_b = (
            add_upload(s, "off-a"),
            add_upload(s, "off-a", processed=True),
            add_upload(s, "off-b"),
        )

    with session_scope(db) as s:
        service.withdraw(s, "off-a", "beheerder@gm-a.example")

    with session_scope(db) as s:
        rows = {row.id: row for row in s.scalars(select(IntakeUpload))}
        assert rows[waiting_a].data is None and rows[waiting_a].note is None
        assert rows[waiting_a].processed_at is not None and "ingetrokken" in (rows[waiting_a].result or "")
        assert rows[done_a].note is None and rows[done_a].result == "1 bericht doorgestuurd, 0 geparkeerd"
        assert rows[waiting_a].sha256 == hashlib.sha256(THREAT).hexdigest()  # the receipt stays
        assert rows[waiting_b].data == THREAT and rows[waiting_b].processed_at is None
        assert rows[waiting_b].note == "doorgestuurd door de griffier over off-b"
        waiting = s.scalars(select(IntakeUpload.id).where(IntakeUpload.processed_at.is_(None))).all()
        assert waiting == [waiting_b]  # what the uploads spider would take in next
