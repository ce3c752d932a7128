"""The Meta spider against a local Graph API (tests/support/fake_graph.py): Facebook page comments paged with cursors
and resumed after a failure, Instagram comments with nested replies, rate limits, a revoked token, hidden and
removed comments, and withdrawal of consent."""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import crawl
from collectors.registry import Registry
from collectors.state import CursorStore
from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.meta_tokens import decrypt, encrypt
from schildwacht.models import AuditEvent, MetaAccount, MetaComment, Official
from schildwacht.models.collector_state import CollectorPause
from tests.support.fake_graph import FakeGraph, graph_error
from triage.registry import service

OFFICIAL = "off-zoetelief"
PAGE, IG = "104000000000001", "178410000000001"
TOKEN = "EAAG-paginatoken-zoetelief"
NOW = datetime.now(UTC)
TROLL = {"id": "900001", "name": "Boze Burger"}
BYSTANDER = {"id": "900002", "name": "Anke Buurvrouw"}


def fb_time(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def fb_comment(seq: int, post: str, who: dict, text: str, parent: dict | None = None, **extra) -> dict:
    comment = {
        "id": f"{post}_{5000 + seq}",
        "message": text,
        "created_time": fb_time(10 - seq / 10),
        "from": who,
        "is_hidden": False,
        "permalink_url": f"https://www.facebook.com/{post.replace('_', '/posts/')}?comment_id={5000 + seq}",
        **extra,
    }
    if parent is not None:
        comment["parent"] = {"id": parent["id"], "from": parent["from"]}
    return comment


def settings_for(stack, graph: FakeGraph, **extra):
    return stack.settings.model_copy(
        update={
            "collector_download_delay": 0.0,
            "meta_graph_url": graph.base,
            "meta_token_key": "meta-sleutel-voor-tests-" + "q" * 20,
            "meta_page_limit": 2,
            **extra,
        }
    )


def connect(db, settings, page: str = PAGE, instagram: str | None = None, official: str = OFFICIAL) -> int:
    with db() as s, s.begin():
        org = s.get(Official, official).organisation_id
        account = MetaAccount(
            official_id=official,
            organisation_id=org,
            page_id=page,
            page_name="Wethouder Marieke Zoetelief",
            instagram_id=instagram,
            instagram_username="mariekezoetelief" if instagram else None,
            token_ciphertext=encrypt(settings, TOKEN),
        )
        s.add(account)
        s.flush()
        return account.id


def mentions_on(read_topic, settings) -> list[CollectedMention]:
    return [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]


def stored_cursor(settings, key: str) -> str | None:
    store = CursorStore.for_settings(settings)
    try:
        return store.get(key)
    finally:
        store.close()


def graph_requests(fake_http, part: str) -> list[str]:
    return [p for p in fake_http.paths() if part in p]


@pytest.fixture
def graph(fake_http) -> FakeGraph:
    fake = FakeGraph(fake_http)
    fake.add_page(PAGE, TOKEN, IG)
    return fake


def test_facebook_comments_page_with_cursors_resume_after_failure_and_keep_evidence(
    stack, registry_seeded, read_topic, fake_http, graph
):
    post = f"{PAGE}_7001"
    graph.posts[PAGE] = [{"id": post, "created_time": fb_time(12), "permalink_url": "https://www.facebook.com/p/1"}]
    hostile = fb_comment(1, post, TROLL, "Jij gaat eraan, ik weet waar je woont")
    comments = [
        hostile,
        fb_comment(2, post, BYSTANDER, "Reactie op de trol", parent=hostile),  # names nobody, answers the troll
        fb_comment(3, post, TROLL, "Leugenaar, wethouder Zoetelief", is_hidden=True),  # hidden by the page
        fb_comment(4, post, {"id": PAGE, "name": "Wethouder Marieke Zoetelief"}, "Dank voor uw reacties"),  # own
        {"id": f"{post}_5005", "message": "zonder tijd", "from": TROLL},  # malformed: no created_time
        fb_comment(6, post, TROLL, "Ik kom je halen"),
        fb_comment(7, post, BYSTANDER, "Sterkte Marieke"),
    ]
    graph.comments[post] = comments
    settings = settings_for(stack, graph)
    connect(registry_seeded, settings, instagram=None)
    # The third page of comments (after comment 4, cursor "NA==") keeps failing during the first run (initial try
    # + 3 retries).
    third = f"/{post}/comments"
    key = f"meta:facebook:{post}:comments"
    failing = {"calls": 0}
    original = graph.answer

    def flaky(method, target, headers, body):
        if target.startswith(third) and "after=NA%3D%3D" in target and failing["calls"] < 4:
            failing["calls"] += 1
            return 500, {}, b"down"
        return original(method, target, headers, body)

    fake_http.answer = flaky
    first = crawl("meta", settings)
    cursor_after_first = stored_cursor(settings, key)
    fake_http.answer = original
    second = crawl("meta", settings)

    # Page 1 (comments 1-2) and page 2 (3-4) were confirmed in the first run; the cursor stopped before page 3.
    assert cursor_after_first == base64.b64encode(b"4").decode()
    published = Counter(m.uid for m in mentions_on(read_topic, settings))
    expected = {f"facebook:{c['id']}" for c in (hostile, comments[2], comments[5], comments[6])}
    assert set(published) == expected and max(published.values()) == 1
    assert first["schildwacht/published"] == 2 and second["schildwacht/published"] == 2
    assert stored_cursor(settings, key) == base64.b64encode(b"7").decode()
    assert first["schildwacht/unmatched"] == 1  # the bystander answering the troll names no official

    by_uid = {m.uid: m for m in mentions_on(read_topic, settings)}
    reply = by_uid[f"facebook:{hostile['id']}"]
    assert reply.matched_official_ids == [OFFICIAL] and reply.in_reply_to_official_id == OFFICIAL
    assert reply.author.id == TROLL["id"] and reply.author.display_name == TROLL["name"]
    assert reply.thread_id == post and reply.in_reply_to_id == post
    assert json.loads(reply.raw.inline_bytes()) == hostile  # the comment's own JSON, not the page of comments
    warc = base64.b64decode(reply.raw.warc_b64)
    records = list(ArchiveIterator(io.BytesIO(warc)))
    assert [r.rec_type for r in records] == ["resource", "metadata", "request"]
    assert TOKEN.encode() not in warc  # the Authorization header is kept by name only, the URL carries no token
    assert all(TOKEN not in path for path in fake_http.paths())

    letters = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert len(letters) == 1 and "geen geldige tijd" in letters[0].reason
    with registry_seeded() as s:
        hidden = s.get(MetaComment, f"facebook:{comments[2]['id']}")
        assert hidden is not None and hidden.hidden_at is not None and hidden.removed_at is None
        assert s.get(MetaComment, f"facebook:{comments[3]['id']}") is None  # the page's own reply is not collected


def test_instagram_comments_newest_first_with_replies_published_oldest_first_once(
    stack, registry_seeded, read_topic, fake_http, graph
):
    media = "179000000000042"
    graph.media[IG] = [{"id": media, "timestamp": fb_time(20), "permalink": "https://www.instagram.com/p/Cabc123/"}]

    def ig(seq: int, user: str, text: str, parent: str | None = None) -> dict:
        comment = {
            "id": f"1800000000{seq:05d}",
            "text": text,
            "timestamp": fb_time(10 - seq / 10),
            "username": user,
            "from": {"id": f"17841{seq:05d}", "username": user},
            "hidden": False,
        }
        return {**comment, "parent_id": parent} if parent else comment

    first = [ig(1, "boos_account", "wethouder Zoetelief, pas maar op"), ig(2, "fan", "mooi project!")]
    first.append(ig(3, "boos_account", "Marieke Zoetelief, je bent gewaarschuwd", parent=first[1]["id"]))
    first += [ig(4, "andere", "jij hoort niet in de politiek"), ig(5, "anoniem123", "Zoetelief moet weg")]
    graph.ig_comments[media] = list(first)
    settings = settings_for(stack, graph)
    connect(registry_seeded, settings, instagram=IG)

    one = crawl("meta", settings)
    key = f"meta:instagram:{media}:comments"
    # every comment on the official's own media answers them (a reply match); the reply names them
    assert one["schildwacht/published"] == 5 and one.get("schildwacht/unmatched", 0) == 0
    newest = max(first, key=lambda c: c["timestamp"])
    assert stored_cursor(settings, key).endswith(f"|{newest['id']}")

    later = ig(6, "boos_account", "Zoetelief, we weten waar je woont")
    graph.ig_comments[media].append(later)
    two = crawl("meta", settings)
    assert two["schildwacht/published"] == 1

    mentions = mentions_on(read_topic, settings)
    expected = [*first, later]
    assert Counter(m.uid for m in mentions) == Counter(f"instagram:{c['id']}" for c in expected)
    reply = next(m for m in mentions if m.post_id == first[2]["id"])
    assert reply.in_reply_to_id == first[1]["id"] and reply.author.handle == "@boos_account"
    assert [(x.kind, x.surface) for x in reply.matches] == [("name", "Marieke Zoetelief")]
    top = next(m for m in mentions if m.post_id == first[1]["id"])
    assert [(x.kind, x.surface) for x in top.matches] == [("reply", IG)] and top.in_reply_to_official_id == OFFICIAL
    assert reply.url == f"https://www.instagram.com/p/Cabc123/c/{first[2]['id']}/"


def test_rate_limit_error_pauses_the_page_and_keeps_its_cursor(stack, registry_seeded, read_topic, fake_http, graph):
    posts = [{"id": f"{PAGE}_{7100 + i}", "created_time": fb_time(30 - i)} for i in range(3)]
    graph.posts[PAGE] = posts
    for post in posts:
        graph.comments[post["id"]] = [fb_comment(1, post["id"], TROLL, "wethouder Zoetelief, schaam je")]
    limited = graph_error(32, "(#32) Page request limit reached", kind="OAuthException")
    usage = json.dumps({PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 30}]})
    graph.script[f"/{posts[0]['id']}/comments"] = [(limited[0], {"X-Business-Use-Case-Usage": usage}, limited[2])]
    settings = settings_for(stack, graph, collector_registry_refresh_seconds=0.0)
    connect(registry_seeded, settings)

    before = datetime.now(UTC)
    one = crawl("meta", settings)
    after = datetime.now(UTC)

    assert one["schildwacht/meta_rate_limited"] == 1
    with registry_seeded() as s:
        pause = s.get(CollectorPause, f"meta:{PAGE}")
        assert pause is not None and "limiet" in pause.reason
        assert before + timedelta(minutes=30) <= pause.until <= after + timedelta(minutes=30)
    # the limited post's comments were not confirmed, so its cursor did not move
    assert stored_cursor(settings, f"meta:facebook:{posts[0]['id']}:comments") is None
    published_one = len(mentions_on(read_topic, settings))

    fake_http.requests.clear()
    two = crawl("meta", settings)
    assert fake_http.requests == [] and two["schildwacht/meta_paused"] == 1

    with registry_seeded() as s, s.begin():
        s.execute(update(CollectorPause).values(until=datetime.now(UTC) - timedelta(seconds=1)))
    crawl("meta", settings)
    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert set(uids) == {f"facebook:{p['id']}_5001" for p in posts} and max(uids.values()) == 1
    assert published_one < len(posts)


