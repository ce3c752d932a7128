"""Word lists for the rule layer (lowercase, without diacritics, as produced by textnorm.fold).

Written for this project; the gendered-slur list is extended with a curated subset of LDNOOBW (CC BY 4.0, see
rules.LDNOOBW_GENDER).
"""

from __future__ import annotations

# --- threat -------------------------------------------------------------------------------------------------
# Violence verbs that are a threat whenever someone announces, wishes or demands them.
STRONG_VIOLENCE = {
    "vermoorden", "vermoord", "vermoordt", "vermoorde", "vermoordde", "vermoordden",
    # common misspellings of the above
    "vermoort", "vermoor", "vermoorden.", "vermoordenn", "vermooren", "vermorden", "vermord",
    "neersteken", "neergestoken", "doodsteken", "doodgestoken", "steek", "steken",
    "doodschieten", "doodgeschoten", "neerschieten", "neergeschoten", "neerknallen", "neergeknald", "afknallen",
    "afgeknald", "doodmaken", "doodgemaakt", "doodslaan", "doodgeslagen", "doodtrappen", "doodgetrapt",
    "verkrachten", "verkracht", "verkrachting", "onthoofden", "onthoofd", "doden", "gedood", "verbranden",
    "verbrand", "afhakken", "afgehakt", "vergiftigen", "vergiftigd", "stenigen", "gestenigd", "doodrijden",
    "doodgereden", "uitmoorden", "uitgemoord", "afschieten", "neermaaien", "neergemaaid", "elimineren",
    "geelimineerd", "folteren", "gefolterd", "doodmartelen", "verminken", "verminkt", "wurgen", "gewurgd", "wurg",
    "afranselen", "afgeranseld", "afrossen", "afgerost", "aftuigen", "afgetuigd",
    "afslachten", "afgeslacht", "slacht", "executeren", "geexecuteerd", "executie", "uitroeien", "uitgeroeid",
    "lynchen", "gelyncht", "opknopen", "opgeknoopt", "verzuipen", "verdrinken", "verdronken",
    "opblazen", "opgeblazen", "molesteren", "gemolesteerd", "mishandelen", "mishandeld", "martelen", "gemarteld",
    "doorsnijden", "doorgesneden", "abknallen", "koudmaken", "vergassen", "vergast", "kelen", "keel",
    "afmaken", "afgemaakt", "afmaakt", "kapotmaakt", "neersteekt", "doodschiet", "ophangt", "kapotmaken",
    "kapotgemaakt", "kapotslaan", "kapotgeslagen", "ophangen",
    "opgehangen", "neerschiet", "schiet", "knal", "lijden", "elkaar", "brand", "fik", "kogel", "kogels",
    "pijn", "breken", "nek", "nekken", "slaan", "trappen", "rammen", "kapot",
}
# Verbs that are only violent with a person as object right before them ("ik maak je af" vs "het werk afmaken").
PERSON_ONLY = {
    "afmaken", "afgemaakt", "afmaakt", "kapotmaakt", "neersteekt", "doodschiet", "ophangt", "kapotmaken",
    "kapotgemaakt", "ophangen", "opgehangen", "steek", "steken",
    "schiet", "knal", "lijden", "elkaar", "brand", "fik", "pijn", "breken", "nek", "nekken", "slaan",
    "trappen", "rammen", "kapot", "keel", "kelen", "kapotslaan", "kapotgeslagen", "aanvallen", "aanvalt", "aangevallen",
}
# separable verbs: "ik steek je neer", "ik maak je af", "ik schiet je dood"
PARTICLES = {"neer", "dood", "af", "kapot", "lek", "overhoop"}

