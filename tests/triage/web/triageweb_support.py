"""Helpers for the triage web tests: test data through the ORM and logged-in HTTP clients."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from schildwacht.app.seed import DEMO_PASSWORD
from schildwacht.models import Case, Mention, MetaComment
from schildwacht.models.base import utcnow
from schildwacht.vocabulary import SEVERITY_RANK
from tests.support.components import CHROMIUM, require  # noqa: F401 - re-exported for the web tests
from tests.support.mentions import add_mention as support_add_mention

ORG_A, ORG_B = "gm-voorbeeld", "pv-noorderland"
USERS = {
    "beheerder_a": "n.smits@voorbeeld.example",
    "triagist_a": "j.kokkelink@voorbeeld.example",
    "triagist_b": "b.wouterse@noorderland.example",
    "lezer_b": "l.visscher@noorderland.example",
}
XSS_TEXT = (
    'Wethouder, <script>window.__xss=1;document.title="gehackt"</script> '
    '<img src=x onerror="window.__xss=2"> zie <a href="javascript:window.__xss=3">hier</a> '
    "javascript:alert(1) &amp; kapot"
)
_seq = iter(range(1, 10_000_000))


def add_case(
    session,
    *,
    org: str,
    official: str,
    labels: list[str],
    texts: list[str],
    author: str = "@boos@x.example",
    platform: str = "mastodon",
    thread: str | None = None,
    age_minutes: int = 5,
    spans: list | None = None,
    status: str = "nieuw",
    in_reply_to: str | None = None,
) -> Case:
    """A case with one Mention per text, inserted through the ORM (what the ingest worker would store)."""
    now = utcnow()
    case = Case(
        organisation_id=org,
        official_id=official,
        author_key=f"{platform}:{author}",
        thread_id=thread,
        labels=labels,
        severity=min(SEVERITY_RANK[lab] for lab in labels) if labels else 9,
        status=status,
        opened_at=now - timedelta(minutes=age_minutes),
        last_post_at=now,
    )
    session.add(case)
    session.flush()
    for text in texts:
        add_mention(
            session,
            org=org,
            official=official,
            text=text,
            author=author,
            platform=platform,
            thread=thread,
            case_id=case.id,
            flags=labels,
            spans=spans or [],
            in_reply_to=in_reply_to,
            created=now - timedelta(minutes=age_minutes),
        )
    session.flush()
    return case


def add_mention(
    session,
    *,
    org,
    official,
    text,
    author="@boos@x.example",
    platform="mastodon",
    thread=None,
    case_id=None,
    flags=(),
    spans=(),
    in_reply_to=None,
    created=None,
    post_id=None,
) -> Mention:
    """A mention collected and scored just now (created `created`, default now)."""
    now = utcnow()
    return support_add_mention(
        session,
        organisation_id=org,
        official_id=official,
        text=text,
        post_id=post_id,
        platform=platform,
        author=author,
        created_at=created or now,
        collected_at=now,
        flags=flags,
        spans=spans,
        case_id=case_id,
        in_reply_to_id=in_reply_to,
        thread_id=thread,
    )


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def mark_removed(db, mention_id: int, object_id: str, removed_at: datetime) -> None:
    """Record, as the collectors do (`meta_comments`, by uid), that the platform no longer serves this post."""
    with db() as s:
        uid = s.get_one(Mention, mention_id).uid
        s.add(
            MetaComment(
                uid=uid, official_id="", object_id=object_id, removed_at=removed_at, removed_via="poll", details={}
            )
        )
        s.commit()


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Client(TestClient):
    csrf: str = ""

    def form(self, url: str, data: dict | None = None, **kw):
        return self.post(url, data={"csrf_token": self.csrf, **(data or {})}, follow_redirects=False, **kw)

    def api(self, method: str, url: str, json=None):
        return self.request(method, url, json=json, headers={"X-CSRF-Token": self.csrf})


def login(app, who: str | None) -> Client:
    client = Client(app, base_url="http://testserver")
    page = client.get("/inloggen")
    client.csrf = csrf_of(page.text)
    if who is None:
        return client
    r = client.post(
        "/inloggen",
        data={"csrf_token": client.csrf, "email": USERS[who], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    client.csrf = client.get("/api/me").json()["csrf_token"]
    return client