def test_usage_header_near_the_limit_stops_asking(stack, registry_seeded, read_topic, fake_http, graph):
    posts = [{"id": f"{PAGE}_{7200 + i}", "created_time": fb_time(30 - i)} for i in range(2)]
    graph.posts[PAGE] = posts
    graph.headers = {"X-App-Usage": json.dumps({"call_count": 95, "total_cputime": 10, "total_time": 12})}
    settings = settings_for(stack, graph)
    connect(registry_seeded, settings)

    stats = crawl("meta", settings)

    assert stats["schildwacht/meta_rate_limited"] == 1
    assert graph_requests(fake_http, "/comments") == []  # the posts page said 95 %: no comment was asked for
    with registry_seeded() as s:
        assert s.get(CollectorPause, f"meta:{PAGE}") is not None


def test_revoked_token_asks_the_official_to_reconnect_and_nothing_crashes(
    stack, registry_seeded, read_topic, fake_http, graph
):
    graph.posts[PAGE] = [{"id": f"{PAGE}_7301", "created_time": fb_time(3)}]
    graph.revoked.add(TOKEN)
    settings = settings_for(stack, graph)
    account_id = connect(registry_seeded, settings, instagram=IG)

    stats = crawl("meta", settings)  # finishes (crawl raises otherwise)

    assert stats["schildwacht/meta_token_refused"] == 1
    with registry_seeded() as s:
        account = s.get(MetaAccount, account_id)
        assert account.status == "reconnect" and account.token_ciphertext is None
        assert "opnieuw koppelt" in account.problem
        audited = select(AuditEvent.action).where(
            AuditEvent.object_type == "meta_account", AuditEvent.object_id == str(account_id)
        )
        assert s.scalars(audited).all() == ["meta.token_refused"]
    fake_http.requests.clear()
    crawl("meta", settings)
    assert fake_http.requests == []  # no token left to ask with
    assert read_topic(settings, settings.topic_raw) == []