INTENT_SUBJECTS = {"ik", "we", "wij", "iemand", "men", "jullie"}
INTENT_MODALS = {
    "ga", "gaan", "gaat", "zal", "zullen", "kom", "komen", "wil", "willen", "wou", "zou", "zouden", "moet",
    "moeten", "moest", "hoop", "hopen", "laten", "laat", "kan", "kunnen", "wens", "wacht", "weet",
}
PERSON_OBJECTS = {
    "je", "jou", "jij", "u", "jullie", "hem", "haar", "ze", "zij", "hun", "jouw", "uw", "die", "dat", "deze",
}
SECOND_PERSON = {"je", "jij", "jou", "jouw", "u", "uw", "jullie", "jezelf", "uzelf", "ge", "gij"}

# --- negation, news and counter-speech frames ---------------------------------------------------------------
NEGATIONS = {"niet", "nooit", "geen", "niemand", "niks", "niets", "nimmer"}
NEWS_MARKERS = {
    "aangehouden", "opgepakt", "gearresteerd", "verdachte", "verdachten", "veroordeeld", "rechtbank", "rechter",
    "aangifte", "bedreigd", "bedreiging", "bedreigingen", "politie", "officier", "justitie", "volgens",
    "meldt", "meldde", "melden", "anp", "nos", "rtv", "omroep", "krant", "nieuws", "onderzoek", "celstraf",
    "taakstraf", "werkstraf", "cel", "openbaar", "ministerie", "beveiliging", "beveiligd", "persbericht",
    "doodsbedreiging", "doodsbedreigingen", "dreigbrief", "dreigbrieven", "bericht", "berichten", "kreeg",
    "ontving", "ontvangen", "kregen", "schreef", "schreven", "zei", "zegt", "zeggen", "riep", "tweet",
    "tweette", "geplaatst", "plaatste", "monitor", "onderzoekers", "procent", "rapport", "incidenten",
}
COUNTER_MARKERS = {
    "onacceptabel", "walgelijk", "schandalig", "verwerpelijk", "triest", "zielig", "ziek", "stop", "genoeg",
    "respect", "steun", "sterkte", "afschuwelijk", "kan niet", "mag niet", "hoort niet", "niet normaal",
    "verschrikkelijk", "ontoelaatbaar", "intimidatie", "haat", "geweld", "grens", "grenzen", "solidariteit",
}
QUOTE_CHARS = "\"“”„‘’'«»"

