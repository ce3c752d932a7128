"""The per-text state every rule family reads: tokens, sentences, who is addressed, quotes and news, and the
hit lists the families append to.

Invariants: `toks[i]` is the folded (respelled) lower-case token i, `starts[i]` / `ends[i]` its offsets in the
original text; `sent[i]` is its sentence number (non-decreasing), `breaks` the number of sentence ends seen (a text
with `breaks <= 3` counts as a short post); a hit goes to `suppressed` exactly when a frame explains it away.
`text_news` (the whole text reads as a news report): a strong news word anywhere, or two weak ones in a short
post; in a long post weak ones count per sentence only (`frames.framed`), since a long complaint easily holds
a "zegt" and a "veiligheid" far from its threat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import lexicons as L
from .frames import LONG_ROLE_WORDS, names_role, quote_mask, text_is_news
from .spans import Hit

#: tokens that end a sentence (a newline after a token ends one too)
SENT_END = {".", "!", "?", "\n", ";", "…"}


@dataclass
class Context:
    """Everything the rules know about one text (see the module docstring for the invariants)."""

    clean: str
    folded: str
    view: str
    toks: list[str]
    starts: list[int]
    ends: list[int]
    sent: list[int]
    breaks: int
    sent_toks: dict[int, list[str]]
    sent_sets: dict[int, set[str]]
    all_set: set[str]
    role_tok: bool
    off_hit: bool
    quoted: list[bool]
    quoted_frac: float
    text_news: bool
    text_counter: bool
    phrase_matches: list[tuple[str, int, int]]
    hits: list[Hit] = field(default_factory=list)
    suppressed: list[Hit] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.toks)

    def add(self, i: int, j: int, label: str, rule: str, score: float, frame: str | None = None) -> None:
        """Record a hit over tokens i..j-1; suppressed when a frame is given."""
        h = Hit(self.starts[i], self.ends[j - 1], label, rule, score)
        (self.suppressed if frame else self.hits).append(h)


def build_context(
    views: tuple[str, str, str],
    toks: list[str],
    starts: list[int],
    ends: list[int],
    nl_after: list[bool],
    official_terms: list[str] | None,
    phrase_matches: list[tuple[str, int, int]],
) -> Context:
    """Split the tokens into sentences and compute the text-wide facts the frames use."""
    clean, folded, view = views
    sent = [0] * len(toks)
    sid = 0
    for i, t in enumerate(toks):
        sent[i] = sid
        if t in SENT_END or nl_after[i] or t.endswith((".", "!", "?")):
            sid += 1
    sent_toks: dict[int, list[str]] = {}
    for i, t in enumerate(toks):
        sent_toks.setdefault(sent[i], []).append(t)
    all_set = set(toks)
    officials = [o for o in (official_terms or []) if o]
    quoted = quote_mask(clean)
    return Context(
        clean=clean,
        folded=folded,
        view=view,
        toks=toks,
        starts=starts,
        ends=ends,
        sent=sent,
        breaks=sid,
        sent_toks=sent_toks,
        sent_sets={k: set(v) for k, v in sent_toks.items()},
        all_set=all_set,
        role_tok=any(names_role(t) or (t.startswith("@") and any(r in t for r in LONG_ROLE_WORDS)) for t in toks),
        off_hit=any(o in view for o in officials),
        quoted=quoted,
        quoted_frac=(sum(quoted) / max(1, len(clean.strip()))) if quoted else 0.0,
        text_news=text_is_news(all_set) if sid <= 3 else bool(all_set & L.NEWS_STRONG),
        text_counter=len(all_set & L.COUNTER) >= 1,
        phrase_matches=phrase_matches,
    )
