"""Security acceptance tests. Routes are taken from the app's route table, never from a hand-picked list, so a
new route is covered automatically."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from schildwacht.config import Settings
from schildwacht.models import AuditEvent, Case
from schildwacht.models.workflow import CaseStep
from tests.triage.web.triageweb_support import DEMO_PASSWORD, USERS, Client, csrf_of
from triage.web.app import create_app

PUBLIC = {
    ("GET", "/inloggen"),
    ("POST", "/inloggen"),
    ("GET", "/wachtwoord-vergeten"),
    ("POST", "/wachtwoord-vergeten"),
    ("GET", "/.well-known/schildwacht-keys"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}  # published signing keys, no case data (tests/security); probes and a token-guarded /metrics (tests/schildwacht)
# The official's own pages authenticate with a signed personal link instead of a staff login (tests/triage/registry);
# a staff invitation or password reset with a single-use e-mailed link (tests/triage/web/test_accounts_admin.py).
OFFICIAL_LINK = "/mijn/{token}"
# Meta's servers call the webhook without any session: GET needs the verify token, POST a body signed with the app
# secret; Meta's OAuth redirect returns with a single-use state bound to the official's browser session
# (tests/triage/web/test_meta_pages.py, docs/security.md). Without those proofs each answers 403.
META_PROVEN = {("GET", "/meta/webhook"), ("POST", "/meta/webhook"), ("GET", "/meta/terug")}
ACCOUNT_LINK = "/wachtwoord/nieuw/{token}"
FORGED_TOKEN = "vervalst.token.zonder-handtekening"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Every role changes its own password (no ids, only the caller's own account; tests/triage/web/test_accounts_admin.py).
OWN_ACCOUNT = {("POST", "/account/wachtwoord")}


def _flatten(routes):
    """APIRoutes, including those inside included routers (FastAPI keeps those as lazily resolved groups)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route.path, route.methods
        elif hasattr(route, "effective_candidates"):  # fastapi.routing._IncludedRouter
            candidates = route.effective_candidates
            for ctx in candidates() if callable(candidates) else candidates:
                yield ctx.path, ctx.methods
        else:
            assert route.__class__.__name__ == "Mount" and route.path == "/static", f"unexpected route {route!r}"


def endpoints(app):
    """(method, path template) for every HTTP endpoint in the route table; static files are the only mount."""
    out = sorted({(m, path) for path, methods in _flatten(app.routes) for m in methods})
    assert len(out) >= 20, out
    assert ("POST", "/api/cases/{case_id}/claim") in out and ("GET", "/zaken/{case_id}") in out
    return out


# Path parameters every test fills the same way; the ids that point at data are chosen per test (route_ids).
FIXED_IDS = {
    "step": "bewijs_vastgelegd",
    "token": FORGED_TOKEN,
    "action": "instellen",
    "key": "berichten_per_week",
    "fmt": "csv",
    "account_id": 1,  # a connected Meta account: only under the official's own link (/mijn/{token}/meta/...)
}


def route_ids(
    *, case_id: int, mention_id: int, official_id: str, account: str, user_id: int, attachment_id: int
) -> dict:
    """A value for every path parameter in the route table."""
    return {
        **FIXED_IDS,
        "case_id": case_id,
        "mention_id": mention_id,
        "official_id": official_id,
        "account": account,
        "user_id": user_id,
        "attachment_id": attachment_id,
    }


def fill(path: str, ids: dict) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)


def payloads(world, case_ids: list[int], colleague: int):
    form = {
        "status": "afgerond",
        "collega": str(colleague),
        "referentie": "X-1",
        "vpt_code": "V",
        "notitie": "n",
        "toelichting": "t",
        "reden": "vals_positief",
        "tekst": "t",
        "verklaring": "v",
        "andere_zaak": str(case_ids[0]),
        "doel_zaak": str(case_ids[0]),
        "case_ids": [str(i) for i in case_ids],
        "label": "abuse",
        "actie": "toevoegen",
    }
    body = {
        "status": "afgerond",
        "reason": "vals_positief",
        "colleague_id": colleague,
        "reference": "X-1",
        "note": "n",
        "text": "t",
        "case_id": case_ids[0],
        "case_ids": case_ids,
        "label": "abuse",
        "action": "added",
    }
    return form, body


