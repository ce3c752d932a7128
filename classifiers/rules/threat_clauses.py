"""Family `threat`: promises read over a whole clause, where words of any kind stand between their parts.

The token patterns of threat_patterns.jsonl allow a few adverbs between a person and the act; these three read a
sentence whose parts are far apart ("ik ga jou, met al mijn vrienden erbij en mijn broer ook, morgen helemaal kapot
maken"):

- `harm_done`: the writer will do someone harm: "dat ik hem bij de volgende vergadering fysiek iets zal aandoen";
- `visit_not_to_talk`: a visit whose benign purpose is denied: "ge krijgt bezoek van ons, en nie om te kaarten";
- `spanning_promise`: the writer's "ik ga / we zullen" with a person right after it, and the act at the end of the
  clause: "ik ga jou ... kapot maken", "zal ik hem ... in elkaar slaan";
- `not_alive`: someone will not leave alive: "zorgen wij dat hij het terrein niet levend afkomt";
- `armed_visit`: the writer at someone's door, or dealing with them, with a weapon: "dan sta ik bij hem op de stoep
  met een knuppel", "dan krijgt die burgemeester van mij dezelfde behandeling, maar dan met mijn vuisten";
- `will_pay`: "dan gaat hij ervan lusten" (he will pay for it), said of a person and not of an election.

Each returns the token the hit sits on, or None. Invariant: all parts stand in one sentence (`Context.sent`), the
writer is the subject (a first-person word), and a person is the object; the caller (`threat_constructions`) applies
the negation, quote, news and play frames, so these read only the construction.
"""

from __future__ import annotations

from .. import lexicons as L
from .context import Context

#: the writer as subject, Dutch and dialect ("'k", Limburgs "ich", Frisian "ik" / "wy")
_WRITER = {"ik", "'k", "we", "wij", "ich", "iech", "wy", "wiej", "wullie"}
#: a person as object: pronouns, dialect forms and a contracted "'m"
_OBJECTS = {
    "hem",
    "haar",
    "jou",
    "je",
    "u",
    "jullie",
    "hun",
    "'m",
    "m",
    "d'r",
    "dich",
    "uch",
    "hom",
    "heur",
    "ou",
    "oe",
}
#: the writer's own body: "ik doe mezelf iets aan" is a cry for help, not a threat
_SELF = {"me", "mij", "mezelf", "mijzelf", "mn", "zelfmoord", "zichzelf"}
#: a future or an intent in the writer's clause
_FUTURE = {"ga", "gaan", "zal", "zullen", "wil", "willen", "kom", "komen"}


def _sentence(c: Context, si_: int) -> range:
    i0 = c.sent.index(si_)
    i1 = i0
    while i1 < c.n and c.sent[i1] == si_:
        i1 += 1
    return range(i0, i1)


def _named(c: Context, k: int) -> bool:
    """Token k is a name written with a capital inside its sentence, not after an article ("het Stadhuis")."""
    w = c.toks[k]
    return (
        w.isalpha()
        and k > 0
        and c.sent[k - 1] == c.sent[k]
        and c.clean[c.starts[k] : c.starts[k] + 1].isupper()
        and c.toks[k - 1] not in {"de", "het", "een", "die", "dat", "deze", "in", "op", "aan", "naar"}
    )


#: words that may follow the end of a promise in its clause ("..., hoor", "... 😉")
_TAIL = {"hoor", "he", "hè", "eh", "zeg", "ofzo", "echt", "als", "as", "wanneer", "zodra", "dan", "want", "waar"}


def _clause_ends(c: Context, k: int, stop: int) -> bool:
    """Token k (the first after a phrase) ends its clause: the sentence ends, or punctuation (not ":"), an emoji or
    a `_TAIL` word stands there."""
    t = c.toks[k] if k < stop else ""
    return k >= stop or (not t[:1].isalnum() and t[:1] not in {":", "-", "("}) or t in _TAIL


def _person(c: Context, k: int) -> bool:
    """Token k is a person: an object pronoun, a role word, a name, or "die / de" before a role word."""
    toks = c.toks
    return (
        toks[k] in _OBJECTS
        or toks[k] in L.ROLE_WORDS
        or _named(c, k)
        or (toks[k] in {"de", "die", "deze", "dien", "dat"} and k + 1 < c.n and toks[k + 1] in L.ROLE_WORDS)
    )


