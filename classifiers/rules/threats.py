"""Family `threat`: explicit threats of violence against a person.

Three passes, in this order: a strong violence verb with intent in its sentence ("ik vermoord je"), the Matcher
patterns of `threat_patterns.jsonl` checked against their sentence (`on_match`), and sentence constructions read
from word sets (riddance, death as the wished state, a fatal accident wished on someone, a reckoning:
`threat_constructions.py`, which skips sentences that already hold a threat). Rules: violence_verb, threat_* (one
per pattern label and construction), death_wish (abuse: "X verdienen te sterven"); a threat aimed at women also
gives gender sexual_violence / threat_women. Every hit honours the frames (negation, quote, news, counter-speech,
reference).
"""

from __future__ import annotations

from .. import lexicons as L
from .context import SENT_END, Context
from .frames import framed, inanimate_target, looks_person, names_role, negated

#: "overleven": a threat only when negated ("dat ga je niet overleven")
SURVIVE = {"overleef", "overleven", "overleeft"}
#: Veiled constructions that threaten only someone named, addressed or in office: "mag blij zijn dat ik nog niet ben
#: langsgekomen", "er komt een dag dat hij betaalt", "ik kom met een jerrycan benzine naar ..."
AIMED_ONLY = {"threat_not_yet", "threat_day_comes", "threat_fuel"}
#: "mag blij zijn dat ik nog niet ..." threatens with a visit or harm held back, or with a bare "nog niet." at the end
#: of its sentence; not "mag blij zijn dat we nog geen motie hebben ingediend"
HELD_BACK = L.STRONG_VIOLENCE | {
    "langsgekomen",
    "langsgeweest",
    "langskomen",
    "langs",
    "bezoek",
    "bezoekje",
    "opgezocht",
    "opgewacht",
    "wapen",
    "mes",
    "pistool",
    "geweer",
    "woont",
    "woon",
    "stoep",
    "voordeur",
    "deur",
    # "... dat het nog bij woorden blijft": what is held back is more than words
    "woorden",
    "tweets",
    "berichtjes",
    "berichten",
    "appjes",
    "mailtjes",
    "posts",
    "praten",
    "dreigen",
    "schelden",
}
INTENT_WORDS = (
    L.INTENT_SUBJECTS
    | L.INTENT_MODALS
    | L.SECOND_PERSON
    | {
        "verdient",
        "verdienen",
        "oplossing",
        "graag",
        "hopelijk",
        "moeten",
        "zouden",
        "hoort",
        "horen",
        "lets",
        "laten",
        "mag",
        "mogen",
        "tijd",
    }
)


