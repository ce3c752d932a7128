"""Connecting a Facebook page from the official's personal page (OAuth against a local Graph API), disconnecting it,
what staff see, and Meta's webhook receiver (challenge, signature, comments as mentions, removals)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.meta_tokens import decrypt
from schildwacht.models import AuditEvent, MetaAccount, MetaComment, MetaOAuthState, Official
from tests.collectors.conftest import FakeHttp, _read_topic
from tests.support.fake_graph import FakeGraph
from tests.triage.web.triageweb_support import csrf_of, login
from triage.registry import service
from triage.web.app import create_app

OFFICIAL = "off-zoetelief"
PAGE, IG = "104000000000001", "178410000000001"
PAGE_TOKEN, USER_TOKEN = "EAAG-paginatoken-geheim", "EAAG-gebruikerstoken"
APP_SECRET, VERIFY = "app-geheim-123", "verifieer-mij-42"


@pytest.fixture
def graph():
    http = FakeHttp()
    fake = FakeGraph(http, app_secret=APP_SECRET)
    fake.add_page(PAGE, PAGE_TOKEN, IG)
    fake.instagram_of[PAGE] = {"id": IG, "username": "mariekezoetelief"}
    fake.user_pages[USER_TOKEN] = [{"id": PAGE, "name": "Wethouder Marieke Zoetelief", "access_token": PAGE_TOKEN}]
    yield fake
    http.close()


@pytest.fixture
def meta_settings(world, graph):
    return world.settings.model_copy(
        update={
            "meta_app_id": "1234567890",
            "meta_app_secret": SecretStr(APP_SECRET),
            "meta_webhook_verify_token": SecretStr(VERIFY),
            "meta_graph_url": graph.base,
            "meta_dialog_url": f"{graph.base}/dialog/oauth",
            "outbound_allowed_networks": ["127.0.0.0/8"],  # the fake Graph API runs on 127.0.0.1
        }
    )


@pytest.fixture
def meta_app(meta_settings, db):
    return create_app(meta_settings, db)


def manage_link(db, settings) -> str:
    with db() as s, s.begin():
        return service.issue_link(s, settings, s.get(Official, OFFICIAL), "manage", f"official:{OFFICIAL}")


def start(client, token: str) -> str:
    """Click "Koppel ...": returns the state the redirect to Meta's dialog carries."""
    r = client.get(f"/mijn/{token}/meta/koppelen", follow_redirects=False)
    assert r.status_code == 303, r.text
    target = urlsplit(r.headers["location"])
    query = parse_qs(target.query)
    assert query["redirect_uri"] == ["https://schildwacht.test/meta/terug"] and query["response_type"] == ["code"]
    assert "pages_read_engagement" in query["scope"][0] and "instagram_manage_comments" in query["scope"][0]
    return query["state"][0]


def accounts(db) -> list[MetaAccount]:
    with db() as s:
        return list(s.scalars(select(MetaAccount).order_by(MetaAccount.id)))


def test_connect_stores_the_page_token_encrypted_and_the_page_lists_it(meta_app, meta_settings, db, graph):
    token = manage_link(db, meta_settings)
    official = login(meta_app, None)
    state = start(official, token)
    graph.codes["code-1"] = USER_TOKEN

    page = official.get(f"/meta/terug?code=code-1&state={state}")

    assert page.status_code == 200, page.text
    assert "Gekoppeld: Wethouder Marieke Zoetelief" in page.text and "@mariekezoetelief" in page.text
    assert "Ontkoppelen" in page.text and PAGE_TOKEN not in page.text
    [account] = accounts(db)
    assert (account.page_id, account.instagram_id, account.status) == (PAGE, IG, "connected")
    assert PAGE_TOKEN.encode() not in account.token_ciphertext
    assert decrypt(meta_settings, account.token_ciphertext) == PAGE_TOKEN
    exchange = [parse_qs(urlsplit(p).query) for p in graph.http.paths() if p.startswith("/oauth/access_token")]
    assert [q["client_secret"] for q in exchange] == [[APP_SECRET]] * 2
    assert exchange[0]["code"] == ["code-1"] and exchange[1]["fb_exchange_token"] == [USER_TOKEN]
    with db() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("meta.%"))).all()
        assert sorted(actions) == ["meta.connect_started", "meta.connected"]
        assert all(PAGE_TOKEN not in json.dumps(e.details) for e in s.scalars(select(AuditEvent)))
        assert s.scalar(select(func.count()).select_from(MetaOAuthState)) == 0  # the state was used up
    # the same state (and code) again: refused, nothing changes
    again = official.get(f"/meta/terug?code=code-1&state={state}")
    assert again.status_code == 403 and len(accounts(db)) == 1