def harm_done(c: Context, si_: int) -> int | None:
    """'iets aandoen' (or 'aan te doen'; "wat aandoen" beside a future) at the end of its clause, with the writer
    as subject and a person between the subject and "iets": "ik zal hem iets aandoen", "zal ik wethouder Timmermans
    eigenhandig iets aandoen". Not "er iets aan doen" (do something about it: two words, "er" before), not "mezelf
    iets aandoen", not "iets aandoet" (someone else doing it, often the writer's worry: "als iemand haar iets
    aandoet"), not clothes or a gift described after it ("iets aandoen dat warm is", "iets aandoen: bloemen")."""
    toks = c.toks
    span = _sentence(c, si_)
    ss = c.sent_sets[si_]
    if not ss & _WRITER or ss & _SELF:
        return None
    for k in span:
        if toks[k] != "iets" and not (toks[k] == "wat" and ss & _FUTURE):
            continue  # "wat aandoen" only as a promise: "wij zullen de burgemeester wat aandoen"
        rest = [toks[j] for j in range(k + 1, min(k + 4, span.stop))]
        if rest[:1] == ["aandoen"]:
            end = k + 2
        elif rest[:2] in (["zal", "aandoen"], ["ga", "aandoen"]):
            end = k + 3
        elif rest == ["aan", "te", "doen"]:
            end = k + 4
        else:
            continue
        if toks[k - 1] in {"er", "daar", "hier", "niet", "nooit"} or not _clause_ends(c, end, span.stop):
            continue  # "er iets aan doen"; "iets aandoen dat warm is", "iets aandoen: een bos bloemen" (clothes, gifts)
        subject = next((j for j in range(span.start, k) if toks[j] in _WRITER), None)
        if subject is not None and any(_person(c, j) for j in range(subject + 1, k)):
            return k
    return None


#: what a visit is said not to be for ("niet om te praten", "nie om te kaarten", "neet um te kalle", "not to talk")
_BENIGN = {
    "praten",
    "praoten",
    "proaten",
    "kalle",
    "kallen",
    "kletsen",
    "kaarten",
    "kaarte",
    "babbelen",
    "buurten",
    "koffie",
    "kaffie",
    "thee",
    "gezelligheid",
    "polonaise",
    "talk",
    "chat",
    "praatje",
    "gesprek",
    "gesprekje",
    "discussieren",
    "overleggen",
}
_NOT = {"niet", "nie", "neet", "nich", "nit", "not", "gein", "geen"}
#: a visit: coming, standing at the door, a call on someone
_VISIT = {
    "bezoek",
    "bezoekje",
    "bezeuk",
    "bezuikje",
    "langs",
    "komen",
    "kom",
    "komme",
    "kommen",
    "kump",
    "staan",
    "staon",
    "sjtaon",
    "stean",
    "deur",
    "visit",
    "opzoeken",
    "opwachten",
}


def visit_not_to_talk(c: Context, si_: int) -> int | None:
    """A visit (this sentence or the one before) whose benign purpose the sentence denies: "we komen zaterdag
    langs en we komen niet om te praten", "ge krijgt bezoek, en nie om te kaarten". Not when the sentence goes on
    to name the real purpose ("niet om te praten maar om te demonstreren": a protest; "niet voor koffie, we moeten
    naar Schiphol"), and only with someone in view (an addressee, a role word, a name)."""
    toks = c.toks
    span = _sentence(c, si_)
    visit = c.sent_sets[si_] & _VISIT or c.sent_sets.get(si_ - 1, set()) & _VISIT
    if not visit or not _someone_in_view(c) or "?" in c.sent_toks[si_]:
        return None  # "komen jullie niet voor de gezelligheid?": a question
    for k in span:
        if toks[k] not in _NOT:
            continue
        after = [toks[j] for j in range(k + 1, min(k + 5, span.stop))]
        if after[:1] not in (["om"], ["um"], ["for"], ["voor"], ["to"]) or not set(after[1:]) & _BENIGN:
            continue
        last = max(j for j in range(k + 1, min(k + 5, span.stop)) if toks[j] in _BENIGN)
        rest = [toks[j] for j in range(last + 1, span.stop) if toks[j][:1].isalnum()]
        if not set(rest) <= _AFTER_BENIGN:
            return None  # "niet om te praten maar om te demonstreren", "niet voor koffie, we moeten naar Schiphol"
        if si_ + 1 in c.sent_sets and c.sent_toks[si_ + 1][:1] in (["ik"], ["we"], ["wij"], ["hij"], ["ze"]):
            return None  # "Hij komt niet om te praten. Hij komt de cv maken": the purpose follows
        return k
    return None


