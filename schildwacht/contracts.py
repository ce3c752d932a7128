"""Versioned JSON message contracts that travel over Kafka between the stages.

collectors --(CollectedMention)--> raw topic --> classifiers --(ScoredMention)--> scored topic --> triage
Anything that cannot be decoded goes to the dead-letter topic as a DeadLetter.

Versions: CollectedMention/2 carries the matched officials as structured `matches` (kind, surface, offsets in the
text) and `raw.page_sha256`; ScoredMention/2 holds a CollectedMention/2; ScoredMention/3 adds the fifth label
`identity` (identity-based hate) to `scores`. Older messages (flat `match_reasons`, scored/1 and scored/2) are still
read: they are upgraded while validated (a scored/2 verdict gets `identity` 0.0: that label was not assessed then),
so every reader sees the newest version and every writer writes it.

Invariants every valid message keeps, so that PostgreSQL can always store it:
- every bounded string is at most as long as the column it is stored in (`schildwacht/models/*.py`; a test compares
  them): a longer value is a ContractError, i.e. a dead letter, never a failed insert;
- no string holds a NUL character (PostgreSQL `text` and `jsonb` cannot): it is replaced by U+FFFD, one for one,
  while a message is validated, so offsets into the text stay valid (a lone surrogate, which PostgreSQL cannot
  store either, is already refused by pydantic: a ContractError). The original bytes are not lost: a collected
  post's `raw` payload (the platform's bytes, with their sha256; stored in `evidence_blobs` for flagged posts and
  as `raw_meta.sha256` for every post) is never rewritten, and `text_sha256`, when the producer set it, still
  covers the text as it was collected (otherwise it covers the text as stored).
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

# The classifier's labels, in the order of its model outputs ("identity" came in ScoredMention/3, after the others,
# so a model head of an older version keeps its rows).
LABELS: tuple[str, ...] = ("threat", "abuse", "gender", "doxxing", "identity")
# The labels a ScoredMention/2 carried; a version 2 verdict is read with "identity" at 0.0 (not assessed then).
LABELS_V2: tuple[str, ...] = LABELS[:4]
COLLECTED_SCHEMA: Final = "schildwacht.mention.collected/2"
COLLECTED_SCHEMA_V1 = "schildwacht.mention.collected/1"
SCORED_SCHEMA: Final = "schildwacht.mention.scored/3"
SCORED_SCHEMA_V2 = "schildwacht.mention.scored/2"
SCORED_SCHEMA_V1 = "schildwacht.mention.scored/1"
MatchKind = Literal["reply", "handle", "name", "role", "submitted"]
MATCH_KINDS: tuple[str, ...] = get_args(MatchKind)
DEAD_LETTER_SCHEMA: Final = "schildwacht.dead-letter/2"
DEAD_LETTER_SCHEMA_V1 = "schildwacht.dead-letter/1"
# The file format of `schildwacht feedback export` (triage writes it, `train --feedback` in training/ reads it).
FEEDBACK_FORMAT: Final = "schildwacht-feedback/3"
# Bytes of a parked payload kept in its dead letter (base64 in the letter: well below the 8 MiB request limit).
DEAD_LETTER_PAYLOAD_LIMIT = 256 * 1024


class ContractError(ValueError):
    """A message does not satisfy its contract; the reason is the message."""


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def utcnow() -> datetime:
    """Timezone-aware current UTC time."""
    return datetime.now(UTC)


def storable(text: str) -> str:
    """`text` with every NUL (which PostgreSQL text and jsonb cannot hold) replaced by U+FFFD, one for one."""
    return text.replace("\x00", "\ufffd")


# Strings PostgreSQL can store (no NUL); VarcharN: and that fit a varchar(N) column.
Text = Annotated[str, AfterValidator(storable)]
Varchar40 = Annotated[str, StringConstraints(max_length=40), AfterValidator(storable)]
Varchar60 = Annotated[str, StringConstraints(max_length=60), AfterValidator(storable)]
Varchar100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(storable)]
Varchar200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(storable)]
Varchar400 = Annotated[str, StringConstraints(max_length=400), AfterValidator(storable)]
Varchar450 = Annotated[str, StringConstraints(max_length=450), AfterValidator(storable)]
OfficialId = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(storable)]
SHA256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)

    def to_bytes(self) -> bytes:
        """Serialise to UTF-8 JSON for Kafka."""
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Self:
        """Parse and validate; raise ContractError with a readable reason (also for a tombstone: no value)."""
        if data is None:
            raise ContractError(f"{cls.__name__}: tombstone (Kafka-record zonder waarde)")
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
    id: Varchar400 | None = None
    handle: Varchar400
    display_name: Varchar400 | None = None
    profile_url: Text | None = None


IntakeChannel = Literal["email", "upload", "cli"]
INTAKE_CHANNELS: tuple[str, ...] = get_args(IntakeChannel)


class IntakeReceipt(BaseModel):
    """How a handed-over file reached Schildwacht (intake only; None for a post a collector read from a platform).

    `channel` is the way in: `email` (forwarded to the intake mailbox), `upload` (a staff member uploaded it in the
    web app) or `cli` (`schildwacht intake`); what kind of file it was (e-mail, screenshot, WhatsApp or Telegram
    chat export) is the mention's platform. `handed_over_by`: the forwarder's or uploader's e-mail address, or the
    command; `file_sha256`: the handed-over file as received (the .eml around an attached screenshot, the whole
    chat export); `ocr_confidence`: Tesseract's mean word confidence (0-100) when the text was read from an image.
    The time of receipt is the mention's `collected_at`."""

    model_config = ConfigDict(extra="forbid")
    channel: IntakeChannel
    handed_over_by: Varchar400
    file_name: Varchar400
    file_sha256: SHA256
    ocr_confidence: float | None = Field(default=None, ge=0, le=100)


