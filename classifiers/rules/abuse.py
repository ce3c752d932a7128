"""Family `abuse`: insults and abusive phrases aimed at a person.

Rules: dehumanised (an ANIMAL_METAPHORS word said of a person: "het college bestaat uit aasgieren"), contempt /
hate_you / you_are_insult (Matcher patterns `abuse_*` in `abuse_patterns.jsonl`; "je bent een
[slur]" with a gendered slur also gives gender gendered_slur), abuse_phrase (PhraseMatcher over ABUSE_PHRASES; the
"we weten je te vinden" kind also gives threat intimidation) and insult (a word of INSULT_WORDS, or a weak insult
after an insult modifier, with a person in view; self-deprecation is not abuse). Every hit honours the frames.
"""

from __future__ import annotations

from .. import lexicons as L
from .context import Context
from .frames import framed, names_role, negated, target_ctx
from .spans import Hit, tok_at


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


#: a copula or "=" after a name predicates the insult of that person ("Verhoeven is ne grote lapzwans")
_PREDICATES = {"is", "=", "blijft", "zijt", "was", "bleek"}
#: a judgement before a name does the same ("ik vind Nijenhuis een arrogante eikel")
_JUDGES = {"vind", "vindt", "noem", "noemt"}
#: capitalised sentence openers that are not names ("Het is een ...", "Dat is ...")
_NOT_NAMES = {"het", "dat", "dit", "er", "wat", "hier", "daar", "zo", "nu", "ook", "dan", "iedereen", "wie", "niemand"}
_PRONOUNS = {"hij", "zij", "ze", "ik", "jij", "je", "wij", "we", "men", "iemand", "onze", "mijn", "ons"}
#: between the copula and the insult: an article, so the insult names what the person is ("is een graaier", not "is
#: voor losers"); "=" needs none ("Kuipers = loser")
_ARTICLES = {"een", "ne", "unne", "'n", "n", "nen", "de", "the", "a", "an", "zo'n", "echte", "grootste", "biggest"}


def _name_at(c: Context, k: int) -> bool:
    """Token k is written with a capital and is no function word (`_NOT_NAMES`): a name. As the sentence's first
    word, where every word has a capital, it must also be no pronoun or frequent word ("Hij", "Onze", "Je")."""
    t = c.toks[k]
    if not (t.isalpha() and c.clean[c.starts[k] : c.starts[k] + 1].isupper()) or t in _NOT_NAMES:
        return False
    first = k == 0 or c.sent[k - 1] != c.sent[k]
    return not first or t not in L.COMMON_TOKENS | L.PERSON_MARKERS | L.SECOND_PERSON | _PRONOUNS


def _named_and_judged(c: Context, i: int) -> bool:
    """The insult at token i is predicated of a name: within the eight words before it, in its sentence and not
    across a conjunction ("maar", "omdat"; a comma only between adjectives or appositions), a name right before a
    copula or "=" ("Kuipers = biggest loser", "Verhoeven is ne grote zak, ne echte lapzwans") or right after a
    judging verb ("ik vind Nijenhuis persoonlijk een arrogante, zelfingenomen eikel")."""
    toks, sent = c.toks, c.sent
    for k in range(i - 1, max(0, i - 8), -1):
        if sent[k - 1] != sent[i] or (toks[k] in L.CLAUSE_BREAK and toks[k] != ","):
            return False
        article = toks[k] == "=" or bool(set(toks[k + 1 : i]) & _ARTICLES)
        if toks[k] in _PREDICATES and _name_at(c, k - 1) and article:
            return True
        if toks[k - 1] in _JUDGES and _name_at(c, k) and article:
            return True
    return False


def _body_named(c: Context, i: int) -> bool:
    """The sentence of token i names a body of people with a determiner, an adjective between allowed ("de raad",
    "het hele college", "de Haarlemse coalitie"): not "goede raad", "ten einde raad", "schepen in de haven"."""
    toks, si_ = c.toks, c.sent[i]
    dets = _DETERMINERS | _BODY_DETERMINERS

    def determined(k: int) -> bool:  # "de raad", "de Haarlemse coalitie", "gene schepen"
        return toks[k - 1] in dets or (k > 1 and _adjective(toks[k - 1]) and toks[k - 2] in dets)

    return any(toks[k] in _BODIES and c.sent[k] == si_ and determined(k) for k in range(1, c.n))


