"""The one place that decides what a failure while handling Kafka records means: retry, or park the record.

`classify(exc)` answers for every exception a stage's batch handler can raise; the consume loop
(`schildwacht.kafka.consume_batches`) acts on the answer.

transient (the batch is rewound and retried with exponential back-off, for ever; never parked):
  - SQLAlchemy `OperationalError`, `InterfaceError`, `DisconnectionError`, pool `TimeoutError`, and any `DBAPIError`
    that invalidated its connection; psycopg `OperationalError`, `InterfaceError`: the database is unreachable or
    restarting, a deadlock or serialization failure.
  - SQLAlchemy/psycopg `ProgrammingError`: a missing table, column or privilege is the deployment's fault, not the
    record's; parking would empty the whole stream into the dead-letter table.
  - every `KafkaError` not listed under poison (`KafkaTimeoutError`, `KafkaConnectionError`, `NodeNotReadyError`,
    authorisation, ...): the broker is unreachable, a leader is moving, or the configuration is wrong.
  - built-in `ConnectionError` and `TimeoutError`: a socket to a service failed.
transient a bounded number of times, then poison (`classify(exc, escalated=True)`):
  - psycopg `QueryCanceled` (a statement timeout, or a statement cancelled by an operator): a busy database and a
    record whose statement can never finish look the same. The consume loop retries the batch like a transient
    failure until it failed this way `poison_attempts` times in a row; then it isolates the record as for poison,
    and parks a record that alone timed out `poison_attempts` times in a row. Records that pass while isolating are
    stored, so a slow database costs back-off, never the stream; a parked record keeps its payload for a replay.
poison, parked at once (the same bytes can never pass):
  - `ContractError`: no valid message (bad UTF-8 or JSON, wrong schema version, a field beyond its limit, a
    tombstone without a value).
poison (the failing batch is split until the record is isolated; that record is retried alone and parked once it
failed the same way - same `signature` - `poison_attempts` times in a row):
  - Kafka `MessageSizeTooLargeError`, `RecordListTooLargeError`, `InvalidRecordError`, `CorruptRecordError`: the
    record, or what the stage made of it, cannot travel.
  - everything else: `DataError` (a NUL byte, a value too long for its column), `IntegrityError`, `ValueError`,
    `KeyError`, an exception raised inside spaCy or torch, ...

Invariants: a transient failure never produces a dead letter (a statement timeout only after it escalated); a
poison record never stops its partition for longer than its attempts and back-off; records that did not fail are
never parked (splitting isolates the culprit).
"""

from __future__ import annotations

import enum

import psycopg
from kafka.errors import (
    CorruptRecordError,
    InvalidRecordError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)
from sqlalchemy import exc as sa_exc

from schildwacht.contracts import ContractError


class Failure(enum.Enum):
    """What a failure says about the record that was being handled."""

    TRANSIENT = "transient"  # the world is broken (database, broker): retry the batch, never park
    POISON = "poison"  # the record is: isolate it, retry it alone, then park it


DATABASE_UNREACHABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    # psycopg's own errors, where one escapes SQLAlchemy's wrapping
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
"""The database cannot be reached or lost the connection: the one list the web app's 503 page, the feeders' waits
(schildwacht.db_retry) and the consume loop share."""
# A missing table or privilege is a deployment fault: workers wait for it to be fixed rather than park the stream.
_DB_TRANSIENT = (*DATABASE_UNREACHABLE, sa_exc.ProgrammingError, psycopg.ProgrammingError)
_KAFKA_POISON = (MessageSizeTooLargeError, RecordListTooLargeError, InvalidRecordError, CorruptRecordError)


def classify(exc: BaseException, escalated: bool = False) -> Failure:
    """Transient or poison, by exception class (see the module table); `escalated`: a statement timeout counts as
    poison (the consume loop sets it once a batch timed out `poison_attempts` times in a row)."""
    if isinstance(exc, ContractError):
        return Failure.POISON
    if escalated and is_statement_timeout(exc):
        return Failure.POISON
    if isinstance(exc, _DB_TRANSIENT):
        return Failure.TRANSIENT
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return Failure.TRANSIENT
    if isinstance(exc, _KAFKA_POISON):
        return Failure.POISON
    if isinstance(exc, (KafkaError, ConnectionError, TimeoutError)):
        return Failure.TRANSIENT
    return Failure.POISON


def is_statement_timeout(exc: BaseException) -> bool:
    """A statement the database cancelled: a statement timeout or an operator's cancel (transient, but bounded)."""
    return isinstance(_unwrapped(exc), psycopg.errors.QueryCanceled)


def parks_at_once(exc: BaseException) -> bool:
    """True when retrying cannot help because the record's bytes themselves are invalid."""
    return isinstance(exc, ContractError)


def _unwrapped(exc: BaseException) -> BaseException:
    # SQLAlchemy's own message repeats the statement and its parameters (post content): the driver's error
    # says what went wrong without them.
    if isinstance(exc, sa_exc.StatementError) and exc.orig is not None:
        return exc.orig
    return exc


def signature(exc: BaseException) -> str:
    """What "failed the same way" compares: the exception class and the start of its message."""
    inner = _unwrapped(exc)
    return f"{type(exc).__qualname__}/{type(inner).__module__}.{type(inner).__qualname__}: {str(inner)[:200]}"


def kind(exc: BaseException) -> str:
    """A short, bounded name of a failure for metrics labels: the (driver's) exception class name, never a message."""
    return type(_unwrapped(exc)).__name__


def describe(exc: BaseException) -> str:
    """The reason logged and written into a dead letter for `exc` (without SQLAlchemy's statement and parameters)."""
    if isinstance(exc, ContractError):
        return str(exc)
    inner = _unwrapped(exc)
    return f"{type(inner).__name__}: {inner}".strip()
