"""Decoding API answers defensively: anything that is not the documented JSON shape is a MalformedPayload."""

from __future__ import annotations

import json
from typing import Any

from scrapy.http import Response


class MalformedPayload(ValueError):
    """The server's answer is not the JSON shape the API documents; the message says why."""


def json_body(response: Response, shape: type) -> Any:
    """The decoded body, which must be a JSON list or object (`shape`)."""
    try:
        doc = json.loads(response.body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedPayload(f"ongeldige UTF-8 op byte {exc.start}") from exc
    except (ValueError, RecursionError) as exc:
        # Scrapy types Headers.get as `bytes | None` even with a default
        content_type = response.headers.get("Content-Type", b"?").decode("latin-1")  # type: ignore[union-attr]
        raise MalformedPayload(f"geen geldige JSON ({content_type}): {exc}") from exc
    if not isinstance(doc, shape):
        raise MalformedPayload(f"verwacht een JSON-{'lijst' if shape is list else 'object'}")
    return doc