def insult(c: Context, i: int) -> None:
    """An insult word with a person in view (addressee, role word, official, a body of people such as the council in
    its sentence, a determiner, "wat een", or a name it is predicated of)."""
    toks = c.toks
    ss = c.sent_sets[c.sent[i]]
    ctx = (
        target_ctx(c, i)
        or i == 0
        or (i > 0 and (toks[i - 1] in {"vuile", "vieze", "smerige", "die", "deze", "stomme", "domme"}))
        or any(toks[k] == "wat" and toks[k + 1] == "een" for k in range(max(0, i - 4), i - 1))
        or _named_and_judged(c, i)
        or _body_named(c, i)  # "de hele raad bestaat uit idioten en zakkenwassers"
    )
    if not ctx:
        return
    if (ss & L.FIRST_SG) and not (ss & L.SECOND_PERSON) and not c.off_hit and ss & {"ben", "was", "geweest"}:
        return  # self-deprecation: "soms ben ik een klootzak" (not "zijn": "ik hoop dat die hufter zijn nek breekt")
    frame = "negation" if negated(c, i, 3) else framed(c, i, direct=True)
    c.add(i, i + 1, "abuse", "insult", 0.85, frame)


#: a copula between a person and what they are called
_CALLED_BY = {"is", "zijn", "ben", "bent", "zijt", "blijft", "blijven", "was", "waren", "bestaat", "bestaan", "da's"}
#: articles before the animal: "de" is left out ("hij is de mol": a game)
_ANIMAL_ARTICLES = {"een", "ne", "unne", "'n", "n", "nen", "'ne", "e", "ein", "a", "an", "zo'n", "such"}
#: other words that may stand between the copula and the animal ("is gewoon een vuile rat", "bestaat uit aasgieren")
_BEFORE_ANIMAL = {"gewoon", "echt", "allemaal", "net", "als", "uit", "literally", "just", "stuk", "soort", "zo"}
#: subjects that are people as a body ("het college bestaat uit teken")
_BODIES = {"college", "raad", "gemeenteraad", "coalitie", "raadsleden", "bestuur", "schepen", "schepencollege"}
_SUBJECT_PRONOUNS = {"hij", "zij", "jij", "u", "jullie"}
_DETERMINERS = {"de", "het", "die", "dat", "een", "'t"}
#: more determiners before a body of people ("deze coalitie", "onze gemeenteraad", Flemish "gene schepen")
_BODY_DETERMINERS = {"deze", "dit", "onze", "jullie", "hele", "gene", "ne", "nen", "den", "heel"}
#: a word before the subject that makes it a place or a complement ("In Rotterdam zijn ratten ...")
_PREPOSITIONS = {"in", "op", "bij", "aan", "van", "volgens", "na", "uit", "naar", "met", "voor", "door", "om"}


def _in_office(c: Context) -> bool:
    return bool(c.all_set & L.ROLE_WORDS) or c.role_tok or c.off_hit or any(map(names_role, c.all_set))


def _subject(c: Context, j: int) -> str | None:
    """What stands right before the copula at token j: "office" (a role word or a body), "person" (a pronoun or a
    name inside the sentence), or None. Not after a preposition (a place: "In Rotterdam zijn ratten ...")."""
    k = j - 1
    if k < 0 or c.sent[k] != c.sent[j]:
        return None
    t = c.toks[k]
    before = c.toks[max(0, k - 2) : k]
    if before[-1:] and (before[-1] in _PREPOSITIONS or (before[0] in _PREPOSITIONS and before[1] in _DETERMINERS)):
        return None  # "In Rotterdam zijn ratten", "in de tuin van de burgemeester zijn wespen": a place
    if t in L.ROLE_WORDS or t in _BODIES or names_role(t):
        return "office"
    first = k == 0 or c.sent[k - 1] != c.sent[k]
    if t in _SUBJECT_PRONOUNS or (_name_at(c, k) and not first):
        return "person"
    return None