class RawPayload(BaseModel):
    """The bytes the platform served, inline (base64) or by reference to stored evidence."""

    model_config = ConfigDict(extra="forbid")
    sha256: SHA256
    content_type: Varchar200 | None = None
    size: int = Field(ge=0)
    inline_b64: str | None = None
    ref: Text | None = Field(default=None, description="evidence store reference, e.g. evidence/<sha256>")
    warc_b64: str | None = Field(default=None, description="WARC request+response records, gzip per record")
    warc_ref: Text | None = None
    warc_sha256: SHA256 | None = None
    tls_cert_sha256: SHA256 | None = None
    page_sha256: SHA256 | None = Field(
        default=None, description="sha256 of the whole page the post was taken from; the page itself is not kept"
    )
    page_size: int | None = Field(default=None, ge=0, description="bytes of that page")
    intake: IntakeReceipt | None = Field(default=None, description="how a handed-over file came in (intake only)")

    @classmethod
    def from_bytes(
        cls, data: bytes, content_type: str | None = None, inline_limit: int = 2 * 1024 * 1024
    ) -> RawPayload:
        """Describe raw bytes, inlining them when small enough."""
        inline = base64.b64encode(data).decode("ascii") if len(data) <= inline_limit else None
        return cls(sha256=sha256_hex(data), content_type=content_type, size=len(data), inline_b64=inline)

    def inline_bytes(self) -> bytes | None:
        """The raw bytes, when they travel inline."""
        return base64.b64decode(self.inline_b64) if self.inline_b64 is not None else None

    def warc_bytes(self) -> bytes | None:
        """The WARC records, when they travel inline."""
        return base64.b64decode(self.warc_b64) if self.warc_b64 is not None else None


class OfficialMatch(BaseModel):
    """One way a post names or addresses one official, as the collector's matcher found it.

    kind: `reply` (the post answers the official's post; surface = that handle), `handle` (an @-handle in the
    text), `name` (a name or name variant), `role` (a role word with the surname, "wethouder Zoetelief"),
    `submitted` (staff submitted the URL for this official; surface says who). For a match found in the text,
    `start`/`end` are its character offsets in `CollectedMention.text` (text[start:end] == surface); otherwise
    both are None. Version 1 messages give neither offsets nor `role`."""

    model_config = ConfigDict(extra="forbid")
    official_id: OfficialId
    kind: MatchKind
    surface: Text
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


# Version 1 flattened matches into surfaces; this is how they read back (a handle has an @ or is a domain name).
_V1_HANDLE = re.compile(r"^@|^[\w-]+(\.[\w-]+)+$")
_V1_SUBMITTED = "ingediend door "


