"""Family `abuse`: insults and abusive phrases aimed at a person.

Rules: contempt / hate_you / you_are_insult (Matcher patterns `abuse_*` in `abuse_patterns.jsonl`; "je bent een
[slur]" with a gendered slur also gives gender gendered_slur), abuse_phrase (PhraseMatcher over ABUSE_PHRASES; the
"we weten je te vinden" kind also gives threat intimidation) and insult (a word of INSULT_WORDS, or a weak insult
after an insult modifier, with a person in view; self-deprecation is not abuse). Every hit honours the frames.
"""

from __future__ import annotations

from .. import lexicons as L
from .context import Context
from .frames import framed, negated, target_ctx


def on_match(c: Context, name: str, s_: int, e_: int) -> None:
    """An abuse_* Matcher pattern over tokens s_..e_-1."""
    toks, n = c.toks, c.n
    if name == "abuse_hekel":
        frame = "negation" if negated(c, s_, 4) else framed(c, s_, direct=True)
        c.add(s_, e_, "abuse", "contempt", 0.7, frame)
    elif name == "abuse_hate_you":
        frame = (
            "negation" if any(toks[k] in L.NEGATIONS for k in range(e_, min(n, e_ + 2))) else framed(c, s_, direct=True)
        )
        c.add(s_, e_, "abuse", "hate_you", 0.85, frame)
    elif name == "abuse_you_are":
        frame = (
            "negation"
            if negated(c, s_, 3) or any(toks[k] in {"geen", "niet"} for k in range(s_, e_))
            else framed(c, s_, direct=True, strict=True)
        )
        word = toks[e_ - 1]
        c.add(s_, e_, "abuse", "you_are_insult", 0.9, frame)
        if word in L.ALL_GENDER_SLURS and word not in L.MASCULINE_PUTDOWN:
            c.add(s_, e_, "gender", "gendered_slur", 0.9, frame)


def on_phrase(c: Context, s_: int, e_: int) -> None:
    """An abusive phrase ("rot op", "ga dood", "je moeder") over tokens s_..e_-1."""
    toks = c.toks
    ss = c.sent_sets[c.sent[s_]]
    phrase = " ".join(toks[s_:e_])
    if phrase in {"sterf", "verrek", "ga dood", "val dood"} and not (ss & L.SECOND_PERSON or s_ == 0 or c.off_hit):
        return
    if phrase == "je moeder" and not (ss & L.INSULT_WORDS or ss & L.ALL_GENDER_SLURS):
        return
    frame = "negation" if negated(c, s_, 3) else framed(c, s_, direct=True)
    score = 0.55 if phrase in {"rot op", "je moeder"} else 0.8
    c.add(s_, e_, "abuse", "abuse_phrase", score, frame)
    if phrase.startswith(("we ", "je komt", "nergens")):
        c.add(s_, e_, "threat", "intimidation", 0.45, frame)


def claims_insult(c: Context, i: int) -> bool:
    """Token i is an insult word, or a weak insult after an insult modifier ("vuile rat")."""
    t, toks = c.toks[i], c.toks
    return t in L.INSULT_WORDS or (t in L.WEAK_INSULTS and i > 0 and toks[i - 1] in L.INSULT_MODIFIERS)


def insult(c: Context, i: int) -> None:
    """An insult word with a person in view (addressee, role word, official, a determiner or "wat een")."""
    toks = c.toks
    ss = c.sent_sets[c.sent[i]]
    ctx = (
        target_ctx(c, i)
        or i == 0
        or (i > 0 and (toks[i - 1] in {"vuile", "vieze", "smerige", "die", "deze", "stomme", "domme"}))
        or any(toks[k] == "wat" and toks[k + 1] == "een" for k in range(max(0, i - 4), i - 1))
    )
    if not ctx:
        return
    if (ss & L.FIRST_SG) and not (ss & L.SECOND_PERSON) and not c.off_hit and ss & {"ben", "was", "geweest"}:
        return  # self-deprecation: "soms ben ik een klootzak" (not "zijn": "ik hoop dat die hufter zijn nek breekt")
    frame = "negation" if negated(c, i, 3) else framed(c, i, direct=True)
    c.add(i, i + 1, "abuse", "insult", 0.85, frame)