def _adjective(w: str) -> bool:
    return w.isalpha() and len(w) > 3 and w.endswith(("e", "ige"))


def dehumanised(c: Context) -> None:
    """An ANIMAL_METAPHORS word said of a person, an abuse hit on the animal word that honours the frames:
    - after a copula (`_CALLED_BY`, over at most three articles, `_BEFORE_ANIMAL` words or adjectives) whose subject
      stands right before it: a role word or a body ("het college bestaat uit aasgieren", "die wethouder is gewoon
      een rat"), or a pronoun or a name with an article before the animal and someone in office in the post
      ("burgemeester de Wit? Hij is een hyena");
    - "dat zwijn van een wethouder" (the animal, "van een", a role word);
    - "wat een rat is die wethouder" / "die wethouder, wat een slang" ("wat een" before it, a role word in its
      sentence).
    Not when "aan het" or "te" follows ("is een teek aan het verwijderen"), not "een luis in de pels"."""
    toks, n = c.toks, c.n
    for i, t in enumerate(toks):
        if t not in L.ANIMAL_METAPHORS or (toks[i + 1 : i + 2] == ["in"] and "pels" in toks[i + 2 : i + 4]):
            continue  # "een luis in de pels van het college": the opposition's idiom, often praise
        nxt = toks[i + 1 : i + 3]
        if nxt[:1] == ["te"] or nxt == ["aan", "het"]:
            continue
        j, article = i - 1, False
        while j > 0 and i - j <= 3 and c.sent[j] == c.sent[i]:
            w = toks[j]
            if w in _ANIMAL_ARTICLES:
                article = True
            elif w not in _BEFORE_ANIMAL and not _adjective(w):
                break
            j -= 1
        said = False
        if j >= 0 and c.sent[j] == c.sent[i] and toks[j] in _CALLED_BY:
            subject = _subject(c, j)
            said = subject == "office" or (subject == "person" and article and _in_office(c))
        if not said and toks[i + 1 : i + 3] in (["van", "een"], ["van", "'n"], ["van", "ne"]) and i + 3 < n:
            said = toks[i + 3] in L.ROLE_WORDS or names_role(toks[i + 3])
        if not said and i > 1 and toks[i - 2 : i] == ["wat", "een"]:
            said = bool(c.sent_sets[c.sent[i]] & L.ROLE_WORDS) or any(map(names_role, c.sent_sets[c.sent[i]]))
        if said:
            frame = "negation" if negated(c, i, 3) else framed(c, i, direct=True)
            c.add(i, i + 1, "abuse", "dehumanised", 0.85, frame)


def hate_demeans(c: Context) -> None:
    """Hate aimed at someone for their gender or identity demeans them: a gender or identity hit with a person in view
    (`target_ctx`: the addressee, a role word or the official; a statement about a group alone is aimed at no one) is
    an abuse hit too (rule "demeaning", the same span and score), except `_NOT_DEMEANING`. In the five-label training
    replies 99% of the posts labelled gender or identity without a threat are labelled abuse, 90% of those with a
    threat; 98% of the reply posts this rule turns to abuse are labelled abuse. Run after every family, so it sees all
    their hits; suppressed hits stay suppressed. A "demeaning" hit belongs to the family of the hit it follows from
    (switching that family off removes both; switching abuse off keeps it), as the gender and identity families' own
    abuse hits do."""
    aimed = [h for h in c.hits if h.label in {"gender", "identity"} and h.rule not in _NOT_DEMEANING]
    c.hits += [
        Hit(h.start, h.end, "abuse", "demeaning", h.score) for h in aimed if target_ctx(c, tok_at(c.starts, h.start))
    ]


#: gender hits that do not make abuse: a threat's own ("threat_women", "sexual_violence": a threat is abuse only where
#: it also demeans) and a statement about women as a group ("women_group_hate", aimed at no one: 72% of the training
#: replies it fires on are abuse, against 90-100% for each other gender and identity rule)
_NOT_DEMEANING = {"threat_women", "sexual_violence", "women_group_hate"}