def violence_verbs(c: Context) -> None:
    """A single strong violence verb ("vermoorden", "neerschieten") with intent, a modal or an addressee."""
    toks, sent, sent_toks, sent_sets, n = c.toks, c.sent, c.sent_toks, c.sent_sets, c.n
    for i, t in enumerate(toks):
        if t in L.STRONG_VIOLENCE and t not in L.PERSON_ONLY:
            ss = sent_sets[sent[i]]
            lead = [w for w in sent_toks[sent[i]] if w not in L.ADVERBS and w not in {"@", ",", "-"}]
            imperative = (
                bool(lead)
                and lead[0] == t
                and i + 1 < n
                and toks[i + 1] in {"alle", "elke", "iedere", "ze", "hem", "haar", "die", "deze", "jullie"}
            )
            if not (ss & INTENT_WORDS) and not imperative:
                continue
            # "weet" is intent in "ik weet waar je woont", not a plan that overrides a past story ("kreeg ooit een
            # envelop met een kogel erin, ik weet wat dat doet")
            if ss & L.PAST_NARRATIVE and not (ss & (L.INTENT_MODALS - {"weet"} | {"wou", "zou", "zouden", "hoop"})):
                continue
            # "ik vermoord die burgemeester": a present-tense verb right after "ik / we" announces the act
            present_1st = (
                i > 0 and toks[i - 1] in {"ik", "we", "wij"} and not t.endswith(("de", "den", "te"))
            ) or imperative
            # subordinate order: "als ik ze (allemaal) neerschiet", "zodra we je vinden en neersteken"
            for back in (2, 3):
                if (
                    i >= back
                    and toks[i - back] in {"ik", "we", "wij"}
                    and not t.endswith(("de", "den", "te"))
                    and all(
                        w in {"je", "jou", "ze", "hem", "haar", "jullie", "u", "allemaal", "gewoon", "eens"}
                        for w in toks[i - back + 1 : i]
                    )
                ):
                    present_1st = True
            if (
                ss & L.FIRST_SG
                and not (ss & (L.INTENT_MODALS | L.SECOND_PERSON | {"zal", "ga", "wil"}))
                and not present_1st
            ):
                continue
            if inanimate_target(c, i):
                continue  # "die printer neerschieten", "die motie afschieten"
            frame = "negation" if negated(c, i, 6) else framed(c, i, direct=bool(ss & {"je", "jij", "jou", "u"}))
            score = 0.9 if ss & (L.SECOND_PERSON | L.INTENT_SUBJECTS) else 0.8
            c.add(i, i + 1, "threat", "violence_verb", score, frame)
            other_group = (
                bool(ss & (L.GROUP_NOUNS - L.GENDER_GROUP - {"mensen", "kinderen"}))
                or bool(ss & L.GROUP_MEMBERS)
                or any(
                    toks[k] == "zoals"
                    and k > 0
                    and sent[k] == sent[i]
                    and toks[k - 1].isalpha()
                    and toks[k - 1]
                    not in L.GENDER_GROUP
                    | {"iemand", "mensen", "types", "figuren", "persoon", "personen", "jij", "jou", "u"}
                    for k in range(n)
                )
            )
            if t.startswith(("verkracht",)) and (
                ss & (L.GENDER_GROUP | {"haar", "zij"})
                or ss & L.ALL_GENDER_SLURS
                or c.off_hit
                or (ss & L.SECOND_PERSON and not other_group)
            ):
                # sexual violence is gender-targeted when aimed at women / the addressed official; a rape
                # threat against another group is a threat, not gender-targeted (data README mapping)
                c.add(i, i + 1, "gender", "sexual_violence", 0.9, frame)
            if ss & L.GENDER_GROUP:
                c.add(i, i + 1, "gender", "threat_women", 0.85, frame)


def _capitalised(c: Context, k: int) -> bool:
    """Token k is a word written with a capital inside its sentence (not its first word): a name, "Martina"."""
    return (
        c.toks[k].isalpha()
        and c.clean[c.starts[k] : c.starts[k] + 1].isupper()
        and k > 0
        and c.sent[k - 1] == c.sent[k]
    )


def _seen_person(c: Context, k: int) -> bool:
    """Token k (the object before "zien") is a person: a pronoun, a role word or a name (`_capitalised`, with no
    article before it: not "het Stadhuis")."""
    w = c.toks[k]
    named = _capitalised(c, k) and c.toks[k - 1] not in {"de", "het", "een", "die", "dat", "deze"}
    return w in L.PERSON_MARKERS or w in L.ROLE_WORDS or named


#: English threat patterns of threat_patterns.jsonl (Dutch-English mixing): a first-person promise of violence ("I'm
#: gonna beat the shit out of him", "imma break his jaw"), a person put in hospital or the grave by the writer ("I'm
#: putting him in the hospital") and direct ones ("you're dead", "watch your back", "we're coming for you", "catch
#: these hands"). Harm foretold to someone ("you're gonna get hurt") is left out: it is as often a warning or sport.
ENGLISH = {"threat_english", "threat_english_direct", "threat_english_put"}
#: the body part broken, inside a "break your legs" promise
_BODY_PARTS = {"leg", "legs", "arm", "arms", "jaw", "nose", "neck", "face", "skull", "head", "teeth", "ribs", "fingers"}
_BODY_PARTS |= {"kneecaps", "knees", "bones", "spine", "back"}
#: "I'm putting him in the hospital": a progressive is a plan, like an intent word; "I put him in ..." is a story
_PROGRESSIVE = {"putting", "puttin"}
#: "shoot you a DM", "hit him up": a message follows the object, not harm
_MESSAGE_AFTER = {"a", "an", "message", "dm", "email", "mail", "text", "line", "pic", "photo", "link"}
#: "beat" harms as a beating ("beat him up / until he ... / to death / senseless"), not "beat you in the election"
_BEATING = {"up", "until", "till", "to", "senseless", "black", "bloody", "unconscious", "half"}
#: verbs that harm a person only: with "them" they could be about things ("I'll burn them", "hang them up")
_PERSON_VERBS = {"kill", "murder", "stab", "shoot", "hurt", "punch", "strangle", "choke", "slap", "smack", "lynch"}
#: the object of a promise: a person pronoun, or (after "the", "that", "this") a role or person word
_ENGLISH_OBJECTS = {"you", "u", "ya", "him", "her", "them", "y'all", "yall", "y’all"}
_ENGLISH_PERSONS = {"mayor", "alderman", "councillor", "councilor", "guy", "dude", "clown", "woman", "man", "bitch"}
#: "you're dead wrong", "dead tired": "dead" as an intensifier
_DEAD_INTENSIFIED = {"wrong", "tired", "serious", "right", "set", "last", "end", "on", "center", "centre", "heat"}


