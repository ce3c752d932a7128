"""Family `threat`, third pass: threats read from whole sentences by word sets rather than token patterns.

Getting rid of people ("laten we ons van ze ontdoen"), death as the wished state ("X zouden allemaal dood moeten
zijn"), "je gaat eraan", force with weapons against a group, harm wished on someone, a warning ("als ik jou was ..."),
extermination wording for a person called vermin ("die wethouder is ongedierte. ongedierte moet je verdelgen"),
and the constructions of `aimed_construction` (a fatal accident wished, a murdered politician's fate, a blow to the
head, a ruined life, a reckoning, vigilantism), and a weapon or grave emoji right beside a named or addressed
person ("Hoekstra 🔪🔪🔪", `emoji_beside_person`). One hit per sentence, on its anchor word (CONSTRUCTION_ANCHORS, or
the emoji); a sentence that already holds a threat hit is skipped, so this pass runs after the verb and pattern passes.
"""

from __future__ import annotations

from .. import lexicons as L
from .context import Context
from .frames import framed, inanimate_target, names_role, negated
from .spans import tok_at
from .threat_clauses import CLAUSE_KINDS, clause_promise
from .threats import INTENT_WORDS, names


def constructions(c: Context) -> None:
    """Sentence constructions read from word sets, one hit per sentence on its anchor word; sentences that
    already hold a threat hit are skipped."""
    toks, sent, sent_toks, sent_sets, starts, n = c.toks, c.sent, c.sent_toks, c.sent_sets, c.starts, c.n
    threat_sents = {sent[tok_at(starts, h.start)] for h in c.hits if h.label == "threat"}
    for si_, stoks in sent_toks.items():
        if si_ in threat_sents:
            continue
        ss = sent_sets[si_]
        i0 = sent.index(si_)
        kind = None
        anchor: int | None = None  # the token the hit sits on, where the construction fixes it
        # "laten we ons van X ontdoen", "we zouden ons van ze moeten ontdoen": getting rid of people
        if (
            "ontdoen" in ss
            and "van" in ss
            and ss & L.GROUPISH
            and not ss & L.ROLE_WORDS
            and ss & (INTENT_WORDS | {"we", "wij", "ons"})
        ):
            kind = "threat_riddance"
        # "X zouden allemaal dood (moeten) zijn", "mensen zoals jij zouden beter dood zijn"
        elif (
            "dood" in ss
            and ss & {"zou", "zouden", "moet", "moeten", "horen", "hoort"}
            and (ss & {"allemaal", "beter"} or ("zoals" in ss and ss & {"jij", "jou", "u"}))
            and ss & (L.GROUPISH | L.PERSON_MARKERS)
            and not ss & (L.PAST_NARRATIVE | {"geweest", "zonder", "anders"})
        ):
            kind = "threat_dead_wish"
        # "je gaat eraan", "tot ze er allemaal aan gaan": you / they are going to die
        elif (
            ss & {"ga", "gaat", "gaan"}
            and (
                "eraan" in ss
                or any(toks[k] == "er" and "aan" in toks[k + 1 : k + 4] for k in range(i0, n) if sent[k] == si_)
            )
            and ss & (L.GROUPISH | {"zij", "hij", "u"})
            and any(
                toks[k] in {"eraan", "aan"}
                and (
                    k + 1 == n
                    or sent[k + 1] != si_
                    or not toks[k + 1].isalpha()
                    or toks[k + 1] in {"gaan", "gaat"} | L.ROLE_WORDS
                )
                for k in range(i0, n)
                if sent[k] == si_
            )
        ):
            kind = "threat_die"
        # "tijd om X met geweld uit de stad te verwijderen, met knuppels"
        elif (
            "met" in ss
            and ss & L.WEAPONS_PLURAL
            and ss & (INTENT_WORDS | {"tijd", "gaan", "we", "wij"})
            and ss & (L.GROUPISH | L.PERSON_MARKERS)
            and not ss & L.PAST_NARRATIVE
        ):
            kind = "threat_force"
        # "ik wens je een pijnlijke dood", "hopelijk rijdt er een vrachtwagen over je heen": harm wished on someone
        elif (
            ss & {"wens", "wensen", "hoop", "hopen", "hopelijk"}
            and ss & L.HARM_WISHED
            and (ss & (L.SECOND_PERSON | L.ROLE_WORDS | {"hem", "haar"}) or c.off_hit or c.role_tok)
            and not ss & {"niemand", "niet", "nooit", "beterschap", "sterkte"}
        ):
            kind = "threat_wish"
        # "als ik jou was zou ik de deur op slot doen": a warning that something will happen
        elif any(
            toks[k] == "als" and toks[k + 1 : k + 4] in (["ik", "jou", "was"], ["ik", "u", "was"])
            for k in range(i0, n - 3)
            if sent[k] == si_
        ) and ss & {
            "slot",
            "beveiliging",
            "oppassen",
            "uitkijken",
            "voorzichtig",
            "alleen",
            "opletten",
            "verhuizen",
            "vluchten",
            "donker",
            "vannacht",
            "'s",
        }:
            kind = "threat_warning"
        # "ongedierte moet je verdelgen" after "die wethouder is ongedierte": extermination of a person called vermin
        elif ss & L.EXTERMINATE and vermin_person(c, si_) and not ("uit" in ss and ss & _OFFICE):
            kind = "threat_exterminate"
        # "Hoekstra 🔪🔪🔪", "El Idrissi ➡️ 🪦": a weapon or grave emoji beside a named or addressed person
        elif (anchor := emoji_beside_person(c, si_)) is not None:
            kind = "threat_emoji_weapon"
        # the writer's promise over a whole clause (threat_clauses): harm done, a visit not to talk, a spanning act, ...
        elif (promise := clause_promise(c, si_)) is not None:
            kind, anchor = promise
        elif (
            ss & (L.SECOND_PERSON | L.ROLE_WORDS | L.PERSON_MARKERS) or c.off_hit or c.role_tok
        ) and not ss & L.PAST_NARRATIVE:
            kind = aimed_construction(stoks, ss)
        if kind is None or inanimate_target(c, i0):
            continue
        k = (
            anchor
            if anchor is not None
            else next((k for k in range(i0, n) if sent[k] == si_ and toks[k] in L.CONSTRUCTION_ANCHORS), i0)
        )
        # a visit "niet om te praten" and "niet levend" carry their own negation
        denied = kind not in {"threat_visit_not_to_talk", "threat_not_alive"} and negated(c, k, 6)
        frame = "negation" if denied else framed(c, k, strict=kind in CLAUSE_KINDS)
        if kind == "threat_exterminate" and frame == "prevention":
            frame = None  # "ratten zoals Van Rijswijk moet je bestrijden": the person is what is fought, not a crime
        c.add(k, k + 1, "threat", kind, 0.85, frame)
        if ss & L.GENDER_GROUP:
            c.add(k, k + 1, "gender", "threat_women", 0.85, frame)


