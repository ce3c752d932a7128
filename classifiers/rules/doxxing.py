"""Family `doxxing`: personal data of a person published or offered.

Rules: dox_offer ("wie heeft het adres", with a kind of personal data in the text), we_know_where ("we weten waar je
woont": also a threat), and per regex on the clean / folded view postcode, phone_mobile, phone, licence_plate,
street_address, school_name, scored by context (an owner, a person, doxxing words, public buildings, the writer's
own data: "mijn" without another person in the post, a `dox_own` phrase such as "bel me" / "ik woon" / "te koop"
in the data's sentence or the one before with no other person or role word in that sentence, or "mijn" / "bel me"
in the ten tokens before the data with no one else named there: `_mine_before`) and suppressed in news;
high-scoring data with intent words, or with a menace beside it (fire: ARSON_CUES, fireworks "over"; an arrival at
the door: DOX_ARRIVAL, "we komen hem halen"; a visit "not for coffee"), also gives threat dox_intimidation, and so
does someone's data beside a weapon or an act of violence (DOX_MENACE, a weapon emoji: `_harm_beside_data`).
"""

from __future__ import annotations

import re

from .. import lexicons as L
from .context import Context
from .frames import framed, in_quote, negated
from .spans import Hit, tok_at

#: words of going to someone's door: with an intent word they (or `_incites`) turn published data into intimidation.
#: Not "weten" on its own ("voor wie het wil weten: ...") nor "tot" ("tot zaterdag"), which made pure address posts
#: threats.
VISIT = {"langs", "bezoekje", "langskomen", "opzoeken", "opwachten", "aanbellen", "wacht", "wachten"}


def _incites(toks: list[str]) -> bool:
    """The text tells the reader to act on the data ("weet wat je moet doen", "doe ermee wat je wilt") or says the
    writer knows it ("we weten waar ...")."""
    for k, w in enumerate(toks):
        if w == "wat" and "doen" in toks[k + 1 : k + 5] and set(toks[k + 1 : k + 3]) & {"je", "jullie", "we", "ge"}:
            return True
        if w == "ermee" and k > 0 and toks[k - 1] == "doe":
            return True
        if w in {"we", "wij"} and k + 1 < len(toks) and toks[k + 1] in {"weten", "kennen"}:
            return True
    return False


#: dialect and chat forms of "niet" before "voor de koffie" ("wij komm'n nait om koffie te drink'n")
_NOT = {"niet", "nait", "neet", "nie", "niej", "nit"}


#: what a visit that is "not for coffee" is not for: "nait om te proaten"
_NOT_FOR = {"koffie", "thee", "bakkie", "praten", "proaten", "praoten", "kletsen"}
#: DOX_ARRIVAL as word tuples
_ARRIVALS = [tuple(line.split()) for line in L.DOX_ARRIVAL]


def _arrives(c: Context) -> bool:
    """The words of a DOX_ARRIVAL line stand in one sentence, within four tokens of the line's first word: "dat we
    hem komen halen", "dat we eraan komen", "zaterdag staan wij voor zijn deur"."""
    toks, sent = c.toks, c.sent
    for first, *rest in _ARRIVALS:
        for k, w in enumerate(toks):
            if w != first:
                continue
            near = {toks[m] for m in range(max(0, k - 4), min(c.n, k + 5)) if sent[m] == sent[k]}
            if near.issuperset(rest):
                return True
    return False


def _menaces(c: Context) -> bool:
    """The text names fire (ARSON_CUES, fireworks someone "has left over", a thatched roof that is dry), someone's
    arrival at the door (DOX_ARRIVAL: "we komen hem halen") or a visit that is "not for coffee" ("en dan neet veur de
    koffie", "nait om te proaten"): beside published personal data, a menace without an intent word."""
    toks, words = c.toks, c.all_set
    if words & L.ARSON_CUES or {"vuurwerk", "over"} <= words or {"rieten", "droog"} <= words:
        return True
    if _arrives(c):
        return True
    return any(w in _NOT and set(toks[k + 1 : k + 5]) & _NOT_FOR for k, w in enumerate(toks))


