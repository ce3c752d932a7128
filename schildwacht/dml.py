"""The row count of a data-changing statement, typed.

`Session.execute` is typed to return `Result`, but for an INSERT, UPDATE or DELETE (ORM or textual) SQLAlchemy
returns a `CursorResult`, the only result that carries `rowcount`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result


def affected_rows(result: Result[Any]) -> int:
    """Rows the statement that produced `result` changed; `result` must come from an INSERT, UPDATE or DELETE."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"affected_rows needs the result of a data-changing statement, not {type(result).__name__}")
    return result.rowcount