def call(client: Client, method: str, path: str, form: dict, body: dict, csrf: str | None):
    headers = {"X-CSRF-Token": csrf} if csrf is not None and path.startswith("/api/") else {}
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        return client.request(method, path, json=body, headers=headers, follow_redirects=False)
    data = dict(form)
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.request(method, path, data=data, follow_redirects=False)


def snapshot(db):
    with db() as s:
        cases = sorted((c.id, c.status, c.claimed_by_id, c.assigned_to_id) for c in s.scalars(select(Case)))
        steps = s.scalar(select(func.count()).select_from(CaseStep))
    return cases, steps


def test_every_route_refuses_anonymous_requests(world, app, client_factory, db):
    anon = client_factory(None)  # has an anonymous session with a valid CSRF token, so only auth is tested
    ids = route_ids(
        case_id=world.cases["threat"],
        mention_id=world.mentions["threat"],
        official_id="off-zoetelief",
        account="@boos@x.example",
        user_id=world.users["triagist_a"],
        attachment_id=1,
    )
    form, body = payloads(world, [world.cases["threat"]], world.users["triagist_a"])
    before = snapshot(db)
    checked = 0
    for method, template in endpoints(app):
        if (method, template) in PUBLIC:
            continue
        path = fill(template, ids)
        r = call(anon, method, path, form, body, anon.csrf)
        if (method, template) in META_PROVEN:
            assert r.status_code == 403, (method, path, r.status_code)
        elif template.startswith((OFFICIAL_LINK, ACCOUNT_LINK)):
            assert r.status_code in (400, 403, 404, 410), (method, path, r.status_code)
        elif path.startswith("/api/") or path == "/openapi.json":
            assert r.status_code == 401, (method, path, r.status_code)
        else:
            assert r.status_code == 303 and r.headers["location"] == "/inloggen", (method, path, r.status_code)
        assert "Zoetelief" not in r.text and "woont" not in r.text
        checked += 1
    assert checked >= 20
    assert snapshot(db) == before
    with db() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("case.%"))) == 0


def test_cross_organisation_access_is_404_everywhere(world, app, client_factory, db):
    b = client_factory("triagist_b")
    a_case, a_mention = world.cases["threat"], world.mentions["threat"]
    form, body = payloads(world, [world.cases["threat"], world.cases["abuse"]], world.users["triagist_a"])
    before = snapshot(db)
    with_ids = 0
    for method, template in endpoints(app):
        if (
            (method, template) in PUBLIC | OWN_ACCOUNT | META_PROVEN
            or template == "/uitloggen"
            or template.startswith((OFFICIAL_LINK, ACCOUNT_LINK))
        ):
            continue
        if template.startswith("/statistieken"):
            # organisation-wide figures of the caller's own organisation, no foreign id to try: their scope is
            # tested against hand-counted data of two organisations in tests/triage/statistics/
            continue
        if "{" in template:
            foreign = fill(
                template,
                route_ids(
                    case_id=a_case,
                    mention_id=a_mention,
                    official_id="off-zoetelief",
                    account="@boos@x.example",
                    user_id=world.users["triagist_a"],
                    attachment_id=1,
                ),
            )
            missing = fill(
                template,
                route_ids(
                    case_id=999999,
                    mention_id=999999,
                    official_id="off-bestaat-niet",
                    account="@bestaat-niet@x.example",
                    user_id=999999,
                    attachment_id=999999,
                ),
            )
            r = call(b, method, foreign, form, body, b.csrf)
            r_missing = call(b, method, missing, form, body, b.csrf)
            # registry changes are refused by role (beheerder only) before any lookup; everything else (the
            # export, a POST that a triagist may make, included) is 404
            registry_change = template.startswith("/ambtsdragers") and "/inzage." not in template
            expected = 403 if registry_change and method in WRITE_METHODS else 404
            if template.startswith("/beheer/"):  # staff management: refused by role (beheerder only) first
                expected = 403
            if template.startswith("/landelijk"):  # the national aggregate: network role only, no ids
                expected = 403
            assert r.status_code == expected, (method, foreign, r.status_code, r.text[:200])
            # indistinguishable from an id that does not exist
            assert r_missing.status_code == expected and r_missing.text == r.text.replace(foreign, missing)
            if foreign.startswith("/api/"):
                assert r.json() == r_missing.json()
            if "{mention_id}" in template:  # own case, other organisation's post
                own = fill(template, {"case_id": world.cases["b_threat"], "mention_id": a_mention, "step": "x"})
                assert call(b, method, own, form, body, b.csrf).status_code == 404, (method, own)
            with_ids += 1
        else:
            r = call(b, method, template, form, body, b.csrf)
            # 403: a page of the registry that only a beheerder may use
            assert r.status_code in (200, 303, 403), (method, template, r.status_code)
        for secret in ("Zoetelief", "woont", "Kokkelink", "gm-voorbeeld", "@boos@"):
            assert secret not in r.text, (method, template, secret)
    assert with_ids >= 9
    # B's own case may not be given to an A colleague either
    r = b.api("POST", f"/api/cases/{world.cases['b_threat']}/assign", {"colleague_id": world.users["triagist_a"]})
    assert r.status_code == 404
    assert snapshot(db)[0] == before[0] or _only_b_changed(before[0], snapshot(db)[0], world)
    with db() as s:
        a_cases = s.scalars(select(Case).where(Case.organisation_id == "gm-voorbeeld")).all()
        assert all(c.status == "nieuw" and c.claimed_by_id is None for c in a_cases)
        assert s.scalar(select(func.count()).select_from(CaseStep)) == 0