_POSTCODE = re.compile(r"(?<![\w-])[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}(?![\w])")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)31[\s-]?(?:\(0\))?[\s-]?6|06)[\s-]?(?:\d[\s-]?){7}\d(?!\d)")
_LANDLINE = re.compile(r"(?<![\w+])(?:(?:\+|00)31[\s-]?|0)[1-57-9]\d{1,2}[\s-]?\d{6,7}(?!\d)")
_PLATE = re.compile(
    r"(?<![\w-])(?:[A-Z]{2}-\d{2}-\d{2}|\d{2}-\d{2}-[A-Z]{2}|\d{2}-[A-Z]{2}-\d{2}|[A-Z]{2}-\d{2}-[A-Z]{2}|"
    r"[A-Z]{2}-[A-Z]{2}-\d{2}|\d{2}-[A-Z]{2}-[A-Z]{2}|\d{2}-[A-Z]{3}-\d|\d-[A-Z]{3}-\d{2}|[A-Z]{2}-\d{3}-[A-Z]|"
    r"[A-Z]-\d{3}-[A-Z]{2}|[A-Z]{3}-\d{2}-[A-Z]|[A-Z]-\d{2}-[A-Z]{3}|\d-[A-Z]{2}-\d{3}|\d{3}-[A-Z]{2}-\d)(?![\w-])",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"(?<![\w])((?:[a-z][a-z'-]*\s){0,2}[a-z][a-z'-]{2,}(?:" + "|".join(L.STREET_SUFFIXES) + r"))\s+(\d{1,4})"
    r"(?![a-z]+\d)(?:\s?-?\s?[a-z](?![a-z]))?(?!\d)(?![.,]\d)"
)
_SCHOOL = re.compile(
    r"(?<![\w])(?:basisschool|kinderopvang|kinderdagverblijf|kdv|bso|creche|peuterspeelzaal|obs|cbs|rkbs|pcbs|"
    r"daltonschool|montessorischool|jenaplanschool|vrije school|school|scholengemeenschap|lyceum|gymnasium)"
    r"\s+(?:(?:de|het|'t|sint|st\.?)\s+)?[a-z][\w'-]{2,}"
)
_CAPWORD = re.compile(r"[A-Z]")
#: Words that point a sentence at someone other than the writer: then its contact details are not the writer's own.
_OTHER_PERSON = frozenset({"hij", "zij", "ze", "hem", "haar", "zijn", "hun", "jij", "jouw"})


def on_phrase(c: Context, name: str, s_: int, e_: int) -> None:
    """A doxxing phrase over tokens s_..e_-1: "dox_offer" or "dox_know"."""
    if name == "dox_offer":
        frame = "negation" if negated(c, s_, 3) else framed(c, s_, direct=True)
        if c.all_set & {
            "woont",
            "adres",
            "huisnummer",
            "privenummer",
            "nummer",
            "kenteken",
            "school",
            "woonadres",
            "huisadres",
        }:
            c.add(s_, e_, "doxxing", "dox_offer", 0.75, frame)
    elif name == "dox_know":
        frame = "negation" if negated(c, s_, 3) else framed(c, s_, direct=True)
        c.add(s_, e_, "doxxing", "we_know_where", 0.95, frame)
        c.add(s_, e_, "threat", "we_know_where", 0.85, frame)


#: first-person possessives before personal data that make it the writer's own ("mijn adres is", "my place"); not
#: "ons" / "onze" ("bij ons om de hoek", "onze politiechef")
_MINE = frozenset("mijn mien my".split())
#: "me" / "mij" make it the writer's own only beside a word of contacting ("bel me gerust", "stuur me een appje",
#: "reacties mogen naar mij", "je kunt me bellen"), not "stuur me het adres van Jansen"
_ME = frozenset("me mij".split())
_CONTACT = frozenset(
    "bel bellen belle bell'n app appen appje appjes mail mailen sms dm bericht berichtje berichtjes bereik bereiken "
    "naar bij contact call text reach".split()
)
#: someone else's: third persons, their possessives and verbs, and "jouw" / "uw" ("jouw adres", "die woont ..."); not
#: the object pronouns, which are things as often ("wie hem vindt, breng m naar Hoofdstraat 88")
_THEIRS = frozenset("zijn haar hun zien heur his her their jouw uw hij zij he she woont weunt wont werkt".split())
#: words before a role word that make it the addressee or the writer ("Geachte burgemeester, ...", "ik ben raadslid")
_DEAR = frozenset("geachte beste hallo hoi dag lieve dear hi ben als".split())


