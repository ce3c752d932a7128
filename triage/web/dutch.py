"""Dutch number formatting for what staff read: decimal commas, singular/plural counts, score levels."""

from __future__ import annotations

# A classifier score (0..1) as a word staff can act on; the number itself is technical detail.
SCORE_LEVELS: tuple[tuple[float, str], ...] = ((0.85, "hoog"), (0.6, "middel"), (0.0, "laag"))


def decimal(value: float, places: int = 2) -> str:
    """0.94 -> "0,94" (Dutch decimal comma)."""
    return f"{value:.{places}f}".replace(".", ",")


def count(n: int, singular: str, plural: str) -> str:
    """1 -> "1 zaak", 36 -> "36 zaken" (0 takes the plural, as in Dutch)."""
    return f"{n} {singular if n == 1 else plural}"


def score_level(score: float | None) -> str | None:
    """The level word for a score; None when there is no score."""
    if score is None:
        return None
    return next(word for floor, word in SCORE_LEVELS if score >= floor)