def english_threat(c: Context, name: str, s_: int, e_: int) -> bool:
    """An ENGLISH pattern over tokens s_..e_-1 is a threat: no English negation inside it; a promise needs an intent
    word (ENGLISH_INTENT: gonna, will, should, I'll, ...) between its subject and its verb, a person as the object
    (a pronoun, a name, "the mayor") with no message after it ("shoot you a DM"); "beat" needs a beating after it."""
    toks, sent, n = c.toks, c.sent, c.n
    span = toks[s_:e_]
    if any(t in L.ENGLISH_NEGATIONS for t in span):
        return False
    if name == "threat_english_direct":
        return not (span[-1] == "dead" and e_ < n and toks[e_] in _DEAD_INTENSIFIED)
    if name == "threat_english_put":
        verb = next(k for k in range(s_, e_) if toks[k] == "put" or toks[k] in _PROGRESSIVE)
        planned = toks[verb] in _PROGRESSIVE or any(t in L.ENGLISH_INTENT for t in span)
        who = _english_object(c, verb + 1, s_)
        return planned and who >= 0 and _english_person(c, who, bare=who == verb + 1)
    if not any(t in L.ENGLISH_INTENT for t in span):
        return False
    if span[-1] == "up" or span[-1] in _BODY_PARTS:  # "beat him up", "break his jaw": the object is inside
        return True
    k = _english_object(c, e_, s_)
    if k < 0 or k + 1 < n and toks[k + 1] in _MESSAGE_AFTER:
        return False
    obj, after = toks[k], toks[k + 1] if k + 1 < n and sent[k + 1] == sent[s_] else ""
    if not _english_person(c, k, bare=k == e_):
        return False
    if span[-1] == "of":  # "beat the (living) shit out of him"
        return True
    if span[-1] == "beat" and after not in _BEATING:
        return False
    return obj != "them" or span[-1] in _PERSON_VERBS


def _english_object(c: Context, k: int, s_: int) -> int:
    """The object that starts at token k, after "the", "that" or "this" if one stands there; -1 when it is not in the
    sentence of token s_."""
    obj = k + 1 if k + 1 < c.n and c.toks[k] in {"the", "that", "this", "da"} else k
    return obj if obj < c.n and c.sent[obj] == c.sent[s_] else -1


def _english_person(c: Context, k: int, bare: bool) -> bool:
    """Token k is a person: a role or person word, a name, or (`bare`: with no article before it) an English object
    pronoun."""
    w = c.toks[k]
    return (w in _ENGLISH_OBJECTS and bare) or w in _ENGLISH_PERSONS | L.ROLE_WORDS or (_capitalised(c, k) and w != "i")


