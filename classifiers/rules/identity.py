"""Family `identity`: identity-based hate aimed at the official, for origin, religion, skin colour, sexual
orientation, gender identity (transphobia) or disability; misogyny stays `gender`.

Written the spaCy way: token patterns in `rules_data/identity_patterns.jsonl` (label = rule name; the engine runs
them in its one Matcher) over word lists (IDENTITY_GROUPS, IDENTITY_SLURS, IDENTITY_ADJECTIVES, DEHUMANISING,
ORIGIN_PLACES, IDENTITY_TERMS), plus one token rule for slurs said on their own ("Geitenneuker", "kutmarokkaan"). Rules:

- identity_slur: a slur, or a profanity compounded with a group word, with a person in view or opening the post; a
  slur that is also an ordinary word (IDENTITY_SLURS_CONTEXT: "pot", "nicht") only said of someone ("is een pot") or
  after an insulting modifier, at the end of its noun phrase;
- identity_slur_modified ("vuile syrier"), identity_adjective_insult ("turkse trut", "syrische parasiet"),
  identity_you_are ("jij bent gewoon een autist"), identity_like_you ("moslims zoals Bouzid"), identity_go_back
  ("ga terug naar je eigen land"), identity_misgender ("je bent en blijft een man"), identity_dehuman ("apen horen
  in Artis"), identity_code ("(((Hirsch)))", "omvolking", "jij en je soort", "mensen van uw kleur"),
  identity_typical ("typisch zo'n marokkaan"), identity_named ("die jood Hirsch"), identity_role_slur ("een lesbo als
  burgemeester"), identity_group_claim ("invaliden horen niet in het college"), identity_symbol ("haal die lap van
  je kop"), identity_slur_split ("geiten neuker");
- identity_not_belong ("je hoort hier niet"), identity_thing ("dat ding"), identity_extermination ("gaskamer") and
  identity_dehuman_place ("hoort in een kooi") and identity_generalise ("zulke mensen horen hier niet", "dit
  ongedierte") only with identity in view (IDENTITY_TERMS, a group word, an
  identity adjective or a slur in the text).

Every hit honours the frames: negation, quotation, news, counter-speech and reference ("discriminatie van moslims is
onacceptabel" or "'ga terug naar je eigen land' kreeg ik vandaag" is not identity hate); the patterns whose words
are neutral in themselves ("[groep] zoals jij") are suppressed as "support" in a sentence of praise without a
negation ("homoseksuelen zoals jij zijn geweldig"). Every hit carries label "identity" (an aimed slur also
"abuse", as a gendered slur does in `gender`); a span covers the matched tokens.
"""

from __future__ import annotations

from functools import lru_cache

from .. import lexicons as L
from .belonging import REASON_AFTER, RETURN_VERBS
from .context import Context
from .frames import framed, looks_person, names_role, negated, target_ctx
from .spans import Hit

#: rules that need identity in view somewhere in the text
NEEDS_IDENTITY_IN_VIEW = {
    "identity_not_belong",
    "identity_thing",
    "identity_extermination",
    "identity_dehuman_place",
    "identity_generalise",
}
#: rules that speak to or about a person directly: only quotes, idioms and speech frames explain them away
DIRECT = {"identity_you_are", "identity_slur_modified", "identity_not_belong", "identity_misgender"}
#: rules whose words are neutral in themselves ("[groep] zoals jij"): praise in the sentence makes them support
PRAISABLE = {"identity_like_you", "identity_group_claim", "identity_generalise", "identity_role_slur"}
SCORES = {"identity_not_belong": 0.7, "identity_thing": 0.7, "identity_code": 0.75}
#: words before a slur that aim it at someone ("die flikker", "vuile makak")
AIMING = L.INSULT_MODIFIERS | {"die", "dat", "deze", "een", "wat", "zo'n", "kut", "kanker", "jij", "jullie", "echte"}
#: nouns that name a person: an identity adjective before one of them is an identity mention ("die zwarte vent")
PERSON_NOUNS = L.PERSON_MARKERS | L.PLAY_PERSONS | L.SINGULAR_WOMAN | L.GENDER_GROUP | L.IDENTITY_GROUPS
#: insults and animal words after an identity adjective: "die joodse rat" names a person as well as "die joodse man";
#: singular (a person), and not the mould, weeds and tumours of VERMIN ("de zwarte ratten bij de containers", "de zwarte
#: schimmel in onze flat")
CALLED = L.INSULT_WORDS | {"rat", "luis", "made", "aap", "varken", "zwijn"}
#: words after "flikker" that make it the verb ("flikker op", "flikker toch op"): abuse, not a slur
VERB_USE = {"op", "toch", "maar", "nou", "het", "dat", "hem", "haar", "ze", "je"}