#: words that may follow the denied purpose in its sentence ("niet om koffie te drinken hoor")
_AFTER_BENIGN = {
    "te",
    "drinken",
    "drinke",
    "doen",
    "voeren",
    "hoor",
    "he",
    "hè",
    "eh",
    "zeg",
    "ofzo",
    "hoe",
    "dan",
    "meer",
}
#: second-person words of the dialects ("we komme bie dich langs"), beside SECOND_PERSON
_DIALECT_YOU = {"dich", "dij", "oe", "ou", "dy", "joe", "uch", "gae", "gij", "ge"}


def _someone_in_view(c: Context) -> bool:
    """The post addresses or names someone: a second-person word, a role word, the official, a capitalised name."""
    if c.all_set & (L.SECOND_PERSON | L.ROLE_WORDS | _DIALECT_YOU) or c.role_tok or c.off_hit:
        return True
    return any(_named(c, k) for k in range(1, c.n))


#: the act at the end of a writer's promise that is violent by itself ("vermoorden", "in elkaar slaan")
_ACTS = {
    "kapotslaan",
    "kapottrappen",
    "vermoorden",
    "doodmaken",
    "doodslaan",
    "doodschieten",
    "neerschieten",
    "neersteken",
}
#: acts that are also games, chores or idioms ("ik ga je kapot maken met klaverjassen", "haar jurk afmaken"): only
#: with someone in office in view and no contest in the sentence
_WEAK_ACTS = {"kapotmaken", "afmaken"}
_KAPOT_VERBS = {"slaan", "trappen", "schoppen", "meppen", "rammen"}
_ELKAAR_VERBS = {"slaan", "trappen", "schoppen", "meppen", "rammen", "timmeren", "beuken"}
#: particles that are violent only with a verb of violence after them ("omver rijden", "verrot slaan", "lens
#: trappen"; not "verrot verwennen", "overhoop halen", "omver blazen met mijn appeltaart")
_PARTICLE_VERBS = {
    "omver": {"rijden", "rammen", "beuken", "knallen", "slaan", "schieten", "trappen", "maaien"},
    "overhoop": {"schieten", "steken", "knallen"},
    "verrot": {"slaan", "trappen", "schoppen", "meppen", "rammen"},
    "lens": {"slaan", "trappen", "schoppen", "meppen", "rammen"},
}
#: words that end the writer's promise before its act: a new clause or another action ("ik ga hem vragen of ...")
_PROMISE_STOP = {
    "of",
    "want",
    "maar",
    "dan",
    "omdat",
    "zodat",
    "dat",
    "om",
    "helpen",
    "vragen",
    "vertellen",
    "laten",
    "sturen",
    "zeggen",
    "ophalen",
    "brengen",
}
#: words that may follow a possessive-looking object ("ik ga haar, ...", "ik ga je morgen ..."); any other word after
#: "haar", "je", "u" makes it a possessive ("haar jurk", "je fiets")
_AFTER_OBJECT = {
    "eens",
    "even",
    "effe",
    "echt",
    "gewoon",
    "helemaal",
    "persoonlijk",
    "zelf",
    "morgen",
    "vanavond",
    "vannacht",
    "straks",
    "zo",
    "nog",
    "wel",
    "ook",
    "keihard",
    "met",
    "na",
    "bij",
    "op",
    "in",
    "als",
    "zaterdag",
    "zondag",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "eigenhandig",
    "hoor",
    "nou",
}
_POSSESSIVE_LIKE = {"haar", "je", "u", "jullie", "hun"}
#: a contest rather than a fight ("ik ga hem kapot maken in het debat", "zondag gaan we Ajax afmaken in de Kuip")
_CONTEST = {
    "debat",
    "debatten",
    "argumenten",
    "discussie",
    "stemming",
    "motie",
    "rechtszaak",
    "rechter",
    "advocaat",
    "kuip",
    "wedstrijd",
    "derby",
    "finale",
    "competitie",
    "stadion",
    "toernooi",
    "ajax",
    "psv",
    "feyenoord",
    "geding",
    "schaken",
    "dammen",
    "quiz",
    "pubquiz",
    "padel",
    "darts",
    "tennis",
    "tafeltennis",
    "monopoly",
    "sjoelen",
    "scrabble",
    "wordfeud",
    "klaverjassen",
    "bingo",
    "boules",
    "vissen",
    "voetbal",
    "potje",
    "vragen",
}