_GRAVE = {"🪦", "⚰", "\ufe0f"}
#: words that put a person beside an emoji by themselves: a role word or a second-person pronoun
_ADDRESSED = L.ROLE_WORDS | L.SECOND_PERSON
#: words before a capitalised word that make it a place rather than a person
_PLACE_BEFORE = {"de", "het", "in", "op", "aan", "bij", "naar", "uit", "richting"}


def _emoji_weapon(tok: str) -> bool:
    return any(ch in L.WEAPON_EMOJI for ch in tok)


def emoji_beside_person(c: Context, si_: int) -> int | None:
    """The first WEAPON_EMOJI token of sentence `si_` that stands right beside a person: the word just before it
    (only emoji and punctuation between; or, when the emoji opens the sentence, the word just after it, a name there
    only when no lower-case word follows it: not "🐷🔪 Slachtdag op de boerderij") is a role word, a second-person
    pronoun, an @handle or a capitalised name (not in a sentence written in capitals throughout, not a place after
    "de", "in", "aan", ...). None in a sentence of mourning (MOURNING) or in a text about games and sport
    (PLAY_WORDS); a grave or coffin in a sentence about a thing (INANIMATE: "het plan van wethouder Jansen 🪦")
    counts for nothing."""
    if not any(_emoji_weapon(t) for t in c.sent_toks[si_]):  # most sentences: no index work at all
        return None
    toks = c.toks
    idx = [k for k in range(c.n) if c.sent[k] == si_]
    ss = c.sent_sets[si_]
    emoji = [k for k in idx if _emoji_weapon(toks[k]) and not (ss & L.INANIMATE and set(toks[k]) <= _GRAVE)]
    if not emoji or ss & L.MOURNING or c.all_set & L.PLAY_WORDS:
        return None
    sentence = c.clean[c.starts[idx[0]] : c.ends[idx[-1]]]
    capitals_count = sentence != sentence.upper()

    def person(k: int) -> bool:
        if toks[k] in _ADDRESSED or toks[k].startswith("@"):
            return True
        place = k > 0 and toks[k - 1] in _PLACE_BEFORE  # "aan de Kerkstraat", "in Hoorn"
        return capitals_count and not place and c.clean[c.starts[k] : c.starts[k] + 1].isupper()

    words = [k for k in idx if toks[k].isalpha() or (toks[k].startswith("@") and len(toks[k]) > 1)]
    for e in emoji:
        before = [k for k in words if k < e]
        after = [k for k in words if k > e]
        near = before[-1] if before else (after[0] if after else None)
        if near is None or not person(near):
            continue
        between = range(near + 1, e) if near < e else range(e + 1, near)
        if any(toks[k][:1].isalnum() for k in between):
            continue
        if not before and near + 1 < c.n and c.sent[near + 1] == si_ and toks[near] not in L.ROLE_WORDS:
            follower = toks[near + 1]
            if follower.isalpha() and follower not in L.ROLE_WORDS and not person(near + 1):
                continue
        return e
    return None