def _praised(c: Context, i: int) -> bool:
    """The sentence of token i praises or welcomes (POSITIVE_APPRAISAL) and holds no negation."""
    ss = c.sent_sets[c.sent[i]]
    return bool(ss & L.POSITIVE_APPRAISAL) and not ss & L.NEGATIONS


def _identity_in_view(c: Context) -> bool:
    return bool(c.all_set & (L.IDENTITY_TERMS | L.IDENTITY_GROUPS | L.IDENTITY_SLURS | L.IDENTITY_ADJECTIVES)) or any(
        _slur_compound(t) for t in c.toks
    )


#: singular origin and religion nouns whose diminutive belittles the person ("een allochtoontje op de lijst"); not
#: "homo", "dove" or "pool", whose "-tje" forms are other words or endearments
_DIMINUTIVE_OF = frozenset(
    "marokkaan turk allochtoon jood moslim surinamer antilliaan buitenlander hindoestaan somalier afrikaan arabier "
    "syrier afghaan bulgaar roemeen".split()
)


@lru_cache(maxsize=1 << 16)
def _slur_compound(t: str) -> bool:
    """A profanity glued to a group word ("kutmarokkaan", "kankerjoden", starred: "k*tmarokkaan"), a group word glued
    to a put-down ("moslimhoertjes", "homo-wethouder", "pottenvriendin"), or the diminutive of an origin or religion
    noun ("allochtoontje", "Marokkaantje": _DIMINUTIVE_OF). Memoised per token string (the word lists are fixed at
    import)."""
    w = t.replace("-", "")
    if "*" in w:  # a profanity with a starred vowel: "k*tmarokkaan", "k*nkerjoden"
        w = w.replace("k*t", "kut").replace("k*nker", "kanker").replace("kank*r", "kanker")
    if any(w.startswith(p) and w[len(p) :] in L.IDENTITY_GROUPS for p in L.PROFANE_MODS if len(w) > len(p) + 2):
        return True
    if _diminutive(w):
        return True
    return any(
        w.startswith(p) and w[len(p) :] in L.DEROGATORY_HEADS for p in L.IDENTITY_PREFIXES if len(w) > len(p) + 2
    )


@lru_cache(maxsize=1 << 16)
def _diminutive(t: str) -> bool:
    """The diminutive of an origin or religion noun, singular or plural: "allochtoontje", "Marokkaantjes", "joodje",
    "moslimpje" (_DIMINUTIVE_OF)."""
    w = t[:-1] if t.endswith("jes") else t
    return any(w.endswith(suffix) and w[: -len(suffix)] in _DIMINUTIVE_OF for suffix in ("tje", "pje", "je"))


#: words before "een" that make a context slur a predicate ("is een pot", "blijft gewoon een nicht")
PREDICATE = {"is", "ben", "bent", "blijft", "was", "gewoon", "echt", "toch"}


def _context_slur(c: Context, i: int) -> bool:
    """An IDENTITY_SLURS_CONTEXT word used as a slur, with a person in view: said of someone ("is (gewoon) een pot")
    or after an insulting modifier ("vuile pot"), and ending its noun phrase (the text ends, or punctuation, a role
    word or a SLUR_FOLLOW word comes next): not "een pot koffie", "heeft een nicht die", "een pot op tafel"."""
    toks = c.toks
    said_of = i > 1 and toks[i - 1] == "een" and toks[i - 2] in PREDICATE
    insulted = i > 0 and toks[i - 1] in L.INSULT_MODIFIERS | {"kut", "kanker", "stomme", "lelijke"}
    if not ((said_of or insulted) and target_ctx(c, i)):
        return False
    nxt = toks[i + 1] if i + 1 < c.n else ""
    return not nxt[:1].isalnum() or nxt in L.SLUR_FOLLOW or nxt in L.ROLE_WORDS