def test_comment_gone_on_rereading_is_recorded_as_removed_and_its_mention_stays(
    stack, registry_seeded, read_topic, fake_http, graph
):
    post = f"{PAGE}_7401"
    graph.posts[PAGE] = [{"id": post, "created_time": fb_time(5)}]
    kept = fb_comment(1, post, TROLL, "wethouder Zoetelief is een schande")
    removed = fb_comment(2, post, TROLL, "ik weet waar je kinderen op school zitten, Zoetelief")
    graph.comments[post] = [kept, removed]
    settings = settings_for(stack, graph)
    connect(registry_seeded, settings)
    crawl("meta", settings)

    graph.deleted.add(removed["id"])
    stats = crawl("meta", settings)

    assert stats["schildwacht/meta_removed"] == 1
    with registry_seeded() as s:
        gone = s.get(MetaComment, f"facebook:{removed['id']}")
        assert gone.removed_at is not None and gone.removed_via == "poll"
        assert s.get(MetaComment, f"facebook:{kept['id']}").removed_at is None
    uids = [m.uid for m in mentions_on(read_topic, settings)]
    assert sorted(uids) == sorted(f"facebook:{c['id']}" for c in (kept, removed))  # evidence is never dropped
    again = crawl("meta", settings)
    assert again.get("schildwacht/meta_removed", 0) == 0  # recorded once


