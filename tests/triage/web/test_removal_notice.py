"""Staff see on the case page that a collected post was removed on its platform (issue 23): the removal record the
collectors keep (`meta_comments`, by uid) shows as "verwijderd door platform of auteur (opgemerkt op …)" beside the
post, in Dutch local time; a post without a removal shows nothing of the kind."""

# ruff: noqa: F811 - the web fixtures are imported by name and used as test arguments

from __future__ import annotations

from datetime import UTC, datetime

from tests.triage.web.triageweb_support import mark_removed

NOTICE = "Verwijderd door platform of auteur (opgemerkt op"


def test_removed_post_shows_when_the_removal_was_noticed(world, client_factory, db):
    cid, mid = world.cases["threat"], world.mentions["threat"]
    client = client_factory("triagist_a")
    assert NOTICE not in client.get(f"/zaken/{cid}").text  # nothing removed yet

    mark_removed(db, mid, "x:search:test", datetime(2026, 3, 1, 14, 5, tzinfo=UTC))  # 15:05 in Amsterdam (CET, UTC+1)

    page = client.get(f"/zaken/{cid}").text
    assert f"{NOTICE} 01-03-2026 15:05)" in page
    assert page.count(NOTICE) == 1  # only the removed post of this case carries the notice