# --- abuse --------------------------------------------------------------------------------------------------
INSULTS = {
    "klootzak", "klootzakken", "hufter", "hufters", "eikel", "eikels", "idioot", "idioten", "debiel", "debielen",
    "debiele", "mongool", "mongolen", "kankerlijer", "kankerlijers", "teringlijer", "teringlijers", "tyfuslijer",
    "tyfuslijers", "sukkel", "sukkels", "oetlul", "lul", "lullo", "rotzak", "rotzakken", "schoft", "schoften",
    "etterbak", "etterbakken", "ettertje", "randdebiel", "randdebielen", "achterlijk", "achterlijke", "imbeciel",
    "zakkenwasser", "zakkenwassers", "klojo", "lulhannes", "mafketel", "kankerzooi", "tering", "aso", "asociaal",
    "viezerik", "smeerlap", "smeerlappen", "gluiperd", "kakkerlak", "kakkerlakken", "parasiet", "parasieten",
    "ongedierte", "uitschot", "tuig", "ratten", "rat", "varken", "varkens", "beest", "beesten", "aap", "apen",
    "stuk vreten", "stuk stront", "stuk vuil", "vuilak", "vuilakken", "drol", "kutkind", "kankerkind",
    "kankerhond", "kankermongool", "kutlul", "lamlul", "lamzak", "nietsnut", "waardeloos", "waardeloze",
    "landverrader", "volksverrader", "volksverraders", "landverraders", "hoerenzoon", "hoerenjong",
    "gestoord", "gestoorde", "kneus", "dombo", "domme", "dom", "psychopaat", "psychopaten",
    "pedo", "pedofiel", "nazi", "kanker", "kankerwethouder", "kankerburgemeester", "kankerraadslid",
    "kutwethouder", "kutburgemeester", "kutraadslid", "hondenkop", "mislukkeling", "schijtlijster",
    "vetzak", "vetklep", "vetzakken", "gedrocht", "monster", "freak", "zielenpoot", "zielige", "minkukel",
    # personal insults (political labels such as leugenaar, zakkenvuller, hypocriet stay criticism)
    "boerenkinkel", "kinkel", "rotjoch", "afschaamsel", "gladjanus", "mafkees", "zombie", "hersendode",
    "kwal", "gluiperig", "gluiperige", "zeikerd", "zeikerds", "transfreak", "kakkertje",
    "kutkop", "kankerkop", "kankergezwel", "pleurislijer", "pokkenlijer", "kutmongool", "vuile", "vieze", "smerige",
    "vuil",
}
# Adjectives that only insult together with a noun ("vuile leugenaar", "vieze rat"); never alone.
INSULT_MODIFIERS = {"vuile", "vieze", "smerige", "vuil", "domme", "dom", "zielige", "achterlijke", "debiele"}
# Words that are insults on their own but also common harmless profanity / criticism: only with a target.
ABUSE_PHRASES = [
    "krijg de kanker", "krijg de tering", "krijg de tyfus", "krijg de pest", "krijg de pleuris",
    "kanker op", "tyfus op", "tering op", "flikker op", "rot op", "sodemieter op", "hou je bek",
    "hou je kop", "hou je smoel", "hou je muil", "houd je bek", "je moeder", "ga dood", "val dood",
    "ga toch dood", "sterf", "hoop dat je doodgaat", "hoop dat je dood gaat", "hoop dat je sterft",
    "hoop dat je kanker krijgt", "hoop dat je verrekt", "verrek", "je bent niets waard", "niks waard",
    "stuk vreten", "stuk stront", "stuk vuil", "we maken je leven zuur", "we maken je het leven zuur",
    "je leven tot een hel", "we blijven je volgen", "we houden je in de gaten", "we zijn overal",
    "je komt niet meer veilig", "nergens meer veilig", "we zien je wel",
]

# --- gender -------------------------------------------------------------------------------------------------
GENDER_SLURS = {
    "hoer", "hoeren", "hoertje", "slet", "sletten", "sletje", "teef", "teven", "wijf", "wijven", "kutwijf",
    "kutwijven", "del", "snol", "snollen", "trut", "trutten", "kuttrut", "sloerie", "sloeries", "temeier",
    "stoephoer", "rothoer", "kankerhoer", "kankerhoeren", "kankerwijf", "kankertrut", "tyfushoer", "tyfuswijf",
    "hoerig", "sletterig", "mokkel", "kippenhok", "feministe", "feminazi", "feminazis", "portiekslet",
    "greppeldel", "trottoirteef", "gratenkut", "flamoes", "doos", "tante", "wijfje", "kreng", "takkewijf",
    "tyfustrut", "kuthoer", "manwijf", "potten", "pot", "lesbo", "lellebel", "heks", "heksen",
    "bitch", "bitches", "whore", "slut",
}
# Only insulting next to a person reference ("die trut", "je bent een heks"); many have other meanings.
GENDER_SLURS_CONTEXT = {"del", "doos", "tante", "pot", "potten", "heks", "heksen", "kreng", "mokkel",
                        "feministe", "kippenhok", "wijfje"}