def _window_before(c: Context, start: int) -> list[int]:
    """The indices of the ten tokens before the personal data starting at character `start`, in its sentence (and
    the sentence before when the data opens its own)."""
    k0 = tok_at(c.starts, start)
    si_ = c.sent[k0]
    first = k0 == 0 or c.sent[k0 - 1] != si_
    return [k for k in range(max(0, k0 - 10), k0) if c.sent[k] == si_ or (first and c.sent[k] == si_ - 1)]


def _others_before(c: Context, window: list[int]) -> bool:
    """The window names someone else: a `_THEIRS` word ("zijn" only before a word: not "mijn gegevens zijn: ..."), a
    capitalised name after "van" ("het adres van Jansen"), or a role word that is neither the addressee nor the
    writer ("Geachte burgemeester, ...", "ik ben raadslid ...")."""
    toks = c.toks

    def theirs(k: int) -> bool:
        return toks[k] in _THEIRS and (toks[k] != "zijn" or (k + 1 < c.n and toks[k + 1].isalpha()))

    return any(
        theirs(k)
        or (k > 0 and toks[k - 1] == "van" and _named(c, k))
        or (toks[k] in L.ROLE_WORDS and (k + 1 >= c.n or toks[k + 1] != ",") and (k == 0 or toks[k - 1] not in _DEAR))
        for k in window
    )


def _mine_before(c: Context, start: int) -> bool:
    """The window before the personal data (`_window_before`) holds a `_MINE` word or "me" / "mij" beside a word of
    contacting, and names no one else (`_others_before`): the writer offers their own address or number, whatever
    doxxing word stands elsewhere ("Geachte burgemeester, mijn adres is Zuiderkade 3. Mocht u langs willen komen ...",
    "bel me gerust, 06-..."). The own-contact posts were the largest over-flag of the frozen sets."""
    window = _window_before(c, start)
    toks = c.toks
    mine = any(toks[k] in _MINE or (toks[k] in _ME and set(toks[max(0, k - 3) : k + 5]) & _CONTACT) for k in window)
    return mine and not _others_before(c, window)


def _points_elsewhere(c: Context, sent: int) -> bool:
    """Sentence `sent` points at someone other than the writer (_OTHER_PERSON, a role word)."""
    return bool(c.sent_sets[sent] & (_OTHER_PERSON | L.ROLE_WORDS))


def _writers_own(c: Context, start: int) -> bool:
    """Whether the personal data starting at character `start` is offered by the writer as their own: a `dox_own`
    phrase ("bel me", "ik woon", "te koop") in its sentence or the sentence before, and no word in its sentence that
    points at someone else (_OTHER_PERSON, a role word). The caller asks only when the post has no doxxing phrase or
    word (dox_ctx)."""
    sent = c.sent[tok_at(c.starts, start)]
    if _points_elsewhere(c, sent):
        return False
    return any(name == "dox_own" and c.sent[s_] in (sent, sent - 1) for name, s_, _ in c.phrase_matches)