def _only_b_changed(before, after, world):
    changed = {a[0] for a, b in zip(before, after) if a != b}
    return changed <= {world.cases["b_threat"]}


def test_missing_or_wrong_csrf_is_refused_on_every_write_route(world, app, client_factory, db):
    a = client_factory("triagist_a")
    ids = route_ids(
        case_id=world.cases["abuse"],
        mention_id=world.mentions["abuse"],
        official_id="off-debruijn",
        account="@hater@x.example",
        user_id=world.users["beheerder_a"],
        attachment_id=1,
    )
    form, body = payloads(world, [world.cases["abuse"]], world.users["triagist_a"])
    before = snapshot(db)
    writes = [(m, t) for m, t in endpoints(app) if m in WRITE_METHODS and (m, t) != ("POST", "/inloggen")]
    assert len(writes) >= 10
    for method, template in writes:
        path = fill(template, ids)
        for token in (None, "wrong-token"):
            if path.startswith("/api/"):
                headers = {} if token is None else {"X-CSRF-Token": token}
                r = a.request(method, path, json=body, headers=headers, follow_redirects=False)
            else:
                data = dict(form) | ({} if token is None else {"csrf_token": token})
                r = a.request(method, path, data=data, follow_redirects=False)
            assert r.status_code == 403, (method, path, token, r.status_code)
    assert snapshot(db) == before
    assert a.get("/api/me").status_code == 200  # still logged in: /uitloggen was refused too
    # login form itself needs the token
    fresh = client_factory(None)
    r = fresh.post(
        "/inloggen", data={"email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 403


def test_read_only_role_cannot_change_anything(world, app, client_factory, db):
    lezer = client_factory("lezer_b")
    ids = route_ids(
        case_id=world.cases["b_threat"],
        mention_id=world.mentions["b_threat"],
        official_id="off-vermeulen",
        account="@noord@x.example",
        user_id=world.users["triagist_b"],
        attachment_id=1,
    )
    form, body = payloads(world, [world.cases["b_threat"]], world.users["triagist_b"])
    before = snapshot(db)
    view_only = {
        "/uitloggen",
        "/zaken/{case_id}/berichten/{mention_id}/tonen",
        "/zaken/{case_id}/berichten/{mention_id}/verbergen",
        "/api/cases/{case_id}/mentions/{mention_id}/reveal",
    }
    checked = 0
    for method, template in endpoints(app):
        if (
            method not in WRITE_METHODS
            or (method, template) in PUBLIC
            or template in view_only
            or (method, template) in OWN_ACCOUNT
            or template.startswith((OFFICIAL_LINK, ACCOUNT_LINK))
        ):
            continue
        r = call(lezer, method, fill(template, ids), form, body, lezer.csrf)
        assert r.status_code in (403, 404), (method, template, r.status_code)
        checked += 1
    assert checked >= 8
    assert snapshot(db) == before
    assert lezer.get(f"/zaken/{world.cases['b_threat']}").status_code == 200
    assert "Claimen" not in lezer.get("/zaken").text


def test_network_role_is_refused_on_every_route_but_its_aggregate(world, app, db):
    """A network account (Ondersteuningsteam) sees the anonymous aggregate and its own account only: every other
    route of the route table answers 403 (reads and writes, with a valid CSRF token) and shows no case content."""
    from schildwacht.models import Organisation
    from triage.web import accounts
    from triage.web.auth import NETWORK_PATHS

    password = "Netwerk-analist-wachtwoord-2026!"
    with db() as s, s.begin():
        s.add(Organisation(id="ost-netwerk", name="Ondersteuningsteam Weerbaar Bestuur", kind="netwerk"))
        s.flush()
        accounts.create_user(
            s,
            email="analist@ost.example",
            name="Analist",
            organisation_id="ost-netwerk",
            role="netwerk",
            password=password,
            actor="test",
        )
    network = Client(app, base_url="http://testserver")
    token = csrf_of(network.get("/inloggen").text)
    r = network.post(
        "/inloggen",
        data={"csrf_token": token, "email": "analist@ost.example", "wachtwoord": password},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/landelijk"
    network.csrf = csrf_of(network.get("/landelijk").text)
    ids = route_ids(
        case_id=world.cases["threat"],
        mention_id=world.mentions["threat"],
        official_id="off-zoetelief",
        account="@boos@x.example",
        user_id=world.users["triagist_a"],
        attachment_id=1,
    )
    form, body = payloads(world, [world.cases["threat"]], world.users["triagist_a"])
    before = snapshot(db)
    checked = 0
    for method, template in endpoints(app):
        if (
            (method, template) in PUBLIC
            or template.startswith((OFFICIAL_LINK, ACCOUNT_LINK))
            or fill(template, ids) in NETWORK_PATHS
        ):
            continue
        r = call(network, method, fill(template, ids), form, body, network.csrf)
        assert r.status_code == 403, (method, template, r.status_code)
        for secret in ("Zoetelief", "woont", "huis in brand", "@boos@", "Kokkelink"):
            assert secret not in r.text, (method, template, secret)
        checked += 1
    assert checked >= 40
    assert snapshot(db) == before
    assert network.get("/account").status_code == 200  # its own account stays reachable


def test_login_rate_limit_per_account_and_ip(app):
    c = Client(app, client=("10.0.0.1", 1000))
    token = csrf_of(c.get("/inloggen").text)
    for _ in range(5):
        r = c.post(
            "/inloggen",
            data={"csrf_token": token, "email": USERS["triagist_a"], "wachtwoord": "fout"},
            follow_redirects=False,
        )
        assert r.status_code == 401 and "Onjuist" in r.text
    r = c.post(
        "/inloggen",
        data={"csrf_token": token, "email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text
    other = Client(app, client=("10.0.0.2", 1000))
    token2 = csrf_of(other.get("/inloggen").text)
    r = other.post(
        "/inloggen",
        data={"csrf_token": token2, "email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_session_cookie_flags_and_tampering(world, db):
    settings = Settings(**(world.settings.model_dump() | {"cookie_secure": True}))
    app = create_app(settings, db)
    c = Client(app, base_url="https://testserver")
    r = c.get("/inloggen")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    token = csrf_of(r.text)
    r = c.post(
        "/inloggen",
        data={"csrf_token": token, "email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert c.get("/api/me").status_code == 200
    value = c.cookies.get("schildwacht_sessie")
    c.cookies.clear()
    c.cookies.set("schildwacht_sessie", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert c.get("/api/me").status_code == 401
    assert c.get("/docs", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_visible_after_login(client_factory, path):
    c = client_factory("triagist_a")
    r = c.get(path)
    assert r.status_code == 200
    assert "/api/cases/{case_id}/claim" in r.text