SEXUAL_TERMS = {
    "neuken", "geneukt", "neuk", "pijpen", "pijpt", "beffen", "tieten", "tiet", "kut", "kutje", "borsten",
    "geil", "geile", "opgeilen", "beurt", "bukken", "knieen", "verkrachten", "verkracht", "verkrachting",
    "naaien", "genaaid", "billen", "kont", "kontje", "poesje", "sexy", "lekker ding", "lekkere", "bed",
    "ontkleden", "naakt", "naaktfoto", "naaktfotos", "slik", "zaad", "sperma", "vingeren", "rukken",
}
GENDER_GROUP = {
    "vrouwen", "vrouw", "meiden", "meisjes", "wijven", "dames", "vrouwelijke", "feministen", "moeders",
    "moeder", "vrouwtje", "vrouwtjes", "meid", "meisje", "feministes", "wijfjes",
    # profanity compounds with a women noun (Dutch disease-curse prefixes)
    "kutvrouwen", "kankervrouwen", "tyfusvrouwen", "teringvrouwen", "klotevrouwen", "kutmeiden", "kankermeiden",
    "kutvrouw", "kankervrouw",
    # one dropped letter of "vrouw" (too short for the speller; "rouw" and "vouw" are real words)
    "vrow", "vruw", "vrou", "vrowen", "vruwen",
}
GENDER_ROLE_PHRASES = [
    "terug naar het aanrecht", "terug naar de keuken", "achter het aanrecht", "aan het aanrecht",
    "naar je aanrecht", "naar je keuken", "achter het fornuis", "achter de kookpotten", "achter het fornuis",
    "in de keuken", "hoort in de keuken", "hoort thuis", "horen thuis", "ga koken", "ga lekker koken",
    "ga strijken", "ga afwassen", "ga je kinderen opvoeden", "ga luiers verschonen", "blijf thuis bij je kinderen",
    "vrouwen horen niet", "vrouwen moeten niet", "vrouwen kunnen niet", "vrouwen kunnen geen",
    "horen niet in de politiek", "hoort niet in de politiek", "niet geschikt voor de politiek",
    "moet je mannen laten doen", "laat de mannen", "typisch vrouw", "typisch wijf", "ongesteld",
    "menstrueert", "hormonen", "emotionele vrouw", "hysterisch", "hysterische", "hysterica", "keukenmeid",
    "naar bed geslapen", "omhoog geslapen", "omhooggeslapen", "met wie heb je geslapen",
    "via de slaapkamer", "omhoog gepijpt", "heeft zich omhoog", "wat een lekker ding", "lekker wijf",
    "laat je tieten zien", "laat je borsten zien", "mooie tieten", "mooie kont", "op je knieen",
    "een beurt", "goed geneukt", "eens goed geneukt", "moet eens geneukt", "moet eens goed", "moet gepakt",
    "verdient een beurt",
    # put-downs on gender roles and masculinity
    "echte vent", "echte man", "vent zien te vinden", "vent in een jurk", "meer wijf dan vent", "vanwege het quotum",
    "vanwege het vrouwenquotum", "quotumvrouw", "quotumvrouwtje", "slechte moeder", "zit te kakelen",
    "zitten te kakelen", "goed genomen", "eens genomen", "in bed", "mietje",
]
GENDER_GROUP_NEG = {
    "dom", "dommer", "dommere", "stom", "stomme", "waardeloos", "waardeloze", "minderwaardig", "minderwaardige",
    "inferieur", "inferieure", "zwak", "zwakke", "hysterisch", "hysterische", "ongeschikt", "hoeren",
    "sletten", "wijven", "lui", "luie", "walgelijk", "walgelijke", "vies", "vieze", "achterlijk", "achterlijke",
    "haat", "hekel", "ongedierte", "uitschot", "afval", "tuig", "parasieten", "beesten", "kakkerlakken",
    "nutteloos", "nutteloze", "onbetrouwbaar", "leugenaars", "teven",
    # generic derogation / dehumanisation vocabulary
    "minachting", "misselijkmakend", "misselijkmakende", "verachtelijk", "verachtelijke", "oneerlijk",
    "plaag", "kankergezwel", "gezwel", "schoften", "eikels", "lul", "lulkoek", "verneukt", "domste",
    "woedend", "pissig", "erger", "verdoem", "sterven", "gedood", "doden", "uitroeien", "ziekte", "virus",
    "kanker", "parasiet", "ratten", "varkens", "apen", "honden", "idioten", "debielen", "achterlijken",
    "stinken", "stinkende", "smerig", "smerige", "irritant", "irritante", "walg", "kots", "kotsen",
    "crimineel", "criminelen", "gevaarlijk", "leugenachtig", "slechtste",
    # further derogatory predicates (general Dutch vocabulary)
    "verschrikkelijk", "verschrikkelijke", "vreselijk", "vreselijke", "afschuwelijk", "afschuwelijke", "onnozel",
    "onnozele", "ergste", "ramp", "rampen", "schande", "onuitstaanbaar", "onuitstaanbare", "incompetent",
    "incompetente", "onbekwaam", "onbekwame", "hersenloos", "hersenloze", "oliedom", "primitief", "primitieve",
    "overbodig", "overbodige", "labiel", "labiele", "gestoord", "gestoorde", "debiel", "debiele", "idioot",
    "kwaadaardig", "kwaadaardige", "manipulatief", "manipulatieve", "sluw", "sluwe", "pathetisch",
    "lastpakken", "lastpak", "kreng", "krengen", "minderwaardigheid", "stommer", "stomste",
    "gedrocht", "gedrochten", "ongeschikte",
    # violence, cruelty, disgust, expulsion and threat-to-society predicates about a group
    "gewelddadig", "gewelddadige", "wreed", "wrede", "verspilling", "onbeschaafd", "onbeschaafde", "barbaars",
    "barbaarse", "barbaren", "weerzinwekkend", "weerzinwekkende", "dierentuin", "kooi", "oprotten", "oprot",
    "opzouten", "opdonderen", "ophoepelen", "klootzakken", "ruineren", "verpesten", "pikken", "spuugzat", "kotsbeu",
    "ontdoen", "vuilnis", "schorem", "gespuis",
    "onwetend", "onwetende", "onmenselijk", "onmenselijke", "mindere", "afstotend", "afstotende", "aap",
}