def _upgraded_v1_matches(reasons: dict[str, Any]) -> list[dict[str, str]]:
    """The structured matches a version 1 `match_reasons` stands for (no offsets: v1 did not keep them)."""
    matches = []
    for official_id, surfaces in reasons.items():
        for surface in surfaces:
            if not isinstance(surface, str):
                kind = "name"  # left for validation to refuse
            elif surface.startswith(_V1_SUBMITTED):
                kind = "submitted"
            else:
                kind = "handle" if _V1_HANDLE.search(surface) else "name"
            matches.append({"official_id": official_id, "kind": kind, "surface": surface})
    return matches


def _schema_of(data: dict[str, Any]) -> object:
    return data.get("schema", data.get("schema_"))


class CollectedMention(_Contract):
    """A public post that mentions, or replies to, at least one registered consenting official.

    `matched_official_ids` lists each matched official once, most directly addressed first (the Kafka key is the
    first); `matches` says how each was found, and names only officials of that list."""

    schema_: Literal["schildwacht.mention.collected/2"] = Field(default=COLLECTED_SCHEMA, alias="schema")
    platform: Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(storable)]
    post_id: Annotated[str, StringConstraints(min_length=1, max_length=400), AfterValidator(storable)]
    url: Annotated[str, StringConstraints(min_length=1, max_length=4000), AfterValidator(storable)]
    author: Author
    text: Annotated[str, StringConstraints(max_length=2_000_000), AfterValidator(storable)]
    created_at: datetime
    collected_at: datetime = Field(default_factory=utcnow)
    collector: Varchar100 = "unknown"
    collector_version: Varchar40 = "0"
    matched_official_ids: list[OfficialId] = Field(min_length=1)
    matches: list[OfficialMatch] = Field(default_factory=list)
    in_reply_to_id: Varchar400 | None = None
    in_reply_to_official_id: OfficialId | None = None
    thread_id: Varchar400 | None = None
    raw: RawPayload | None = None
    text_sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _upgrade_v1(cls, data: object) -> object:
        """Version 1 (or a caller still passing `match_reasons` without a schema) becomes version 2."""
        if not isinstance(data, dict):
            return data
        schema = _schema_of(data)
        if schema == COLLECTED_SCHEMA_V1 or (schema is None and "match_reasons" in data):
            reasons = data.get("match_reasons") or {}
            if not isinstance(reasons, dict) or not all(isinstance(v, list) for v in reasons.values()):
                raise ValueError("match_reasons (version 1) must map official ids to lists of strings")
            ids = data.get("matched_official_ids") or []
            data = {k: v for k, v in data.items() if k not in ("schema", "schema_", "match_reasons")}
            # v1 never checked that the reasons' keys were matched officials: only those that are survive.
            data["matches"] = [m for m in _upgraded_v1_matches(reasons) if m["official_id"] in ids]
        return data

    @field_validator("created_at", "collected_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _matches_fit(self) -> CollectedMention:
        matched = set(self.matched_official_ids)
        for match in self.matches:
            if match.official_id not in matched:
                raise ValueError(f"match for {match.official_id}, which is not in matched_official_ids")
            if (match.start is None) != (match.end is None):
                raise ValueError("a match has both start and end, or neither")
            if match.start is not None and self.text[match.start : match.end] != match.surface:
                raise ValueError(f"match {match.surface!r} is not at {match.start}..{match.end} of the text")
        return self

    def model_post_init(self, _ctx: Any) -> None:
        if not self.text_sha256:
            self.text_sha256 = sha256_hex(self.text.encode("utf-8"))

    def surfaces(self, official_id: str, kinds: tuple[str, ...] = MATCH_KINDS) -> list[str]:
        """How `official_id` was named or addressed (by matches of `kinds`), in the matcher's order, no repeats."""
        return list(dict.fromkeys(m.surface for m in self.matches if m.official_id == official_id and m.kind in kinds))

    @property
    def key(self) -> bytes:
        """Kafka key on the raw topic: the post's uid. Scoring needs no order between posts, so posts spread evenly
        over the partitions and every classify worker gets a share (keyed by official, one partition got half the
        load); a re-collected post still lands on the partition of its first copy (docs/operations.md)."""
        return self.uid.encode("utf-8")

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
    label: Text
    text: Text
    source: Text = Field(description="rule:<name> or model")


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Varchar100
    version: Varchar60


class ScoredMention(_Contract):
    """A collected mention plus the classifier's verdict (version 1, read still, held a version 1 mention; version 2,
    read still, had no `identity` score)."""

    schema_: Literal["schildwacht.mention.scored/3"] = Field(default=SCORED_SCHEMA, alias="schema")
    mention: CollectedMention
    scores: dict[Text, float]
    flags: list[Text] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)
    target_official_id: OfficialId | None = None
    model: ModelInfo
    scored_at: datetime = Field(default_factory=utcnow)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _upgrade_v1(cls, data: object) -> object:
        if isinstance(data, dict) and _schema_of(data) in (SCORED_SCHEMA_V1, SCORED_SCHEMA_V2):
            data = {k: v for k, v in data.items() if k not in ("schema", "schema_")}
            scores = data.get("scores")
            if isinstance(scores, dict) and all(label in scores for label in LABELS_V2):
                data["scores"] = {**scores, **{label: 0.0 for label in LABELS if label not in scores}}
        return data

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
        """Kafka key on the scored topic: the official the mention is stored under (as triage ingest chooses it), so
        one official's mentions stay in order on one partition and one ingest worker, which groups them into cases
        under a per-official lock without waiting on another worker."""
        official = self.target_official_id
        if official not in self.mention.matched_official_ids:
            official = self.mention.matched_official_ids[0]
        return official.encode("utf-8")

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


