"""Length-preserving text normalisation.

Every function here returns a string of exactly the same length as its input, so character offsets found on a
normalised view are valid offsets into the original text (spans shown to staff point at the original). Folding
itself is the shared `schildwacht.textnorm.fold`; this module adds the classifier's views of a text.
"""

from __future__ import annotations

import re

from schildwacht.textnorm import fold

#: The rule layer scans at most this many characters of a post (spans never point beyond it).
RULE_SCAN_LIMIT = 20_000
#: The transformer sees at most this many characters before tokenisation (and then at most max_length tokens).
MODEL_CHAR_LIMIT = 4_000

_TAG_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]{0,500}>", re.IGNORECASE | re.DOTALL)
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}


def scrub_surrogates(text: str) -> str:
    """Replace lone surrogates (invalid in UTF-8) by U+FFFD, one for one."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def blank_html(text: str) -> str:
    """Replace HTML tags (and script/style bodies) by spaces of the same length."""
    if "<" not in text:
        return text
    return _TAG_RE.sub(lambda m: " " * (m.end() - m.start()), text)


def deleet(text: str) -> str:
    """Undo leetspeak inside words ("h03r" -> "hoer"), leaving numbers, postcodes and phone numbers alone.

    A leet character is only replaced when a letter touches it on at least one side, and the token it sits in
    contains at least one letter that is not itself a leet character.
    """
    if not any(c in _LEET for c in text):
        return text
    chars = list(text)
    n = len(chars)
    for i, c in enumerate(text):
        if c not in _LEET:
            continue
        left = text[i - 1] if i > 0 else " "
        right = text[i + 1] if i + 1 < n else " "
        if c in "!|" and not (left.isalpha() and right.isalpha()):
            continue
        if c == "@" and not left.isalpha():
            continue  # @handle
        if left.isalpha() or right.isalpha():
            chars[i] = _LEET[c]
    return "".join(chars)


# four or more single letters joined by one repeated separator: "k-o-g-e-l", "k.o.g.e.l.", "d*o*o*d"
_SEPARATED_RE = re.compile(r"(?<![\w@.])[^\W\d_]([-.*·])[^\W\d_](?:\1[^\W\d_]){2,}\1?(?![\w@])")


def unseparate(text: str) -> str:
    """Letters spelled out with hyphens, dots or stars ("k-o-g-e-l", "k.o.g.e.l.") get spaces instead, so the rule
    layer reads them as spaced-out letters and joins them ("k o g e l" -> "kogel", rules/respell.py). Three letters or
    fewer ("d.w.z.", "o.a.") and anything touching a word character or an "@" stay as they are."""
    if not any(sep in text for sep in "-.*·"):
        return text
    return _SEPARATED_RE.sub(lambda m: m.group(0).replace(m.group(1), " "), text)


def views(text: str, limit: int = RULE_SCAN_LIMIT) -> tuple[str, str, str]:
    """(clean, folded, folded+deleeted+unseparated) views of the first `limit` characters, all the same length."""
    clean = blank_html(scrub_surrogates(text)[:limit])
    folded = fold(clean)
    return clean, folded, unseparate(deleet(folded))


_WS_RE = re.compile(r"\s+")


def model_text(text: str, limit: int = MODEL_CHAR_LIMIT) -> str:
    """Text as fed to the transformer: scrubbed, HTML blanked, whitespace collapsed, truncated."""
    clean = blank_html(scrub_surrogates(text)[: limit * 2])
    return _WS_RE.sub(" ", clean).strip()[:limit]