def test_forged_or_foreign_state_is_refused_and_nothing_is_stored(meta_app, meta_settings, db, graph):
    token = manage_link(db, meta_settings)
    victim = login(meta_app, None)
    state = start(victim, token)
    graph.codes["code-aanvaller"] = USER_TOKEN
    attacker = login(meta_app, None)

    forged = victim.get("/meta/terug?code=code-aanvaller&state=verzonnen-state")
    foreign = attacker.get(f"/meta/terug?code=code-aanvaller&state={state}")  # a real state, another browser
    missing = login(meta_app, None).get("/meta/terug?code=code-aanvaller")

    for r in (forged, foreign, missing):
        assert r.status_code == 403 and "ongeldig of verlopen" in r.text
    assert accounts(db) == []
    assert not [p for p in graph.http.paths() if p.startswith("/oauth/access_token")]  # no code was exchanged


def test_disconnect_drops_the_token_needs_csrf_and_is_audited(meta_app, meta_settings, db, graph):
    token = manage_link(db, meta_settings)
    official = login(meta_app, None)
    graph.codes["code-2"] = USER_TOKEN
    page = official.get(f"/meta/terug?code=code-2&state={start(official, token)}")
    [account] = accounts(db)

    refused = official.post(f"/mijn/{token}/meta/{account.id}/ontkoppelen", data={}, follow_redirects=False)
    assert refused.status_code == 403 and accounts(db)[0].token_ciphertext is not None

    done = official.post(f"/mijn/{token}/meta/{account.id}/ontkoppelen", data={"csrf_token": csrf_of(page.text)})

    assert done.status_code == 200 and "Ontkoppeld: Wethouder Marieke Zoetelief" in done.text
    [gone] = accounts(db)
    assert gone.status == "disconnected" and gone.token_ciphertext is None
    assert gone.disconnected_by == f"official:{OFFICIAL}"
    with db() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "meta.disconnected"))
        assert event is not None and event.details["page_id"] == PAGE
    assert "Ontkoppelen" not in official.get(f"/mijn/{token}").text  # no longer listed