def personal_data(c: Context) -> None:
    """Postcodes, phone numbers, licence plates, street addresses and school names, scored by context."""
    pii: list[tuple[int, int, str]] = []
    for rx, nm, src in (
        (_POSTCODE, "postcode", c.clean),
        (_PHONE, "phone_mobile", c.folded),
        (_LANDLINE, "phone", c.folded),
        (_PLATE, "licence_plate", c.clean),
        (_STREET, "street_address", c.folded),
        (_SCHOOL, "school_name", c.folded),
    ):
        for mt in rx.finditer(src):
            if nm == "street_address":
                street = mt.group(1).split()[-1]
                if street in L.STREET_STOP or street.endswith(("jaar", "keer")):
                    continue
                if re.match(
                    r"\s*(jaar|keer|procent|euro|minuten|uur|dagen|weken|km|meter|%)",
                    c.folded[mt.end() : mt.end() + 12],
                ):
                    continue
            if nm == "licence_plate" and not (re.search(r"[A-Za-z]", mt.group(0)) and re.search(r"\d", mt.group(0))):
                continue
            if nm == "school_name" and mt.group(0).split()[0] == "school":
                # plain "school X" only when X looks like a name (capitalised in the original)
                last = mt.group(0).split()[-1]
                pos = mt.end() - len(last)
                if not _CAPWORD.match(c.clean[pos : pos + 1]):
                    continue
            pii.append((mt.start(), mt.end(), nm))
    if pii:
        # a doxxing phrase in the sentence of a `dox_own` phrase that points at no one else invites to the writer
        # ("kom langs op de Dorpsweg 3, of app me"): it does not make the post doxxing by itself
        own_sents = {
            c.sent[s_] for nm, s_, _ in c.phrase_matches if nm == "dox_own" and not _points_elsewhere(c, c.sent[s_])
        }
        dox_ctx = any(
            nm == "dox_know" or (nm == "dox_context" and c.sent[s_] not in own_sents) for nm, s_, _ in c.phrase_matches
        ) or bool(
            c.all_set
            & {
                "aanbellen",
                "langsgaan",
                "langskomen",
                "bezoeken",
                "opzoeken",
                "adres",
                "woont",
                "privenummer",
                "privéadres",
                "priveadres",
                "woonadres",
                "huisadres",
                "thuisadres",
            }
        )
        public = bool(
            c.all_set
            & {
                "gemeentehuis",
                "stadhuis",
                "raadhuis",
                "kantoor",
                "buurthuis",
                "bibliotheek",
                "griffie",
                "spreekuur",
                "verhuisd",
                "provinciehuis",
                "informatieavond",
                "bezoekadres",
                "postadres",
                "openingstijden",
                "handhaving",
            }
        )
        kinds = {nm for _, _, nm in pii}
        own_only = "mijn" in c.all_set and not (
            c.all_set & {"je", "jouw", "jij", "u", "uw", "zijn", "haar", "hun", "hij", "zij"}
        )
        owner = bool(
            c.all_set
            & {
                "je",
                "jouw",
                "jij",
                "u",
                "uw",
                "zijn",
                "haar",
                "hij",
                "zij",
                "ze",
                "hun",
                "woont",
                "woon",
                "wonen",
                "adres",
                "huis",
                "kinderen",
                "dochter",
                "zoon",
                "vrouw",
                "man",
                "kenteken",
                "auto",
                "nummer",
                "bel",
                "app",
                "bellen",
                "bezoekje",
                "langs",
                "langskomen",
            }
        )
        person = bool(c.all_set & (L.SECOND_PERSON | L.ROLE_WORDS)) or c.off_hit
        # what turns the data into intimidation is read from the whole post, once
        intent = bool(c.all_set & L.INTENT_MODALS) and bool(c.all_set & VISIT or _incites(c.toks))
        menace = _menaces(c)
        for s0, e0, nm in pii:
            if nm == "school_name":
                score = 0.9 if (owner and (dox_ctx or c.all_set & {"kinderen", "dochter", "zoon", "kind"})) else 0.15
            elif nm == "phone":
                score = 0.85 if (dox_ctx and owner) else (0.5 if person and owner else 0.15)
            else:
                score = 0.92 if (dox_ctx or (owner and person)) else (0.55 if person or owner else 0.3)
                if {"street_address", "postcode"} <= kinds and not public:
                    score = max(score, 0.75)
                if public and not (c.all_set & {"je", "jouw", "jij", "zijn", "haar"}):
                    score = min(score, 0.3)
            own = own_only and not _others_before(c, _window_before(c, s0))  # not "het adres van de wethouder: ..."
            if own or (not dox_ctx and _writers_own(c, s0)) or _mine_before(c, s0):
                score = min(score, 0.3)
            frame = None
            if c.text_news and not dox_ctx and not (c.all_set & {"je", "jouw", "jij"}):
                frame = "news"
            h = Hit(s0, e0, "doxxing", nm, score)
            (c.suppressed if frame else c.hits).append(h)
            if (score >= 0.85 and intent) or (score >= 0.5 and menace):
                c.hits.append(Hit(s0, e0, "threat", "dox_intimidation", 0.6))
    _harm_beside_data(c)


#: words that put someone's home or car in the post when no address pattern matched ("woont in Rosmalen, De
#: Driesprong 6", "Kerkwijk 12, Deurne", "his address")
_DATA_WORDS = frozenset(
    "woont weunt wont woonadres woonadressen adres adressen privéadres priveadres privéadressen priveadressen "
    "huisadres address kenteken parkeert".split()
)