#: slurs also used as all-purpose insults ("kkr mongool ga weg uit de raad"): aimed only by the usual cues
_GENERIC_USE = {"mongool", "mongolen", "mongooltje", "spast", "spasten", "manwijf", "manwijven", "geesteszieke"}
#: third-person words and council words that put someone in view of an unambiguous slur
_SOMEONE = {"hij", "zij", "ie", "hem", "haar", "raad", "gemeenteraad", "college", "gemeente", "fractie", "partij"}


def _someone_named(c: Context, i: int) -> bool:
    """The sentence of token i speaks of someone: a third-person pronoun, the council or a capitalised name (not
    the sentence's first word). For slurs that are no ordinary word (IDENTITY_SLURS): said in a sentence about
    someone, they are aimed at that person."""
    si_ = c.sent[i]
    if c.sent_sets[si_] & _SOMEONE:
        return True
    return any(
        c.sent[k] == si_
        and c.sent[k - 1] == si_
        and c.toks[k].isalpha()
        and c.clean[c.starts[k] : c.starts[k] + 1].isupper()
        for k in range(max(1, i - 12), min(c.n, i + 12))
    )


def _slurs(c: Context) -> None:
    toks, n = c.toks, c.n
    for i, t in enumerate(toks):
        if t in L.IDENTITY_SLURS_CONTEXT:
            if not _context_slur(c, i):
                continue
        elif t not in L.IDENTITY_SLURS and not _slur_compound(t):
            continue
        if t.startswith("flikker") and i + 1 < n and toks[i + 1] in VERB_USE:
            continue
        aimed = (
            target_ctx(c, i)
            or i == 0
            or (i > 0 and toks[i - 1] in AIMING)
            or (i > 1 and toks[i - 2] in AIMING and toks[i - 1].endswith("e") and toks[i - 1].isalpha())
        )  # "die flikker", "zo'n spastische mongool": an aiming word, at most one adjective between
        if not aimed and t not in L.IDENTITY_SLURS_CONTEXT | _GENERIC_USE and t.isalpha():
            aimed = _someone_named(c, i)  # "een Chinees in de gemeenteraad, spleetoog die ..."
        if not aimed:
            continue
        frame = "negation" if negated(c, i, 3) else framed(c, i, direct=True)
        if frame is None and _diminutive(t) and _praised(c, i):
            frame = "support"  # a diminutive in praise: "mijn buurjongen is een lief Marokkaantje"
        c.add(i, i + 1, "identity", "identity_slur", 0.85, frame)
        c.add(i, i + 1, "abuse", "identity_slur", 0.85, frame)  # a slur said of a person insults them too


#: first words of a sentence that rebut the question before it ("Migranten horen niet hier? Onzin, ...")
_REBUTTALS = {
    "onzin",
    "nee",
    "welnee",
    "flauwekul",
    "larie",
    "quatsch",
    "integendeel",
    "kom",
    "schandalig",
    "belachelijk",
    "triest",
    "schande",
    "bizar",
    "absurd",
}


def _a_return(c: Context, s: int, e: int) -> bool:
    """An identity_go_back match over s..e-1 that reports or explains a return instead of demanding one: a reason
    follows the place, a return verb (`belonging.RETURN_VERBS`) comes up to three tokens before it, it is asked and
    rebutted ("moet terug naar Afghanistan?
    Schandalig"), or English "go back to work / school"."""
    toks = c.toks
    nxt = toks[e] if e < c.n else ""
    if nxt in REASON_AFTER or (nxt == "to" and toks[e + 1 : e + 2] in (["work"], ["school"], ["bed"])):
        return True
    if toks[s : s + 2] == ["go", "back"] and toks[e : e + 2] == ["home", "after"]:
        return True
    if any(
        toks[k] in RETURN_VERBS
        and k > 0
        and c.sent[k - 1] == c.sent[s]  # not a plural imperative: "Gaan dat rot land uit"
        for k in range(max(0, s - 3), s)
        if c.sent[k] == c.sent[s]
    ):
        return True
    return _rebutted(c, s)


