"""The "Melding toevoegen" page on its own: who may upload, for whom, what is refused (and then nothing stored),
the audit of an upload, and that a hostile file name renders as text. The intake itself (OCR, classifier, case) is
tested end to end in tests/schildwacht/app/test_intake_upload.py."""

from __future__ import annotations

import hashlib
import html

from sqlalchemy import func, select

from schildwacht.models import AuditEvent, IntakeUpload
from tests.triage.web.triageweb_support import USERS
from triage.web.evidence_view import MAX_UPLOAD_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"niet echt, de web-app leest het bestand niet" * 10


def upload(client, official: str, name: str, data: bytes, csrf: str | None = None):
    return client.post(
        "/meldingen/toevoegen",
        data={"csrf_token": client.csrf if csrf is None else csrf, "ambtsdrager": official},
        files={"bestand": (name, data, "image/png")},
        follow_redirects=False,
    )


def error_of(page: str) -> str:
    marker = 'data-testid="intake-upload-error">'
    assert marker in page, page[:500]
    return html.unescape(page.split(marker, 1)[1].split("</p>", 1)[0])


def stored(db) -> list[IntakeUpload]:
    with db() as s:
        return list(s.scalars(select(IntakeUpload).order_by(IntakeUpload.id)))


def test_a_triagist_uploads_for_a_consenting_official_and_the_upload_is_hashed_and_audited(world, client_factory, db):
    client = client_factory("triagist_a")
    form = client.get("/meldingen/toevoegen")
    assert form.status_code == 200
    assert 'value="off-zoetelief"' in form.text and 'value="off-vermeulen"' not in form.text  # own organisation only

    answer = upload(client, "off-zoetelief", "dm.png", PNG)

    assert answer.status_code == 303 and answer.headers["location"] == "/meldingen/toevoegen"
    [row] = stored(db)
    assert (row.official_id, row.organisation_id, row.uploaded_by) == (
        "off-zoetelief",
        "gm-voorbeeld",
        USERS["triagist_a"],
    )
    assert row.data == PNG and row.size == len(PNG) and row.sha256 == hashlib.sha256(PNG).hexdigest()
    assert row.processed_at is None
    with db() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "intake.upload")).one()
    assert audit.actor == USERS["triagist_a"] and audit.details["sha256"] == row.sha256
    page = client.get("/meldingen/toevoegen").text
    assert "dm.png" in page and "wacht op verwerking" in page
    assert "dm.png" not in client_factory("triagist_b").get("/meldingen/toevoegen").text  # other organisation


def test_refusals_store_nothing_and_say_why(world, client_factory, db):
    a, b = client_factory("triagist_a"), client_factory("triagist_b")
    refused = {
        "other organisation": upload(a, "off-vermeulen", "dm.png", PNG),
        "unknown official": upload(a, "off-bestaat-niet", "dm.png", PNG),
        "withdrawn consent": upload(b, "off-dijkhuizen", "dm.png", PNG),
        "unknown file type": upload(a, "off-zoetelief", "virus.exe", PNG),
        "empty": upload(a, "off-zoetelief", "leeg.png", b""),
        "too large": upload(a, "off-zoetelief", "groot.png", PNG + b"\0" * MAX_UPLOAD_BYTES),
        # within the page's own maximum, but more than the intake stage passes on whole (it would be parked, cut)
        "too large to collect": upload(
            a, "off-zoetelief", "groot.png", PNG + b"\0" * world.settings.collector_max_bytes
        ),
        "no csrf": upload(a, "off-zoetelief", "dm.png", PNG, csrf="vervalst"),
    }
    statuses = {why: r.status_code for why, r in refused.items()}
    # the form comes back with the reason (200), except a forged form (403)
    assert statuses == dict.fromkeys(refused, 200) | {"no csrf": 403}
    errors = {why: error_of(r.text) for why, r in refused.items() if why != "no csrf"}
    assert all(e.endswith("er is niets bewaard.") for e in errors.values()), errors
    assert errors["other organisation"] == errors["unknown official"]  # indistinguishable
    assert "toestemming" in errors["withdrawn consent"]
    assert "onbekend bestandstype" in errors["unknown file type"] and "leeg" in errors["empty"]
    limit_mb = world.settings.collector_max_bytes // (1024 * 1024)
    assert limit_mb < MAX_UPLOAD_BYTES // (1024 * 1024)  # the default config: the intake stage's limit is smaller
    assert f"groter dan {limit_mb} MB" in errors["too large"] and errors["too large to collect"] == errors["too large"]
    assert stored(db) == []
    with db() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "intake.upload")) == 0


def test_read_only_staff_may_not_upload(world, client_factory, db):
    reader = client_factory("lezer_b")
    assert reader.get("/meldingen/toevoegen").status_code == 403
    assert upload(reader, "off-vermeulen", "dm.png", PNG).status_code == 403
    assert stored(db) == []
    assert "/meldingen/toevoegen" not in reader.get("/zaken").text  # no menu entry either


def test_hostile_file_name_is_shown_as_text(world, client_factory, db):
    client = client_factory("triagist_a")
    name = '<img src=x onerror="window.__xss=1">.png'
    assert upload(client, "off-zoetelief", name, PNG).status_code == 303
    page = client.get("/meldingen/toevoegen").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
