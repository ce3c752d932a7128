"""Capture a flagged post again from the platform: raw response + WARC (httpx, schildwacht.warc), and through
headless chromium the rendered DOM, a screenshot and a PDF print. Every attempt leaves a Capture row, failures
included, and a 'captured' custody event on the case.

Every request of a capture, the browser's included, passes the outbound guard (schildwacht/netguard.py) with one
set of pins: the httpx fetch through a pinned client that checks each redirect hop, chromium through the guarded
forward proxy (triage/bundle/guarded_proxy.py, which says why a proxy rather than request interception). A
browser run during which the proxy refused anything (a redirect hop, a sub-resource, a WebSocket) keeps none of
its output: the capture records the Dutch refusal instead, so no internal page can end up as evidence.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.metrics import CAPTURES
from schildwacht.models import EvidenceBlob, Mention
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import Capture
from schildwacht.netguard import OutboundGuard, OutboundRefused, Pins
from schildwacht.warc import EvidenceWarc, HttpRequest, HttpResponse
from triage.autosteps import record_evidence_captured
from triage.bundle.custody import append_event
from triage.bundle.dossier import software_version
from triage.bundle.guarded_proxy import GuardedProxy

log = logging.getLogger(__name__)

ACTOR = "system:capture"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,2000",
)
"""Chromium's flags for a capture, apart from the network ones (`GuardedProxy.chromium_flags`) and the output."""


@dataclass
class _Result:
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # part -> (bytes, content type)
    errors: list[str] = field(default_factory=list)
    http_status: int | None = None
    tool: list[str] = field(default_factory=list)


