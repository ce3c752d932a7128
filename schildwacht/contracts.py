"""Versioned JSON message contracts that travel over Kafka between the stages.

collectors --(CollectedMention)--> raw topic --> classifiers --(ScoredMention)--> scored topic --> triage
Anything that cannot be decoded goes to the dead-letter topic as a DeadLetter.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

LABELS: tuple[str, ...] = ("threat", "abuse", "gender", "doxxing")
COLLECTED_SCHEMA = "schildwacht.mention.collected/1"
SCORED_SCHEMA = "schildwacht.mention.scored/1"
DEAD_LETTER_SCHEMA = "schildwacht.dead-letter/1"


class ContractError(ValueError):
    """A message does not satisfy its contract; the reason is the message."""


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def utcnow() -> datetime:
    """Timezone-aware current UTC time."""
    return datetime.now(timezone.utc)


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)

    def to_bytes(self) -> bytes:
        """Serialise to UTF-8 JSON for Kafka."""
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes):
        """Parse and validate; raise ContractError with a readable reason."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError(f"invalid UTF-8 at byte {exc.start}") from exc
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "<root>"
            raise ContractError(f"{cls.__name__}: {where}: {first.get('msg')}") from exc


class Author(BaseModel):
    """The account that posted (a third party: keep only what an aangifte needs)."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    handle: str
    display_name: str | None = None
    profile_url: str | None = None


class RawPayload(BaseModel):
    """The bytes the platform served, inline (base64) or by reference to stored evidence."""

    model_config = ConfigDict(extra="forbid")
    sha256: str
    content_type: str | None = None
    size: int
    inline_b64: str | None = None
    ref: str | None = Field(default=None, description="evidence store reference, e.g. evidence/<sha256>")
    warc_b64: str | None = Field(default=None, description="WARC request+response records, gzip per record")
    warc_ref: str | None = None
    warc_sha256: str | None = None
    tls_cert_sha256: str | None = None

    @classmethod
    def from_bytes(cls, data: bytes, content_type: str | None = None, inline_limit: int = 2 * 1024 * 1024) -> "RawPayload":
        """Describe raw bytes, inlining them when small enough."""
        inline = base64.b64encode(data).decode("ascii") if len(data) <= inline_limit else None
        return cls(sha256=sha256_hex(data), content_type=content_type, size=len(data), inline_b64=inline)

    def inline_bytes(self) -> bytes | None:
        """The raw bytes, when they travel inline."""
        return base64.b64decode(self.inline_b64) if self.inline_b64 is not None else None

    def warc_bytes(self) -> bytes | None:
        """The WARC records, when they travel inline."""
        return base64.b64decode(self.warc_b64) if self.warc_b64 is not None else None


class CollectedMention(_Contract):
    """A public post that mentions, or replies to, at least one registered consenting official."""

    schema_: Literal["schildwacht.mention.collected/1"] = Field(default=COLLECTED_SCHEMA, alias="schema")
    platform: str = Field(min_length=1, max_length=40)
    post_id: str = Field(min_length=1, max_length=400)
    url: str = Field(min_length=1, max_length=4000)
    author: Author
    text: str = Field(max_length=2_000_000)
    created_at: datetime
    collected_at: datetime = Field(default_factory=utcnow)
    collector: str = "unknown"
    collector_version: str = "0"
    matched_official_ids: list[str] = Field(min_length=1)
    match_reasons: dict[str, list[str]] = Field(default_factory=dict)
    in_reply_to_id: str | None = None
    in_reply_to_official_id: str | None = None
    thread_id: str | None = None
    raw: RawPayload | None = None
    text_sha256: str = ""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("created_at", "collected_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)

    def model_post_init(self, _ctx) -> None:
        if not self.text_sha256:
            self.text_sha256 = sha256_hex(self.text.encode("utf-8"))

    @property
    def key(self) -> bytes:
        """Kafka key: the first matched official, so one official's items stay ordered."""
        return self.matched_official_ids[0].encode("utf-8")

    @property
    def uid(self) -> str:
        """Stable identity of the post across re-collection."""
        return f"{self.platform}:{self.post_id}"

    def to_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")


class Span(BaseModel):
    """A piece of the text that drove a decision, shown to staff."""

    model_config = ConfigDict(extra="forbid")
    start: int
    end: int
    label: str
    text: str
    source: str = Field(description="rule:<name> or model")


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    version: str


class ScoredMention(_Contract):
    """A collected mention plus the classifier's verdict."""

    schema_: Literal["schildwacht.mention.scored/1"] = Field(default=SCORED_SCHEMA, alias="schema")
    mention: CollectedMention
    scores: dict[str, float]
    flags: list[str] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)
    target_official_id: str | None = None
    model: ModelInfo
    scored_at: datetime = Field(default_factory=utcnow)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("scores")
    @classmethod
    def _labels(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [label for label in LABELS if label not in v]
        if missing:
            raise ValueError(f"missing scores for {missing}")
        if any(not 0.0 <= s <= 1.0 for s in v.values()):
            raise ValueError("scores must lie in 0..1")
        return v

    @property
    def key(self) -> bytes:
        return self.mention.key

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def to_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")


def _guess_uid(payload: bytes) -> str | None:
    """Best-effort `platform:post_id` of an unreadable message, so operators can trace it."""
    import json

    try:
        doc = json.loads(payload.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    if isinstance(doc, dict) and isinstance(doc.get("mention"), dict):
        doc = doc["mention"]
    if isinstance(doc, dict) and doc.get("platform") and doc.get("post_id"):
        return f"{doc['platform']}:{doc['post_id']}"
    return None


class DeadLetter(_Contract):
    """A message that could not be processed, parked with the reason."""

    schema_: Literal["schildwacht.dead-letter/1"] = Field(default=DEAD_LETTER_SCHEMA, alias="schema")
    stage: str
    reason: str
    uid: str | None = Field(default=None, description="platform:post_id when the payload revealed it")
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    key_b64: str | None = None
    payload_b64: str
    payload_sha256: str
    parked_at: datetime = Field(default_factory=utcnow)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @classmethod
    def park(cls, stage: str, reason: str, payload: bytes, key: bytes | None = None,
             topic: str | None = None, partition: int | None = None, offset: int | None = None,
             uid: str | None = None) -> "DeadLetter":
        return cls(stage=stage, reason=reason[:2000], uid=uid or _guess_uid(payload), source_topic=topic, source_partition=partition,
                   source_offset=offset, key_b64=base64.b64encode(key).decode() if key else None,
                   payload_b64=base64.b64encode(payload).decode(), payload_sha256=sha256_hex(payload))

    def to_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")