#: past tenses that make harm a report ("kreeg ooit een envelop met een kogel erin", "er werd een steen gegooid")
_PAST = L.PAST_NARRATIVE | frozenset(
    "kreeg kregen gooide gooiden gegooid gekregen stond stonden vond vonden gevonden viel vielen lag lagen ging gingen "
    "ontplofte ontploft gepleegd gemaakt sloeg sloegen droeg gesneden aanslag vroeger zag zagen gezien".split()
)


#: capitalised words before "woont" that name no one in office ("Oma woont in Zeist", "Hij woont ...")
_NOT_A_NAME = frozenset(
    "hij zij ze ik je jij u wie die dat er het men oma opa moeder vader tante oom zus broer buurman buurvrouw vriend "
    "vriendin neef nicht mijn".split()
)


def _named(c: Context, k: int) -> bool:
    """Token k is a capitalised name inside its sentence ("Van Gils woont in Rosmalen"), not a pronoun, a family word
    or a sentence's first word ("Daar woont ...")."""
    return (
        k > 0
        and c.sent[k - 1] == c.sent[k]
        and c.toks[k].isalpha()
        and c.toks[k] not in _NOT_A_NAME
        and c.clean[c.starts[k] : c.starts[k] + 1].isupper()
    )


def _harm_beside_data(c: Context) -> None:
    """Threat dox_intimidation (0.75) where personal data of someone in view (a doxxing hit of 0.5 or more, a doxxing
    phrase outside a frame, or a `_DATA_WORDS` word after a name or with a role word or the official in the post)
    stands beside harm: a word of DOX_MENACE (weapons and plain acts of violence, not the broad STRONG_VIOLENCE with
    "kapot", "pijn", "brand") or a weapon emoji (inside a token too: "🪓🪓"), in the data's sentence or one beside
    it, outside a negation, a frame and a past tense (_PAST: "na de aanslag met een bom", "er lag een kogel in haar
    brievenbus"): "sta ik daar met een knuppel voor de deur", "daar moet een bom onder", "see you soon wethouder 🔪".
    Data inside quotation marks, in a negated sentence ("het adres van X hoort niet op Facebook") or the writer's own
    ("mijn adres voor de ruilbeurs") does not count. Not in a news text, and not twice. A third person alone ("hij
    woont boven de zaak") is no one in office: a second reader found 48 of 224 everyday posts flagged while it
    counted."""
    if c.text_news or any(h.rule == "dox_intimidation" for h in c.hits):
        return
    words = c.all_set
    at = {
        c.sent[k]
        for h in c.hits
        if h.label == "doxxing" and h.score >= 0.5 and not in_quote(c, k := tok_at(c.starts, h.start))
    }
    at |= {
        c.sent[s_]
        for nm, s_, _ in c.phrase_matches
        if nm in ("dox_know", "dox_context") and not in_quote(c, s_) and framed(c, s_) is None
    }
    officials = bool(words & L.ROLE_WORDS) or c.off_hit
    at |= {
        c.sent[k]
        for k, w in enumerate(c.toks)
        if w in _DATA_WORDS and not in_quote(c, k) and (officials or (k > 0 and _named(c, k - 1)))
    }
    at = {
        s
        for s in at
        if not c.sent_sets[s] & L.NEGATIONS  # "het adres van X hoort niet op Facebook"
        and not (c.sent_sets[s] & _MINE and not _points_elsewhere(c, s))  # "mijn adres voor de ruilbeurs"
    }
    if not at:
        return
    for k, w in enumerate(c.toks):
        near = any(abs(c.sent[k] - s) <= 1 for s in at)  # the data's sentence or the one before or after
        if not (near and (w in L.DOX_MENACE or any(e in w for e in L.WEAPON_EMOJI))) or c.sent_sets[c.sent[k]] & _PAST:
            continue  # "kreeg ooit een envelop met een kogel erin": what happened, not what will
        name = k > 0 and c.sent[k - 1] == c.sent[k] and c.clean[c.starts[k] : c.starts[k] + 1].isupper()
        if not name and not negated(c, k, 3) and framed(c, k) is None:  # "Raadslid Baksteen": a name
            c.add(k, k + 1, "threat", "dox_intimidation", 0.75)
            return
