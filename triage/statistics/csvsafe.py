"""CSV that spreadsheet programs cannot execute.

Invariant: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (which Excel, LibreOffice
and Google Sheets read as a formula) gets a leading apostrophe, so it is shown as the literal text; numbers and
empty cells are written as they are. Delimiter `;` and UTF-8 with BOM, as Dutch Excel expects.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The cell as written: None -> '', formula-like text escaped, numbers unchanged."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]], rows_per_chunk: int = 500) -> Iterator[str]:
    """The CSV document in pieces (BOM and header first, then `rows_per_chunk` rows at a time), for streaming:
    the pieces joined are `to_csv(columns, rows)`, and at most one piece is in memory."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(c) for c in row])
        if n % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A complete CSV document (BOM, header, rows) with every cell passed through `safe_cell`."""
    return "".join(csv_chunks(columns, rows))