def _store(session: Session, data: bytes, content_type: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    session.execute(
        insert(EvidenceBlob)
        .values(sha256=sha, content_type=content_type, size=len(data), data=data)
        .on_conflict_do_nothing()
    )
    return sha


def _fetch(url: str, timeout: float, result: _Result, pins: Pins) -> None:
    """GET the permalink through the pinned client (each redirect hop checked); keep the body and a WARC with the
    request and response records."""
    agent = f"Schildwacht-capture/{software_version()} (bewijsvastlegging; +https://schildwacht.example/contact)"
    try:
        with pins.client(follow_redirects=True, timeout=timeout, headers={"User-Agent": agent}) as client:
            response = client.get(url)
    except OutboundRefused as exc:
        result.errors.append(f"ophalen geweigerd / fetch refused: {exc}")
        return
    except httpx.HTTPError as exc:
        result.errors.append(f"ophalen mislukt / fetch failed: {type(exc).__name__}: {exc}")
        return
    result.http_status = response.status_code
    result.tool.append(f"httpx/{httpx.__version__}")
    body = response.content
    content_type = response.headers.get("content-type", "application/octet-stream")
    result.blobs["raw"] = (body, content_type.split(";")[0].strip())
    result.blobs["warc"] = (_warc(response, agent), "application/warc")
    if response.status_code >= 400:
        result.errors.append(
            f"HTTP {response.status_code}: bericht verwijderd of niet openbaar? / post deleted or not public?"
        )


def _warc(response: httpx.Response, software: str) -> bytes:
    """The exchange as WARC response + request records (`schildwacht.warc`: one redaction rule for all evidence).
    httpx has undone any Content-Encoding, so the record holds the decoded body and says so in its headers."""
    request = response.request
    warc = EvidenceWarc(software, utcnow())
    record_id = warc.response(
        HttpResponse(
            url=str(response.url),
            status=response.status_code,
            headers=list(response.headers.multi_items()),
            body=response.content,
            reason=response.reason_phrase or None,
            protocol=response.http_version,
            decoded=True,
        )
    )
    warc.request(
        HttpRequest(request.method, str(request.url), list(request.headers.multi_items()), request.content or b""),
        concurrent_to=record_id,
    )
    return warc.getvalue()


def chromium_command(binary: str, proxy: GuardedProxy, profile: Path, output: list[str], url: str) -> list[str]:
    """The command line of one headless Chromium run of a capture: every connection through `proxy`, a throwaway
    `profile` directory, `output` saying what to write (`--dump-dom`, `--screenshot=...`, ...)."""
    return [binary, *CHROMIUM_FLAGS, *proxy.chromium_flags(), f"--user-data-dir={profile}", *output, url]


def _chromium(binary: str, url: str, timeout: float, result: _Result, pins: Pins) -> None:
    """Rendered DOM, screenshot and PDF, each from its own headless run with a throwaway profile, each through
    its own guarded proxy; a run during which the proxy refused a request keeps nothing."""
    with tempfile.TemporaryDirectory(prefix="schildwacht-capture-") as tmp:
        work = Path(tmp)
        runs = {
            "html": (["--dump-dom"], None, "text/html"),
            "screenshot": ([f"--screenshot={work / 'shot.png'}"], work / "shot.png", "image/png"),
            "pdf": (
                [f"--print-to-pdf={work / 'page.pdf'}", "--no-pdf-header-footer"],
                work / "page.pdf",
                "application/pdf",
            ),
        }
        for part, (flags, out_file, content_type) in runs.items():
            with GuardedProxy(pins, timeout) as proxy:
                cmd = chromium_command(binary, proxy, work / f"profile-{part}", flags, url)
                try:
                    done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
                except (OSError, subprocess.TimeoutExpired) as exc:
                    result.errors.append(f"chromium {part}: {type(exc).__name__}")
                    continue
            if proxy.refusals:
                result.errors.append(
                    f"chromium {part}: niet bewaard, de pagina vroeg om een geweigerd adres / not "
                    f"kept, the page requested a refused address: {'; '.join(proxy.refusals)}"
                )
                continue
            data = done.stdout if out_file is None else (out_file.read_bytes() if out_file.exists() else b"")
            if done.returncode != 0 or not data:
                tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["geen uitvoer"]
                result.errors.append(f"chromium {part}: exit {done.returncode}: {tail[0][:200]}")
                continue
            result.blobs[part] = (data, content_type)
    if not any(part in result.blobs for part in runs):
        return
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        version = "chromium"
    result.tool.append(version.replace(" ", "/", 1) or "chromium")


def capture_mention(
    session: Session, settings: Settings, mention: Mention, actor: str = ACTOR, guard: OutboundGuard | None = None
) -> Capture:
    """One capture attempt for a post; the Capture row says what was obtained and what failed (caller commits).

    Every request goes through `guard`, by default this deployment's (`OutboundGuard.from_settings`)."""
    started = utcnow()
    result = _Result(tool=[f"schildwacht-capture/{software_version()}"])
    url = mention.url or ""
    guard = guard or OutboundGuard.from_settings(settings)
    try:
        guard.check_url(url)
    except OutboundRefused as exc:
        result.errors.append(f"geen ophaalbare URL / no fetchable URL: {url!r}: {exc}")
    else:
        pins = guard.pins()  # one resolution per host for the whole capture, browser included
        _fetch(url, settings.capture_timeout_seconds, result, pins)
        binary = settings.capture_chromium or shutil.which("chromium") or shutil.which("chromium-browser")
        if result.http_status is not None and binary:  # no response at all: a browser would get no further
            _chromium(binary, url, settings.capture_timeout_seconds, result, pins)
        elif result.http_status is not None:
            result.errors.append("chromium niet beschikbaar: geen schermafbeelding of PDF / chromium unavailable")
    shas = {part: _store(session, data, content_type) for part, (data, content_type) in result.blobs.items()}
    ok_http = result.http_status is not None and result.http_status < 400
    status = "ok" if ok_http and not result.errors else ("partial" if ok_http else "failed")
    capture = Capture(
        mention_id=mention.id,
        url=url,
        status=status,
        error="; ".join(result.errors) or None,
        http_status=result.http_status,
        started_at=started,
        finished_at=utcnow(),
        tool=" ".join(result.tool)[:200],
        raw_sha256=shas.get("raw"),
        warc_sha256=shas.get("warc"),
        html_sha256=shas.get("html"),
        screenshot_sha256=shas.get("screenshot"),
        pdf_sha256=shas.get("pdf"),
    )
    session.add(capture)
    session.flush()
    if mention.case_id is not None:
        append_event(
            session,
            mention.case_id,
            "captured",
            actor,
            {
                "mention_uid": mention.uid,
                "capture_id": capture.id,
                "status": status,
                "http_status": result.http_status,
                "sha256": shas,
                "error": capture.error,
            },
        )
        if status == "ok":
            record_evidence_captured(session, mention.case_id)
    return capture


def pending_mentions(session: Session, limit: int = 10) -> list[Mention]:
    """Flagged posts in a case, with content, that were never captured again."""
    captured = select(Capture.mention_id)
    return list(
        session.scalars(
            select(Mention)
            .where(
                Mention.flagged.is_(True),
                Mention.case_id.is_not(None),
                Mention.text.is_not(None),
                Mention.id.not_in(captured),
            )
            .order_by(Mention.id)
            .limit(limit)
        )
    )


def run_capture_worker(
    settings: Settings, session_factory: sessionmaker[Session], stop: threading.Event, poll_seconds: float = 5.0
) -> None:
    """Capture every flagged post once, polling until `stop` is set; one transaction per post."""
    while not stop.is_set():
        with session_scope(session_factory) as session:
            ids = [m.id for m in pending_mentions(session)]
        for mention_id in ids:
            if stop.is_set():
                return
            try:
                with session_scope(session_factory) as session:
                    mention = session.get(Mention, mention_id, with_for_update={"skip_locked": True})
                    if mention is not None and not session.scalar(
                        select(Capture.id).where(Capture.mention_id == mention_id).limit(1)
                    ):
                        capture = capture_mention(session, settings, mention)
                        log.info("capture %s for %s: %s", capture.id, mention.uid, capture.status)
                        CAPTURES.labels("success" if capture.status == "ok" else "failure").inc()
            except Exception:  # one bad post must not stop the worker; retried next round
                log.exception("capture of mention %s failed", mention_id)
                CAPTURES.labels("failure").inc()
        stop.wait(poll_seconds)