def _act(toks: list[str], k: int, stop: int, weak: bool) -> bool:
    """Token k is the act of a promise; `weak`: the ambiguous acts count too ("kapot maken", "afmaken")."""
    t = toks[k]
    nxt = toks[k + 1] if k + 1 < stop else ""
    return (
        t in _ACTS
        or (t == "kapot" and (nxt in _KAPOT_VERBS or (weak and nxt == "maken")))
        or (weak and t in _WEAK_ACTS)
        or nxt in _PARTICLE_VERBS.get(t, ())
        or (t in {"elkaar", "mekaar"} and k > 0 and toks[k - 1] == "in" and nxt in _ELKAAR_VERBS)
    )


def spanning_promise(c: Context, si_: int) -> int | None:
    """The writer's future ("ik ga", "we zullen", "zal ik") with a person right after it, and the act later in the
    same clause, whatever stands between (at most 30 tokens, up to a `_PROMISE_STOP` word). Not in a contest
    (`_CONTEST`, BALLOT, PLAY_WORDS); the acts that are also games or chores only with someone in office in view."""
    toks = c.toks
    span = _sentence(c, si_)
    ss = c.sent_sets[si_]
    if ss & (_CONTEST | L.BALLOT | L.PLAY_WORDS) or not ss & _WRITER:
        return None
    in_office = bool(c.all_set & L.ROLE_WORDS or c.role_tok or c.off_hit)
    for k in span:
        weak = in_office
        if toks[k] not in _FUTURE or k + 2 >= span.stop:
            continue
        before = toks[k - 1] if k > span.start else ""
        after = toks[k + 1]
        if before in _WRITER and _person(c, k + 1):
            obj = k + 1
        elif after in _WRITER and _person(c, k + 2):
            obj = k + 2
        else:
            continue
        weak = weak or toks[obj] in {"jou", "u", "dich"}  # "ik ga jou ... kapot maken": said to the person
        nxt = toks[obj + 1] if obj + 1 < span.stop else ""
        if toks[obj] in _POSSESSIVE_LIKE and nxt[:1].isalpha() and nxt not in _AFTER_OBJECT:
            continue  # "ik ga haar jurk afmaken", "ik ga je fiets morgen afmaken": a possessive, not a person
        for j in range(obj + 1, min(obj + 31, span.stop)):
            if toks[j] in _PROMISE_STOP:
                break
            if _act(toks, j, span.stop, weak):
                return j
    return None


#: where "niet levend" leads: away, home, out ("komt hier niet levend weg", "het terrein niet levend afkomt")
_ALIVE_WAY = {"af", "afkomt", "afkomen", "weg", "wegkomt", "wegkomen", "uit", "thuis", "vandaan", "buiten", "terug"}
_NOT_ALIVE = {"niet", "nie", "nait", "neet", "nich", "nooit", "not"}
#: a death that happened, or a survival that is only a manner of speaking ("financieel", "er ... uit")
_NOT_A_FATE = {"kwam", "kwamen", "was", "waren", "werd", "werden", "is", "overleed", "gevonden", "financieel", "er"}
#: a person as subject of a threatened fate: not the generic "je" ("zonder water kom je niet levend terug")
_SUBJECTS = {"hij", "ie", "zij", "jij", "u", "hai", "hie"}


def not_alive(c: Context, si_: int) -> int | None:
    """'niet levend' followed (within three words) by a way out, with a person as subject in the five words before it
    (`_SUBJECTS` or a role word; not a generic "je", an animal or a business), and no past tense or manner of speaking
    in the sentence: "zorgen wij dat hij het terrein niet levend afkomt", "die wethouder komt hier niet levend weg"."""
    toks = c.toks
    span = _sentence(c, si_)
    if "levend" not in c.sent_sets[si_] or c.sent_sets[si_] & _NOT_A_FATE:
        return None
    for k in span:
        if toks[k] == "levend" and k > span.start and toks[k - 1] in _NOT_ALIVE:
            before = range(max(span.start, k - 6), k - 1)
            who = any(toks[j] in _SUBJECTS or toks[j] in L.ROLE_WORDS for j in before)
            if who and set(toks[k + 1 : min(k + 4, span.stop)]) & _ALIVE_WAY:
                return k
    return None


