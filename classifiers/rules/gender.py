"""Family `gender`: gender-targeted hate (misogyny) against the official or women as a group.

Rules: gender_role ("vrouwen horen achter het aanrecht"; with a person in view also abuse gender_role),
gendered_slur (a slur of ALL_GENDER_SLURS or a slur compound, scored by whether a person is in view; with one also
abuse gendered_slur; "manwijf" without a woman in view is abuse slur), sexualisation (with a woman or person in view),
women_group_hate (women as a group derogated: hostile words, hatred, worthlessness, silencing, rights denied) and,
in a short post that names women and threatens "ze / jullie" in a later sentence, threat_women (that one reads the
threat family's hits, so it also goes when `threat` is off). Every hit honours the frames.
"""

from __future__ import annotations

from functools import lru_cache

from .. import lexicons as L
from .context import Context
from .frames import framed, negated, target_ctx
from .spans import Hit, tok_at


@lru_cache(maxsize=1 << 16)
def slur_compound(t: str) -> bool:
    """A compound whose head is a gendered slur ("rotwijf", "stoeptrut"), with a modifier of 3+ letters. Memoised per
    token string (the word lists are fixed at import)."""
    return (
        t.isalpha()
        and any(t.endswith(h) and len(t) >= len(h) + 3 for h in L.SLUR_HEADS)
        and not t.endswith(("ouwehoer", "ouwehoeren"))
    )  # "geouwehoer" = idle chatter


def on_phrase(c: Context, s_: int, e_: int) -> None:
    """A gender-role phrase over tokens s_..e_-1 ("vrouwen horen thuis", "terug naar het aanrecht")."""
    toks, n = c.toks, c.n
    ss = c.sent_sets[c.sent[s_]]
    if toks[e_ - 1] == "thuis" and e_ < n and toks[e_] in {"in", "op", "hier", "overal", "binnen", "tussen", "thuis"}:
        return  # "X horen thuis in de raad" (= belong in), not "vrouwen horen thuis"
    if toks[e_ - 1] in {"keuken", "aanrecht"} and e_ < n and toks[e_] == "van":
        return  # a particular kitchen: "in de keuken van het restaurant", "terug naar de keuken van de kookstudio"
    if toks[s_:e_] == ["in", "de", "keuken"] and not (
        ss & (L.SECOND_PERSON | L.ROLE_WORDS | L.GENDER_GROUP | L.SINGULAR_WOMAN | L.KITCHEN_CUES) or c.off_hit
    ):
        return  # "kakkerlakken in de keuken van de kantine": a kitchen, nobody put in it
    frame = "negation" if negated(c, s_, 3) else framed(c, s_, direct=bool(ss & L.SECOND_PERSON))
    c.add(s_, e_, "gender", "gender_role", 0.85, frame)
    if ss & L.SECOND_PERSON or ss & L.ROLE_WORDS or c.off_hit:
        c.add(s_, e_, "abuse", "gender_role", 0.6, frame)


def claims_slur(c: Context, i: int) -> bool:
    """Token i is a gendered slur or a slur compound (not "feministe")."""
    t = c.toks[i]
    return (t in L.ALL_GENDER_SLURS or slur_compound(t)) and t not in {"feministe", "feministen"}


def slur(c: Context, i: int) -> None:
    """A gendered slur, scored by whether a person is in view."""
    toks, t = c.toks, c.toks[i]
    ss = c.sent_sets[c.sent[i]]
    ctx = (
        target_ctx(c, i)
        or i == 0
        or (
            i > 0
            and toks[i - 1]
            in {
                "die",
                "dat",
                "deze",
                "vuile",
                "vieze",
                "smerige",
                "kut",
                "kanker",
                "domme",
                "stomme",
                "lelijke",
                "wat",
            }
        )
    )
    if t in L.GENDER_SLURS_CONTEXT and not (
        ctx
        and i > 0
        and toks[i - 1]
        in {
            "die",
            "dat",
            "deze",
            "vuile",
            "vieze",
            "smerige",
            "een",
            "domme",
            "stomme",
            "lelijke",
            "kut",
            "oude",
            "ouwe",
        }
    ):
        return
    if (ss & L.FIRST_SG) and not (ss & L.SECOND_PERSON) and not c.off_hit and "ben" in ss:
        return
    frame = "negation" if negated(c, i, 3) else framed(c, i, direct=ctx)
    if t in L.MASCULINE_PUTDOWN and not (c.all_set & ({"haar", "zij", "mevrouw"} | L.ROLE_WORDS) or c.off_hit):
        c.add(i, i + 1, "abuse", "slur", 0.85 if ctx else 0.7, frame)
        return
    c.add(i, i + 1, "gender", "gendered_slur", 0.9 if ctx else 0.7, frame)
    if ctx:
        c.add(i, i + 1, "abuse", "gendered_slur", 0.85, frame)