#: the person thrown: object pronouns (with dialect and English forms), anywhere between the verb and the place
_THROWN = {"hem", "'m", "m", "em", "him", "her", "jou", "dich", "hom", "hum", "them"}
#: pronouns that are the object only right before the place ("gooi haar in de gracht", not "haar fiets in de ...")
_THROWN_NEXT = {"haar", "u", "heur"}
_PLACE_PREPS = {"in", "van", "off", "into", "from", "uit", "over"}
#: words between the person thrown and the place: "die Koole eens van de brug", "hem gewoon in de gracht"
_THROWN_SKIP = {"eens", "gewoon", "maar", "even", "effe", "zelf", "persoonlijk", "ook", "nog", "lekker", "just"}
#: "met een steen aan z'n benen": a weight tied to the person, between the person and the place
_WEIGHTED = {"voeten", "voet", "benen", "been", "poten", "enkels", "enkel", "nek", "lijf", "feet", "legs", "neck"}
#: person nouns of the street: "gooi die vent in de gracht"
_PERSON_NOUNS = {"vent", "gast", "kerel", "gozer", "figuur", "griet", "man", "vrouw", "mens"}
#: "die gast moet je ...", "die moeten we ...": a subject after its modal, between the object and the place
_INVERTED_SUBJECTS = {"je", "jullie", "ze", "we", "wij", "ik", "men"}
_V2_MODALS = {"moet", "moeten", "mag", "mogen", "kan", "kunnen", "zou", "zouden", "ga", "gaan", "zal", "zullen"}


def _thrown_at(c: Context, k: int) -> bool:
    """Token k names a person who can be thrown: an object pronoun (_THROWN), a role, person, group or insult word
    ("die gedeputeerde", "die vent", "die klootzak", "that guy"; no suffix guess: "scooters" and "containers" are
    things) or a name; not a possessor ("het plan van de wethouder")."""
    w = c.toks[k]
    if w in _THROWN:
        return True
    person = (
        w in L.ROLE_WORDS
        or w in L.INSULT_WORDS
        or w in _ENGLISH_PERSONS
        or w in _PERSON_NOUNS
        or w in L.GROUP_MEMBERS
        or w in L.IDENTITY_GROUPS
        or (_capitalised(c, k) and w != "i")
    )
    j = k - 1 if k > 0 and c.toks[k - 1] in {"de", "het", "een", "the"} else k
    possessor = j > 0 and c.toks[j - 1] == "van" and c.clean[c.starts[j - 1]] == "v" and c.sent[j - 1] == c.sent[k]
    return person and not possessor


def _head_before(c: Context, prep: int, lo: int) -> int:
    """The word the place's preposition follows, walking back from it to token `lo` over `_THROWN_SKIP` words, a
    subject after its modal ("die gast moet je in de gracht gooien") and a weight tied to the person ("met een steen
    aan z'n benen"); -1 when the walk leaves the sentence or passes `lo`."""
    toks, sent = c.toks, c.sent
    k = prep - 1
    while k >= lo and sent[k] == sent[prep]:
        if toks[k] in _THROWN_SKIP:
            k -= 1
        elif toks[k] in _INVERTED_SUBJECTS and k > 0 and toks[k - 1] in _V2_MODALS:
            k -= 2  # the object stands before the modal
        elif toks[k] in _WEIGHTED and "met" in toks[max(0, k - 7) : k]:
            k = max(m for m in range(max(0, k - 7), k) if toks[m] == "met") - 1
        else:
            break
    return k if k >= lo and sent[k] == sent[prep] else -1


def thrown_person(c: Context, s_: int, e_: int) -> bool:
    """A threat_thrown match (a throwing verb and a place of water or height, THROW_VERBS / THROW_PLACES, in one
    sentence) throws a person, and its sentence carries intent (INTENT_WORDS, an English intent word) or opens with
    the verb's bare stem (an imperative: "gooi", not "gooit"). The person is the word right before the place's
    preposition (`_head_before`; after the verb where the verb comes first): a `_thrown_at` word, or haar / u. So
    "smijt ik 'm zelf van de pier", "die Koole moet je van de brug gooien" and "gooien we die gedeputeerde in de
    Schelde" throw someone, and "gooi je afval niet in de gracht", "de wethouder wil het baggerslib in de haven
    dumpen", "gooit de burgemeester een krans in zee" and "het plan van de wethouder in de gracht gooien" do not."""
    toks, sent = c.toks, c.sent
    if sent[e_ - 1] != sent[s_]:
        return False
    prep = next(k for k in range(s_, e_) if toks[k] in _PLACE_PREPS)
    verb_first = toks[s_] in L.THROW_VERBS
    head = _head_before(c, prep, s_ + 1 if verb_first else 0)
    if head < 0 or not (_thrown_at(c, head) or toks[head] in _THROWN_NEXT):
        return False
    opens = s_ == 0 or sent[s_ - 1] != sent[s_]
    stem = verb_first and opens and (not toks[s_].endswith(("t", "en")) or toks[s_] == "smijt")
    return stem or bool(c.sent_sets[sent[s_]] & (INTENT_WORDS | L.ENGLISH_INTENT))


