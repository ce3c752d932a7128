"""Redaction of the web server's access log: personal-link tokens and query values never reach it.

Invariant: every path the `uvicorn.access` logger writes has passed `redact_path`: a path segment that looks like a
token (TOKEN_MIN_LENGTH or more URL-safe characters: an official's `/mijn/<token>` link, reset or invite links)
reads `[token]`, and every query value reads `[...]`. Short segments (`/zaken/12`, `/static/app.css`) stay readable.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
TOKEN_MIN_LENGTH = 32
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.~=%]{" + str(TOKEN_MIN_LENGTH) + r",}(?=/|$)")


def redact_path(path: str) -> str:
    """The path with token-like segments and query values replaced (parameter names are kept)."""
    path, has_query, query = path.partition("?")
    path = _TOKEN_SEGMENT.sub("[token]", path)
    if not has_query:
        return path
    names = [item.partition("=")[0] if "=" in item else "" for item in query.split("&")]
    return path + "?" + "&".join(f"{name}=[...]" if name else "[...]" for name in names)


class RedactTokens(logging.Filter):
    """Rewrites the path arguments of access-log records (uvicorn passes them as %-format arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) and arg.startswith("/") else arg for arg in record.args
            )
        return True


def install_redaction() -> None:
    """Put the filter on the access logger (once; uvicorn's logging setup keeps logger filters)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())