def claims_sexual(c: Context, i: int) -> bool:
    """Token i is a sexualising word."""
    return c.toks[i] in L.SEXUAL


def sexual(c: Context, i: int) -> None:
    """A sexualising word with a woman or a person in view."""
    ss = c.sent_sets[c.sent[i]]
    if not (
        ss & L.SECOND_PERSON or ss & L.ROLE_WORDS or c.off_hit or ss & {"haar", "zij", "ze"} or ss & L.GENDER_GROUP
    ):
        return
    frame = "negation" if negated(c, i, 3) else framed(c, i, direct=bool(ss & L.SECOND_PERSON))
    c.add(i, i + 1, "gender", "sexualisation", 0.85, frame)
    if ss & L.SECOND_PERSON or ss & L.ROLE_WORDS or c.off_hit:
        c.add(i, i + 1, "abuse", "sexualisation", 0.7, frame)


def claims_group(c: Context, i: int) -> bool:
    """Token i names women as a group (not "moeder", "meisje", nor the writer's own: "mijn vrouw hoort niet in de
    raad, zij is griffier")."""
    t = c.toks[i]
    mine = i > 0 and c.toks[i - 1] in {"mijn", "mien", "ons"}  # not "onze vrouwen": women as a group
    return t in L.GENDER_GROUP and t not in {"moeder", "moeders", "meid", "meisje"} and not mine