#: "te grazen nemen" is a beating only wished on someone by someone ("ik hoop dat iemand hem eens flink te grazen
#: neemt"); otherwise it is being cheated ("ze nemen je te grazen bij dat loket") or beaten at sport
_BEATING_WISHED = {"iemand", "hoop", "hopelijk", "wou", "wens"}
#: Papiamentu / Sranan "I will kill you" ends the clause: what may follow "mi o kiri yu" / "mi ta bai mata bo"
_CREOLE_END = {"als", "if", "ora", "si", "ik", "mi", "wallah", "swear", "echt", "dan", "anders", "of"}
#: words that are never the object of "ophangen": subject pronouns and fillers ("hangen we gewoon op straat")
_SUBJECT_ONLY = {"we", "wij", "ik", "jij", "hij", "zij", "er", "daar", "nog", "gewoon", "maar", "wat", "dan", "weer"}


#: words that may follow a separable verb's particle, its clause ending there ("hang ik je op als ...")
_AFTER_A_PARTICLE = frozenset({"als", "wanneer", "zodra", "en", "hoor", "dan"})


def _phrase_follows(c: Context, s_: int, e_: int, also: frozenset[str] = frozenset()) -> bool:
    """A word of the match's sentence follows its last token ("om", "op") and is none of `_AFTER_A_PARTICLE` or
    `also`: that token begins a phrase ("om 8 uur", "op straat"), it is no particle."""
    return e_ < c.n and c.sent[e_] == c.sent[s_] and c.toks[e_].isalnum() and c.toks[e_] not in _AFTER_A_PARTICLE | also


#: what may follow "schiet ik eerst": the clause ends, "en", or the person shot
_AFTER_SHOOTING = {"en", "hem", "haar", "jou", "die", "hun", "'m"}
#: things that go into the water ("gooi je hengel de sloot in", "duw je kano het water in")
_WATER_THINGS = {"boot", "kano", "bal", "hengel", "net", "fiets", "roeiboot", "bloemen", "slippers", "reddingsboei"}
#: a second verb in the gap: someone else goes into the water ("spring het water in", "als je het water in valt")
_OTHER_VERBS = {"spring", "springen", "valt", "vallen", "toe", "uit"}


def _thrown_in_person(c: Context, s_: int, e_: int) -> bool:
    """A threat_thrown_in match throws a person: someone in office or addressed in the post, "je" only as an object
    (followed by de / het / maar / gewoon / zelf, not "je hengel"), no thing for the water in the sentence and no
    second verb in the gap."""
    toks = c.toks
    if not (c.all_set & (L.ROLE_WORDS | L.SECOND_PERSON) or c.role_tok or c.off_hit):
        return False
    obj = s_ + 2 if toks[s_ + 1] in {"ik", "we", "wij", "'k"} else s_ + 1
    if toks[obj] == "je" and toks[obj + 1] not in {"de", "het", "maar", "gewoon", "zelf"}:
        return False
    return not (c.sent_sets[c.sent[s_]] & _WATER_THINGS or set(toks[s_:e_]) & _OTHER_VERBS)


def _thing_named_after(c: Context, s_: int, e_: int) -> bool:
    """After the match a comma and a noun phrase name what "hem" was, and it is no person ("..., die oude matras")."""
    toks, n = c.toks, c.n
    k = next((j for j in range(e_, min(n, e_ + 6)) if toks[j] == "," and c.sent[j] == c.sent[s_]), None)
    if k is None or k + 2 >= n or toks[k + 1] not in {"die", "dat", "de", "het", "deze"}:
        return False
    words = []
    for j in range(k + 2, min(n, k + 6)):
        if not toks[j][:1].isalpha():
            break
        words.append(toks[j])
    head = words[-1] if words else ""  # the noun ends the phrase: "die oude matras", "die vuile klootzak"
    return (
        head not in L.ROLE_WORDS
        and head not in L.PERSON_MARKERS
        and not names_role(head)
        and head not in L.INSULT_WORDS
    )