def _rebutted(c: Context, s: int) -> bool:
    """The sentence of token s is a question and the next sentence opens with a rebuttal."""
    si_ = c.sent[s]
    asked = any(c.sent[k] == si_ and c.toks[k] == "?" for k in range(s, c.n))
    nxt = next((k for k in range(s, c.n) if c.sent[k] == si_ + 1), None)
    return asked and nxt is not None and c.toks[nxt] in _REBUTTALS


#: what no one should have to endure ("hoort niet hier in de regen te wachten"); not "te beslissen", "te wonen"
_ENDURE = {"wachten", "staan", "zitten", "lijden", "slapen", "zwerven", "bedelen", "sjouwen", "kruipen", "liggen"}


def _have_to(c: Context, e: int) -> bool:
    """An `_ENDURE` infinitive after "te" follows the claim in its sentence: "een invalide hoort niet hier buiten in de
    regen te wachten" says what should not happen to them, not that they do not belong."""
    return any(
        c.toks[k] == "te" and c.toks[k + 1] in _ENDURE and c.sent[k] == c.sent[e - 1]
        for k in range(e, min(c.n - 1, e + 10))
    )


def find(c: Context, matches: list[tuple[str, int, int]]) -> None:
    """Identity hits from the Matcher's `identity_*` matches (label, start, end) and the slur token rule."""
    in_view: bool | None = None
    for name, s, e in matches:
        if name in NEEDS_IDENTITY_IN_VIEW:
            in_view = _identity_in_view(c) if in_view is None else in_view
            if not in_view:
                continue
        if name == "identity_go_back" and _a_return(c, s, e):
            continue  # "ging terug naar Paramaribo", "moet terug naar Tanger voor de begrafenis", "go back to work"
        if name == "identity_group_claim" and (
            (s > 0 and c.toks[s - 1] in {"tegen", "over", "voor", "met"}) or _rebutted(c, s) or _have_to(c, e)
        ):
            continue  # "haat tegen homo's hoort niet", "Migranten horen niet hier? Onzin", "hoort niet ... te wachten"
        if name == "identity_named" and (
            not c.clean[c.starts[e - 1] : c.starts[e - 1] + 1].isupper() or c.toks[s + 1] in {"zwarte", "zwart"}
        ):
            continue  # "die jood Hirsch": a name (capitalised) follows; "die zwarte Volvo" names a colour
        frame = "negation" if negated(c, s, 3) else framed(c, s, direct=name in DIRECT)
        if frame is None and name in PRAISABLE and _praised(c, s):
            frame = "support"  # "homoseksuelen zoals jij zijn geweldig", "ik zal moslims zoals jij omhelzen"
        c.add(s, e, "identity", name, SCORES.get(name, 0.85), frame)
    _slurs(c)


def mentions(c: Context) -> list[Hit]:
    """identity_mention: each word of IDENTITY_MENTIONS outside a frame (news, quote, counter-speech, idiom; neither a
    negation, "ik heb niks tegen moslims, maar ...", nor a verb of saying frames it); an adjective that is no group
    noun ("joodse", "zwarte") only before a person noun ("die zwarte wethouder", not "de joodse begraafplaats" or
    "zwarte lijst"); not the all-purpose insults of _GENERIC_USE ("kkr mongool ga weg"). No hit: see
    RuleResult.mentions."""
    out = []
    for i, t in enumerate(c.toks):
        if t not in L.IDENTITY_MENTIONS or t in _GENERIC_USE or framed(c, i, strict=True) is not None:
            continue  # an all-purpose insult ("kkr mongool") names no one's disability
        if t in L.IDENTITY_ADJECTIVES and t not in L.IDENTITY_GROUPS and not _before_a_person(c, i):
            continue
        out.append(Hit(c.starts[i], c.ends[i], "identity", "identity_mention", 0.0))
    return out


def _before_a_person(c: Context, i: int) -> bool:
    """One of the next two words of token i's sentence names a person: a role word ("wethouder", "raadsleden"), a
    person or group noun ("vrouw", "vent", "moslim"), a word with a person suffix ("bestuurder"), or an insult or
    animal word that calls someone that (CALLED: "die joodse rat", "die zwarte klootzak")."""
    for k in range(i + 1, min(c.n, i + 3)):
        if c.sent[k] != c.sent[i]:
            break
        w = c.toks[k]
        if w in PERSON_NOUNS or names_role(w) or looks_person(w) or w in CALLED:
            return True
    return False
