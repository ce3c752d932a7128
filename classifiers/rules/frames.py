"""Frames: why a hostile-looking hit is not a hostile statement, as plain functions of the text's Context.

negation ("ik zou je nooit slaan"), quotation ("..." with news or counter-speech around it), news reports,
counter-speech ("dreigen is strafbaar"), references to a threat ("de dreiging"), prevention ("het geweld moet
stoppen"), idioms ("politiek dood"), violence aimed only at things ("die motie afschieten") and play: a game, a
match or pest control ("de draak moet dood", `play`). A frame never
removes a hit: the family records it as suppressed, with the score capped at 0.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import lexicons as L
from .spans import tok_at

if TYPE_CHECKING:
    from .context import Context
    from .spans import Hit

#: role words long enough to be recognised at the start of a longer word ("wethouders") or inside an @handle
LONG_ROLE_WORDS = tuple(sorted(r for r in L.ROLE_WORDS if len(r) > 6))


#: forms of "hebben": "niks te zeggen hebben" is having a say, not saying something
HAVE = frozenset({"heb", "hebt", "heeft", "hebben", "had", "hadden"})


def names_role(word: str) -> bool:
    """A word longer than 6 letters that starts with a role word: "wethouders", "burgemeestersvrouw"."""
    return len(word) > 6 and word.startswith(LONG_ROLE_WORDS)


def quote_mask(text: str) -> list[bool]:
    """True for characters inside a quotation ("...", “...”, „...”, «...», '...' at word boundaries)."""
    mask = [False] * len(text)
    pairs = {'"': '"', "“": "”", "„": "”", "«": "»", "‘": "’", "'": "'"}
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in pairs and (c != "'" or (i == 0 or not text[i - 1].isalnum())):
            close = pairs[c]
            j = i + 1
            while j < n:
                if text[j] == close or (c == "„" and text[j] == "“") or (c == '"' and text[j] in "”"):
                    if close != "'" or j + 1 >= n or not text[j + 1].isalnum():
                        break
                j += 1
            if j < n and j - i > 2:
                for k in range(i, j + 1):
                    mask[k] = True
                i = j + 1
                continue
        i += 1
    return mask


def text_is_news(ws: set[str]) -> bool:
    """A set of words reads as a news report: one strong news word or two weak ones."""
    return bool(ws & L.NEWS_STRONG) or len(ws & L.NEWS_WEAK) >= 2


def in_quote(c: Context, i: int) -> bool:
    """Token i lies inside a quotation."""
    return c.quoted[c.starts[i]] if c.starts[i] < len(c.quoted) else False


def target_ctx(c: Context, i: int) -> bool:
    """A person is in view for token i: the addressee, a role word or the official (the whole short post counts)."""
    s = c.all_set if c.breaks <= 3 else c.sent_sets[c.sent[i]]
    return bool(s & L.SECOND_PERSON) or bool(s & L.ROLE_WORDS) or c.off_hit or c.role_tok


def negated(c: Context, i: int, window: int = 5) -> bool:
    """A negation within `window` tokens before (or right after) token i, in its sentence and clause."""
    toks, sent, n = c.toks, c.sent, c.n
    lo = max(0, i - window)
    for j in range(i - 1, lo - 1, -1):  # a negation in an earlier clause does not negate this one
        if toks[j] in L.CLAUSE_BREAK:
            lo = j + 1
            break
    for j in range(lo, min(n, i + 2)):
        if sent[j] == sent[i] and toks[j] in L.NEGATIONS:
            return True
    return False


def _interjected_zeg(words: list[str]) -> bool:
    """Every "zeg" of the sentence ends it (punctuation aside): "wat een sukkel ben jij zeg!", "nou zeg"."""
    core = [w for w in words if any(ch.isalnum() for ch in w)]
    return bool(core) and core[-1] == "zeg" and core.count("zeg") == 1


#: what a writer who is "tegen" it opposes: a sentence against violence reports or condemns, it does not threaten
_OPPOSED = {"geweld", "bedreigingen", "bedreiging", "intimidatie", "dreigementen", "doodsbedreigingen"}


def _opposed(c: Context, i: int) -> bool:
    """Token i stands in a list of what the writer is "tegen" ("ik ben tegen geweld, tegen mest voor de deur van
    politici"): "tegen" before an `_OPPOSED` word earlier in its sentence, with no "maar" after it and every comma
    between followed by another "tegen" ("ik ben tegen geweld, maar ..." opposes nothing that follows)."""
    toks, sent = c.toks, c.sent
    for k in range(i - 1, -1, -1):
        if sent[k] != sent[i] or toks[k] in {"maar", "toch", "alleen"}:
            return False
        if toks[k] in {",", ";", ":"} and (k + 1 >= c.n or toks[k + 1] != "tegen"):
            return False
        if toks[k] == "tegen" and k + 1 < c.n and toks[k + 1] in _OPPOSED:
            return True
    return False


#: the writer speaking in the first person: in a long post, such a sentence is the writer's own, not the news report
#: a strong news word elsewhere in the post makes of the text ("de politie komt pas na een uur. ... dan sta ik ...")
_WRITER_SPEAKS = frozenset({"ik", "'k", "we", "wij", "ich", "mij"})


def framed(c: Context, i: int, direct: bool = False, strict: bool = False) -> str | None:
    """Why a hit at token i is not a hostile statement (None if it is): idiom, quote, prevention, counter,
    reference or news. `direct`: the hit addresses someone, so only quotes, idioms and speech frames apply;
    `strict`: a verb of saying does not make it a reference."""
    toks, sent, n = c.toks, c.sent, c.n
    s = c.sent_sets[sent[i]]
    if toks[i] not in L.GENDER_GROUP and any(
        toks[k] in {"politiek", "electoraal", "kerk", "figuurlijk"} and sent[k] == sent[i]
        for k in range(max(0, i - 3), min(n, i + 5))
    ):
        return "idiom"  # "politiek de kogel krijgen", "de kogel is door de kerk", "politiek dood"
    q = in_quote(c, i)
    if q and (c.text_news or c.text_counter or c.quoted_frac < 0.8):
        return "quote"
    if (
        s & L.PREVENT
        and s & (L.NEGATIONS | {"moet", "moeten", "nu"})
        and not (
            s & L.PREVENT <= {"stoppen"}
            and any(toks[k] == "stoppen" and k + 1 < n and toks[k + 1] == "met" for k in range(n) if sent[k] == sent[i])
        )
    ):
        return "prevention"  # but "moeten stoppen met klagen" tells someone to quit, it prevents nothing
    if s & L.META_SPEECH and s & L.COUNTER_EVAL:
        return "counter"  # "het is walgelijk om te zeggen dat ...", "dreigen dat ... is strafbaar"
    if s & L.REFERENCE and any(toks[k] in L.REFERENCE for k in range(i + 1, min(n, i + 4))):
        return "reference"
    said = s & L.SPEECH
    if said <= L.OPINION and any(
        toks[k] in L.OPINION and k > 0 and toks[k - 1] in {"ik", "we", "wij"} and sent[k] == sent[i] for k in range(n)
    ):
        said = set()  # "ik denk echt dat ...": the writer's own opinion, not someone else's words
    st = c.sent_toks[sent[i]]
    if "zeggen" in said and s & HAVE and any(a == "te" and b == "zeggen" for a, b in zip(st, st[1:])):
        said = said - {"zeggen"}  # "hier heb jij niks te zeggen": having a say, not something said
    if "zeg" in said and _interjected_zeg(st):
        said = said - {"zeg"}  # "wat ben jij een eikel zeg": an exclamation, not something said
    if (
        not strict
        and said
        and (s & (L.SECOND_PERSON | {"mensen", "iemand", "wie", "die"}) or c.sent_toks[sent[i]][0] in L.SPEECH)
    ):
        return "reference"
    if direct and not q:
        return None
    if _opposed(c, i):
        return "counter"  # "ik ben tegen geweld, tegen mest voor de deur van politici"
    if text_is_news(s) or (c.text_news and not (s & L.SECOND_PERSON) and not (c.breaks > 3 and s & _WRITER_SPEAKS)):
        return "news"  # a long post's news word does not make the writer's own sentence ("dan sta ik ...") a report
    if q and not direct:
        return "quote"
    return None


def is_inanimate(w: str) -> bool:
    """A noun that names a thing or an abstraction (list or suffix)."""
    if w in L.INANIMATE:
        return True
    return (
        len(w) > 5
        and w.endswith(L.INANIMATE_SUFFIX)
        or (len(w) > 6 and w.endswith(("ing", "ingen")) and not w.endswith(("ling", "lingen")))
    )


def looks_person(w: str) -> bool:
    """A pronoun or person noun (list or suffix) that is not a thing."""
    return w in L.PERSON_MARKERS or (len(w) > 4 and w.endswith(L.PERSON_SUFFIX) and w not in L.INANIMATE)


def inanimate_target(c: Context, i: int) -> bool:
    """True when every noun phrase in the sentence of token i is a thing or an institution and at least one
    is a thing (plan, motie, printer, modetrends), and no person is mentioned: violence aimed at objects."""
    toks, sent, n = c.toks, c.sent, c.n
    si = sent[i]
    ss_ = c.sent_sets[si]
    if ss_ & L.PERSON_MARKERS or ss_ & L.ROLE_WORDS or ss_ & L.GENDER_GROUP or c.off_hit:
        return False
    lo = i
    while lo > 0 and sent[lo - 1] == si:
        lo -= 1
    hi = i
    while hi + 1 < n and sent[hi + 1] == si:
        hi += 1
    found = False
    for k in range(lo, hi + 1):
        if toks[k] not in L.DETERMINERS:
            continue
        head = None
        for q in range(k + 1, min(hi + 1, k + 4)):
            w = toks[q]
            nxt = toks[q + 1] if q + 1 <= hi else ""
            if w in L.ADJ_SKIP or (
                not is_inanimate(w)
                and w not in L.NEUTRAL_HEADS
                and w.endswith("e")
                and len(w) > 3
                and nxt.isalpha()
                and nxt not in L.ADVERBS
                and nxt not in L.INTENT_MODALS
            ):
                continue
            head = w
            break
        if head is None or not head.isalpha():
            continue
        if is_inanimate(head):
            found = True
        elif head not in L.NEUTRAL_HEADS:
            return False  # a noun that may name a person or group ("die homoseksuelen")
    return found


def play(c: Context) -> None:
    """Move threat hits that sit in a game, a match or pest control to `suppressed` (frame "play"): "de draak in de
    game moet dood", "we maken ze kapot zaterdag, derby", "die mollen moeten uitgeroeid worden". A hit is in play
    only when its own sentence has a PLAY_WORDS word and no person in view: nobody addressed, no singular
    third-person pronoun or person noun (PLAY_PERSONS: hem, haar, vent, wijf, ...), no word starting with a role word
    ("wethouders"), no women-group word, no @handle holding a role word and no official named in the post."""
    if not (c.all_set & L.PLAY_WORDS) or c.off_hit or c.role_tok:
        return
    kept: list[Hit] = []
    for h in c.hits:
        ss_ = c.sent_sets[c.sent[tok_at(c.starts, h.start)]]
        if h.label == "threat" and ss_ & L.PLAY_WORDS and not _person_in_sentence(ss_):
            c.suppressed.append(h)
        else:
            kept.append(h)
    c.hits[:] = kept


def _person_in_sentence(words: set[str]) -> bool:
    return bool(words & (L.SECOND_PERSON | L.ROLE_WORDS | L.GENDER_GROUP | L.PLAY_PERSONS)) or any(
        names_role(w) for w in words
    )
