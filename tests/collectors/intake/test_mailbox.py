"""The forwarding-mailbox collector against a real Dovecot: senders checked, cursor resumes without gaps or
duplicates, nothing marked read."""

from __future__ import annotations

from hashlib import sha256

from pydantic import SecretStr

from collectors.crawl import crawl
from collectors.state import CursorStore
from schildwacht.contracts import CollectedMention, DeadLetter
from tests.collectors.intake.dovecot import PASSWORD
from tests.collectors.intake.messages import forwarded_inline

USER = "meldpunt"


def crlf(message: bytes) -> bytes:
    """The message with CRLF line ends, as SMTP delivers it and IMAP serves it."""
    return message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def mailbox_settings(stack, dovecot, batch: int):
    return stack.settings.model_copy(
        update={
            "intake_imap_host": "127.0.0.1",
            "intake_imap_port": dovecot.port,
            "intake_imap_security": "none",
            "intake_imap_user": USER,
            "intake_imap_password": SecretStr(PASSWORD),
            "intake_imap_batch": batch,
        }
    )


def test_mailbox_publishes_registered_forwards_parks_the_rest_and_resumes_after_a_restart(
    stack, registry_seeded, read_topic, dovecot
):
    good = [crlf(forwarded_inline("m.zoetelief@voorbeeld.example", f"Bericht {i}: ik weet waar.")) for i in range(5)]
    forged = crlf(forwarded_inline("m.zoetelief@voorbeeld.example", "Vervalst.", auth="dmarc=fail"))
    unknown = crlf(forwarded_inline("iemand@elders.example", "Onbekend."))
    delivered = [good[0], forged, good[1], good[2], unknown, good[3]]
    dovecot.deliver(USER, delivered)

    # a first round reads 4 of the 6 messages, then the collector stops ("restart mid-mailbox")
    first = crawl("mailbox", mailbox_settings(stack, dovecot, batch=4))
    dovecot.deliver(USER, [good[4]])  # arrives while the collector is down
    second = crawl("mailbox", mailbox_settings(stack, dovecot, batch=100))
    third = crawl("mailbox", mailbox_settings(stack, dovecot, batch=100))  # nothing new

    raw = [CollectedMention.from_bytes(r.value) for r in read_topic(stack.settings, stack.settings.topic_raw)]
    letters = sorted(
        (DeadLetter.from_bytes(r.value) for r in read_topic(stack.settings, stack.settings.topic_dead_letter)),
        key=lambda letter: letter.reason,  # "imap-uid-<N>.eml: ...": mailbox order
    )
    expected = sorted(f"email:{sha256(m).hexdigest()}" for m in good)
    assert sorted(m.uid for m in raw) == expected, "every forward exactly once: no gap, no duplicate"
    assert sorted(m.raw.inline_bytes() for m in raw) == sorted(good), "the messages byte for byte as delivered"
    assert len(letters) == 2
    assert "vervalst" in letters[0].reason and letters[0].payload == forged
    assert "geen geregistreerde" in letters[1].reason and letters[1].payload == unknown
    assert (len(first["schildwacht/published_uids"]), len(second["schildwacht/published_uids"])) == (3, 2)
    assert third.get("schildwacht/published_uids") == [] and third.get("schildwacht/cursors_committed") is None
    store = CursorStore.for_settings(stack.settings)
    try:
        cursor = store.get(f"imap:{USER}@127.0.0.1:{dovecot.port}/INBOX")
    finally:
        store.close()
    assert cursor is not None and cursor.endswith(":7"), "the cursor stands on the 7th (last) UID"