def test_another_officials_link_cannot_disconnect(meta_app, meta_settings, db, graph):
    token = manage_link(db, meta_settings)
    official = login(meta_app, None)
    graph.codes["code-3"] = USER_TOKEN
    official.get(f"/meta/terug?code=code-3&state={start(official, token)}")
    [account] = accounts(db)
    with db() as s, s.begin():
        other = service.issue_link(s, meta_settings, s.get(Official, "off-debruijn"), "manage", "test")
    stranger = login(meta_app, None)
    page = stranger.get(f"/mijn/{other}")
    r = stranger.post(f"/mijn/{other}/meta/{account.id}/ontkoppelen", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 404 and accounts(db)[0].status == "connected"


def test_staff_see_connected_accounts_and_the_reconnect_notice_without_tokens(
    meta_app, meta_settings, db, graph, world
):
    token = manage_link(db, meta_settings)
    official = login(meta_app, None)
    graph.codes["code-4"] = USER_TOKEN
    official.get(f"/meta/terug?code=code-4&state={start(official, token)}")
    staff = login(meta_app, "beheerder_a")

    shown = staff.get(f"/ambtsdragers/{OFFICIAL}").text
    assert "Facebook-pagina Wethouder Marieke Zoetelief met Instagram @mariekezoetelief (gekoppeld)" in shown
    with db() as s, s.begin():
        account = s.scalar(select(MetaAccount))
        account.status, account.problem, account.token_ciphertext = "reconnect", "opnieuw koppelen", None
    assert "opnieuw koppelen nodig" in staff.get(f"/ambtsdragers/{OFFICIAL}").text
    mine = official.get(f"/mijn/{token}").text
    assert "opnieuw koppelen nodig" in mine and "Opnieuw koppelen" in mine
    assert PAGE_TOKEN not in shown


def test_webhook_challenge_answers_only_the_configured_verify_token(meta_app):
    client = login(meta_app, None)
    ok = client.get(f"/meta/webhook?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444")
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = client.get("/meta/webhook?hub.mode=subscribe&hub.verify_token=raden&hub.challenge=1158201444")
    script = client.get(f"/meta/webhook?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=<script>")
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert script.status_code == 403 and "<script>" not in script.text


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def feed_delivery(verb: str, comment_id: str, message: str = "", parent: str | None = None) -> bytes:
    post = f"{PAGE}_7001"
    value = {
        "from": {"id": "900001", "name": "Boze Burger"},
        "post": {"status_type": "added_photos", "is_published": True, "id": post},
        "message": message,
        "post_id": post,
        "comment_id": comment_id,
        "created_time": int(time.time()) - 60,
        "item": "comment",
        "parent_id": parent or post,
        "verb": verb,
    }
    entry = {"id": PAGE, "time": int(time.time()), "changes": [{"value": value, "field": "feed"}]}
    return json.dumps({"entry": [entry], "object": "page"}).encode()


@pytest.fixture
def kafka_app(meta_settings, db, broker):
    suffix = uuid.uuid4().hex[:8]
    settings = meta_settings.model_copy(
        update={
            "kafka_bootstrap_servers": broker.bootstrap,
            "topic_raw": f"raw-{suffix}",
            "topic_scored": f"scored-{suffix}",
            "topic_dead_letter": f"dlq-{suffix}",
        }
    )
    return settings, create_app(settings, db)


def connected(db, meta_app, settings, graph) -> str:
    token = manage_link(db, settings)
    official = login(meta_app, None)
    graph.codes["code-w"] = USER_TOKEN
    assert official.get(f"/meta/terug?code=code-w&state={start(official, token)}").status_code == 200
    return token


def test_forged_webhook_signature_is_refused_and_logged(kafka_app, db, graph, caplog):
    settings, app = kafka_app
    connected(db, app, settings, graph)
    body = feed_delivery("add", f"{PAGE}_7001_9001", "Zoetelief, je gaat eraan")
    meta = login(app, None)  # a browser-like client; Meta itself has no session either
    for signature in (None, sign(body, "verkeerd-geheim"), sign(body + b" "), "sha1=" + "0" * 40):
        headers = {"Content-Type": "application/json", **({"X-Hub-Signature-256": signature} if signature else {})}
        r = meta.post("/meta/webhook", content=body, headers=headers)
        assert r.status_code == 403, signature
    assert "ongeldige handtekening" in caplog.text
    assert _read_topic(settings, settings.topic_raw) == []
    with db() as s:
        assert s.scalar(select(func.count()).select_from(MetaComment)) == 0


def test_signed_webhook_comment_becomes_a_mention_and_a_removal_is_recorded(kafka_app, db, graph):
    settings, app = kafka_app
    connected(db, app, settings, graph)
    comment_id = f"{PAGE}_7001_9002"
    body = feed_delivery("add", comment_id, "Zoetelief, ik weet waar je woont")
    meta = login(app, None)

    r = meta.post("/meta/webhook", content=body, headers={"X-Hub-Signature-256": sign(body)})

    assert r.status_code == 200 and r.text == "EVENT_RECEIVED"
    [record] = _read_topic(settings, settings.topic_raw)
    mention = CollectedMention.from_bytes(record.value)
    assert mention.uid == f"facebook:{comment_id}" and mention.matched_official_ids == [OFFICIAL]
    assert mention.text == "Zoetelief, ik weet waar je woont" and mention.author.id == "900001"
    assert [(m.kind, m.surface) for m in mention.matches] == [("reply", PAGE)]
    assert mention.raw.page_sha256 == hashlib.sha256(body).hexdigest() and mention.raw.page_size == len(body)
    assert json.loads(mention.raw.inline_bytes()) == json.loads(body)["entry"][0]["changes"][0]

    removal = feed_delivery("remove", comment_id)
    assert meta.post("/meta/webhook", content=removal, headers={"X-Hub-Signature-256": sign(removal)}).status_code
    with db() as s:
        row = s.get(MetaComment, f"facebook:{comment_id}")
        assert row is not None and row.removed_at is not None and row.removed_via == "webhook"
    assert len(_read_topic(settings, settings.topic_raw)) == 1  # the removal publishes nothing, drops nothing


def test_webhook_for_a_withdrawn_official_keeps_nothing(kafka_app, db, graph):
    settings, app = kafka_app
    connected(db, app, settings, graph)
    with db() as s, s.begin():
        service.withdraw(s, OFFICIAL, "test")
    body = feed_delivery("add", f"{PAGE}_7001_9003", "Zoetelief, pas op")
    r = login(app, None).post("/meta/webhook", content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert r.status_code == 200
    assert _read_topic(settings, settings.topic_raw) == []
    with db() as s:
        assert s.scalar(select(func.count()).select_from(MetaComment)) == 0


def test_signed_but_malformed_webhook_change_is_parked_with_its_reason(kafka_app, db, graph):
    settings, app = kafka_app
    connected(db, app, settings, graph)
    broken = {"field": "feed", "value": {"item": "comment", "verb": "add", "message": "Zoetelief"}}  # no ids
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1, "changes": [broken]}]}).encode()

    r = login(app, None).post("/meta/webhook", content=body, headers={"X-Hub-Signature-256": sign(body)})

    assert r.status_code == 200
    [record] = _read_topic(settings, settings.topic_dead_letter)
    letter = DeadLetter.from_bytes(record.value)
    assert "/entry/0/changes/0" in letter.reason and "comment_id" in letter.reason
    assert letter.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert _read_topic(settings, settings.topic_raw) == []