#: words before a vermin word that make it said of someone ("is een rat", "die parasiet", "jij kakkerlak")
CALLED = {
    "is",
    "ben",
    "bent",
    "zijn",
    "blijft",
    "een",
    "die",
    "dat",
    "jij",
    "je",
    "jullie",
    "vuile",
    "vieze",
    "smerige",
    "zo'n",
}


#: an office someone is removed from: "ongedierte dat je moet verdelgen uit de raad" wants them out of office
_OFFICE = {"raad", "gemeenteraad", "college", "politiek", "stadhuis", "gemeentehuis", "fractie", "partij", "staten"}
#: words that may stand between CALLED and the vermin word
_CALLED_SKIP = {"gewoon", "echt", "allemaal", "ook", "toch", "gewoonweg", "net", "werkelijk", "niks", "anders", "dan"}


def _person_subject(c: Context, k: int) -> bool:
    """Token k, the subject before a copula, is a person: a role word (also plural), a pronoun or a name."""
    w = c.toks[k]
    capital = (
        k > 0
        and c.sent[k - 1] == c.sent[k]
        and c.clean[c.starts[k] : c.starts[k] + 1].isupper()
        and c.toks[k - 1] not in {"de", "het", "een", "op", "in", "aan", "bij", "van", "uit", "naar"}
    )
    people = {"hij", "zij", "jij", "je", "jullie", "u", "college", "raad", "gemeenteraad", "bestuur"}
    return w in L.ROLE_WORDS or names_role(w) or w in people or (capital and w.isalpha())


def vermin_person(c: Context, si_: int) -> bool:
    """Sentence `si_` or the one before it calls a person vermin: a VERMIN or DEHUMANISING word said of someone
    (after CALLED, or followed by "is" / "van": "ongedierte is het", "dat onkruid van een wethouder"; not "de ratten"),
    or likened to them ("ratten zoals Van Rijswijk", "ongedierte zoals wethouder Boersma": `_likened`)
    in a sentence that names a person (addressee, role word, pronoun, a capitalised name), and the text is not about
    real pests, games or sport (PEST_CONTEXT, PLAY_WORDS: "de ratten in het riool")."""
    toks, vermin = c.toks, L.VERMIN | L.DEHUMANISING
    if c.all_set & (L.PEST_CONTEXT | L.PLAY_WORDS):
        return False
    for s in (si_, si_ - 1):
        ss = c.sent_sets.get(s)
        if ss is None or not ss & vermin:
            continue
        for k in range(c.n):
            if c.sent[k] != s or toks[k] not in vermin:
                continue
            j = k - 1
            while j > 0 and toks[j] in _CALLED_SKIP:
                j -= 1  # "zijn gewoon ongedierte", "is echt een rat"
            if j < k - 1 or toks[j] == "zijn":  # the subject must be a person: not "de ratten zijn gewoon ongedierte"
                if j > 0 and toks[j] in CALLED and _person_subject(c, j - 1):
                    return True
                continue
            called = (
                (k > 0 and toks[k - 1] in CALLED)
                or (k + 1 < c.n and toks[k + 1] in {"is", "van"})
                or (toks[k + 1 : k + 2] == ["zoals"] and _likened(c, k + 2))
            )
            person = ss & (L.SECOND_PERSON | L.ROLE_WORDS | L.PERSON_MARKERS) or names(c, k)
            if called and person:
                return True
    return False