def _b64(value: str | None) -> str | None:
    if value is not None:
        try:
            base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ValueError(f"invalid base64: {exc}") from None
    return value


class DeadLetter(_Contract):
    """A message that could not be processed, parked with the reason.

    Version 2 keeps at most DEAD_LETTER_PAYLOAD_LIMIT bytes of the payload, so that a letter always fits a Kafka
    request however large the parked record was: `payload_sha256` and `payload_size` describe the original,
    `payload_b64` holds its first bytes (all of them when `payload_size` equals their number). Version 1 letters,
    still read, carry the whole payload and no size.
    """

    schema_: Literal["schildwacht.dead-letter/2", "schildwacht.dead-letter/1"] = Field(
        default=DEAD_LETTER_SCHEMA, alias="schema"
    )
    stage: Varchar60
    reason: Text
    uid: Varchar450 | None = Field(default=None, description="platform:post_id when the payload revealed it")
    source_topic: Varchar200 | None = None
    source_partition: int | None = Field(default=None, ge=0, le=2**31 - 1)
    source_offset: int | None = Field(default=None, ge=0, le=2**63 - 1)
    key_b64: Annotated[str | None, AfterValidator(_b64)] = None
    payload_b64: Annotated[str, AfterValidator(_b64)]
    payload_sha256: SHA256
    payload_size: int | None = Field(default=None, ge=0, description="bytes of the original payload (version 2)")
    parked_at: datetime = Field(default_factory=utcnow)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _fields_of_version(self) -> DeadLetter:
        if self.schema_ == DEAD_LETTER_SCHEMA and self.payload_size is None:
            raise ValueError("payload_size is required in version 2")
        if self.schema_ == DEAD_LETTER_SCHEMA_V1 and self.payload_size is not None:
            raise ValueError("payload_size is not part of version 1")
        return self

    @classmethod
    def park(
        cls,
        stage: str,
        reason: str,
        payload: bytes | None,
        key: bytes | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        uid: str | None = None,
        payload_limit: int = DEAD_LETTER_PAYLOAD_LIMIT,
    ) -> DeadLetter:
        """A letter for `payload` that is valid whatever the inputs: strings are cleaned (`storable`) and cut to
        their columns, payload and key to `payload_limit` bytes; sha256 and size stay those of the original."""
        payload = payload or b""
        uid = uid or _guess_uid(payload)
        return cls(
            stage=storable(stage)[:60],
            reason=storable(reason)[:2000],
            uid=storable(uid)[:450] if uid else None,
            source_topic=topic[:200] if topic else None,
            source_partition=partition,
            source_offset=offset,
            key_b64=base64.b64encode(key[:payload_limit]).decode() if key else None,
            payload_b64=base64.b64encode(payload[:payload_limit]).decode(),
            payload_sha256=sha256_hex(payload),
            payload_size=len(payload),
        )

    @property
    def payload(self) -> bytes:
        """The payload bytes this letter carries (the start of the original when `truncated`)."""
        return base64.b64decode(self.payload_b64)

    @property
    def truncated(self) -> bool:
        """True when only the start of the original payload travels."""
        return self.payload_size is not None and self.payload_size > len(self.payload)

    def to_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")
