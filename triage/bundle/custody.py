"""Chain of custody: a per-case, append-only, hash-chained log of who did what with the evidence.

Each event's hash covers the case id, its sequence number, time, kind, actor, details and the previous event's
hash, so removing, reordering or altering any event breaks every later link. The first event links to GENESIS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from schildwacht.models.base import utcnow
from schildwacht.models.evidence import CUSTODY_KINDS, CustodyEvent

GENESIS = "0" * 64
FIELDS = ("case_id", "seq", "at", "kind", "actor", "details", "prev_hash", "hash")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def format_time(at: datetime) -> str:
    """UTC ISO 8601 with microseconds and Z; the form that is hashed and exported."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(record: Mapping[str, Any]) -> str:
    """sha256 over the canonical JSON of an event record without its own hash."""
    body = {k: record[k] for k in FIELDS if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def to_record(event: CustodyEvent | Mapping[str, Any]) -> dict[str, Any]:
    """An event as the plain record that is hashed and written to custody.jsonl."""
    if isinstance(event, Mapping):
        return {k: event.get(k) for k in FIELDS}
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "at": format_time(event.at),
        "kind": event.kind,
        "actor": event.actor,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


ALL_CHAINS = "custody:*"
"""Advisory lock key over every chain: shared by each single append, exclusive for a bulk append of many chains."""


def lock_all_chains(session: Session) -> None:
    """Take `ALL_CHAINS` exclusively until the end of the transaction: no single append runs meanwhile, so a bulk
    append may compute many chains' next `seq` and `prev_hash` at once. One lock instead of one per case: PostgreSQL
    keeps advisory locks to the commit in a shared table of max_locks_per_transaction x max_connections slots
    (6,400 by default), which a year of per-case locks would exhaust ("out of shared memory")."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": ALL_CHAINS})


def append_event(session: Session, case_id: int, kind: str, actor: str, details: dict) -> None:
    """Append one event to the case's chain (serialised per case; flushed, the caller commits).

    Locks, held to the end of the transaction: `ALL_CHAINS` shared (a bulk append takes it exclusively, see
    `lock_all_chains`), then the case's own chain lock."""
    if kind not in CUSTODY_KINDS:
        raise ValueError(f"unknown custody event kind {kind!r}; expected one of {CUSTODY_KINDS}")
    session.execute(text("SELECT pg_advisory_xact_lock_shared(hashtext(:k))"), {"k": ALL_CHAINS})
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"custody:{case_id}"})
    last = session.execute(
        select(CustodyEvent.seq, CustodyEvent.hash)
        .where(CustodyEvent.case_id == case_id)
        .order_by(CustodyEvent.seq.desc())
        .limit(1)
    ).first()
    at = utcnow()
    record = {
        "case_id": case_id,
        "seq": last.seq + 1 if last else 1,
        "at": format_time(at),
        "kind": kind,
        "actor": actor,
        "details": json.loads(canonical_json(details or {})),
        "prev_hash": last.hash if last else GENESIS,
    }
    record["hash"] = event_hash(record)
    session.add(
        CustodyEvent(
            case_id=case_id,
            seq=record["seq"],
            at=at,
            kind=kind,
            actor=actor,
            details=record["details"],
            prev_hash=record["prev_hash"],
            hash=record["hash"],
        )
    )
    session.flush()


def case_events(session: Session, case_id: int) -> list[CustodyEvent]:
    """A case's events in chain order."""
    return list(session.scalars(select(CustodyEvent).where(CustodyEvent.case_id == case_id).order_by(CustodyEvent.seq)))


def verify_chain(events: Iterable[CustodyEvent | Mapping[str, Any]]) -> str | None:
    """None when the chain is intact, else a Dutch/English description of the first broken link.

    Accepts ORM rows or custody.jsonl records, in chain order. A removed last event is not visible here; the
    bundle manifest pins the count and head hash for that.
    """
    prev_hash, case_id = GENESIS, None
    for expected_seq, event in enumerate(events, start=1):
        record = to_record(event)
        seq = record["seq"]
        if case_id is None:
            case_id = record["case_id"]
        if record["case_id"] != case_id:
            return f"gebeurtenis {seq}: hoort bij zaak {record['case_id']}, niet {case_id} / event from another case"
        if seq != expected_seq:
            return (
                f"gebeurtenis {expected_seq} ontbreekt of volgorde gewijzigd (gevonden: {seq}) "
                f"/ event {expected_seq} missing or reordered"
            )
        if record["prev_hash"] != prev_hash:
            return f"gebeurtenis {seq}: koppeling naar vorige verbroken / link to previous event broken"
        if event_hash(record) != record["hash"]:
            return f"gebeurtenis {seq}: inhoud gewijzigd (hash klopt niet) / event altered (hash mismatch)"
        prev_hash = record["hash"]
    return None