def test_withdrawal_drops_tokens_and_stops_collection_within_one_registry_refresh(
    stack, registry_seeded, read_topic, fake_http, graph
):
    graph.posts[PAGE] = [{"id": f"{PAGE}_7501", "created_time": fb_time(5)}]
    settings = settings_for(stack, graph)
    account_id = connect(registry_seeded, settings, instagram=IG)
    registry = Registry(settings, refresh_seconds=0.0)
    try:
        before = {o.id: o.handles for o in registry.officials()}
        assert PAGE in before[OFFICIAL]["facebook"] and IG in before[OFFICIAL]["instagram"]
        with registry_seeded() as s, s.begin():
            ciphertext = s.get(MetaAccount, account_id).token_ciphertext
            assert TOKEN.encode() not in ciphertext and decrypt(settings, ciphertext) == TOKEN
            service.withdraw(s, OFFICIAL, f"official:{OFFICIAL}")
        assert OFFICIAL not in {o.id for o in registry.officials()}  # the next refresh no longer has them
    finally:
        registry.close()
    with registry_seeded() as s:
        account = s.get(MetaAccount, account_id)
        assert account.token_ciphertext is None and account.status == "disconnected"
        assert account.disconnected_by == f"official:{OFFICIAL}"
    fake_http.requests.clear()
    stats = crawl("meta", settings)
    assert fake_http.requests == [] and stats.get("schildwacht/published", 0) == 0


def test_demo_page_is_collected_through_its_local_fake(stack, registry_seeded, read_topic):
    from schildwacht.app.demo.fake_meta import COMMENTS, PAGE_ID, FakeMeta
    from schildwacht.app.demo_meta import DEMO_PAGE_TOKEN, connect_demo_page
    from schildwacht.app.pipeline import Runtime

    settings = stack.settings.model_copy(update={"meta_token_key": "demo-sleutel-voor-tests-" + "z" * 20})
    rt = Runtime(settings=settings, engine=registry_seeded.kw["bind"], sessions=registry_seeded, embedded_db=False)
    connect_demo_page(rt)
    connect_demo_page(rt)  # once per database
    fake = FakeMeta(DEMO_PAGE_TOKEN)
    try:
        stats = crawl("meta", settings.model_copy(update={"meta_graph_url": fake.serve()}))
    finally:
        fake.close()

    mentions = mentions_on(read_topic, settings)
    assert stats["schildwacht/published"] == len(COMMENTS) == len(mentions)  # each answers the wethouder's post
    assert {m.matched_official_ids[0] for m in mentions} == {OFFICIAL}
    with registry_seeded() as s:
        assert s.scalar(select(MetaAccount.page_id)) == PAGE_ID
        hidden = s.scalars(select(MetaComment).where(MetaComment.hidden_at.is_not(None))).all()
        assert len(hidden) == sum(1 for c in COMMENTS if c[3])
