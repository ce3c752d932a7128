"""Rules `gender_belongs_elsewhere`, `identity_belongs_elsewhere`, `identity_their_kind` and `identity_dehumanised`
(families gender and identity): someone named by their sex or by who they are, told where they belong, lumped with
their people, or called an animal:

- `gender_belongs_elsewhere`: a woman ("dat wicht", "die vrouwspersoon", or "zij" / "haar" with someone in office in
  the post) sent back to the kitchen ("mot trök nao häör keuke"); women as a group or a woman named with contempt
  ("vrouwleu", "dat wicht") denied a place in politics ("wicht heurt nait in de gemaintepolitiek", "dat wicht het d'r
  niks te zuiken in t gemientehoes");
- `identity_belongs_elsewhere`: a person named by origin, religion, colour, orientation or disability ("dae
  Marokkaan", "zo'n zwarte", "die kreupele in de raad") sent back to "their" origin place or one said with contempt
  ("mot trök nao ziene woostijn", "mot noar zien aigen laand"), told they belong there ("dij hoort thoes in
  Curaçao"), or sent away ("laat 'm ophoepeln"); pointed at ("die Surinaamse wethouder") and sent back to a named
  place with no reason after it ("moet terug naar Suriname.");
- `identity_their_kind`: a person named by who they are, then lumped with their people ("de enige Turkse wethouder
  ... Die mensen frauderen allemaal", "Somalische raadslid Warsame ... Jullie mensen laten ...");
- `identity_dehumanised`: an animal or vermin word (ANIMAL_METAPHORS) after a copula, in a sentence that names the
  person by who they are or their people ("een kakkerlak uit de Rif", "een rat, net als de rest van zijn volk").

Invariants: for the two `belongs_elsewhere` rules the person stands before the predicate, in its sentence or (a post of
three sentences or fewer) anywhere before it, and a frame of the person (news, counter-speech, reference, quote, a
negation right before it), a negation before the predicate, or quotation marks around it suppress the hit;
`identity_their_kind` and `identity_dehumanised` frame the lumping or animal word itself; `abuse.hate_demeans` adds the
abuse of a hit that stands with someone in view, as for the other gender and identity rules. Narrow on purpose: a second
reader's 256 everyday posts (going home, return migration, deportation news, who may sit on the council, chores) were
flagged 67 times by a first version that read "naar huis", "koken", "terug naar <land>", "niet hier geboren" and "niks
te zeggen" alone. The word sets here are closed classes (dialect forms of "must", "belongs", "nothing", "say"), kept
beside the code that reads them; the open lists are data (KITCHEN_PLACES, ORIGIN_PLACES, SINGULAR_WOMAN,
IDENTITY_GROUPS, IDENTITY_ADJECTIVES).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import lexicons as L
from .context import Context
from .frames import framed, in_quote, negated, target_ctx

#: obligations before a place someone is sent to ("moet", Gronings "mot", Limburgs "mót"), and "belongs"; not "gaat"
#: or "terug" alone, which report a return ("keert terug naar Syrië", "gaan terug naar Turkije op vakantie")
_ORDER = frozenset("moet mot moat mut mos moeten motte mutte hoort heurt huurt horen".split())
#: returning: with an obligation before it, a woman "moet terug naar de keuken"
_RETURN = frozenset("terug trok trug trugge weerom werom".split())
#: imperatives of going that open a clause ("ga terug de boom in", "rot op naar je land")
_GO = frozenset("ga goa gaon gao rot oprotten".split())
#: a reason after the place someone goes back to ("terug naar Tanger voor de begrafenis van haar oom"); not "als"
#: ("moet terug naar Suriname als het hem hier niet bevalt") nor "met" ("terug naar Paramaribo met die vent")
REASON_AFTER = frozenset("voor om omdat vanwege zodra na".split())
#: verbs that report a return rather than demand one ("ging terug naar Damascus", "keert terug naar Syrië")
RETURN_VERBS = frozenset("ging gingen gaat gaan keert keren keerde keerden kwam vertrok vertrekt reist".split())
#: possessives before the place someone is sent back to: "terug naar zijn land", "trök nao ziene woostijn"
_THEIR = frozenset("zijn ziene zien zie haar heur haor hun hullie je jouw joew uw eigen eige aigen egen".split())
#: origin places said with contempt, without a possessive ("terug naar de rimboe", "de boom in"): the entries of
#: ORIGIN_PLACES that are no country or city, and "boom"
_CONTEMPT_PLACES = frozenset(
    L.ORIGIN_PLACES & {"rimboe", "jungle", "woestijn", "woostijn", "oerwoud", "hut", "kameel", "bananenboom"}
) | {"boom"}
#: "in" / "thuis in" before an origin place after "hoort": "dij hoort thoes in Curaçao"
_HOME = frozenset("huis hoes thoes thuis thuus huus hus".split())
#: go away: said to someone named by who they are
_AWAY = frozenset("ophoepelen ophoepeln ophoepele oprotten oprotte opzouten opdonderen opsodemieteren".split())
#: "nothing ... to say / to look for": "niks te zeggen", "niks te zuiken"
_NOTHING = frozenset("niks niets nix nieks nks nikske".split())
_SAY = frozenset("zeggen zegge zeggn zoeken zoeke zuiken zuken zoekn zuukn".split())
_BELONG = frozenset("hoort heurt huurt horen heuren hoeart".split())
#: politics, the council, the town hall (dialect forms): where a say or a place is denied
_POLITY = frozenset(
    "politiek raad gemeenteraad college gemeentehuis gemeentehoes gemientehoes gemaintehoes gemeintehoes "
    "gemeentehuus gemientehuus stadhuis raadhuis bestuur provincie staten pluche".split()
)
#: female pronouns (not "ze", which is plural as often): a woman only with someone in office in the post
_SHE = frozenset("zij haar heur haor her she mevrouw".split())
#: words after an identity adjective that show it is used as a noun ("die zwarte in de raad", "zo'n zwarte moet")
_NOMINAL_NEXT = frozenset(
    "in van op uit met die dat moet mot heeft het hoort heurt is zit zat kan ken wil denkt , . ! ?".split()
)
_DETS = frozenset("die dae dij dee dat zo'n zon een ne 'n de den deze".split())
#: demonstratives that make a woman noun contemptuous ("dat wicht", "dat wief", "dat vrouwmensch")
_CONTEMPT_DETS = frozenset("dat dit da".split())
#: group words that are no person ("zwarte piet", "de zwarte lijst")
_NOT_PERSON_AFTER = frozenset("piet pieten lijst markt zwaan".split())
#: one's people, after a possessive: "de rest van zijn volk", "jouw soort" (not "dit soort bestuurders", "ons volk")
_PEOPLE = frozenset("volk soort ras stam".split())
_POSSESSIVE = frozenset("zijn haar hun jouw je uw jullie".split())
_COPULA = frozenset("is bent zijn ben blijft was waren".split())
#: origin places that name somewhere ("een kakkerlak uit de Rif", "uit Marokko"), not "land"
_ORIGIN_NOT_LAND = frozenset(L.ORIGIN_PLACES - {"land", "landje", "laand"})


def _woman_noun(c: Context, k: int) -> bool:
    """Token k names women as a group ("vrouwen", "vrouwleu") or a woman with contempt ("dat wicht", "dat wief")."""
    t = c.toks[k]
    if t in L.GENDER_GROUP and t not in {"moeder", "moeders", "meisje", "meisjes", "meid", "meiden", "vrouw"}:
        return t.endswith(("en", "leu", "luu", "s"))
    return (t in L.SINGULAR_WOMAN or t in {"wief", "wijf"}) and k > 0 and c.toks[k - 1] in _CONTEMPT_DETS


#: first-person possessives: "mijn vrouw", "ons moeder" is the writer's family, not a woman put down ("onze vrouwen"
#: is women as a group)
_MINE = frozenset("mijn mien min ons me".split())


def _woman_ref(c: Context, k: int) -> bool:
    t = c.toks[k]
    if k > 0 and c.toks[k - 1] in _MINE:
        return False
    return _woman_noun(c, k) or t in L.SINGULAR_WOMAN or (t in _SHE and (c.off_hit or bool(c.all_set & L.ROLE_WORDS)))


def _identity_ref(c: Context, k: int) -> bool:
    t, toks = c.toks[k], c.toks
    if t in L.IDENTITY_GROUPS:
        return not (k > 0 and toks[k - 1] in {"tegen", "voor", "over", "met", "als"})  # "haat tegen homo's"
    if t not in L.IDENTITY_ADJECTIVES:
        return False
    nxt = toks[k + 1] if k + 1 < c.n else "."
    if nxt in _NOT_PERSON_AFTER:
        return False
    return (k > 0 and toks[k - 1] in _DETS and nxt in _NOMINAL_NEXT) or nxt in L.ROLE_WORDS


def _first_ref(c: Context, i: int, is_ref: Callable[[Context, int], bool]) -> int | None:
    """The first token before i for which is_ref holds: in i's sentence, or anywhere before it in a short post
    (three sentences or fewer: "Wat mot zo'n zwarte in Hengel? ... laat 'm ophoepeln")."""
    lo = 0 if c.breaks <= 3 else next((k + 1 for k in range(i - 1, -1, -1) if c.sent[k] != c.sent[i]), 0)
    return next((k for k in range(lo, i) if is_ref(c, k)), None)


def _before(c: Context, i: int, words: frozenset[str], window: int = 6) -> bool:
    return any(c.toks[k] in words and c.sent[k] == c.sent[i] for k in range(max(0, i - window), i))


def _polity_after(c: Context, i: int) -> bool:
    """ "in" / "op" with politics, the council or the town hall in the five tokens after token i ("niks te zoeken in t
    gemientehoes", "heurt nait in de gemaintepolitiek"): a place denied, not a say over a decision."""
    for k in range(i + 1, min(c.n, i + 6)):
        if c.sent[k] != c.sent[i]:
            break
        if c.toks[k] in {"in", "op"} and any(w in _POLITY or "politiek" in w for w in c.toks[k + 1 : k + 4]):
            return True
    return False


def _gender_predicate(c: Context, i: int) -> str | None:
    """ "kitchen": a kitchen noun after an obligation and a return or belonging ("mot trök nao häör keuke", "hoort
    achter het aanrecht"), not negated and not a particular kitchen ("de keuken van de kookstudio"); "place": "niks
    te zeggen" / "hoort niet" with politics or the council after it."""
    t, toks = c.toks[i], c.toks
    if t in L.KITCHEN_PLACES:
        particular = toks[i + 1 : i + 2] == ["van"]  # "terug naar de keuken van de kookstudio"
        ordered = _before(c, i, _ORDER | _BELONG) and (_before(c, i, _RETURN) or _before(c, i, _BELONG))
        return "kitchen" if ordered and not particular and not negated(c, i, 6) else None
    if t in _NOTHING and toks[i + 1 : i + 2] == ["te"] and i + 2 < c.n and toks[i + 2] in _SAY:
        return "place" if _polity_after(c, i + 2) else None
    if t in _BELONG and set(toks[i + 1 : i + 3]) & (L.NEGATIONS | {"nait", "neet", "nie", "nich"}):
        return "place" if _polity_after(c, i) else None
    return None


#: determiners that point at one person ("die Surinaamse wethouder", "dae Turk", "zo'n zwarte")
_POINTING = frozenset("die dae dij dee zo'n zon".split())


def _identity_predicate(c: Context, i: int) -> str | None:
    """ "strong": someone sent back to "their" origin place or one said with contempt ("mot trök nao ziene
    woostijn"), told they belong there ("dij hoort thoes in Curaçao"), or sent away ("laat 'm ophoepeln"); "bare":
    sent back to a named origin place with nothing after it ("moet terug naar Suriname.", "..., terug naar Afrika."),
    which a caller accepts only for a person pointed at ("die Surinaamse wethouder"). A return needs an obligation
    or an elliptic command ("..., terug naar Afrika"), not a verb that reports it ("keert terug naar zijn land");
    not negated ("moet niet terug naar Syrië"), not in a question, not with a reason after the place ("voor de
    begrafenis van haar oom")."""
    t, toks = c.toks[i], c.toks
    if negated(c, i, 4) or "?" in c.sent_toks[c.sent[i]]:
        return None
    if t in _AWAY:
        return "strong"
    if t not in L.ORIGIN_PLACES and t not in _CONTEMPT_PLACES:
        return None
    if toks[i - 1 : i] == ["in"] and (toks[i - 2 : i - 1] == ["hoort"] or set(toks[max(0, i - 3) : i - 1]) & _HOME):
        return "strong" if _before(c, i, _BELONG, 4) else None
    if toks[i + 1 : i + 2] and toks[i + 1] in REASON_AFTER or _before(c, i, RETURN_VERBS, 4):
        return None
    first = next(k for k in range(i, -1, -1) if k == 0 or c.sent[k - 1] != c.sent[i] or toks[k - 1] == ",")
    commanded = _before(c, i, _ORDER) or toks[first] in _RETURN | _GO  # "..., terug naar Afrika", "ga terug de boom in"
    if t in _CONTEMPT_PLACES or set(toks[max(0, i - 3) : i]) & _THEIR:
        return "strong" if commanded else None
    nxt = toks[i + 1] if i + 1 < c.n else "."
    ends = not nxt.isalnum() and (i + 1 >= c.n or c.sent[i + 1] != c.sent[i] or nxt in {",", ".", "!"})
    return "bare" if ends and commanded and _before(c, i, _RETURN, 3) else None


def _add(c: Context, ref: int, i: int, label: str, rule: str) -> None:
    """The hit from the person (token ref) to the predicate (token i); a frame of the person (news, counter-speech,
    reference, quote), or quotation marks around the predicate ("mannen die vrouwen 'terug naar het aanrecht'
    sturen"), suppresses it."""
    frame = "negation" if negated(c, ref, 2) else (framed(c, ref) or ("quote" if in_quote(c, i) else None))
    c.add(ref, i + 1, label, rule, 0.85, frame)


def belongs_elsewhere(c: Context, families: frozenset[str]) -> None:
    """Gender `gender_belongs_elsewhere` and identity `identity_belongs_elsewhere` hits, at most one per family; none
    for gender where a gender-role phrase already holds ("vrouwen horen achter het aanrecht")."""
    done: set[str] = {"gender"} if any(h.rule == "gender_role" for h in c.hits + c.suppressed) else set()
    for i in range(1, c.n):
        if "gender" in families and "gender" not in done:
            kind = _gender_predicate(c, i)
            ref = _first_ref(c, i, _woman_ref if kind == "kitchen" else _woman_noun) if kind else None
            if ref is not None:
                _add(c, ref, i, "gender", "gender_belongs_elsewhere")
                done.add("gender")
        kind_ = _identity_predicate(c, i) if "identity" in families and "identity" not in done else None
        if kind_ is not None:
            ref = _first_ref(c, i, _identity_ref)
            if kind_ == "bare" and ref is not None and not (ref > 0 and c.toks[ref - 1] in _POINTING):
                pointed = [k for k in range(ref, i) if _identity_ref(c, k) and k > 0 and c.toks[k - 1] in _POINTING]
                ref = pointed[0] if pointed else None
            if ref is not None:
                _add(c, ref, i, "identity", "identity_belongs_elsewhere")
                done.add("identity")


#: phrases that lump someone with their people ("jullie mensen laten ...", "zulke mensen moet je ...", "die lui komme
#: hier allenig voor de toeslage", "net als de rest", "da zit in hun bloed"); "die mensen" only with a word that
#: generalises in its sentence (_ALWAYS: "die mensen frauderen allemaal")
_KIND = (
    ("zulke", "mensen"),
    ("soort", "mensen"),
    ("die", "lui"),
    ("dee", "lui"),
    ("dei", "lui"),
    ("jullie", "mensen"),
    ("hun", "soort"),
    ("zijn", "soort"),
    ("haar", "soort"),
    ("jouw", "soort"),
    ("hun", "bloed"),
    ("net", "als", "de", "rest"),
    ("die", "mensen"),
)
_ALWAYS = frozenset("allemaal altijd nooit overal gewoon allemoal allemaol".split())
_GROUP_DETS = frozenset("die jullie al".split())


def _lumps(c: Context, k: int) -> bool:
    """Token k starts a `_KIND` phrase (for "die mensen": with an `_ALWAYS` word in its sentence), or a plural group
    noun after "die" / "jullie" / "al" ("die joden hebben de hele gemeente in hun zak")."""
    toks = c.toks
    for phrase in _KIND:
        if tuple(toks[k : k + len(phrase)]) == phrase:
            return phrase != ("die", "mensen") or bool(c.sent_sets[c.sent[k]] & _ALWAYS)
    nxt = toks[k + 1] if k + 1 < c.n else ""
    return toks[k] in _GROUP_DETS and nxt in L.IDENTITY_GROUPS and nxt.endswith(("en", "s"))


def their_kind(c: Context) -> None:
    """`identity_their_kind`: someone named by who they are (`_identity_ref`: "de enige Turkse wethouder", "Somalische
    raadslid Warsame", "die Bulgaar") and then lumped with their people (`_lumps`) later in a short post, or in a
    long post in the same sentence or the next ("Die mensen frauderen allemaal, zij ook"). Not in praise
    (POSITIVE_APPRAISAL without a negation: "die mensen zijn altijd zo gastvrij"), not negated or framed."""
    refs = [k for k in range(c.n) if _identity_ref(c, k)]
    if not refs:
        return
    for k in range(refs[0] + 1, c.n):
        if not _lumps(c, k):
            continue
        if c.breaks > 3 and not any(0 <= c.sent[k] - c.sent[r] <= 1 for r in refs if r < k):
            continue
        ss = c.sent_sets[c.sent[k]]
        if ss & L.POSITIVE_APPRAISAL and not ss & L.NEGATIONS:
            continue
        frame = "negation" if negated(c, k, 3) else framed(c, k)
        c.add(k, min(c.n, k + 2), "identity", "identity_their_kind", 0.85, frame)
        return


def dehumanised(c: Context) -> None:
    """`identity_dehumanised`: an ANIMAL_METAPHORS word after a copula (up to three words between), in a
    sentence that names someone's people after a possessive ("net als de rest van zijn volk") or origin ("een
    kakkerlak uit de Rif"), or that names the one before the copula by who they are ("die Marokkaan in het college is
    een kakkerlak"), with a person in view; not "een luis in de pels"."""
    toks = c.toks
    for i, t in enumerate(toks):
        if t not in L.ANIMAL_METAPHORS:
            continue
        j = i - 1
        while j > 0 and i - j <= 3 and c.sent[j] == c.sent[i] and toks[j] not in _COPULA:
            j -= 1
        if not (j >= 0 and toks[j] in _COPULA and c.sent[j] == c.sent[i]):
            continue
        if toks[i + 1 : i + 2] == ["in"] and "pels" in toks[i + 2 : i + 4]:
            continue  # "een luis in de pels": the opposition's idiom
        if "?" in c.sent_toks[c.sent[i]]:
            continue  # a question, often answered: "Die homo van de tv is een kwal? Nee, een lieve man"
        ss = c.sent_sets[c.sent[i]]
        origin = any(
            toks[k] == "uit" and bool(set(toks[k + 1 : k + 3]) & _ORIGIN_NOT_LAND) for k in range(i, min(c.n, i + 4))
        )
        people = any(toks[k] in _PEOPLE and toks[k - 1] in _POSSESSIVE for k in range(1, c.n) if c.sent[k] == c.sent[i])
        cue = origin or people or any(_identity_ref(c, k) for k in range(j) if c.sent[k] == c.sent[i])
        if not cue or not (target_ctx(c, i) or ss & {"hij", "zij", "die", "ie"}):
            continue
        frame = "negation" if negated(c, i, 3) else framed(c, i, direct=True)
        c.add(i, i + 1, "identity", "identity_dehumanised", 0.85, frame)
        return