#: what may follow a name after "zoals": a verb or a conjunction ("ratten zoals Boersma moet je ..."), not a noun
#: ("onkruid zoals Japanse duizendknoop")
_AFTER_NAME = frozenset("moet moeten mot motte mut zou zouden is zijn en of die dat".split())


#: lower-case particles inside a name ("Jan de Vries", "Van der Berg")
_NAME_PARTICLES = frozenset("van de der den ten ter te".split())


def _likened(c: Context, k: int) -> bool:
    """Token k (after "zoals") starts a person: the addressee, a role word, or a capitalised name whose last part
    (past lower-case particles: "Jan de Vries") is followed by punctuation or `_AFTER_NAME`."""
    for m in range(k, min(c.n, k + 3)):
        w = c.toks[m]
        if w in L.SECOND_PERSON or w in L.ROLE_WORDS:
            return True
        if w.isalpha() and c.clean[c.starts[m] : c.starts[m] + 1].isupper():
            last = m
            for q in range(m + 1, min(c.n, m + 6)):
                capital = c.clean[c.starts[q] : c.starts[q] + 1].isupper()
                if c.toks[q] in _NAME_PARTICLES or (capital and c.toks[q].isalpha()):
                    last = q if capital else last
                    continue
                break
            nxt = c.toks[last + 1] if last + 1 < c.n else "."
            return not nxt.isalpha() or nxt in _AFTER_NAME
        if w not in {"de", "die", "het", "van", "onze", "jullie", "meneer", "mevrouw"}:
            return False
    return False


#: a warning of something falling, or a work of art: "helm op, anders krijg je een stoeptegel op je hoofd"
_FALLING = {
    "helm",
    "voorzichtig",
    "valt",
    "vallen",
    "bouwplaats",
    "steiger",
    "gevel",
    "kunstwerk",
    "standbeeld",
    "grapje",
}


def aimed_construction(stoks: list[str], ss: set[str]) -> str | None:
    """Threat constructions read from one sentence that mentions a person: a fatal accident wished on them, the
    fate of a murdered politician, a blow to the head promised or deserved, their life to be ruined, a warning to
    hide, incitement to jump to their death, a reckoning, taking the law into one's own hands, their death as
    the solution. Returns the construction's rule name or None."""

    def after(words: set[str], targets: set[str], span: int) -> bool:
        return any(t in words and set(stoks[k + 1 : k + 1 + span]) & targets for k, t in enumerate(stoks))

    if (
        after({"onder"}, L.VEHICLES, 3)
        and ss & L.WISH_MODALS
        and ss & {"komen", "komt", "lopen", "loopt", "liggen", "ligt", "belanden", "belandt"}
    ):
        return "threat_accident_wish"
    if ss & L.MURDERED and ss & L.FATE_WORDS:
        return "threat_fate"
    if (
        ss & L.GET_OR_DESERVE
        and after(L.BLOWS, {"op", "voor", "tegen", "in"}, 1)
        and after({"op", "voor", "tegen", "in"}, L.HEADS, 3)
        and not ss & _FALLING
    ):
        return "threat_blow"
    if after(L.OTHERS_LIFE, {"leven"}, 1) and ss & L.RUINED and ss & (L.INTENT_SUBJECTS | {"ga", "gaan", "zal"}):
        return "threat_ruin_life"
    if ss & L.HIDE and ss & {"beter", "maar", "snel"} and not ss & {"ik", "we", "wij"}:
        return "threat_warning"
    if after({"spring", "springen"}, {"van", "voor", "uit"}, 2) and after({"van", "uit"}, L.JUMP_FROM, 3):
        return "threat_incite_jump"
    if ss & L.RECKON and "met" in ss and ("af" in ss or "afrekenen" in ss) and not ss & L.BALLOT:
        return "threat_reckoning"
    if ("recht" in ss and "eigen" in ss and ss & {"hand", "handen"}) or (
        "zelf" in ss and ss & {"we", "wij", "ik"} and after({"pakken", "pak"}, L.AIMED_OBJECTS, 3)
    ):
        return "threat_vigilante"
    if "dood" in ss and ss & {"opgelost", "oplossing"}:
        return "threat_dead_solution"
    return None