#: weapons a writer brings ("met een knuppel", "met mijn vuisten"); not tools that build ("hamer")
_WEAPONS = {
    "knuppel",
    "knuppels",
    "honkbalknuppel",
    "honkbalknuppels",
    "bijl",
    "mes",
    "messen",
    "geweer",
    "jachtgeweer",
    "pistool",
    "vuisten",
    "vuist",
    "fakkels",
    "hooivorken",
    "koevoet",
    "boksbeugel",
    "machete",
}
#: the writer at someone's door or coming to them
_AT_DOOR = {"stoep", "deur", "voordeur", "staan", "sta", "kom", "komen", "wachten", "wacht", "opwachten"}
#: a kitchen, a feast, a museum, a knock, a table thumped, a story told: no visit with a weapon
_UNARMED = {
    "tafel",
    "taart",
    "snijden",
    "aansnijden",
    "kookworkshop",
    "snijplank",
    "vork",
    "groente",
    "groenten",
    "optocht",
    "lichtjes",
    "serenade",
    "feest",
    "boerendag",
    "museum",
    "vitrine",
    "zei",
    "ring",
    "kloppen",
    "bonzen",
    "kerstboom",
    "sleutel",
}


def armed_visit(c: Context, si_: int) -> int | None:
    """'met een / mijn / onze' and a weapon (`_WEAPONS`) in a sentence of the writer (a first-person word) that
    names a person (`_person`) and a visit (`_AT_DOOR`: "op de stoep", "kom") or a dealing ("van mij"). Not in play
    or hunting, not beside a kitchen, a feast, a museum or a knock (`_UNARMED`), not without a person ("ik ga met
    mijn geweer op jacht")."""
    toks = c.toks
    span = _sentence(c, si_)
    ss = c.sent_sets[si_]
    van_mij = any(toks[k] == "van" and toks[k + 1] == "mij" for k in range(span.start, span.stop - 1))
    if not ss & (_WRITER | {"mij", "mijn"}) or not (ss & _AT_DOOR or van_mij):
        return None
    if ss & (L.PLAY_WORDS | _UNARMED | {"jacht", "jagen", "schietvereniging"}) or not any(_person(c, k) for k in span):
        return None
    for k in span:
        if toks[k] == "met" and k + 2 < span.stop and toks[k + 1] in {"een", "mijn", "onze", "ons"}:
            if toks[k + 2] in _WEAPONS:
                return k + 2
    return None


#: the future of "ervan lusten"
_WILL = {"gaat", "gaan", "zal", "zullen", "ga", "gaot"}
#: tasting, and punishments that are no violence: a tax office, a court, an election, a traffic jam
_NOT_PUNISHED = {
    "taart",
    "soep",
    "saus",
    "pan",
    "proeven",
    "heerlijk",
    "erwtensoep",
    "gemeenteraad",
    "partij",
    "belastingdienst",
    "rechter",
    "accountant",
    "ondernemers",
    "file",
}


def will_pay(c: Context, si_: int) -> int | None:
    """ "ervan / d'rvan lusten" (to pay for it) after "gaat / zal", whose subject beside it is a person (`_SUBJECTS`,
    a role word; not "je"), with no election, food or other punisher in the sentence: "als die wethouder denkt dat
    hij mijn vader uit zijn zaak kan zetten, dan gaat hij ervan lusten"."""
    toks = c.toks
    span = _sentence(c, si_)
    if c.sent_sets[si_] & (L.BALLOT | _CONTEST | _NOT_PUNISHED):
        return None
    for k in span:
        if toks[k] in {"ervan", "d'rvan", "derva"} and k + 1 < span.stop and toks[k + 1] in {"lusten", "luste"}:
            verb = next((j for j in range(k - 1, max(span.start, k - 4) - 1, -1) if toks[j] in _WILL), None)
            if verb is None:
                continue
            near = set(toks[max(span.start, verb - 2) : verb + 3])
            if near & (_SUBJECTS | L.ROLE_WORDS):
                return k + 1
    return None


#: the clause rules, in the order they are tried: (rule name, reader)
CLAUSE_RULES = (
    ("threat_harm_done", harm_done),
    ("threat_visit_not_to_talk", visit_not_to_talk),
    ("threat_spanning_promise", spanning_promise),
    ("threat_not_alive", not_alive),
    ("threat_armed_visit", armed_visit),
    ("threat_will_pay", will_pay),
)
#: the rule names of CLAUSE_RULES: the writer's own promises, so a verb of saying in their sentence ("als die
#: wethouder denkt dat ...") does not make them a reference
CLAUSE_KINDS = frozenset(name for name, _ in CLAUSE_RULES)


def clause_promise(c: Context, si_: int) -> tuple[str, int] | None:
    """The first clause rule that reads sentence `si_`: its rule name and the token its hit sits on."""
    for name, read in CLAUSE_RULES:
        if (anchor := read(c, si_)) is not None:
            return name, anchor
    return None