# --- doxxing ------------------------------------------------------------------------------------------------
DOX_PHRASES = [
    "weet waar je woont", "weten waar je woont", "weet waar jij woont", "weten waar jij woont",
    "weet waar u woont", "weten waar u woont", "weet waar hij woont", "weten waar hij woont",
    "weet waar ze woont", "weten waar ze woont", "weet waar zij woont", "weten waar zij woont",
    "weet waar je kinderen", "weten waar je kinderen", "weet waar jouw kinderen", "weten waar jouw kinderen",
    "weet waar je dochter", "weten waar je dochter", "weet waar je zoon", "weten waar je zoon",
    "weet waar je vrouw", "weten waar je vrouw", "weet waar je man", "weten waar je man",
    "weet waar je auto", "weten waar je auto", "weet waar je werkt", "weten waar je werkt",
    "weet waar je slaapt", "weten waar je slaapt", "weet waar je moeder woont", "weet welke school",
    "weten welke school", "weet op welke school", "weten op welke school", "weet hoe je auto",
    "weet wat je kenteken", "weten wat je kenteken", "je adres is", "jouw adres is", "zijn adres is",
    "haar adres is", "het adres van", "adres van de wethouder", "adres van de burgemeester", "adres van dat",
    "adres van die", "hier woont", "hier woont hij", "hier woont ze", "daar woont", "woont op", "woont aan",
    "woont in de", "woonadres", "huisadres", "privenummer", "prive nummer", "privenummer van", "zijn nummer",
    "haar nummer", "je nummer", "zijn telefoonnummer", "haar telefoonnummer", "zijn 06", "haar 06",
    "zijn kenteken", "haar kenteken", "je kenteken", "jouw kenteken", "rijdt in een", "zijn auto staat",
    "haar auto staat", "je auto staat", "zitten op school", "zit op school", "zitten op de", "zit op de",
    "naar school bij", "brengt haar kinderen", "brengt zijn kinderen", "brengt de kinderen", "haalt haar kinderen",
    "haalt zijn kinderen", "zijn kinderen zitten", "haar kinderen zitten", "je kinderen zitten",
    "jouw kinderen zitten", "je dochter zit", "je zoon zit", "zijn dochter zit", "haar dochter zit",
    "zijn zoon zit", "haar zoon zit", "even langskomen", "komen langs", "kom langs", "op bezoek",
    "bezoekje brengen", "een bezoekje", "staan voor je deur", "sta voor je deur", "voor de deur",
    "bij je huis", "bij jouw huis", "bij zijn huis", "bij haar huis", "naar je huis", "naar zijn huis",
    "naar haar huis", "je huis", "jouw huis", "bel hem", "bel haar", "bel hem maar", "bel haar maar",
    "bel hem even", "bel haar even", "stuur hem", "stuur haar", "appen naar", "app hem", "app haar",
    "zet hem maar", "verspreid", "deel dit", "delen maar",
]
DOX_STRONG = {p for p in DOX_PHRASES if p.startswith(("weet ", "weten ")) or "adres" in p or "woont" in p
              or "nummer" in p or "kenteken" in p or "school" in p or "zit op" in p or "zitten op" in p
              or "kinderen zitten" in p or "06" in p}
