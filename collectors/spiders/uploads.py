"""Uploads spider: the files staff uploaded in the web app ("Melding toevoegen"), taken in like `schildwacht intake`.

The web app (triage) may not import the collectors, so it only stores the upload (table `intake_uploads`, bytes and
sha256 at receipt, uploader, official); this spider, run in every collection round, takes each waiting upload
through the same `HandOverSpider.file_items` as the CLI and the mailbox: the same readers (OCR with Tesseract,
e-mail, .msg, chat exports), the same consent and organisation checks for the official the uploader named, the
same matching and Kafka publication. Channel "upload", handed over by the uploader.

Invariant: an upload is marked processed (its bytes emptied, the Dutch result stored) only after every item it
yielded has left the pipelines and Kafka confirmed everything so far; a crawl that failed to publish leaves it
waiting, so the next round takes it again (the same uid is stored once by triage).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select, update

from collectors.intake.senders import official
from collectors.items import ParkedItem, PostItem
from collectors.settling import items_settled
from collectors.spiders.intake import HandOverSpider
from schildwacht.db import make_sessionmaker
from schildwacht.models import IntakeUpload
from schildwacht.models.base import utcnow

BATCH = 20  # uploads per round


def result_nl(items: list[PostItem | ParkedItem]) -> str:
    """What became of one upload, in Dutch ("2 berichten doorgestuurd, 1 geparkeerd")."""
    posts = sum(isinstance(item, PostItem) for item in items)
    parked = len(items) - posts
    return f"{posts} {'bericht' if posts == 1 else 'berichten'} doorgestuurd, {parked} geparkeerd"


class UploadsSpider(HandOverSpider):
    """Yields the items of each waiting upload, oldest first, and marks it processed once they are confirmed."""

    name = "uploads"
    channel = "upload"

    async def first_requests(self) -> AsyncIterator[Any]:
        engine = self.database()
        sessions = make_sessionmaker(engine)
        try:
            with sessions() as session:
                waiting = session.scalars(
                    select(IntakeUpload.id)
                    .where(IntakeUpload.processed_at.is_(None))
                    .order_by(IntakeUpload.id)
                    .limit(BATCH)
                ).all()
                for upload_id in waiting:
                    upload = session.get(IntakeUpload, upload_id)
                    if upload is None or upload.data is None:
                        continue
                    self.official_id, self.organisation = upload.official_id, upload.organisation_id
                    self.handed_over_by = upload.uploaded_by
                    target = official(session, upload.official_id)
                    items = self.file_items(session, upload.data, upload.filename, target)
                    for item in items:
                        yield item
                    await items_settled(self.crawler)
                    if self.crawler.stats.get_value("schildwacht/publish_failed"):
                        return  # not confirmed: stays waiting for the next round
                    with sessions.begin() as done:
                        done.execute(
                            update(IntakeUpload)
                            .where(IntakeUpload.id == upload_id)
                            .values(processed_at=utcnow(), result=result_nl(items), data=None)
                        )
        finally:
            engine.dispose()
