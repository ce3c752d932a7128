"""Mailbox spider: the forwarding mailbox (meldpunt@...) read over IMAP, one run per collection round.

Every new message (UID after the stored cursor) goes through the same checks as `schildwacht intake` (see
`collectors.spiders.intake`): the sender must be a registered consenting official or active staff member, of
`intake_imap_organisation` when set, not failing DMARC/DKIM alignment; otherwise the message is parked with the
reason. The cursor (`<UIDVALIDITY>:<UID>`) is stored through the pipeline after each message, only once the
message's items are through the pipeline and Kafka confirmed everything before it: a restart mid-mailbox resumes
after the last confirmed message, without duplicates or gaps. A new UIDVALIDITY starts the folder from the top
(what was published before is published again with the same uid, which triage stores once).
Without `intake_imap_host` the spider does nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from collectors.intake.imap import ForwardingMailbox, MailboxError, cursor_key
from collectors.items import CursorItem, ParkedItem
from collectors.settling import items_settled
from collectors.spiders.intake import HandOverSpider
from schildwacht.db import make_sessionmaker


def _thread(function, *args):
    return maybe_deferred_to_future(deferToThread(function, *args))


class MailboxSpider(HandOverSpider):
    """Yields the items of each new message of the forwarding mailbox, each followed by its cursor."""

    name = "mailbox"
    uses_cursors = True
    channel = "email"

    async def first_requests(self) -> AsyncIterator[Any]:
        config = self.config
        if not config.intake_imap_host:
            self.logger.info("geen doorstuurbrievenbus ingesteld (SCHILDWACHT_INTAKE_IMAP_HOST)")
            return
        self.organisation = config.intake_imap_organisation
        key = cursor_key(config)
        try:
            box = await _thread(ForwardingMailbox, config)
        except MailboxError as exc:
            self.logger.error("%s", exc)
            self.crawler.stats.inc_value("schildwacht/http_errors")
            return
        engine = self.database()
        try:
            with box, make_sessionmaker(engine)() as session:
                validity = await _thread(box.validity)
                assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
                stored_validity, _, stored_uid = (self.cursors.get(key) or "").partition(":")
                last = int(stored_uid) if stored_validity == str(validity) and stored_uid.isdigit() else 0
                for uid in await _thread(box.uids_after, last, config.intake_imap_batch):
                    try:
                        data = await _thread(box.message, uid)
                    except MailboxError as exc:
                        yield ParkedItem(self.name, f"{key} UID {uid}: {exc}", b"")
                    else:
                        for item in self.file_items(session, data, f"imap-uid-{uid}.eml", None):
                            yield item
                    await items_settled(self.crawler)
                    yield CursorItem(key, f"{validity}:{uid}")
        finally:
            engine.dispose()
