"""spaCy rule layer: explicit threats, doxxing, gendered slurs and insults, with negation / quote / news frames.

Works on a length-preserving normalised view (lowercase, no diacritics, leetspeak undone) of the first
``textnorm.RULE_SCAN_LIMIT`` characters, so every Span points at the original text.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from schildwacht.contracts import LABELS, Span

from . import lexicons as L
from .textnorm import RULE_SCAN_LIMIT, views

# A curated subset of LDNOOBW (CC BY 4.0, ../shared/data/lexicons/ldnoobw_nl.txt): entries that are slurs aimed at
# women / sexualisation (the rest of the list is mostly harmless slang). Kept in code so the rule layer behaves the
# same wherever it runs.
LDNOOBW_GENDER = {
    "slet",
    "hoer",
    "teef",
    "snol",
    "del",
    "wijf",
    "temeier",
    "stoephoer",
    "rothoer",
    "portiekslet",
    "greppeldel",
    "trottoirteef",
    "gratenkut",
    "sletterig",
    "hoerig",
    "flamoes",
}
LDNOOBW_INSULT = {
    "klootzak",
    "hufter",
    "eikel",
    "lul",
    "oetlul",
    "rotzak",
    "schoft",
    "teringlijer",
    "sukkel",
    "klojo",
    "lulhannes",
    "mafketel",
    "zakkenwasser",
    "boerelul",
    "bokkelul",
    "paardelul",
    "lul-de-behanger",
    "matennaaier",
    "klootoog",
    "droogkloot",
    "graftak",
    "viespeuk",
    "engerd",
    "galbak",
    "dombo",
    "zeiker",
    "ouwehoer",
    "lummel",
    "reetridder",
    "kettingzeug",
}

INSULT_WORDS = (
    (L.INSULTS | LDNOOBW_INSULT)
    - L.INSULT_MODIFIERS
    - {
        "kanker",
        "tering",
        "aap",
        "apen",
        "beest",
        "dom",
        "domme",
        "waardeloos",
        "waardeloze",
        "zielige",
        "monster",
        "ratten",
        "rat",
        "varken",
        "varkens",
        "tuig",
        "nazi",
        "aso",
        "asociaal",
        "gestoord",
    }
)
# weaker insults: only with a direct 2nd-person / official reference
WEAK_INSULTS = {"ratten", "rat", "varken", "varkens", "tuig", "nazi", "aso", "asociaal", "gestoord"}
SEXUAL = {
    "neuken",
    "geneukt",
    "neuk",
    "pijpen",
    "pijpt",
    "beffen",
    "tieten",
    "tiet",
    "kutje",
    "geil",
    "geile",
    "naaktfoto",
    "naaktfotos",
    "sperma",
    "vingeren",
    "zaad",
    "slikken",
    "opgeilen",
    "bukken",
}
VIOLENCE_STEMS = {
    "maak",
    "maken",
    "schiet",
    "schieten",
    "steek",
    "steken",
    "sla",
    "slaan",
    "trap",
    "trappen",
    "knal",
    "knallen",
    "ram",
    "rammen",
    "timmer",
    "timmeren",
    "schop",
    "schoppen",
    "mep",
    "meppen",
    "draai",
    "snij",
    "snijden",
    "hak",
    "hakken",
    "prik",
    "prikken",
}
ADVERBS = {
    "eens",
    "even",
    "gewoon",
    "ook",
    "nog",
    "helemaal",
    "echt",
    "zo",
    "wel",
    "straks",
    "morgen",
    "nu",
    "dan",
    "toch",
    "persoonlijk",
    "zelf",
    "snel",
    "binnenkort",
    "vannacht",
    "vanavond",
    "allemaal",
    "al",
    "maar",
    "eigenhandig",
    "keihard",
    "lekker",
    "graag",
    "effe",
    "ff",
    "dus",
    "hoor",
    ",",
    "zelfs",
    "genadeloos",
    "langzaam",
    "meedogenloos",
    "koelbloedig",
    "hardhandig",
    "pijnlijk",
    "eindelijk",
    "zeker",
    "verrot",
}
PAST_NARRATIVE = {"werd", "werden", "was", "waren", "had", "hadden"}
NEWS = L.NEWS_MARKERS | {
    "dreigde",
    "dreigden",
    "dreigen",
    "dreigt",
    "gedreigd",
    "bedreigde",
    "bedreigen",
    "opgeroepen",
    "oproep",
    "oproepen",
    "uitlating",
    "uitlatingen",
    "verklaring",
    "vandaag",
    "gisteren",
    "gisteravond",
    "vorige",
    "afgelopen",
    "slachtoffer",
    "slachtoffers",
    "nieuwsbericht",
    "artikel",
    "verhoor",
    "zaak",
    "veiligheid",
    "rapporteert",
    "citaat",
    "citeer",
    "quote",
    "reacties",
    "reactie",
}
NEWS_STRONG = {
    "aangehouden",
    "opgepakt",
    "gearresteerd",
    "verdachte",
    "verdachten",
    "veroordeeld",
    "veroordeelt",
    "rechtbank",
    "rechter",
    "aangifte",
    "bedreigd",
    "bedreiging",
    "bedreigingen",
    "politie",
    "justitie",
    "doodsbedreiging",
    "doodsbedreigingen",
    "dreigbrief",
    "dreigbrieven",
    "celstraf",
    "taakstraf",
    "werkstraf",
    "dreigde",
    "dreigden",
    "gedreigd",
    "bedreigde",
    "bedreigen",
    "onderzoek",
    "persbericht",
    "nieuwsbericht",
    "artikel",
    "eist",
    "slachtoffer",
    "slachtoffers",
    "verhoor",
    "anp",
    "nos",
    "monitor",
    "incidenten",
    "dreigberichten",
    "haatberichten",
    "interview",
    "ingesteld",
}
NEWS_WEAK = NEWS - NEWS_STRONG
REFERENCE = {
    "noemen",
    "noemt",
    "noem",
    "genoemd",
    "noemde",
    "uitmaken",
    "uitgemaakt",
    "uitschelden",
    "uitgescholden",
    "scheldwoord",
    "scheldwoorden",
    "acceptabel",
    "ophouden",
    "zeggen",
    "woord",
    "term",
}
SPEECH = {
    "zeggen",
    "zegt",
    "zei",
    "zeg",
    "denk",
    "denkt",
    "denken",
    "dacht",
    "beweren",
    "beweert",
    "beweerde",
    "noemen",
    "noemt",
    "noemde",
    "noem",
    "schrijven",
    "schrijft",
    "schreef",
    "roepen",
    "roept",
    "riep",
    "suggereren",
    "suggereert",
    "impliceren",
    "tweeten",
    "tweet",
    "posten",
    "post",
    "uitspraak",
    "uitspraken",
    "opmerking",
    "opmerkingen",
}
PREVENT = {
    "toestaan",
    "tolereren",
    "accepteren",
    "voorkomen",
    "tegengaan",
    "bestrijden",
    "stoppen",
    "veroordelen",
    "uitspreken",
    "optreden",
    "aanpakken",
    "opkomen",
}
OPINION = {"denk", "denken", "dacht"}
HARM_WISHED = {
    "dood",
    "ongeluk",
    "ongelukje",
    "dodelijk",
    "dodelijke",
    "overrijdt",
    "overrijden",
    "verongelukt",
    "verongelukken",
    "kanker",
    "sterft",
    "sterven",
    "doodgaat",
    "verzuipt",
    "verdrinkt",
    "crepeert",
    "overheen",
    "pijnlijke",
    "hartaanval",
    "verrekt",
    "vrachtwagen",
}
PUBLIC_PLACES = {
    "raadszaal",
    "stadhuis",
    "gemeentehuis",
    "raadhuis",
    "provinciehuis",
    "raadsvergadering",
    "gemeenteraad",
    "statenzaal",
    "spreekuur",
}
WEAPONS_PLURAL = {"geweld", "knuppels", "honkbalknuppels", "messen", "fakkels", "hooivorken", "bijlen", "kettingen"}
# death wished as a traffic accident: "mag onder een bus komen", "hoop dat je onder een trein loopt"
VEHICLES = {
    "trein",
    "bus",
    "vrachtwagen",
    "vrachtauto",
    "tractor",
    "trekker",
    "tram",
    "metro",
    "auto",
    "wals",
    "stoomwals",
    "bulldozer",
    "shovel",
    "truck",
    "vrachtwagens",
    "treinen",
    "bussen",
    "trams",
}
WISH_MODALS = {"mag", "mogen", "moet", "moeten", "zou", "zouden", "hoop", "hopen", "hopelijk", "wens", "wensen"}
# murdered Dutch politicians: "net zo eindigen als Fortuyn", "ga Pim maar achterna"
MURDERED = {"fortuyn", "pim", "gogh"}
FATE_WORDS = {
    "lot",
    "eindigen",
    "eindigt",
    "eindig",
    "achterna",
    "overkomen",
    "overkomt",
    "aflopen",
    "afloopt",
    "hetzelfde",
    "zelfde",
    "gebeuren",
    "gebeurt",
    "gebeurd",
    "tegemoet",
}
# "krijgt een fles op zijn kop", "verdient een klap voor z'n harses": a blow to the head promised or deserved
BLOWS = {
    "klap",
    "klappen",
    "fles",
    "baksteen",
    "steen",
    "stenen",
    "dreun",
    "beuk",
    "kopstoot",
    "schop",
    "trap",
    "mep",
    "lel",
    "hengst",
    "opdonder",
    "oplawaai",
    "knal",
    "tik",
    "slaag",
    "kogel",
    "mes",
    "vuist",
    "knuppel",
}
HEADS = {
    "kop",
    "hoofd",
    "smoel",
    "bek",
    "harses",
    "snufferd",
    "muil",
    "gezicht",
    "donder",
    "lazer",
    "sodemieter",
    "flikker",
    "tanden",
    "ribben",
    "raap",
    "porem",
    "kanis",
    "facie",
}
GET_OR_DESERVE = {"krijg", "krijgt", "krijgen", "verdien", "verdient", "verdienen"}
# "ik ga je leven verwoesten", "we maken z'n leven tot een hel": ruining someone's life as intent
RUINED = {
    "verwoesten",
    "verwoest",
    "kapotmaken",
    "kapot",
    "hel",
    "zuur",
    "verpesten",
    "verpest",
    "ruineren",
    "ruïneren",
    "slopen",
    "afpakken",
}
OTHERS_LIFE = {"je", "jouw", "uw", "zijn", "zn", "z'n", "haar", "d'r", "hun"}
# "kan zich beter gaan verstoppen", "spring maar van het stadhuis af": warnings and incitement to suicide
HIDE = {"verstoppen", "onderduiken", "verschuilen"}
JUMP_FROM = {
    "dak",
    "brug",
    "flat",
    "stadhuis",
    "gemeentehuis",
    "balkon",
    "toren",
    "raam",
    "provinciehuis",
    "kerktoren",
    "flatgebouw",
}
# "we rekenen met je af" (not at the ballot box), "het recht in eigen hand nemen", "pakken we hem zelf wel aan"
RECKON = {"reken", "rekent", "rekenen", "afrekenen"}
BALLOT = {"verkiezingen", "verkiezing", "stembus", "kiezer", "kiezers", "stemmen", "stem", "maart", "peilingen"}
PERSON_OBJECTS = L.ROLE_WORDS | {"hem", "haar", "je", "jou", "jullie", "u", "hen"}
# the word a sentence-level threat construction is shown on
CONSTRUCTION_ANCHORS = (
    {
        "ontdoen",
        "dood",
        "eraan",
        "aan",
        "wens",
        "wensen",
        "hoop",
        "hopen",
        "hopelijk",
        "als",
        "onder",
        "lot",
        "achterna",
        "eindigen",
        "eindigt",
        "leven",
        "spring",
        "springen",
        "recht",
        "pakken",
    }
    | WEAPONS_PLURAL
    | HIDE
    | GET_OR_DESERVE
    | RECKON
)
# a women noun in the singular ("mijn vrouw" is common in harmless posts), misspellings included
SINGULAR_WOMAN = {"vrouw", "vrow", "vruw", "vrou"}
CLAUSE_BREAK = {",", ";", ":", "als", "maar", "want", "omdat", "wanneer", "zodra", "totdat", "voordat", "zodat"}
COUNTER = {
    "onacceptabel",
    "walgelijk",
    "schandalig",
    "verwerpelijk",
    "triest",
    "afschuwelijk",
    "verschrikkelijk",
    "ontoelaatbaar",
    "intimidatie",
    "solidariteit",
    "sterkte",
    "steun",
    "respect",
    "stop",
    "genoeg",
    "normaal",
    "grens",
    "grenzen",
    "schaam",
    "schande",
    "zeggen",
    "zegt",
    "zei",
    "schrijven",
    "schrijft",
    "roepen",
    "roept",
    "noemen",
    "noemt",
    "niemand",
    "nooit",
    "tegen",
    "tolereren",
    "accepteren",
    "verdient",
    "verdienen",
    "vreselijk",
    "ziek",
    "zieke",
    "haatberichten",
    "bedreigingen",
    "haat",
    "geweld",
    "misselijk",
    "misselijkmakend",
    "kotsen",
    "verwerpen",
    "veroordelen",
    "veroordeel",
}
FIRST_SG = {"ik", "mij", "me", "mijn", "mezelf", "mijzelf"}
# women-group derogation (see the GENDER_GROUP loop in analyze)
PROFANE_MODS = {
    "kut",
    "kanker",
    "tyfus",
    "tering",
    "klote",
    "fucking",
    "fokking",
    "pleuris",
    "pokken",
    "godverdomde",
    "verdomde",
    "kolere",
    "klere",
}
# "manwijf": gender only where a woman is in view (she / a role / the official), else a slur against lesbians or
# trans people (abuse)
MASCULINE_PUTDOWN = {"manwijf", "manwijven"}
HATE_VERBS = {
    "haat",
    "hekel",
    "walg",
    "kots",
    "veracht",
    "verachten",
    "verafschuw",
    "verafschuwen",
    "minacht",
    "minachten",
    "haten",
    "hat",
}
POS_ATTR = {
    "slim",
    "slimme",
    "intelligent",
    "intelligente",
    "capabel",
    "bekwaam",
    "geschikt",
    "competent",
    "gelijkwaardig",
    "gelijk",
    "respect",
    "respecteer",
    "respecteren",
    "vertrouw",
    "vertrouwen",
    "betrouwbaar",
    "uitstaan",
    "luchten",
    "rechten",
    "stemrecht",
    "menselijk",
    "mensen",
    "welkom",
    "verstandig",
    "rationeel",
    "serieus",
    "nadenken",
    "denken",
    "leiden",
    "leiders",
    "sterk",
    "moedig",
    "waardig",
    "volwaardig",
    "normaal",
    "nuttig",
}
RIGHTS_WORDS = {
    "mensenrechten",
    "stemrecht",
    "stemmen",
    "rechten",
    "werken",
    "studeren",
    "leiden",
    "baas",
    "politiek",
    "raad",
    "gemeenteraad",
    "beslissen",
    "meepraten",
    "praten",
    "mening",
    "regeren",
    "besturen",
    "burgemeester",
    "wethouder",
    "macht",
    "kiezen",
    "autorijden",
    "rijden",
    "spreken",
}
VICTIM_WORDS = {
    "uitgesloten",
    "gediscrimineerd",
    "achtergesteld",
    "onderdrukt",
    "lastiggevallen",
    "bedreigd",
    "geslagen",
    "geintimideerd",
    "weggehouden",
    "tegengehouden",
    "belemmerd",
    "bang",
    "hoeven",
    "hoeft",
    "angst",
    "genegeerd",
}
# counter-speech / reporting: a verb of saying or threatening plus an evaluation of that speech in one sentence
META_SPEECH = SPEECH | {
    "dreigen",
    "dreigt",
    "bedreigen",
    "oproepen",
    "beweren",
    "schreeuwen",
    "roepen",
    "stellen",
    "stelt",
    "vinden",
    "vindt",
}
COUNTER_EVAL = {
    "walgelijk",
    "schandalig",
    "onacceptabel",
    "verwerpelijk",
    "seksistisch",
    "seksisme",
    "racistisch",
    "racisme",
    "misogyn",
    "vrouwonvriendelijk",
    "vrouwenhaat",
    "discriminerend",
    "discriminatie",
    "kwetsend",
    "strafbaar",
    "verboden",
    "misselijkmakend",
    "ontoelaatbaar",
    "achterhaald",
    "onzin",
    "ongepast",
    "respectloos",
    "fout",
    "onacceptabele",
    "schandelijk",
    "schande",
}
# persons: pronouns and person nouns that make violence in a sentence aimed at someone
# people a sentence-level threat construction can be aimed at: groups, women, and addressed / referred persons
GROUPISH = L.GROUP_NOUNS | L.GENDER_GROUP | {"ze", "hen", "jullie", "jou", "je", "jij"}
PERSON_MARKERS = {
    "je",
    "jij",
    "jou",
    "u",
    "jullie",
    "hem",
    "haar",
    "hij",
    "zij",
    "ze",
    "hen",
    "hun",
    "mensen",
    "man",
    "mannen",
    "kind",
    "kinderen",
    "familie",
    "gezin",
}
ADJ_SKIP = {
    "stomme",
    "domme",
    "vieze",
    "nieuwe",
    "oude",
    "hele",
    "rare",
    "lelijke",
    "kut",
    "kanker",
    "enige",
    "belachelijke",
    "waardeloze",
    "idiote",
    "achterlijke",
    "verschrikkelijke",
    "irritante",
    "ouwe",
    "grote",
    "kleine",
    "zoveelste",
    "laatste",
    "eerste",
    "tering",
    "klote",
}
# heads that are neither a target person nor a thing: institutions acting as subject, time words
NEUTRAL_HEADS = {
    "einde",
    "raad",
    "gemeenteraad",
    "college",
    "gemeente",
    "kabinet",
    "partij",
    "fractie",
    "coalitie",
    "oppositie",
    "regering",
    "kamer",
    "kans",
    "manier",
    "keer",
    "dag",
    "week",
    "avond",
    "nacht",
    "tijd",
    "vergadering",
    "commissie",
    "stemming",
    "grond",
    "prullenbak",
    "open",
    "doel",
    "schot",
    "iemand",
    "niemand",
    "men",
    "ik",
    "we",
    "wij",
    "er",
    "jaar",
    "maand",
    "morgen",
    "zomer",
    "winter",
    "eind",
    "begin",
    "zaal",
}
DETERMINERS = {"die", "deze", "dat", "dit", "de", "het", "een", "zo'n", "al", "alle", "elke", "iedere", "mijn", "onze"}
INANIMATE = {
    "plan",
    "plannen",
    "idee",
    "ideeen",
    "voorstel",
    "voorstellen",
    "motie",
    "moties",
    "begroting",
    "beleid",
    "wet",
    "wetten",
    "regel",
    "regels",
    "project",
    "projecten",
    "printer",
    "printers",
    "computer",
    "laptop",
    "telefoon",
    "wekker",
    "ballon",
    "ballonnen",
    "argument",
    "argumenten",
    "debat",
    "discussie",
    "onderwerp",
    "verhaal",
    "artikel",
    "boek",
    "film",
    "serie",
    "game",
    "liedje",
    "muziek",
    "trend",
    "trends",
    "mode",
    "kleding",
    "jurk",
    "taart",
    "gras",
    "onkruid",
    "mug",
    "muggen",
    "vlieg",
    "vliegen",
    "wesp",
    "wespen",
    "programma",
    "agenda",
    "amendement",
    "referendum",
    "verordening",
    "subsidie",
    "bezuiniging",
    "bezuinigingen",
    "fietspad",
    "parkeerbeleid",
    "windmolen",
    "windmolens",
    "tv",
    "televisie",
    "router",
    "wifi",
    "app",
    "website",
    "site",
    "ding",
    "dingen",
    "spullen",
    "meubels",
    "kast",
    "bank",
    "stoel",
    "tafel",
    "deur",
    "fiets",
    "bal",
    "vuilnis",
    "afval",
    "kussen",
    "pop",
    "poppen",
    "knuffel",
    "opstelling",
    "tactiek",
    "record",
    "competitie",
    "wedstrijd",
    "subsidies",
    "papier",
    "papieren",
    "documenten",
    "document",
    "dossier",
    "dossiers",
    "stukken",
    "bomen",
    "boom",
    "auto",
    "fietsen",
    "vergunning",
    "vergunningen",
    "ideetje",
    "concept",
    "nota",
    "rapport",
}
_INANIMATE_SUFFIX = (
    "heid",
    "isme",
    "plan",
    "plannen",
    "beleid",
    "voorstel",
    "motie",
    "begroting",
    "trend",
    "trends",
    "regeling",
    "wet",
    "project",
    "printer",
    "computer",
    "ballon",
    "ballonnen",
)
_PERSON_SUFFIX = (
    "ling",
    "lingen",
    "aar",
    "aars",
    "ist",
    "isten",
    "ant",
    "anten",
    "ent",
    "enten",
    "man",
    "mannen",
    "vrouw",
    "vrouwen",
    "lid",
    "leden",
    "ers",
    "ster",
    "sters",
    "ici",
    "icus",
    "ica",
)


def _is_inanimate(w: str) -> bool:
    if w in INANIMATE:
        return True
    return (
        len(w) > 5
        and w.endswith(_INANIMATE_SUFFIX)
        or (len(w) > 6 and w.endswith(("ing", "ingen")) and not w.endswith(("ling", "lingen")))
    )


def _looks_person(w: str) -> bool:
    return w in PERSON_MARKERS or (len(w) > 4 and w.endswith(_PERSON_SUFFIX) and w not in INANIMATE)


SENT_END = {".", "!", "?", "\n", ";", "…"}

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
_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_]")
_STREET_STOP = {"binnenhof", "hof", "weg", "straat", "park", "markt", "veld", "haven", "pad"}


@dataclass
class Hit:
    start: int
    end: int
    label: str
    rule: str
    score: float


@dataclass
class RuleResult:
    scores: dict[str, float]
    spans: list[Span]
    hits: list[Hit] = field(default_factory=list)
    suppressed: list[Hit] = field(default_factory=list)
    truncated: bool = False


def spell_vocab(gender_slurs: set[str]) -> set[str]:
    """Words of the rule lexicons that spelling.Speller restores from typos, gluing and spacing."""
    return (
        L.STRONG_VIOLENCE
        | L.PERSON_ONLY
        | gender_slurs
        | L.GENDER_SLURS
        | L.GENDER_GROUP
        | L.GENDER_GROUP_NEG
        | INSULT_WORDS
        | SEXUAL
        | HATE_VERBS
        | {
            "sterven",
            "vermoorden",
            "haat",
            "minachting",
            "misselijkmakend",
            "verneukt",
            "lulkoek",
            "waard",
            "kankergezwel",
            "afval",
            "doodgaan",
            "creperen",
            "ophangen",
            "neerschieten",
            "neersteken",
            "doodschieten",
            "doodsteken",
            "walgelijk",
            "martelen",
            "verkrachten",
            "gedood",
            "vrouwen",
        }
    )


class RuleEngine:
    """Thread-safe (a lock around spaCy matching) rule layer."""

    name = "schildwacht-rules"
    version = "1.0"

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = spacy.blank("nl")
        self._lock = threading.Lock()
        self.gender_slurs = L.GENDER_SLURS | LDNOOBW_GENDER
        v = self.nlp.vocab
        self.phrases = PhraseMatcher(v, attr="LOWER")
        mk = self.nlp.make_doc
        self.phrases.add("abuse_phrase", [mk(p) for p in L.ABUSE_PHRASES])
        self.phrases.add("gender_role", [mk(p) for p in L.GENDER_ROLE_PHRASES])
        know = [p for p in L.DOX_PHRASES if p.startswith(("weet ", "weten "))]
        self.phrases.add("dox_know", [mk(p) for p in know])
        self.phrases.add(
            "dox_offer",
            [
                mk(p)
                for p in [
                    "wie wil het adres",
                    "wie wil zijn adres",
                    "wie wil haar adres",
                    "wie wil het privenummer",
                    "wie heeft het adres",
                    "wie heeft zijn adres",
                    "wie heeft haar adres",
                    "wie heeft het huisnummer",
                    "wie heeft het privenummer",
                    "heb ook het adres",
                    "ik heb het adres",
                    "ik heb zijn adres",
                    "ik heb haar adres",
                    "weet iemand waar",
                    "wie weet waar",
                    "ik heb zijn nummer",
                    "ik heb haar nummer",
                    "ik heb zijn privenummer",
                    "ik heb haar privenummer",
                    "deel het adres",
                    "stuur me het adres",
                    "wie heeft het nummer",
                    "wie wil het nummer",
                ]
            ],
        )
        self.phrases.add("dox_context", [mk(p) for p in L.DOX_PHRASES if p not in know])

        m = _Recorder(Matcher, v)
        obj = {"LOWER": {"IN": sorted(L.PERSON_OBJECTS | {"jou", "jij", "jullie"})}}
        adv = {"LOWER": {"IN": sorted(ADVERBS)}, "OP": "{,3}"}
        you = {"LOWER": {"IN": ["je", "jij", "u", "jullie", "ge", "gij"]}}
        m.add("threat_person_verb", [[obj, adv, {"LOWER": {"IN": sorted(L.PERSON_ONLY)}}]])
        m.add(
            "threat_separable",
            [
                [
                    {"LOWER": {"IN": sorted(VIOLENCE_STEMS)}},
                    obj,
                    adv,
                    {"LOWER": {"IN": sorted(L.PARTICLES | {"elkaar", "lens", "verrot", "bont", "blauw", "om"})}},
                ]
            ],
        )
        m.add(
            "threat_te_infinitive",
            [
                [
                    {"LOWER": {"IN": ["neer", "dood", "af", "kapot", "elkaar"]}},
                    {"LOWER": "te"},
                    {"LOWER": {"IN": sorted(VIOLENCE_STEMS | {"knallen", "schieten"})}},
                ]
            ],
        )
        m.add(
            "threat_in_elkaar",
            [
                [obj, adv, {"LOWER": "in"}, {"LOWER": "elkaar"}],
                [{"LOWER": {"IN": sorted(VIOLENCE_STEMS)}}, obj, {"OP": "{,3}"}, {"LOWER": "in"}, {"LOWER": "elkaar"}],
            ],
        )
        m.add(
            "threat_fire2",
            [
                [
                    {"LOWER": {"IN": ["steek", "steken", "zet", "zetten", "gooi", "gooien"]}},
                    {"OP": "{,4}"},
                    {"LOWER": "in"},
                    {"LOWER": {"IN": ["de", "het"]}, "OP": "?"},
                    {"LOWER": {"IN": ["fik", "brand", "hens", "vlammen"]}},
                ]
            ],
        )
        m.add(
            "threat_weapon",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "mes",
                                "messen",
                                "pistool",
                                "geweer",
                                "knuppel",
                                "honkbalknuppel",
                                "bijl",
                                "hamer",
                                "machete",
                                "zwaard",
                                "vuurwapen",
                                "kalasjnikov",
                                "stanleymes",
                            ]
                        }
                    }
                ]
            ],
        )
        m.add(
            "threat_veiled",
            [
                [{"LOWER": {"IN": ["niet", "nergens"]}}, {"LOWER": "meer", "OP": "?"}, {"LOWER": "veilig"}],
                [{"LOWER": "laatste"}, {"LOWER": "waarschuwing"}],
                [
                    {"LOWER": {"IN": ["ongelukje", "ongeluk"]}},
                    {"LOWER": {"IN": ["krijgen", "krijgt", "overkomen", "overkomt"]}},
                ],
                [
                    {"LOWER": {"IN": ["zonde", "jammer", "erg"]}},
                    {"LOWER": "zijn", "OP": "?"},
                    {"LOWER": "als"},
                    {"OP": "{,5}"},
                    {
                        "LOWER": {
                            "IN": ["afbrandt", "overkwam", "overkomt", "gebeurt", "gebeurde", "afbrandde", "ontploft"]
                        }
                    },
                ],
                [{"LOWER": "niet"}, {"LOWER": "meer"}, {"LOWER": {"IN": ["wakker", "thuiskomt", "thuiskomen"]}}],
                [{"LOWER": {"IN": ["overleef", "overleven", "overleeft"]}}],
                [{"LOWER": "lesje"}, {"LOWER": "leren"}],
                [
                    {"LOWER": {"IN": ["wacht", "wachten"]}},
                    {"LOWER": {"IN": ["ik", "we", "wij"]}},
                    {"LOWER": {"IN": ["je", "jou", "u"]}},
                    {"LOWER": "op"},
                ],
                [
                    {"LOWER": {"IN": ["ik", "we", "wij"]}},
                    {"LOWER": {"IN": ["wacht", "wachten"]}},
                    {"LOWER": {"IN": ["je", "jou", "u"]}},
                    adv,
                    {"LOWER": "op"},
                ],
                [
                    {"LOWER": {"IN": ["ik", "we", "wij"]}},
                    {"LOWER": {"IN": ["kom", "komen"]}},
                    {"LOWER": {"IN": ["eraan", "je", "jou"]}},
                    {"LOWER": {"IN": ["halen", "opzoeken", "bezoeken"]}, "OP": "?"},
                ],
                [{"LOWER": "strop"}, {"LOWER": {"IN": ["om", "in"]}}],
                [{"LOWER": "leven"}, {"LOWER": "niet"}, {"LOWER": "meer", "OP": "?"}, {"LOWER": "zeker"}],
                [
                    {"LOWER": {"IN": ["je", "jouw", "uw"]}},
                    {"LOWER": "laatste"},
                    {
                        "LOWER": {
                            "IN": [
                                "kerst",
                                "kerstmis",
                                "verjaardag",
                                "dag",
                                "dagen",
                                "zomer",
                                "nacht",
                                "uur",
                                "oud",
                                "rit",
                                "wandeling",
                            ]
                        }
                    },
                ],
                [
                    {"LOWER": "onthouden"},
                    {"OP": "{,3}"},
                    {"LOWER": {"IN": ["gezichten", "adressen", "gezicht", "adres"]}},
                ],
                [{"LOWER": "hoe"}, {"LOWER": {"IN": ["je", "u"]}}, {"LOWER": {"IN": ["eruitziet", "eruit", "woont"]}}],
                [
                    {"LOWER": "aan"},
                    {"LOWER": {"IN": ["de", "een"]}},
                    {"LOWER": {"IN": ["lantaarnpaal", "boom", "hoogste", "galg"]}},
                ],
            ],
        )
        m.add(
            "threat_fire",
            [
                [
                    {"LOWER": "in"},
                    {"LOWER": {"IN": ["de", "het"]}, "OP": "?"},
                    {"LOWER": {"IN": ["fik", "brand", "hens", "vlammen"]}},
                    {"LOWER": {"IN": ["steken", "zetten", "steek", "zet", "gestoken", "gezet"]}},
                ]
            ],
        )
        adv_er = {"LOWER": {"IN": sorted(ADVERBS | {"er", "hierna", "daarna", "straks"})}, "OP": "{,3}"}
        m.add(
            "threat_dead",
            [
                [
                    you,
                    {"LOWER": {"IN": ["bent", "wordt", "gaat", "ben", "zijt", "zijn", "worden", "gaan"]}},
                    adv_er,
                    {"LOWER": {"IN": ["dood", "eraan", "geweest", "erbij", "zuur", "dood."]}},
                ],
                [
                    you,
                    {"LOWER": {"IN": ["bent", "wordt", "ben", "zijt", "zijn", "worden"]}},
                    adv_er,
                    {"LOWER": "de"},
                    {"LOWER": {"IN": ["volgende", "klos", "sjaak", "lul", "pineut"]}},
                ],
                [
                    {"LOWER": {"IN": ["ga", "gaat", "ben", "bent", "word", "wordt"]}},
                    {"LOWER": {"IN": ["je", "jij", "u"]}},
                    adv_er,
                    {"LOWER": {"IN": ["eraan", "dood", "geweest"]}},
                ],
            ],
        )
        m.add(
            "threat_days",
            [
                [
                    {"LOWER": {"IN": ["je", "jouw", "uw", "zijn", "haar"]}},
                    {"LOWER": "dagen"},
                    {"LOWER": "zijn"},
                    {"LOWER": "geteld"},
                ]
            ],
        )
        m.add(
            "threat_bullet",
            [
                [
                    {"LOWER": {"IN": ["kogel", "kogels", "kogeltje", "lood", "loodje"]}},
                    {"OP": "{,3}"},
                    {"LOWER": {"IN": ["je", "jouw", "uw", "zijn", "haar", "die", "jullie", "hun"]}},
                ],
                [
                    {"LOWER": {"IN": ["je", "jij", "jou", "u", "jullie", "hij", "zij", "hem"]}},
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["kogel", "kogels", "kogeltje"]}},
                ],
            ],
        )
        m.add(
            "threat_come",
            [
                [
                    {"LOWER": {"IN": ["we", "wij", "ik"]}},
                    {"LOWER": {"IN": ["komen", "kom"]}},
                    {"LOWER": {"IN": ["je", "jou", "jullie", "u"]}},
                    adv,
                    {"LOWER": {"IN": ["halen", "pakken", "opzoeken", "vinden", "opwachten", "bezoeken"]}},
                ],
                [
                    {"LOWER": {"IN": ["we", "wij", "ik"]}},
                    {"LOWER": {"IN": ["gaan", "ga", "zullen", "zal"]}},
                    {"LOWER": {"IN": ["je", "jou", "jullie", "u"]}},
                    adv,
                    {
                        "LOWER": {
                            "IN": ["pakken", "opzoeken", "vinden", "opwachten", "grijpen", "krijgen", "te", "grazen"]
                        }
                    },
                ],
            ],
        )
        m.add(
            "threat_bomb2",
            [
                [
                    {"LOWER": {"IN": ["bom", "bommen", "aanslag", "explosief", "molotovcocktail"]}},
                    {"OP": "{,3}"},
                    {
                        "LOWER": {
                            "IN": [
                                "ontploft",
                                "ontploffen",
                                "afgaat",
                                "leggen",
                                "plaatsen",
                                "gooien",
                                "plegen",
                                "ontplofte",
                            ]
                        }
                    },
                ]
            ],
        )
        # an instrument of execution demanded for someone: "de strop voor X", "de galg voor ..."
        m.add(
            "threat_execution",
            [[{"LOWER": {"IN": ["strop", "galg", "guillotine", "brandstapel", "kogel"]}}, {"LOWER": "voor"}]],
        )
        # "een bom onder het gemeentehuis"
        m.add(
            "threat_bomb_place",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "bom",
                                "bommen",
                                "explosief",
                                "explosieven",
                                "molotov",
                                "molotovcocktail",
                                "handgranaat",
                            ]
                        }
                    },
                    {"LOWER": {"IN": ["onder", "in", "bij", "voor", "door", "naar"]}},
                    {"LOWER": {"IN": ["het", "de", "dat", "die", "jullie", "jouw", "je"]}, "OP": "?"},
                    {"LOWER": {"IN": sorted(PUBLIC_PLACES)}},
                ]
            ],
        )
        m.add(
            "threat_bomb",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "bom",
                                "bommen",
                                "molotov",
                                "molotovcocktail",
                                "handgranaat",
                                "explosief",
                                "vuurwerkbom",
                                "zuur",
                            ]
                        }
                    },
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["je", "jouw", "uw", "zijn", "haar", "jullie", "hun"]}},
                    {
                        "LOWER": {
                            "IN": [
                                "huis",
                                "auto",
                                "deur",
                                "raam",
                                "woning",
                                "kantoor",
                                "gezicht",
                                "brievenbus",
                                "kop",
                                "hoofd",
                            ]
                        }
                    },
                ]
            ],
        )
        m.add(
            "threat_pay",
            [
                [
                    you,
                    {"LOWER": {"IN": ["gaat", "zal", "zult", "gaan", "zullen"]}},
                    adv,
                    {
                        "LOWER": {
                            "IN": [
                                "boeten",
                                "bloeden",
                                "branden",
                                "hangen",
                                "lijden",
                                "sterven",
                                "creperen",
                                "verdwijnen",
                                "spijt",
                            ]
                        }
                    },
                ]
            ],
        )
        m.add(
            "threat_must_die",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "moet",
                                "moeten",
                                "mag",
                                "mogen",
                                "moest",
                                "moesten",
                                "verdient",
                                "verdienen",
                                "hoort",
                                "horen",
                                "zou",
                                "zouden",
                            ]
                        }
                    },
                    {
                        "LOWER": {"IN": sorted(ADVERBS | {"gewoon", "allemaal", "direct", "meteen", "dood", "het"})},
                        "OP": "{,3}",
                    },
                    {
                        "LOWER": {
                            "IN": [
                                "dood",
                                "opgehangen",
                                "opgeknoopt",
                                "doodgeschoten",
                                "neergeschoten",
                                "vermoord",
                                "geexecuteerd",
                                "afgeschoten",
                                "gelyncht",
                                "onthoofd",
                                "tegen",
                                "opgeruimd",
                                "doodgestoken",
                                "neergestoken",
                                "verbrand",
                                "vergast",
                                "doodgeslagen",
                                "gemarteld",
                            ]
                        }
                    },
                    {"LOWER": {"IN": ["worden", "de", "maken", "zijn", "gaan"]}, "OP": "?"},
                    {"LOWER": {"IN": ["muur", "kogel"]}, "OP": "?"},
                ],
                [
                    {"LOWER": {"IN": ["verdient", "verdienen", "krijgt", "krijgen", "moet", "moeten"]}},
                    {"LOWER": {"IN": ["de", "een"]}},
                    {"LOWER": {"IN": ["kogel", "strop", "doodstraf", "nekschot", "kopschot"]}},
                ],
            ],
        )
        m.add(
            "threat_cold",
            [
                [obj, adv, {"LOWER": "koud"}, {"LOWER": {"IN": ["maken", "gemaakt"]}}],
                [
                    {"LOWER": {"IN": ["moet", "moeten", "mag", "mogen", "zou", "zouden", "verdient", "verdienen"]}},
                    {"OP": "{,3}"},
                    {"LOWER": "in"},
                    {"LOWER": "elkaar"},
                    {"LOWER": {"IN": ["geslagen", "getrapt", "geschopt", "gemept", "geramd"]}},
                ],
            ],
        )
        m.add(
            "threat_wild_sep",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "schiet",
                                "schieten",
                                "steek",
                                "steken",
                                "sla",
                                "slaan",
                                "knal",
                                "knallen",
                                "maak",
                                "maken",
                                "trap",
                                "trappen",
                                "mep",
                                "rij",
                                "rijd",
                                "rijden",
                                "schop",
                                "martel",
                            ]
                        }
                    },
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["neer", "dood"]}},
                ],
                [{"LOWER": {"IN": ["hang", "hangen", "knoop", "knopen"]}}, {"OP": "{,4}"}, {"LOWER": "op"}],
                [
                    {"LOWER": "in"},
                    {"LOWER": "elkaar"},
                    {"LOWER": {"IN": ["slaan", "trappen", "rammen", "timmeren", "meppen", "schoppen"]}},
                ],
                [{"LOWER": "pijn"}, {"LOWER": {"IN": ["doen", "toebrengen", "aandoen", "bezorgen"]}}],
                [{"LOWER": {"IN": ["laten", "zien"]}}, {"LOWER": "lijden"}],
                [{"LOWER": "dood"}, {"LOWER": "aan"}],
                [{"LOWER": "met"}, {"LOWER": "de"}, {"LOWER": {"IN": ["dood", "doodstraf"]}}],
                [
                    {"LOWER": {"IN": ["verdienen", "verdient", "verdiend"]}},
                    {"LOWER": "de"},
                    {"LOWER": {"IN": ["dood", "doodstraf"]}},
                ],
                [
                    {"LOWER": "dood"},
                    {"LOWER": {"IN": ["waren", "zouden", "zijn", "moeten"]}},
                    {"OP": "{,3}"},
                    {"LOWER": {"IN": ["beter", "mooier", "fijner", "zijn", "gaan"]}},
                ],
                [
                    {"LOWER": {"IN": ["beter", "mooier", "fijner"]}},
                    {"OP": "{,6}"},
                    {"LOWER": "dood"},
                    {"LOWER": {"IN": ["waren", "zouden", "zijn", "gingen"]}},
                ],
                [
                    {"LOWER": "levend"},
                    {"LOWER": {"IN": ["verbranden", "verbrand", "begraven", "villen", "gevild", "koken"]}},
                ],
            ],
        )
        m.add(
            "threat_head_off",
            [
                [
                    {"LOWER": {"IN": ["kop", "hoofd", "harses", "kanis", "kraag", "nek", "strot"]}},
                    {"LOWER": {"IN": ["gaat", "gaan", "moet", "wordt", "mag"]}, "OP": "?"},
                    {"LOWER": {"IN": ["eraf", "af", "om", "dicht", "door", "kapot"]}},
                ],
                [{"LOWER": {"IN": ["kop", "hoofd"]}}, {"LOWER": "van"}, {"OP": "?"}, {"LOWER": "romp"}],
            ],
        )
        m.add(
            "threat_end_life",
            [
                [
                    {"LOWER": {"IN": ["leven", "levens", "bestaan"]}},
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["beeindigen", "beeindig", "nemen", "uitblazen"]}},
                ],
                [
                    {"LOWER": "einde"},
                    {"OP": "{,2}"},
                    {"LOWER": {"IN": ["maken", "maak", "maakt", "maakte", "gemaakt"]}},
                    {"LOWER": "aan"},
                ],
                [
                    {
                        "LOWER": {
                            "IN": [
                                "verdien",
                                "verdient",
                                "verdienen",
                                "moet",
                                "moeten",
                                "zult",
                                "zal",
                                "gaat",
                                "gaan",
                                "mag",
                                "mogen",
                            ]
                        }
                    },
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["sterven", "creperen", "verrekken", "doodgaan", "verdwijnen"]}},
                ],
                [
                    {"LOWER": {"IN": ["geen", "niet"]}},
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["laten", "te"]}},
                    {"LOWER": "leven"},
                ],
                [
                    {"LOWER": {"IN": ["dood", "einde"]}},
                    {"OP": "{,2}"},
                    {"LOWER": "door"},
                    {"LOWER": {"IN": ["mijn", "onze"]}},
                    {"LOWER": {"IN": ["handen", "hand"]}},
                ],
            ],
        )
        # --- added: further Dutch threat constructions (grammar-motivated) ----------------------------------
        pron = {"LOWER": {"IN": ["je", "jou", "jullie", "u", "hem", "haar", "ze", "hen", "hun"]}}
        poss = {"LOWER": {"IN": ["je", "jouw", "uw", "zijn", "haar", "jullie", "hun"]}}
        body = {
            "LOWER": {
                "IN": [
                    "nek",
                    "benen",
                    "been",
                    "botten",
                    "armen",
                    "arm",
                    "kaak",
                    "neus",
                    "knieen",
                    "vingers",
                    "ribben",
                    "schedel",
                    "kop",
                    "hersens",
                    "hersenen",
                    "harses",
                    "tanden",
                    "smoel",
                    "bek",
                    "gezicht",
                    "hoofd",
                    "keel",
                    "strot",
                    "ruggengraat",
                    "poten",
                ]
            }
        }
        # separable verbs with "om" / "af" that only mean killing / beating with a person object:
        # "ik breng je om", "ik leg je om", "ik tuig je af", "ik ransel je af"
        m.add(
            "threat_sep_kill",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "breng",
                                "brengen",
                                "leg",
                                "leggen",
                                "tuig",
                                "tuigen",
                                "ransel",
                                "ranselen",
                                "ros",
                                "rossen",
                                "knuppel",
                            ]
                        }
                    },
                    pron,
                    adv,
                    {"LOWER": {"IN": ["om", "af", "neer", "dood"]}},
                ],
                [
                    pron,
                    adv,
                    {
                        "LOWER": {
                            "IN": [
                                "ombrengen",
                                "omleggen",
                                "omgebracht",
                                "omgelegd",
                                "aftuigen",
                                "afgetuigd",
                                "afranselen",
                                "afgerangeld",
                                "afrossen",
                                "afgerost",
                                "doodknuppelen",
                                "neerknuppelen",
                                "kelen",
                                "vermoorden",
                                "wurgen",
                            ]
                        }
                    },
                ],
            ],
        )
        # body-part harm with a 2nd/3rd-person possessor: "ik breek je nek", "ik sla je kop in",
        # "ik ga je benen breken", "ik snij je keel door"
        m.add(
            "threat_body",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "breek",
                                "breken",
                                "sla",
                                "slaan",
                                "trap",
                                "trappen",
                                "ram",
                                "rammen",
                                "snij",
                                "snijd",
                                "snijden",
                                "hak",
                                "hakken",
                                "draai",
                                "draaien",
                                "ruk",
                                "rukken",
                                "schop",
                                "schoppen",
                            ]
                        }
                    },
                    {"LOWER": {"IN": ["al", "alle"]}, "OP": "?"},
                    poss,
                    body,
                    {"LOWER": {"IN": ["in", "kapot", "door", "om", "eraf", "af", "stuk", "eruit"]}, "OP": "?"},
                ],
                [
                    {"LOWER": {"IN": ["breek", "sla", "trap", "ram", "snij", "snijd", "hak", "ruk", "schop"]}},
                    {"LOWER": {"IN": ["ik", "we", "wij"]}},
                    {"OP": "{,3}"},
                    poss,
                    body,
                ],
                [
                    {"LOWER": {"IN": ["nek", "nekken", "koppen", "schedel", "schedels", "botten", "ribben"]}},
                    {"LOWER": "van"},
                    {"OP": "{,5}"},
                    {"LOWER": {"IN": ["breken", "inslaan", "intrappen", "kapotslaan", "kraken"]}},
                ],
                [
                    poss,
                    body,
                    adv,
                    {
                        "LOWER": {
                            "IN": [
                                "breken",
                                "inslaan",
                                "intrappen",
                                "inrammen",
                                "kapotslaan",
                                "doorsnijden",
                                "afhakken",
                                "omdraaien",
                                "kapotmaken",
                                "eraf",
                            ]
                        }
                    },
                ],
            ],
        )
        # idioms for killing with a person object: "uit de weg ruimen", "om het leven brengen",
        # "een kopje kleiner maken", "het licht uitdoen"
        m.add(
            "threat_idiom_kill",
            [
                [
                    pron,
                    adv,
                    {"LOWER": "uit"},
                    {"LOWER": "de"},
                    {"LOWER": "weg"},
                    {"LOWER": {"IN": ["ruimen", "ruim", "geruimd"]}},
                ],
                [
                    pron,
                    adv,
                    {"LOWER": "om"},
                    {"LOWER": "het"},
                    {"LOWER": "leven"},
                    {"LOWER": {"IN": ["brengen", "breng", "gebracht"]}},
                ],
                [
                    pron,
                    adv,
                    {"LOWER": "een"},
                    {"LOWER": "kopje"},
                    {"LOWER": "kleiner"},
                    {"LOWER": {"IN": ["maken", "maak", "gemaakt"]}},
                ],
                [
                    {"LOWER": {"IN": ["wil", "willen", "wou", "wilde"]}},
                    pron,
                    adv,
                    {"LOWER": "dood"},
                    {"LOWER": {"IN": ["hebben", "zien"]}},
                ],
                [
                    {"LOWER": {"IN": ["laat", "laten", "zal", "zullen", "ga", "gaan"]}},
                    pron,
                    adv,
                    {"LOWER": "laten", "OP": "?"},
                    {"LOWER": {"IN": ["boeten", "bloeden", "creperen", "lijden"]}},
                ],
                [
                    {"LOWER": {"IN": ["zet", "zetten"]}},
                    pron,
                    adv,
                    {"LOWER": "tegen"},
                    {"LOWER": "de"},
                    {"LOWER": "muur"},
                ],
            ],
        )
        # verb-second inversion after a fronted clause: "als ik je zie, maak ik je af", "dan steek ik elke X neer"
        m.add(
            "threat_v2_sep",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "maak",
                                "steek",
                                "schiet",
                                "sla",
                                "knal",
                                "trap",
                                "hang",
                                "knoop",
                                "breng",
                                "leg",
                                "tuig",
                                "ransel",
                                "mep",
                                "schop",
                                "rij",
                            ]
                        }
                    },
                    {"LOWER": {"IN": ["ik", "we", "wij"]}},
                    {
                        "LOWER": {
                            "IN": [
                                "je",
                                "jou",
                                "jullie",
                                "u",
                                "hem",
                                "haar",
                                "ze",
                                "hen",
                                "elke",
                                "iedere",
                                "alle",
                                "al",
                            ]
                        }
                    },
                    {"OP": "{,3}"},
                    {"LOWER": {"IN": ["af", "neer", "dood", "op", "om", "verrot", "kapot", "lens"]}},
                ]
            ],
        )
        # a quantified / person noun phrase as object instead of a pronoun: "ik ga elke vrouw afmaken",
        # "we zullen vrouwen genadeloos afmaken", "ik steek elke X neer die ...", "ik wil alle X dood zien"
        quant = {"LOWER": {"IN": ["alle", "elke", "iedere", "jullie"]}}
        np_verbs = sorted(
            L.PERSON_ONLY - {"pijn", "elkaar", "brand", "fik", "nek", "nekken", "keel", "kapot", "lijden"}
        )
        m.add(
            "threat_np",
            [
                [quant, {"OP": "{,4}"}, {"LOWER": {"IN": np_verbs}}],
                [
                    {"LOWER": {"IN": ["die", "deze"]}},
                    {"LOWER": {"IN": sorted(L.GENDER_GROUP | L.ROLE_WORDS | L.GROUP_NOUNS)}},
                    {"OP": "{,3}"},
                    {"LOWER": {"IN": np_verbs}},
                ],
                [
                    {"LOWER": {"IN": sorted(L.GENDER_GROUP | L.ROLE_WORDS | L.GROUP_NOUNS)}},
                    adv,
                    {
                        "LOWER": {
                            "IN": sorted(
                                L.PERSON_ONLY
                                - {"pijn", "elkaar", "brand", "fik", "nek", "nekken", "keel", "kapot", "lijden"}
                            )
                        }
                    },
                ],
                [
                    {"LOWER": {"IN": sorted(VIOLENCE_STEMS)}},
                    {"LOWER": {"IN": ["je", "jou", "jullie", "hem", "haar", "ze", "elke", "alle", "iedere"]}},
                    {"OP": "{,5}"},
                    {"LOWER": "in"},
                    {"LOWER": {"IN": ["elkaar", "stukken", "mootjes", "reepjes", "stukjes"]}},
                ],
                [
                    {"LOWER": {"IN": ["wil", "willen", "wou", "wilde"]}},
                    quant,
                    {"OP": "{,3}"},
                    {"LOWER": "dood"},
                    {"LOWER": {"IN": ["hebben", "zien"]}},
                ],
                [
                    quant,
                    {"OP": "{,3}"},
                    adv,
                    {"LOWER": "uit"},
                    {"LOWER": "de"},
                    {"LOWER": "weg"},
                    {"LOWER": {"IN": ["ruimen", "ruim", "geruimd"]}},
                ],
            ],
        )
        participles = [
            "afgemaakt",
            "opgehangen",
            "opgeknoopt",
            "kapotgemaakt",
            "kapotgeslagen",
            "neergestoken",
            "doodgestoken",
            "neergeschoten",
            "doodgeschoten",
            "afgeschoten",
            "afgeslacht",
            "uitgemoord",
            "gemarteld",
            "vermoord",
            "gedood",
            "geexecuteerd",
            "onthoofd",
            "gelyncht",
            "vergast",
            "verbrand",
            "gestenigd",
            "omgebracht",
            "uitgeroeid",
            "doodgeslagen",
            "gewurgd",
            "verzopen",
            "verdronken",
            "opgeblazen",
            "neergeknald",
            "afgeknald",
            "aangevallen",
            "mishandeld",
            "verminkt",
            "verkracht",
            "in elkaar geslagen",
            "afgetuigd",
        ]
        # passive call for violence: "X moeten afgemaakt worden", "X horen gemarteld te worden"
        m.add(
            "threat_passive",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "moet",
                                "moeten",
                                "mag",
                                "mogen",
                                "moest",
                                "moesten",
                                "horen",
                                "hoort",
                                "zou",
                                "zouden",
                                "verdienen",
                                "verdient",
                                "gaan",
                                "gaat",
                                "zullen",
                                "zal",
                                "worden",
                                "wordt",
                            ]
                        }
                    },
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": participles}},
                    {"LOWER": {"IN": ["worden", "wordt", "te", "zijn", "moeten", "gaan"]}},
                ],
                [
                    {
                        "LOWER": {
                            "IN": [
                                "moet",
                                "moeten",
                                "mag",
                                "mogen",
                                "horen",
                                "hoort",
                                "zou",
                                "zouden",
                                "gaan",
                                "gaat",
                                "zullen",
                                "zal",
                            ]
                        }
                    },
                    {"OP": "{,4}"},
                    {"LOWER": {"IN": ["worden", "wordt"]}},
                    {"LOWER": {"IN": participles}},
                ],
            ],
        )
        m.add(
            "threat_more",
            [
                [{"LOWER": {"IN": ["wil", "willen", "wou", "wilde"]}}, pron, adv, {"LOWER": "dood"}],
                [
                    {"LOWER": {"IN": ["alle", "elke", "jullie", "ze", "je", "jou", "hem", "haar"]}},
                    {"OP": "{,3}"},
                    {"LOWER": "dood"},
                    {"LOWER": {"IN": ["zien", "hebben"]}},
                ],
                [
                    {"LOWER": "enige"},
                    {"LOWER": "goede"},
                    {"OP": "{,2}"},
                    {"LOWER": "is"},
                    {"LOWER": "een"},
                    {"LOWER": "dode"},
                ],
                [{"LOWER": "op"}, pron, adv, {"LOWER": {"IN": ["jagen", "jacht"]}}],
                [
                    {"LOWER": "jacht"},
                    {"LOWER": {"IN": ["maken", "maak", "openen"]}},
                    {"LOWER": "op"},
                    {
                        "LOWER": {
                            "IN": sorted(
                                L.GENDER_GROUP | L.GROUP_NOUNS | {"je", "jou", "jullie", "hem", "haar", "alle"}
                            )
                        }
                    },
                ],
                [
                    pron,
                    adv,
                    {"LOWER": "laten"},
                    {"LOWER": {"IN": ["verdwijnen", "creperen", "lijden", "bloeden", "boeten"]}},
                ],
                [
                    {"LOWER": {"IN": ["tanden", "kiezen"]}},
                    {"LOWER": "uit"},
                    poss,
                    {"LOWER": {"IN": ["bek", "mond", "smoel", "kop"]}},
                ],
            ],
        )
        # imperative with a quantified person object: "schiet alle X af", "steek elke X neer"
        m.add(
            "threat_np_imp",
            [
                [
                    {
                        "LOWER": {
                            "IN": [
                                "maak",
                                "steek",
                                "schiet",
                                "sla",
                                "knal",
                                "trap",
                                "hang",
                                "knoop",
                                "breng",
                                "leg",
                                "tuig",
                                "ransel",
                                "schop",
                            ]
                        }
                    },
                    {"LOWER": {"IN": ["alle", "elke", "iedere"]}},
                    {"OP": "{,3}"},
                    {"LOWER": {"IN": ["af", "neer", "dood", "op", "om", "overhoop", "verrot", "kapot"]}},
                ]
            ],
        )
        # "ik zorg (ervoor) dat je doodgaat / lijdt / het niet overleeft"
        m.add(
            "threat_ensure",
            [
                [
                    {"LOWER": {"IN": ["zorg", "zorgen", "zal", "ga"]}},
                    {"OP": "{,2}"},
                    {"LOWER": "dat"},
                    {
                        "LOWER": {
                            "IN": [
                                "je",
                                "jij",
                                "u",
                                "jullie",
                                "hij",
                                "zij",
                                "alle",
                                "elke",
                                "iedere",
                                "die",
                                "deze",
                                "ze",
                            ]
                        }
                    },
                    {"OP": "{,3}"},
                    {
                        "LOWER": {
                            "IN": [
                                "doodgaat",
                                "doodgaan",
                                "sterft",
                                "sterven",
                                "lijdt",
                                "lijden",
                                "creperen",
                                "crepeert",
                                "overleeft",
                                "overleven",
                                "verdwijnt",
                                "verdwijnen",
                                "boet",
                                "boeten",
                                "bloedt",
                                "bloeden",
                            ]
                        }
                    },
                ]
            ],
        )
        # "we krijgen je nog wel", "ik pak je nog" (sentence-final intimidation)
        m.add(
            "threat_get_you",
            [
                [
                    {"LOWER": {"IN": ["ik", "we", "wij"]}},
                    {"LOWER": {"IN": ["krijg", "krijgen", "pak", "pakken"]}},
                    {"LOWER": {"IN": ["je", "jou", "jullie", "u", "hem", "haar"]}},
                    {"LOWER": {"IN": ["nog", "wel", "ooit", "allemaal", "heus", "echt"]}, "OP": "{,3}"},
                ]
            ],
        )
        m.add(
            "abuse_hekel",
            [
                [
                    {"LOWER": {"IN": ["hekel", "minachting", "walg", "kots"]}},
                    {"LOWER": {"IN": ["aan", "voor", "van", "op"]}},
                    {"LOWER": {"IN": ["je", "jou", "u", "hem", "haar", "jullie"]}},
                ]
            ],
        )
        m.add(
            "abuse_hate_you",
            [
                [
                    {"LOWER": "ik"},
                    {"LOWER": {"IN": ["haat", "walg", "kots"]}},
                    {"LOWER": {"IN": ["van", "op"]}, "OP": "?"},
                    {"LOWER": {"IN": ["je", "jou", "u", "jullie", "jouw"]}},
                ]
            ],
        )
        m.add(
            "abuse_you_are",
            [
                [
                    {"LOWER": {"IN": ["je", "jij", "u"]}},
                    {"LOWER": {"IN": ["bent", "ben", "blijft", "zijt", "was"]}},
                    {
                        "LOWER": {
                            "IN": ["een", "echt", "zo'n", "gewoon", "zo", "echt", "toch", "ook", "nog", "altijd"]
                        },
                        "OP": "{,3}",
                    },
                    {
                        "LOWER": {"IN": sorted(L.INSULT_MODIFIERS | {"kanker", "kut", "tyfus", "tering", "rot"})},
                        "OP": "?",
                    },
                    {"LOWER": {"IN": sorted(INSULT_WORDS | WEAK_INSULTS | L.GENDER_SLURS)}},
                ]
            ],
        )
        self.matcher, self.matcher2, self._triggers2 = m.build()
        from .spelling import Speller

        self.speller = Speller(spell_vocab(self.gender_slurs))

    # ---------------------------------------------------------------------------------------------------------
    @staticmethod
    def _aimed_construction(stoks: list[str], ss: set[str]) -> str | None:
        """Threat constructions read from one sentence that mentions a person: a fatal accident wished on them, the
        fate of a murdered politician, a blow to the head promised or deserved, their life to be ruined, a warning to
        hide, incitement to jump to their death, a reckoning, taking the law into one's own hands, their death as
        the solution. Returns the construction's rule name or None."""

        def after(words: set[str], targets: set[str], span: int) -> bool:
            return any(t in words and set(stoks[k + 1 : k + 1 + span]) & targets for k, t in enumerate(stoks))

        if (
            after({"onder"}, VEHICLES, 3)
            and ss & WISH_MODALS
            and ss & {"komen", "komt", "lopen", "loopt", "liggen", "ligt", "belanden", "belandt"}
        ):
            return "threat_accident_wish"
        if ss & MURDERED and ss & FATE_WORDS:
            return "threat_fate"
        if (
            ss & GET_OR_DESERVE
            and after(BLOWS, {"op", "voor", "tegen", "in"}, 1)
            and after({"op", "voor", "tegen", "in"}, HEADS, 3)
        ):
            return "threat_blow"
        if after(OTHERS_LIFE, {"leven"}, 1) and ss & RUINED and ss & (L.INTENT_SUBJECTS | {"ga", "gaan", "zal"}):
            return "threat_ruin_life"
        if ss & HIDE and ss & {"beter", "maar", "snel"} and not ss & {"ik", "we", "wij"}:
            return "threat_warning"
        if after({"spring", "springen"}, {"van", "voor", "uit"}, 2) and after({"van", "uit"}, JUMP_FROM, 3):
            return "threat_incite_jump"
        if ss & RECKON and "met" in ss and ("af" in ss or "afrekenen" in ss) and not ss & BALLOT:
            return "threat_reckoning"
        if ("recht" in ss and "eigen" in ss and ss & {"hand", "handen"}) or (
            "zelf" in ss and ss & {"we", "wij", "ik"} and after({"pakken", "pak"}, PERSON_OBJECTS, 3)
        ):
            return "threat_vigilante"
        if "dood" in ss and ss & {"opgelost", "oplossing"}:
            return "threat_dead_solution"
        return None

    def _respell(self, doc):
        """Doc with mangled words restored (see spelling.py) plus, per token, its start / end offset in the
        original text and whether a newline follows it."""
        from spacy.tokens import Doc

        starts, ends, nl_after, lowers = [], [], [], []
        for t in doc:
            starts.append(t.idx)
            ends.append(t.idx + len(t.text))
            nl_after.append("\n" in t.whitespace_)
            lowers.append(t.lower_)
        if self.speller.changed.isdisjoint(lowers) and not _SPACED.search(doc.text):
            return doc, starts, ends, nl_after, lowers  # fast path: nothing to respell
        words: list[str] = []
        spaces: list[bool] = []
        st: list[int] = []
        en: list[int] = []
        nl: list[bool] = []
        changed = False
        i, n = 0, len(doc)
        while i < n:
            t = doc[i]
            # spaced-out letters: "s l e t t e n" (4+ single letters separated by single spaces)
            if len(t.text) == 1 and t.text.isalpha():
                j = i
                while (
                    j + 1 < n and len(doc[j + 1].text) == 1 and doc[j + 1].text.isalpha() and doc[j].whitespace_ == " "
                ):
                    j += 1
                # spaCy keeps a final "f." together (abbreviation): "t e e f." ends in a letter and a full stop
                dot = (
                    j + 1 < n
                    and doc[j].whitespace_ == " "
                    and len(doc[j + 1].text) == 2
                    and doc[j + 1].text[0].isalpha()
                    and doc[j + 1].text[1] == "."
                )
                if j - i + 1 + dot >= 4:
                    last = j + dot
                    merged = (
                        "".join(doc[k].text for k in range(i, j + 1)) + (doc[last].text[0] if dot else "")
                    ).lower()
                    fixed = self.speller.fix(merged)
                    words.append(fixed[0] if len(fixed) == 1 else merged)
                    spaces.append(False if dot else bool(doc[j].whitespace_))
                    st.append(starts[i])
                    en.append(ends[last] - 1 if dot else ends[j])
                    nl.append(False if dot else nl_after[j])
                    if dot:
                        words.append(".")
                        spaces.append(bool(doc[last].whitespace_))
                        st.append(ends[last] - 1)
                        en.append(ends[last])
                        nl.append(nl_after[last])
                    changed = True
                    i = last + 1
                    continue
            fixed = self.speller.fix(t.lower_) if len(t.text) >= 5 else (t.lower_,)
            if fixed != (t.lower_,):
                changed = True
                for k, w in enumerate(fixed):
                    words.append(w)
                    last = k == len(fixed) - 1
                    spaces.append(bool(t.whitespace_) if last else True)
                    st.append(starts[i])
                    en.append(ends[i])
                    nl.append(nl_after[i] if last else False)
            else:
                words.append(t.text)
                spaces.append(bool(t.whitespace_))
                st.append(starts[i])
                en.append(ends[i])
                nl.append(nl_after[i])
            i += 1
        if not changed:
            return doc, starts, ends, nl_after, lowers
        return Doc(self.nlp.vocab, words=words, spaces=spaces), st, en, nl, None

    def analyze(self, text: str, official_terms: list[str] | None = None) -> RuleResult:
        clean, folded, view = views(text or "")
        truncated = len(text or "") > RULE_SCAN_LIMIT
        with self._lock:
            doc0 = self.nlp.make_doc(view)
            doc, starts, ends, nl_after, lowers = self._respell(doc0)
            toks = lowers if doc is doc0 else [t.lower_ for t in doc]
            raw_matches = list(self.matcher(doc))
            if not self._triggers2.isdisjoint(toks):
                raw_matches += self.matcher2(doc)
            raw_phrases = self.phrases(doc)
            vocab = self.nlp.vocab.strings
            matches = [(vocab[mid], s, e) for mid, s, e in raw_matches]
            pmatches = [(vocab[mid], s, e) for mid, s, e in raw_phrases]
        n = len(toks)
        # sentence ids
        sent = [0] * n
        sid = 0
        for i, t in enumerate(toks):
            sent[i] = sid
            if t in SENT_END or nl_after[i] or t.endswith((".", "!", "?")):
                sid += 1
        sent_toks: dict[int, list[str]] = {}
        for i, t in enumerate(toks):
            sent_toks.setdefault(sent[i], []).append(t)
        sent_sets = {k: set(v) for k, v in sent_toks.items()}
        all_set = set(toks)
        role_tok = any(t.startswith(tuple(L.ROLE_WORDS)) for t in toks if len(t) > 6)
        officials = [o for o in (official_terms or []) if o]
        off_hit = any(o in view for o in officials)
        quoted = _quote_mask(clean)
        quoted_frac = (sum(quoted) / max(1, len(clean.strip()))) if quoted else 0.0

        def is_news(ws: set[str]) -> bool:
            return bool(ws & NEWS_STRONG) or len(ws & NEWS_WEAK) >= 2

        text_news = is_news(all_set)
        text_counter = len(all_set & COUNTER) >= 1

        def in_quote(i: int) -> bool:
            return quoted[starts[i]] if starts[i] < len(quoted) else False

        def target_ctx(i: int) -> bool:
            s = all_set if sid <= 3 else sent_sets[sent[i]]
            return bool(s & L.SECOND_PERSON) or bool(s & L.ROLE_WORDS) or off_hit or role_tok

        def negated(i: int, window: int = 5) -> bool:
            lo = max(0, i - window)
            for j in range(i - 1, lo - 1, -1):  # a negation in an earlier clause does not negate this one
                if toks[j] in CLAUSE_BREAK:
                    lo = j + 1
                    break
            for j in range(lo, min(n, i + 2)):
                if sent[j] == sent[i] and toks[j] in L.NEGATIONS:
                    return True
            return False

        def framed(i: int, direct: bool = False, strict: bool = False) -> str | None:
            """Why a hit at token i is not a hostile statement (None if it is)."""
            s = sent_sets[sent[i]]
            if toks[i] not in L.GENDER_GROUP and any(
                toks[k] in {"politiek", "electoraal", "kerk", "figuurlijk"} and sent[k] == sent[i]
                for k in range(max(0, i - 3), min(n, i + 5))
            ):
                return "idiom"  # "politiek de kogel krijgen", "de kogel is door de kerk", "politiek dood"
            q = in_quote(i)
            if q and (text_news or text_counter or quoted_frac < 0.8):
                return "quote"
            if (
                s & PREVENT
                and s & (L.NEGATIONS | {"moet", "moeten", "nu"})
                and not (
                    s & PREVENT <= {"stoppen"}
                    and any(
                        toks[k] == "stoppen" and k + 1 < n and toks[k + 1] == "met"
                        for k in range(n)
                        if sent[k] == sent[i]
                    )
                )
            ):
                return "prevention"  # but "moeten stoppen met klagen" tells someone to quit, it prevents nothing
            if s & META_SPEECH and s & COUNTER_EVAL:
                return "counter"  # "het is walgelijk om te zeggen dat ...", "dreigen dat ... is strafbaar"
            if s & REFERENCE and any(toks[k] in REFERENCE for k in range(i + 1, min(n, i + 4))):
                return "reference"
            said = s & SPEECH
            if said <= OPINION and any(
                toks[k] in OPINION and k > 0 and toks[k - 1] in {"ik", "we", "wij"} and sent[k] == sent[i]
                for k in range(n)
            ):
                said = set()  # "ik denk echt dat ...": the writer's own opinion, not someone else's words
            if (
                not strict
                and said
                and (s & (L.SECOND_PERSON | {"mensen", "iemand", "wie", "die"}) or sent_toks[sent[i]][0] in SPEECH)
            ):
                return "reference"
            if direct and not q:
                return None
            if is_news(s) or (text_news and not (s & L.SECOND_PERSON)):
                return "news"
            if q and not direct:
                return "quote"
            return None

        def inanimate_target(i: int) -> bool:
            """True when every noun phrase in the sentence of token i is a thing or an institution and at least one
            is a thing (plan, motie, printer, modetrends), and no person is mentioned: violence aimed at objects."""
            si = sent[i]
            ss_ = sent_sets[si]
            if ss_ & PERSON_MARKERS or ss_ & L.ROLE_WORDS or ss_ & L.GENDER_GROUP or off_hit:
                return False
            lo = i
            while lo > 0 and sent[lo - 1] == si:
                lo -= 1
            hi = i
            while hi + 1 < n and sent[hi + 1] == si:
                hi += 1
            found = False
            for k in range(lo, hi + 1):
                if toks[k] not in DETERMINERS:
                    continue
                head = None
                for q in range(k + 1, min(hi + 1, k + 4)):
                    w = toks[q]
                    nxt = toks[q + 1] if q + 1 <= hi else ""
                    if w in ADJ_SKIP or (
                        not _is_inanimate(w)
                        and w not in NEUTRAL_HEADS
                        and w.endswith("e")
                        and len(w) > 3
                        and nxt.isalpha()
                        and nxt not in ADVERBS
                        and nxt not in L.INTENT_MODALS
                    ):
                        continue
                    head = w
                    break
                if head is None or not head.isalpha():
                    continue
                if _is_inanimate(head):
                    found = True
                elif head not in NEUTRAL_HEADS:
                    return False  # a noun that may name a person or group ("die homoseksuelen")
            return found

        hits: list[Hit] = []
        suppressed: list[Hit] = []

        def add(i: int, j: int, label: str, rule: str, score: float, frame: str | None = None) -> None:
            h = Hit(starts[i], ends[j - 1], label, rule, score)
            (suppressed if frame else hits).append(h)

        # --- threats: single strong violence verbs with intent ---------------------------------------------
        intent_words = (
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
        for i, t in enumerate(toks):
            if t in L.STRONG_VIOLENCE and t not in L.PERSON_ONLY:
                s = sent_toks[sent[i]]
                ss = sent_sets[sent[i]]
                lead = [w for w in sent_toks[sent[i]] if w not in ADVERBS and w not in {"@", ",", "-"}]
                imperative = (
                    bool(lead)
                    and lead[0] == t
                    and i + 1 < n
                    and toks[i + 1] in {"alle", "elke", "iedere", "ze", "hem", "haar", "die", "deze", "jullie"}
                )
                if not (ss & intent_words) and not imperative:
                    continue
                if ss & PAST_NARRATIVE and not (ss & (L.INTENT_MODALS | {"wou", "zou", "zouden", "hoop"})):
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
                    ss & FIRST_SG
                    and not (ss & (L.INTENT_MODALS | L.SECOND_PERSON | {"zal", "ga", "wil"}))
                    and not present_1st
                ):
                    continue
                if inanimate_target(i):
                    continue  # "die printer neerschieten", "die motie afschieten"
                frame = "negation" if negated(i, 6) else framed(i, direct=bool(ss & {"je", "jij", "jou", "u"}))
                score = 0.9 if ss & (L.SECOND_PERSON | L.INTENT_SUBJECTS) else 0.8
                add(i, i + 1, "threat", "violence_verb", score, frame)
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
                    or ss & self.gender_slurs
                    or off_hit
                    or (ss & L.SECOND_PERSON and not other_group)
                ):
                    # sexual violence is gender-targeted when aimed at women / the addressed official; a rape
                    # threat against another group is a threat, not gender-targeted (data README mapping)
                    add(i, i + 1, "gender", "sexual_violence", 0.9, frame)
                if ss & L.GENDER_GROUP:
                    add(i, i + 1, "gender", "threat_women", 0.85, frame)
                _ = s
        for name, s_, e_ in matches:
            ss = sent_sets[sent[s_]]
            if name.startswith("threat_"):
                if inanimate_target(s_):
                    continue  # "dit beleid moet dood", "die motie afschieten": aimed at a thing
                if (
                    name in {"threat_v2_sep", "threat_sep_kill"}
                    and toks[e_ - 1] in {"om", "op"}
                    and e_ < n
                    and sent[e_] == sent[s_]
                    and toks[e_].isalnum()
                    and toks[e_] not in {"als", "wanneer", "zodra", "en", "hoor", "dan"}
                ):
                    continue  # "ik breng je om 8 uur", "dan hang ik je op de hoogte": not the particle
                if name == "threat_np":
                    span = toks[s_:e_]
                    person_np = any(
                        w in L.GENDER_GROUP
                        or w in L.ROLE_WORDS
                        or w in L.GROUP_NOUNS
                        or w in {"alle", "elke", "iedere", "jullie", "iedereen"}
                        or _looks_person(w)
                        for w in span
                    )
                    if not person_np or not (ss & intent_words or toks[s_] in VIOLENCE_STEMS):
                        continue
                if name == "threat_np_imp" and not any(
                    w in L.GENDER_GROUP or w in L.ROLE_WORDS or w in L.GROUP_NOUNS or _looks_person(w)
                    for w in toks[s_ + 2 : e_ - 1]
                ):
                    continue
                if name == "threat_get_you" and not (
                    e_ == n
                    or sent[e_] != sent[s_]
                    or toks[e_] in SENT_END
                    or toks[e_] in {",", "!!", "!!!", "...", "hoor", "klootzak"}
                ):
                    continue  # only sentence-final: "we krijgen je nog wel." vs "ik pak je bericht op"
                if (
                    name == "threat_ensure"
                    and toks[e_ - 1] not in {"overleeft", "overleven"}
                    and any(toks[k] in L.NEGATIONS for k in range(s_, e_))
                ):
                    continue  # "ik zorg dat je niet doodgaat"
                if (
                    name == "threat_body"
                    and toks[s_]
                    in {"breken", "slaan", "trappen", "rammen", "snijden", "hakken", "draaien", "rukken", "schoppen"}
                    and not (ss & intent_words)
                ):
                    continue
                direct = name in {"threat_dead", "threat_days", "threat_come", "threat_pay", "threat_bullet"} or bool(
                    ss & {"je", "jij", "jou", "u", "jullie"}
                )
                if name in {"threat_person_verb", "threat_in_elkaar", "threat_separable"}:
                    if toks[s_] in {"die", "dat", "deze"} and name != "threat_separable":
                        if not (ss & intent_words):
                            continue
                    imperative = name == "threat_separable" and (
                        s_ == 0 or toks[s_ - 1] in {":", ",", ";", "-", "en"} or sent[s_ - 1] != sent[s_]
                    )
                    if not (ss & intent_words) and toks[s_] not in {"je", "jou", "jij", "u"} and not imperative:
                        continue
                    if name == "threat_separable" and toks[e_ - 1] == "om" and toks[s_] != "draai":
                        continue
                    if (
                        name == "threat_person_verb"
                        and toks[e_ - 1] in {"pijn", "kapot", "lijden"}
                        and toks[s_] in {"die", "dat", "deze", "ze", "zij", "hun", "jouw", "uw"}
                    ):
                        continue
                if name == "threat_end_life":
                    phrase = toks[s_:e_]
                    if phrase[0] in {"geen", "niet"}:
                        if not (
                            {"verdienen", "verdient", "verdien", "moeten", "moet", "laten", "mogen", "mag"}
                            & set(phrase)
                            or ss & {"verdienen", "verdient"}
                        ):
                            continue
                    if not (ss & intent_words):
                        continue
                if name == "threat_te_infinitive" and not (ss & intent_words):
                    continue
                if name == "threat_fire" and not (ss & (intent_words | {"huis", "auto", "kantoor"})):
                    continue
                neg = negated(s_, 4) and not (name == "threat_end_life" and toks[s_] in {"geen", "niet"})
                if name == "threat_veiled":  # these constructions contain their own "niet" / "nergens"
                    neg = any(toks[k] in L.NEGATIONS for k in range(max(0, s_ - 4), s_) if sent[k] == sent[s_])
                frame = (
                    "negation"
                    if neg
                    else framed(
                        s_,
                        direct=direct,
                        strict=name
                        in {"threat_dead", "threat_days", "threat_come", "threat_separable", "threat_person_verb"},
                    )
                )
                if name == "threat_must_die" and "tegen" in toks[s_:e_] and toks[e_ - 1] != "muur":
                    continue
                if name == "threat_head_off" and not (ss & intent_words):
                    continue
                if name in {"threat_weapon", "threat_veiled"}:
                    if not (
                        all_set & (L.SECOND_PERSON | L.ROLE_WORDS)
                        or off_hit
                        or role_tok
                        or (name == "threat_weapon" and ss & {"ik", "we", "wij"} and all_set & PUBLIC_PLACES)
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
                        continue
                    if name == "threat_weapon" and not (
                        ss & (L.SECOND_PERSON | {"ik", "we", "wij", "iemand"})
                        and ss & (intent_words | {"krijg", "krijgt", "wacht"})
                    ):
                        continue
                if name == "threat_bomb2" and not (ss & (intent_words | {"hoop", "hopelijk"})):
                    continue
                if name == "threat_fire2" and not (ss & intent_words):
                    continue
                if name == "threat_wild_sep":
                    first = toks[s_]
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
                        ss
                        & (
                            L.INTENT_SUBJECTS
                            | L.INTENT_MODALS
                            | {"verdienen", "verdient", "juist", "goed", "moeten", "moet"}
                        )
                    ):
                        continue
                    if ss & PAST_NARRATIVE and not (ss & (L.INTENT_MODALS | {"wou", "zou", "zouden", "hoop"})):
                        continue
                score = {
                    "threat_pay": 0.6,
                    "threat_fire": 0.85,
                    "threat_weapon": 0.75,
                    "threat_veiled": 0.7,
                    "threat_get_you": 0.7,
                }.get(name, 0.9)
                if (
                    name == "threat_end_life"
                    and (set(toks[s_:e_]) | ss) & {"verdienen", "verdient", "verdien"}
                    and not (set(toks[s_:e_]) & {"beeindigen", "einde", "handen", "hand"})
                ):
                    # "X verdienen te sterven / verdienen het niet te leven": a death wish -> abuse, not a threat
                    add(s_, e_, "abuse", "death_wish", 0.8, frame)
                    if ss & L.GENDER_GROUP:
                        add(s_, e_, "gender", "death_wish_women", 0.8, frame)
                    continue
                add(s_, e_, "threat", name.replace("threat_", "threat_"), score, frame)
                if ss & L.GENDER_GROUP and name != "threat_pay":
                    add(s_, e_, "gender", "threat_women", 0.85, frame)
            elif name == "abuse_hekel":
                frame = "negation" if negated(s_, 4) else framed(s_, direct=True)
                add(s_, e_, "abuse", "contempt", 0.7, frame)
            elif name == "abuse_hate_you":
                frame = (
                    "negation"
                    if any(toks[k] in L.NEGATIONS for k in range(e_, min(n, e_ + 2)))
                    else framed(s_, direct=True)
                )
                add(s_, e_, "abuse", "hate_you", 0.85, frame)
            elif name == "abuse_you_are":
                frame = (
                    "negation"
                    if negated(s_, 3) or any(toks[k] in {"geen", "niet"} for k in range(s_, e_))
                    else framed(s_, direct=True, strict=True)
                )
                word = toks[e_ - 1]
                add(s_, e_, "abuse", "you_are_insult", 0.9, frame)
                if word in self.gender_slurs and word not in MASCULINE_PUTDOWN:
                    add(s_, e_, "gender", "gendered_slur", 0.9, frame)

        # --- sentence constructions: riddance, death as the wished state, harm to body parts of a group -------
        threat_sents = {sent[_tok_at(starts, h.start)] for h in hits if h.label == "threat"}
        for si_, stoks in sent_toks.items():
            if si_ in threat_sents:
                continue
            ss = sent_sets[si_]
            i0 = sent.index(si_)
            kind = None
            # "laten we ons van X ontdoen", "we zouden ons van ze moeten ontdoen": getting rid of people
            if (
                "ontdoen" in ss
                and "van" in ss
                and ss & GROUPISH
                and not ss & L.ROLE_WORDS
                and ss & (intent_words | {"we", "wij", "ons"})
            ):
                kind = "threat_riddance"
            # "X zouden allemaal dood (moeten) zijn", "mensen zoals jij zouden beter dood zijn"
            elif (
                "dood" in ss
                and ss & {"zou", "zouden", "moet", "moeten", "horen", "hoort"}
                and (ss & {"allemaal", "beter"} or ("zoals" in ss and ss & {"jij", "jou", "u"}))
                and ss & (GROUPISH | PERSON_MARKERS)
                and not ss & (PAST_NARRATIVE | {"geweest", "zonder", "anders"})
            ):
                kind = "threat_dead_wish"
            # "je gaat eraan", "tot ze er allemaal aan gaan": you / they are going to die
            elif (
                ss & {"ga", "gaat", "gaan"}
                and (
                    "eraan" in ss
                    or any(toks[k] == "er" and "aan" in toks[k + 1 : k + 4] for k in range(i0, n) if sent[k] == si_)
                )
                and ss & (GROUPISH | {"zij", "hij", "u"})
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
                and ss & WEAPONS_PLURAL
                and ss & (intent_words | {"tijd", "gaan", "we", "wij"})
                and ss & (GROUPISH | PERSON_MARKERS)
                and not ss & PAST_NARRATIVE
            ):
                kind = "threat_force"
            # "ik wens je een pijnlijke dood", "hopelijk rijdt er een vrachtwagen over je heen": harm wished on someone
            elif (
                ss & {"wens", "wensen", "hoop", "hopen", "hopelijk"}
                and ss & HARM_WISHED
                and (ss & (L.SECOND_PERSON | L.ROLE_WORDS | {"hem", "haar"}) or off_hit or role_tok)
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
            elif (
                ss & (L.SECOND_PERSON | L.ROLE_WORDS | PERSON_MARKERS) or off_hit or role_tok
            ) and not ss & PAST_NARRATIVE:
                kind = self._aimed_construction(stoks, ss)
            if kind is None or inanimate_target(i0):
                continue
            k = next((k for k in range(i0, n) if sent[k] == si_ and toks[k] in CONSTRUCTION_ANCHORS), i0)
            frame = "negation" if negated(k, 6) else framed(k)
            add(k, k + 1, "threat", kind, 0.85, frame)
            if ss & L.GENDER_GROUP:
                add(k, k + 1, "gender", "threat_women", 0.85, frame)

        # --- phrase lists -------------------------------------------------------------------------------------
        for name, s_, e_ in pmatches:
            ss = sent_sets[sent[s_]]
            if name == "abuse_phrase":
                phrase = " ".join(toks[s_:e_])
                if phrase in {"sterf", "verrek", "ga dood", "val dood"} and not (
                    ss & L.SECOND_PERSON or s_ == 0 or off_hit
                ):
                    continue
                if phrase == "je moeder" and not (ss & INSULT_WORDS or ss & self.gender_slurs):
                    continue
                frame = "negation" if negated(s_, 3) else framed(s_, direct=True)
                score = 0.55 if phrase in {"rot op", "je moeder"} else 0.8
                add(s_, e_, "abuse", "abuse_phrase", score, frame)
                if phrase.startswith(("we ", "je komt", "nergens")):
                    add(s_, e_, "threat", "intimidation", 0.45, frame)
            elif name == "gender_role":
                if (
                    toks[e_ - 1] == "thuis"
                    and e_ < n
                    and toks[e_] in {"in", "op", "hier", "overal", "binnen", "tussen", "thuis"}
                ):
                    continue  # "X horen thuis in de raad" (= belong in), not "vrouwen horen thuis"
                frame = "negation" if negated(s_, 3) else framed(s_, direct=bool(ss & L.SECOND_PERSON))
                add(s_, e_, "gender", "gender_role", 0.85, frame)
                if ss & L.SECOND_PERSON or ss & L.ROLE_WORDS or off_hit:
                    add(s_, e_, "abuse", "gender_role", 0.6, frame)
            elif name == "dox_offer":
                frame = "negation" if negated(s_, 3) else framed(s_, direct=True)
                if all_set & {
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
                    add(s_, e_, "doxxing", "dox_offer", 0.75, frame)
            elif name == "dox_know":
                frame = "negation" if negated(s_, 3) else framed(s_, direct=True)
                add(s_, e_, "doxxing", "we_know_where", 0.95, frame)
                add(s_, e_, "threat", "we_know_where", 0.85, frame)

        # --- single-token lexicons (insults, slurs, sexualisation, group hate) -------------------------------
        for i, t in enumerate(toks):
            ss = sent_sets[sent[i]]
            if (t in self.gender_slurs or _slur_compound(t)) and t not in {"feministe", "feministen"}:
                ctx = (
                    target_ctx(i)
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
                    continue
                if (ss & FIRST_SG) and not (ss & L.SECOND_PERSON) and not off_hit and "ben" in ss:
                    continue
                frame = "negation" if negated(i, 3) else framed(i, direct=ctx)
                if t in MASCULINE_PUTDOWN and not (all_set & ({"haar", "zij", "mevrouw"} | L.ROLE_WORDS) or off_hit):
                    add(i, i + 1, "abuse", "slur", 0.85 if ctx else 0.7, frame)
                    continue
                add(i, i + 1, "gender", "gendered_slur", 0.9 if ctx else 0.7, frame)
                if ctx:
                    add(i, i + 1, "abuse", "gendered_slur", 0.85, frame)
            elif t in INSULT_WORDS or (t in WEAK_INSULTS and i > 0 and toks[i - 1] in L.INSULT_MODIFIERS):
                ctx = (
                    target_ctx(i)
                    or i == 0
                    or (i > 0 and (toks[i - 1] in {"vuile", "vieze", "smerige", "die", "deze", "stomme", "domme"}))
                    or any(toks[k] == "wat" and toks[k + 1] == "een" for k in range(max(0, i - 4), i - 1))
                )
                if not ctx:
                    continue
                if (
                    (ss & FIRST_SG)
                    and not (ss & L.SECOND_PERSON)
                    and not off_hit
                    and ss & {"ben", "was", "geweest", "zijn"}
                ):
                    continue  # self-deprecation: "soms ben ik een klootzak"
                frame = "negation" if negated(i, 3) else framed(i, direct=True)
                add(i, i + 1, "abuse", "insult", 0.85, frame)
            elif t in SEXUAL:
                if not (
                    ss & L.SECOND_PERSON
                    or ss & L.ROLE_WORDS
                    or off_hit
                    or ss & {"haar", "zij", "ze"}
                    or ss & L.GENDER_GROUP
                ):
                    continue
                frame = "negation" if negated(i, 3) else framed(i, direct=bool(ss & L.SECOND_PERSON))
                add(i, i + 1, "gender", "sexualisation", 0.85, frame)
                if ss & L.SECOND_PERSON or ss & L.ROLE_WORDS or off_hit:
                    add(i, i + 1, "abuse", "sexualisation", 0.7, frame)
            elif t in L.GENDER_GROUP and t not in {"moeder", "moeders", "meid", "meisje"}:
                neg_words = (all_set if sid <= 3 else ss) & L.GENDER_GROUP_NEG
                if t in SINGULAR_WOMAN:
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
                    or ("zat" in ss and "het" in ss and ss & FIRST_SG)
                    or (
                        "liever" in ss and ss & {"dood", "sterf", "sterven", "kanker", "zelfmoord", "doodgaan", "stref"}
                    )
                    or ("zelfmoord" in ss and "als" in ss and ss & FIRST_SG)
                ):
                    neg_words = neg_words | {"disgust"}
                # a wish that they suffer: "jullie verdienen het om te lijden"
                wish_set = all_set if sid <= 3 else ss
                if wish_set & {"verdienen", "verdient", "verdien"} and wish_set & {
                    "lijden",
                    "sterven",
                    "dood",
                    "pijn",
                    "creperen",
                    "branden",
                }:
                    neg_words = neg_words | {"harm_wish"}
                hate = any(toks[k] in HATE_VERBS for k in range(max(0, i - 4), i))
                # reference by pronoun in a short post: "Vrouwen? Ik haat ze.", "Ik ken vrouwen. Ik veracht hen."
                if not hate and sid <= 3:
                    hate = any(
                        toks[k] in HATE_VERBS
                        and k + 1 < n
                        and toks[k + 1] in {"ze", "hen", "hun", "die"}
                        and sent[k] != sent[i]
                        for k in range(n)
                    )
                # profanity used as a modifier of the group: "fucking vrouwen", "kutvrouwen", "kankerwijven"
                if not hate and ((i > 0 and toks[i - 1] in PROFANE_MODS) or t.startswith(tuple(PROFANE_MODS))):
                    hate = True
                sw = all_set if sid <= 3 else ss
                # "vrouwen zijn niets waard"
                worthless = (
                    any(
                        toks[k] in {"niets", "niks", "geen", "nergens"}
                        and k + 1 < n
                        and toks[k + 1] in {"waard", "goed"}
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
                    bool(
                        ss & {"mond", "bek", "kop", "smoel", "snavel", "waffel"}
                        and ss & {"houden", "houdt", "dicht", "hou"}
                    )
                    or "zwijgen" in ss
                    or any(
                        toks[k] == "alleen" and k + 1 < n and toks[k + 1] in {"goed", "geschikt", "nuttig"}
                        for k in range(n)
                        if sent[k] == sent[i]
                    )
                )
                restrict = bool(
                    ss & L.NEGATIONS
                    and ss
                    & {"mogen", "mag", "moeten", "moet", "zouden", "zou", "horen", "hoort", "kunnen", "verdienen"}
                    and ss & RIGHTS_WORDS
                    and not ss & VICTIM_WORDS
                )
                # a positive attribute or attitude denied: "vrouwen zijn niet slim", "ik respecteer geen vrouwen"
                neg_pos = bool(
                    ss & POS_ATTR
                    and ss & L.NEGATIONS
                    and not ss & {"minder", "dommer", "slechter", "zwakker", "niet", "geen"} - L.NEGATIONS
                    and not (ss & {"minder", "net", "even"})
                )
                if not (neg_words or hate or worthless or silence or restrict or neg_pos):
                    continue

                def real_neg(k: int, i: int = i) -> bool:
                    if toks[k] not in L.NEGATIONS or sent[k] != sent[i]:
                        return False
                    nxt = toks[k + 1] if k + 1 < n else ""
                    nxt2 = toks[k + 2] if k + 2 < n else ""
                    if toks[k] in {"niets", "niks"} and (
                        nxt in {"anders", "waard", "dan", "erger", "meer"} or nxt2 in {"waard"}
                    ):
                        return False  # "niets anders dan afval", "niets waard"
                    if toks[k] == "geen" and (
                        nxt in {"kut", "knip", "moer", "cent", "donder", "reet", "zak"} or nxt2 == "waard"
                    ):
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
                        and (toks[k + 1] in HATE_VERBS or toks[k + 1] in L.GENDER_GROUP_NEG)
                        for k in range(n)
                    )
                    frame = (
                        "negation"
                        if neg_before_hostile or any(real_neg(k) for k in range(max(0, i - 5), min(n, i + 6)))
                        else framed(i)
                    )
                else:
                    # the negation is part of the hostile predicate here; only counter-speech / quotes / news frame
                    frame = framed(i)
                    if (
                        neg_words
                        and (hate or not (worthless or silence or restrict or neg_pos))
                        and any(real_neg(k) for k in range(max(0, i - 5), min(n, i + 6)))
                        and not neg_pos
                    ):
                        frame = "negation"
                _ = sw
                # negated report: "ik zou nooit zeggen dat vrouwen dom zijn", "niemand mag beweren dat ..."
                for k in range(max(0, i - 6), i):
                    if (
                        sent[k] == sent[i]
                        and toks[k] in SPEECH
                        and k + 1 < n
                        and toks[k + 1] == "dat"
                        and any(toks[q] in L.NEGATIONS for q in range(max(0, k - 4), k) if sent[q] == sent[i])
                    ):
                        frame = frame or "negation"
                add(i, i + 1, "gender", "women_group_hate", 0.8, frame)

        # --- a short post naming women, then threatening "ze / jullie" in a later sentence -------------------
        if sid <= 3 and not any(h.label == "gender" for h in hits):
            women_at = [
                k
                for k in range(n)
                if toks[k] in L.GENDER_GROUP and toks[k] not in SINGULAR_WOMAN | {"moeder", "moeders", "meid", "meisje"}
            ]
            for h in list(hits):
                if h.label != "threat" and h.rule != "death_wish":
                    continue
                hs = sent[_tok_at(starts, h.start)]
                if (
                    sent_sets[hs] & {"ze", "hen", "hun", "jullie", "zij"}
                    and not sent_sets[hs] & (L.GROUP_NOUNS | L.ROLE_WORDS)
                    and any(sent[k] != hs and not framed(k) for k in women_at)
                ):
                    hits.append(Hit(h.start, h.end, "gender", "threat_women", 0.8))
                    break

        # --- doxxing patterns (on the clean / folded view, regexes) -------------------------------------------
        pii: list[tuple[int, int, str]] = []
        for rx, nm, src in (
            (_POSTCODE, "postcode", clean),
            (_PHONE, "phone_mobile", folded),
            (_LANDLINE, "phone", folded),
            (_PLATE, "licence_plate", clean),
            (_STREET, "street_address", folded),
            (_SCHOOL, "school_name", folded),
        ):
            for mt in rx.finditer(src):
                if nm == "street_address":
                    street = mt.group(1).split()[-1]
                    if street in _STREET_STOP or street.endswith(("jaar", "keer")):
                        continue
                    if re.match(
                        r"\s*(jaar|keer|procent|euro|minuten|uur|dagen|weken|km|meter|%)",
                        folded[mt.end() : mt.end() + 12],
                    ):
                        continue
                if nm == "licence_plate" and not (
                    re.search(r"[A-Za-z]", mt.group(0)) and re.search(r"\d", mt.group(0))
                ):
                    continue
                if nm == "school_name" and mt.group(0).split()[0] == "school":
                    # plain "school X" only when X looks like a name (capitalised in the original)
                    last = mt.group(0).split()[-1]
                    pos = mt.end() - len(last)
                    if not _CAPWORD.match(clean[pos : pos + 1]):
                        continue
                pii.append((mt.start(), mt.end(), nm))
        if pii:
            dox_ctx = any(nm == "dox_context" or nm == "dox_know" for nm, _, _ in pmatches) or bool(
                all_set
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
                all_set
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
            own_only = "mijn" in all_set and not (
                all_set & {"je", "jouw", "jij", "u", "uw", "zijn", "haar", "hun", "hij", "zij"}
            )
            owner = bool(
                all_set
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
            person = bool(all_set & (L.SECOND_PERSON | L.ROLE_WORDS)) or off_hit
            for s0, e0, nm in pii:
                if nm == "school_name":
                    score = 0.9 if (owner and (dox_ctx or all_set & {"kinderen", "dochter", "zoon", "kind"})) else 0.15
                elif nm == "phone":
                    score = 0.85 if (dox_ctx and owner) else (0.5 if person and owner else 0.15)
                else:
                    score = 0.92 if (dox_ctx or (owner and person)) else (0.55 if person or owner else 0.3)
                    if {"street_address", "postcode"} <= kinds and not public:
                        score = max(score, 0.75)
                    if public and not (all_set & {"je", "jouw", "jij", "zijn", "haar"}):
                        score = min(score, 0.3)
                if own_only:
                    score = min(score, 0.3)
                frame = None
                if text_news and not dox_ctx and not (all_set & {"je", "jouw", "jij"}):
                    frame = "news"
                h = Hit(s0, e0, "doxxing", nm, score)
                (suppressed if frame else hits).append(h)
                if (
                    score >= 0.85
                    and all_set & L.INTENT_MODALS
                    and all_set & {"langs", "bezoekje", "langskomen", "tot", "wacht", "weten", "weet"}
                ):
                    hits.append(Hit(s0, e0, "threat", "dox_intimidation", 0.6))

        scores = {lab: 0.02 for lab in LABELS}
        for h in hits:
            scores[h.label] = max(scores[h.label], h.score)
        for h in suppressed:
            scores[h.label] = max(scores[h.label], 0.1)
        spans = _to_spans(hits, text or "")
        return RuleResult(scores=scores, spans=spans, hits=hits, suppressed=suppressed, truncated=truncated)


# rule-layer patterns added in the second round; they run in their own Matcher, only on docs that contain one of
# their selective words (exact: a pattern cannot match without its required tokens)
NEW_PATTERNS = {
    "threat_sep_kill",
    "threat_body",
    "threat_idiom_kill",
    "threat_v2_sep",
    "threat_np",
    "threat_np_imp",
    "threat_passive",
    "threat_more",
    "threat_ensure",
    "threat_get_you",
}
_COMMON = {
    "je",
    "jou",
    "jij",
    "jullie",
    "u",
    "hem",
    "haar",
    "ze",
    "zij",
    "hen",
    "hun",
    "de",
    "het",
    "een",
    "in",
    "op",
    "om",
    "af",
    "ik",
    "we",
    "wij",
    "die",
    "deze",
    "dat",
    "alle",
    "elke",
    "iedere",
    "al",
    "te",
    "worden",
    "wordt",
    "moet",
    "moeten",
    "mag",
    "mogen",
    "zou",
    "zouden",
    "gaan",
    "gaat",
    "ga",
    "zal",
    "zullen",
    "wil",
    "willen",
    "laat",
    "laten",
    "uit",
    "dood",
    "neer",
    "jouw",
    "uw",
    "zijn",
    "is",
    "zien",
    "hebben",
    "maak",
    "maken",
}


class _Recorder:
    """Collects Matcher patterns by name; builds the main Matcher and the second-round one with its trigger words."""

    def __init__(self, matcher_cls, vocab) -> None:
        self.cls, self.vocab = matcher_cls, vocab
        self.items: list[tuple[str, list[list[dict]]]] = []

    def add(self, name: str, patterns: list[list[dict]]) -> None:
        self.items.append((name, patterns))

    def build(self):
        main, extra = self.cls(self.vocab), self.cls(self.vocab)
        triggers: set[str] = set()
        for name, pats in self.items:
            if name not in NEW_PATTERNS:
                main.add(name, pats)
                continue
            extra.add(name, pats)
            for pat in pats:
                options = []
                for t in pat:
                    spec = t.get("LOWER")
                    if t.get("OP") not in (None, "+") or spec is None:
                        continue
                    words = {spec} if isinstance(spec, str) else set(spec.get("IN", []))
                    if words:
                        options.append((len(words & _COMMON), len(words), words))
                if not options:
                    raise ValueError(f"pattern {name} has no fixed token")
                triggers |= min(options, key=lambda o: (o[0], o[1]))[2]
        return main, extra, frozenset(triggers)


_SLUR_HEADS = ("wijf", "wijven", "hoer", "hoeren", "trut", "trutten", "teef", "teven", "slet", "sletten")


def _slur_compound(t: str) -> bool:
    """A compound whose head is a gendered slur ("rotwijf", "stoeptrut"), with a modifier of 3+ letters."""
    return (
        t.isalpha()
        and any(t.endswith(h) and len(t) >= len(h) + 3 for h in _SLUR_HEADS)
        and not t.endswith(("ouwehoer", "ouwehoeren"))
    )  # "geouwehoer" = idle chatter


def _tok_at(starts: list[int], pos: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _quote_mask(text: str) -> list[bool]:
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


def _to_spans(hits: list[Hit], text: str) -> list[Span]:
    seen: set[tuple[int, int, str]] = set()
    out: list[Span] = []
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), -h.score))
    for h in ordered:
        key = (h.start, h.end, h.label)
        if key in seen:
            continue
        if any(
            o.label == h.label and o.start <= h.start and h.end <= o.end and (o.start, o.end) != (h.start, h.end)
            for o in ordered
        ):
            continue
        seen.add(key)
        out.append(Span(start=h.start, end=h.end, label=h.label, text=text[h.start : h.end], source=f"rule:{h.rule}"))
    return out