SCHOOL_WORDS = {
    "basisschool", "school", "kinderopvang", "kinderdagverblijf", "kdv", "bso", "creche", "peuterspeelzaal",
    "obs", "cbs", "rkbs", "pcbs", "daltonschool", "montessorischool", "jenaplanschool", "vrijeschool",
    "scholengemeenschap", "lyceum", "gymnasium", "college", "schoolplein",
}
STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "singel", "gracht", "kade", "dijk", "dreef", "hof", "pad", "steeg",
    "park", "ring", "markt", "baan", "veld", "erf", "allee", "wal", "plantsoen", "boulevard", "straatweg",
    "hoek", "gaarde", "kamp", "akker", "burcht", "haven", "buurt", "zoom", "rade", "wei", "weide",
)

# --- targets ------------------------------------------------------------------------------------------------
ROLE_WORDS = {
    "wethouder", "burgemeester", "raadslid", "raadsleden", "gemeenteraadslid", "statenlid", "gedeputeerde",
    "commissaris", "dijkgraaf", "heemraad", "fractievoorzitter", "wethoudster", "burgervader", "burgermoeder",
    "loco-burgemeester", "locoburgemeester", "griffier", "gemeentesecretaris", "ambtenaar", "bestuurder",
    "politica", "politicus", "raadsvrouw", "raadsman",
}
GROUP_WORDS = {
    "politici", "politicus", "alle", "allemaal", "iedereen", "raadsleden", "wethouders", "burgemeesters",
    "bestuurders", "gemeenteraad", "college", "ambtenaren", "partij", "partijen", "regering", "kabinet",
    "elite", "zakkenvullers", "mensen", "ze", "zij", "hun",
}

# person groups often named as the target of calls for violence (used only to recognise a person noun phrase)
GROUP_NOUNS = {
    "vrouwen", "mannen", "mensen", "moslims", "joden", "christenen", "homos", "homo's", "homoseksuelen", "lesbiennes",
    "transgenders", "transpersonen", "immigranten", "migranten", "vluchtelingen", "asielzoekers", "buitenlanders",
    "allochtonen", "zwarten", "gehandicapten", "politici", "politicus", "ambtenaren", "wethouders", "burgemeesters",
    "raadsleden", "journalisten", "agenten", "linksen", "rechtsen", "feministen", "verraders", "landverraders",
    "volksverraders", "marokkanen", "turken", "polen", "surinamers", "antillianen", "afrikanen", "arabieren",
    "kinderen", "ouderen", "bejaarden", "studenten", "boeren", "activisten", "demonstranten", "klimaatactivisten",
}
# one member of a (non-women) protected group: "een transgender zoals jij" names the group of the person addressed
GROUP_MEMBERS = {
    "moslim", "jood", "homo", "homoseksueel", "homoseksuele", "lesbienne", "transgender", "transpersoon", "immigrant",
    "migrant", "vluchteling", "asielzoeker", "buitenlander", "allochtoon", "gehandicapte", "zwarte", "zwart",
}