def test_an_abandoned_round_trip_is_deleted_once_expired(meta_app, meta_settings, db, graph):
    token = manage_link(db, meta_settings)
    official = login(meta_app, None)
    abandoned = start(official, token)  # the official never comes back from Meta's dialog
    with db() as s, s.begin():
        row = s.get(MetaOAuthState, hashlib.sha256(abandoned.encode()).hexdigest())
        row.expires_at = row.created_at  # as if STATE_LIFETIME had passed
    fresh = start(official, token)
    with db() as s:
        left = s.scalars(select(MetaOAuthState.state_sha256)).all()
        assert left == [hashlib.sha256(fresh.encode()).hexdigest()]  # the encrypted link of the old one is gone


def test_withdrawal_deletes_unfinished_connect_attempts(meta_app, meta_settings, db, graph):
    """An official who started connecting and then withdraws consent leaves no connect attempt behind (each holds
    their personal link, encrypted); nobody else's attempt goes with it."""
    token = manage_link(db, meta_settings)
    official = login(meta_app, None)
    start(official, token)  # never finished
    with db() as s, s.begin():
        s.add(
            MetaOAuthState(
                state_sha256="0" * 64,
                official_id="off-debruijn",
                link_ciphertext=b"x",
                expires_at=datetime.now(UTC) + timedelta(minutes=15),
            )
        )
    with db() as s, s.begin():
        service.withdraw(s, OFFICIAL, "test")
    with db() as s:
        assert s.scalars(select(MetaOAuthState.official_id)).all() == ["off-debruijn"]