def group(c: Context, i: int) -> None:
    """Women as a group derogated in the sentence (or in the whole short post) of token i."""
    toks, sent, n, t = c.toks, c.sent, c.n, c.toks[i]
    ss = c.sent_sets[sent[i]]
    neg_words = (c.all_set if c.breaks <= 3 else ss) & L.GENDER_GROUP_NEG
    if t in L.SINGULAR_WOMAN:
        neg_words &= {
            "afval",
            "kakkerlakken",
            "plaag",
            "ongedierte",
            "kankergezwel",
            "minachting",
            "walgelijk",
            "verachtelijk",
            "erger",
            "lulkoek",
            "lul",
            "parasiet",
            "uitschot",
            "idioot",
            "ergste",
            "slechtste",
            "pikken",
            "dierentuin",
            "kooi",
            "klootzakken",
        }
    # disgust and "rather dead than": "vrouwen maken me ziek", "ik ben het zat om rond vrouwen te zijn",
    # "ik sterf liever dan dat ik met een vrouw uitga", "als ik een vrouw was, pleegde ik zelfmoord"
    if (
        (ss & {"ziek", "misselijk", "kotsmisselijk"} and ss & {"me", "mij"})
        or ("zat" in ss and "het" in ss and ss & L.FIRST_SG)
        or ("liever" in ss and ss & {"dood", "sterf", "sterven", "kanker", "zelfmoord", "doodgaan", "stref"})
        or ("zelfmoord" in ss and "als" in ss and ss & L.FIRST_SG)
    ):
        neg_words = neg_words | {"disgust"}
    # a wish that they suffer: "jullie verdienen het om te lijden"
    wish_set = c.all_set if c.breaks <= 3 else ss
    if wish_set & {"verdienen", "verdient", "verdien"} and wish_set & {
        "lijden",
        "sterven",
        "dood",
        "pijn",
        "creperen",
        "branden",
    }:
        neg_words = neg_words | {"harm_wish"}
    hate = any(toks[k] in L.HATE_VERBS for k in range(max(0, i - 4), i))
    # reference by pronoun in a short post: "Vrouwen? Ik haat ze.", "Ik ken vrouwen. Ik veracht hen."
    if not hate and c.breaks <= 3:
        hate = any(
            toks[k] in L.HATE_VERBS and k + 1 < n and toks[k + 1] in {"ze", "hen", "hun", "die"} and sent[k] != sent[i]
            for k in range(n)
        )
    # profanity used as a modifier of the group: "fucking vrouwen", "kutvrouwen", "kankerwijven"
    if not hate and ((i > 0 and toks[i - 1] in L.PROFANE_MODS) or t.startswith(tuple(L.PROFANE_MODS))):
        hate = True
    # "vrouwen zijn niets waard"
    worthless = (
        any(
            toks[k] in {"niets", "niks", "geen", "nergens"} and k + 1 < n and toks[k + 1] in {"waard", "goed"}
            for k in range(n)
        )
        or any(
            toks[k] == "niet" and "waard" in toks[k + 1 : k + 3] and "minder" not in toks[k + 1 : k + 3]
            for k in range(n)
        )
        or bool({"recht", "leven"} <= ss and ss & L.NEGATIONS)
    )  # "hebben geen recht om te leven"
    # silencing / restriction of roles and rights: "vrouwen moeten hun mond houden", "vrouwen zijn alleen
    # goed voor ...", "vrouwen zouden geen stemrecht moeten hebben"
    silence = (
        bool(ss & {"mond", "bek", "kop", "smoel", "snavel", "waffel"} and ss & {"houden", "houdt", "dicht", "hou"})
        or "zwijgen" in ss
        or any(
            toks[k] == "alleen" and k + 1 < n and toks[k + 1] in {"goed", "geschikt", "nuttig"}
            for k in range(n)
            if sent[k] == sent[i]
        )
    )
    restrict = bool(
        ss & L.NEGATIONS
        and ss & {"mogen", "mag", "moeten", "moet", "zouden", "zou", "horen", "hoort", "kunnen", "verdienen"}
        and ss & L.RIGHTS_WORDS
        and not ss & L.VICTIM_WORDS
    )
    # a positive attribute or attitude denied: "vrouwen zijn niet slim", "ik respecteer geen vrouwen"
    neg_pos = bool(
        ss & L.POS_ATTR
        and ss & L.NEGATIONS
        and not ss & {"minder", "dommer", "slechter", "zwakker", "niet", "geen"} - L.NEGATIONS
        and not (ss & {"minder", "net", "even"})
    )
    if not (neg_words or hate or worthless or silence or restrict or neg_pos):
        return

    def real_neg(k: int, i: int = i) -> bool:
        if toks[k] not in L.NEGATIONS or sent[k] != sent[i]:
            return False
        nxt = toks[k + 1] if k + 1 < n else ""
        nxt2 = toks[k + 2] if k + 2 < n else ""
        if toks[k] in {"niets", "niks"} and (nxt in {"anders", "waard", "dan", "erger", "meer"} or nxt2 in {"waard"}):
            return False  # "niets anders dan afval", "niets waard"
        if toks[k] == "geen" and (nxt in {"kut", "knip", "moer", "cent", "donder", "reet", "zak"} or nxt2 == "waard"):
            return False
        if toks[k] in {"niets", "niks"} and nxt == "aan" and "doen" in toks[k : k + 5]:
            return False  # "ze kunnen er niets aan doen dat ze zulke eikels zijn"
        if toks[k] in {"niets", "niks"} and nxt == "tegen" and "maar" in toks[k:]:
            return False  # "ik heb niets tegen vrouwen, maar ..." introduces the put-down
        return True

    if (neg_words or hate) and not (worthless or silence or restrict or neg_pos):
        # "geen haat in mijn hart voor vrouwen": the negation sits right before the hostile word
        neg_before_hostile = any(
            sent[k] == sent[i]
            and real_neg(k)
            and k + 1 < n
            and (toks[k + 1] in L.HATE_VERBS or toks[k + 1] in L.GENDER_GROUP_NEG)
            for k in range(n)
        )
        frame = (
            "negation"
            if neg_before_hostile or any(real_neg(k) for k in range(max(0, i - 5), min(n, i + 6)))
            else framed(c, i)
        )
    else:
        # the negation is part of the hostile predicate here; only counter-speech / quotes / news frame
        frame = framed(c, i)
        if (
            neg_words
            and (hate or not (worthless or silence or restrict or neg_pos))
            and any(real_neg(k) for k in range(max(0, i - 5), min(n, i + 6)))
            and not neg_pos
        ):
            frame = "negation"
    # negated report: "ik zou nooit zeggen dat vrouwen dom zijn", "niemand mag beweren dat ..."
    for k in range(max(0, i - 6), i):
        if (
            sent[k] == sent[i]
            and toks[k] in L.SPEECH
            and k + 1 < n
            and toks[k + 1] == "dat"
            and any(toks[q] in L.NEGATIONS for q in range(max(0, k - 4), k) if sent[q] == sent[i])
        ):
            frame = frame or "negation"
    c.add(i, i + 1, "gender", "women_group_hate", 0.8, frame)


def short_post(c: Context) -> None:
    """A short post naming women, then threatening "ze / jullie" in a later sentence: threat_women."""
    toks, sent, sent_sets, starts, n = c.toks, c.sent, c.sent_sets, c.starts, c.n
    if c.breaks <= 3 and not any(h.label == "gender" for h in c.hits):
        women_at = [
            k
            for k in range(n)
            if toks[k] in L.GENDER_GROUP and toks[k] not in L.SINGULAR_WOMAN | {"moeder", "moeders", "meid", "meisje"}
        ]
        for h in list(c.hits):
            if h.label != "threat" and h.rule != "death_wish":
                continue
            hs = sent[tok_at(starts, h.start)]
            if (
                sent_sets[hs] & {"ze", "hen", "hun", "jullie", "zij"}
                and not sent_sets[hs] & (L.GROUP_NOUNS | L.ROLE_WORDS)
                and any(sent[k] != hs and not framed(c, k) for k in women_at)
            ):
                c.hits.append(Hit(h.start, h.end, "gender", "threat_women", 0.8))
                break