def names(c: Context, i: int) -> bool:
    """The sentence of token i names someone (a `_capitalised` word)."""
    return any(c.sent[k] == c.sent[i] and _capitalised(c, k) for k in range(c.n))


def on_match(c: Context, name: str, s_: int, e_: int) -> None:
    """A threat_* Matcher pattern over tokens s_..e_-1, kept when its sentence carries the intent it needs."""
    toks, sent, sent_toks, sent_sets, n = c.toks, c.sent, c.sent_toks, c.sent_sets, c.n
    ss = sent_sets[sent[s_]]
    if inanimate_target(c, s_):
        return  # "dit beleid moet dood", "die motie afschieten": aimed at a thing
    if name in ENGLISH and not english_threat(c, name, s_, e_):
        return
    if name == "threat_thrown" and not thrown_person(c, s_, e_):
        return
    if name == "threat_thrown_in" and not _thrown_in_person(c, s_, e_):
        return
    if name == "threat_shoot_first" and e_ < n and toks[e_][:1].isalpha() and toks[e_] not in _AFTER_SHOOTING:
        return  # "schiet ik eerst een foto", "schiet ik eerst even langs de bakker": not the end of the clause
    if name == "threat_in_the_line" and ss & {"jacht", "jagen", "jaag", "schietvereniging"}:
        return
    if name in {"threat_thrown", "threat_run_over", "threat_thrown_in"} and _thing_named_after(c, s_, e_):
        return  # "gooi hem maar van de trap, die oude matras", "knal hem maar omver, die kegel"
    if name == "threat_run_over" and not (
        set(toks[s_ + 1 : s_ + 3]) & {"je", "jou", "u", "jullie", "dich"}
        or c.all_set & L.ROLE_WORDS
        or c.role_tok
        or c.off_hit
    ):
        return  # "dat paaltje bij de Coop, ik rijd hem nog eens omver": a thing unless a person is in view
    if name == "threat_creole" and e_ < n and sent[e_] == sent[s_] and toks[e_].isalpha():
        if toks[e_] not in _CREOLE_END:
            return  # "mi lo mata bo den e wega" (in a game), "mata bo sed" (your thirst): the verb takes more
    if (
        name in {"threat_v2_sep", "threat_sep_kill"}
        and toks[e_ - 1] in {"om", "op"}
        and e_ < n
        and sent[e_] == sent[s_]
        and _phrase_follows(c, s_, e_)
    ):
        return  # "ik breng je om 8 uur", "dan hang ik je op de hoogte": not the particle
    if name == "threat_np":
        span = toks[s_:e_]
        person_np = any(
            w in L.GENDER_GROUP
            or w in L.ROLE_WORDS
            or w in L.GROUP_NOUNS
            or w in {"alle", "elke", "iedere", "jullie", "iedereen"}
            or looks_person(w)
            for w in span
        )
        if not person_np or not (ss & INTENT_WORDS or toks[s_] in L.VIOLENCE_STEMS):
            return
    if name == "threat_np_imp" and not any(
        w in L.GENDER_GROUP or w in L.ROLE_WORDS or w in L.GROUP_NOUNS or looks_person(w) for w in toks[s_ + 2 : e_ - 1]
    ):
        return
    if name == "threat_get_you" and not (
        e_ == n
        or sent[e_] != sent[s_]
        or toks[e_] in SENT_END
        or toks[e_] in {",", "!!", "!!!", "...", "hoor", "klootzak"}
    ):
        return  # only sentence-final: "we krijgen je nog wel." vs "ik pak je bericht op"
    if (
        name == "threat_ensure"
        and toks[e_ - 1] not in {"overleeft", "overleven"}
        and any(toks[k] in L.NEGATIONS for k in range(s_, e_))
    ):
        return  # "ik zorg dat je niet doodgaat"
    if (
        name == "threat_body"
        and toks[s_] in {"breken", "slaan", "trappen", "rammen", "snijden", "hakken", "draaien", "rukken", "schoppen"}
        and not (ss & INTENT_WORDS)
    ):
        return
    direct = name in {"threat_dead", "threat_days", "threat_come", "threat_pay", "threat_bullet"} or bool(
        ss & {"je", "jij", "jou", "u", "jullie"}
    )
    if name in {"threat_person_verb", "threat_in_elkaar", "threat_separable"}:
        if toks[s_] in {"die", "dat", "deze"} and name != "threat_separable":
            if not (ss & INTENT_WORDS):
                return
        imperative = name == "threat_separable" and (
            s_ == 0 or toks[s_ - 1] in {":", ",", ";", "-", "en"} or sent[s_ - 1] != sent[s_]
        )
        if not (ss & INTENT_WORDS) and toks[s_] not in {"je", "jou", "jij", "u"} and not imperative:
            return
        if name == "threat_separable" and toks[e_ - 1] == "om" and toks[s_] != "draai":
            return
        if (
            name == "threat_person_verb"
            and toks[e_ - 1] in {"pijn", "kapot", "lijden"}
            and toks[s_] in {"die", "dat", "deze", "ze", "zij", "hun", "jouw", "uw"}
        ):
            return
        if name == "threat_person_verb" and toks[e_ - 1] == "kapot" and s_ > 0 and toks[s_ - 1] in L.KAPOT_IDIOM_VERBS:
            return  # "schaam je kapot", "lach je kapot": an idiom, not harm
        if name == "threat_person_verb" and toks[e_ - 1] == "grazen":
            if not ss & _BEATING_WISHED or (e_ < n and toks[e_] == "genomen"):
                return  # "ze nemen je te grazen bij dat loket", "heeft iemand te grazen genomen in het debat"
    if name == "threat_end_life":
        phrase = toks[s_:e_]
        if phrase[0] in {"geen", "niet"}:
            if not (
                {"verdienen", "verdient", "verdien", "moeten", "moet", "laten", "mogen", "mag"} & set(phrase)
                or ss & {"verdienen", "verdient"}
            ):
                return
        if not (ss & INTENT_WORDS):
            return
    if name == "threat_te_infinitive" and not (ss & INTENT_WORDS):
        return
    if name == "threat_fire" and not (ss & (INTENT_WORDS | {"huis", "auto", "kantoor"})):
        return
    if name == "threat_not_yet" and not (ss & HELD_BACK or e_ == n or toks[e_] in SENT_END):
        return
    if name == "threat_fuel" and ss & {"tankstation", "pomp", "tanken", "aggregaat", "maaier", "grasmaaier", "boot"}:
        return  # "ik rij met de jerrycan naar het tankstation": fuel for a machine
    if name == "threat_day_comes" and ss & {"kan", "kunnen", "kunt", "budget", "begroting", "belasting", "euro"}:
        return  # "er komt een dag dat de gemeente dat niet meer kan betalen": money, not a reckoning
    neg = negated(c, s_, 4) and not (name == "threat_end_life" and toks[s_] in {"geen", "niet"})
    if name == "threat_veiled":  # these constructions contain their own "niet" / "nergens"
        neg = any(toks[k] in L.NEGATIONS for k in range(max(0, s_ - 4), s_) if sent[k] == sent[s_])
        if toks[s_] in SURVIVE:  # "je gaat het niet overleven" threatens; "hij overleeft het debat wel" does not
            near = [k for k in range(max(0, s_ - 4), min(n, e_ + 3)) if sent[k] == sent[s_] and k != s_]
            if not any(toks[k] in {"niet", "nooit"} for k in near):  # not "geen wethouder overleeft dat"
                return
            neg = False
    frame = (
        "negation"
        if neg
        else framed(
            c,
            s_,
            direct=direct,
            strict=name
            in {"threat_dead", "threat_days", "threat_come", "threat_separable", "threat_person_verb", *AIMED_ONLY},
        )
    )
    if name == "threat_must_die" and "tegen" in toks[s_:e_] and toks[e_ - 1] != "muur":
        return
    if name == "threat_head_off" and not (ss & INTENT_WORDS):
        return
    if name in {"threat_weapon", "threat_veiled", *AIMED_ONLY}:
        if not (
            c.all_set & (L.SECOND_PERSON | L.ROLE_WORDS)
            or c.off_hit
            or c.role_tok
            or (name == "threat_weapon" and ss & {"ik", "we", "wij"} and c.all_set & L.PUBLIC_PLACES)
            or (
                name == "threat_weapon"
                and ss & {"ik", "we", "wij", "iemand"}
                and ss & L.INTENT_MODALS
                and ss
                & {
                    "bewerken",
                    "bewerk",
                    "aanvallen",
                    "steken",
                    "snijden",
                    "slaan",
                    "doden",
                    "afmaken",
                    "lijf",
                    "opwachten",
                    "neersteken",
                    "vermoorden",
                    "pakken",
                    "raken",
                }
            )
        ):
            return
        if name == "threat_weapon" and not (
            ss & (L.SECOND_PERSON | {"ik", "we", "wij", "iemand"})
            and ss & (INTENT_WORDS | {"krijg", "krijgt", "wacht"})
        ):
            return
    if name == "threat_beating":  # "hij moet een pak slaag krijgen", "ik rij je omver": intent and a person
        if not (
            ss & (INTENT_WORDS | {"krijgen", "krijgt", "geven", "geef", "verdient", "verdienen"})
            and (
                c.all_set & (L.SECOND_PERSON | L.ROLE_WORDS | L.PERSON_MARKERS)
                or c.off_hit
                or c.role_tok
                or names(c, s_)
            )
            and not ss & (L.PAST_NARRATIVE | {"vroeger", "kreeg", "kregen", "gaf", "gaven"})
        ):
            return
        if toks[s_] == "zien" and not (s_ > 0 and _seen_person(c, s_ - 1)):
            return  # "ik wil hem / Martina / de wethouder zien branden", not "de vlaggen zien hangen"
    if name == "threat_bomb2" and not (ss & (INTENT_WORDS | {"hoop", "hopelijk"})):
        return
    if name == "threat_fire2" and not (ss & INTENT_WORDS):
        return
    if name == "threat_wild_sep":
        first = toks[s_]
        subject_only = set(toks[s_ + 1 : e_ - 1]) <= _SUBJECT_ONLY
        if toks[e_ - 1] == "op" and subject_only and _phrase_follows(c, s_, e_, frozenset({"let", "of"})):
            return  # "nu hangen we op straat": "op" begins a place, no one is hung ("die wethouder hangen we op" is)
        if first in {
            "dood",
            "met",
            "verdienen",
            "verdient",
            "verdiend",
            "beter",
            "mooier",
            "fijner",
            "levend",
        }:
            pass
        elif sent_toks[sent[s_]][0] == first and first in {
            "hang",
            "knoop",
            "schiet",
            "steek",
            "sla",
            "maak",
            "knal",
            "trap",
        }:
            pass  # imperative: "Hang ze allemaal op"
        elif not (
            ss & (L.INTENT_SUBJECTS | L.INTENT_MODALS | {"verdienen", "verdient", "juist", "goed", "moeten", "moet"})
        ):
            return
        if ss & L.PAST_NARRATIVE and not (ss & (L.INTENT_MODALS | {"wou", "zou", "zouden", "hoop"})):
            return
    score = {
        "threat_pay": 0.6,
        "threat_fire": 0.85,
        "threat_weapon": 0.75,
        "threat_veiled": 0.7,
        "threat_get_you": 0.7,
        "threat_not_yet": 0.7,
        "threat_day_comes": 0.7,
        "threat_fuel": 0.85,
        "threat_english_direct": 0.85,
    }.get(name, 0.9)
    if (
        name == "threat_end_life"
        and (set(toks[s_:e_]) | ss) & {"verdienen", "verdient", "verdien"}
        and not (set(toks[s_:e_]) & {"beeindigen", "einde", "handen", "hand"})
    ):
        # "X verdienen te sterven / verdienen het niet te leven": a death wish -> abuse, not a threat
        c.add(s_, e_, "abuse", "death_wish", 0.8, frame)
        if ss & L.GENDER_GROUP:
            c.add(s_, e_, "gender", "death_wish_women", 0.8, frame)
        return
    c.add(s_, e_, "threat", name.replace("threat_", "threat_"), score, frame)
    if ss & L.GENDER_GROUP and name != "threat_pay":
        c.add(s_, e_, "gender", "threat_women", 0.85, frame)
