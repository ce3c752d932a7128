"""Generator of synthetic Dutch posts aimed at (fictional) local officials, written for this project.

Every template has a stable id; ``split_by_template`` puts whole templates in train or validation, and templates whose
renderings equal or near-duplicate each other (one a slot-filled twin of the other, say) on the same side, so the
validation score measures generalisation to unseen phrasings (slot fillers such as names and insults are shared).
Nothing here is derived from the evaluation sets (MHC, RTP-LX): templates were written from the domain brief.

Labels are multi-hot in schildwacht.contracts.LABELS order: threat, abuse, gender, doxxing.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache

from schildwacht.contracts import LABELS

ROLES = [
    "wethouder",
    "burgemeester",
    "raadslid",
    "gedeputeerde",
    "statenlid",
    "fractievoorzitter",
    "dijkgraaf",
    "loco-burgemeester",
    "gemeenteraadslid",
]
FIRST_F = [
    "Anna",
    "Fatima",
    "Sanne",
    "Ingrid",
    "Marieke",
    "Esther",
    "Nadia",
    "Femke",
    "Linda",
    "Yvonne",
    "Sevda",
    "Joke",
    "Petra",
    "Hanneke",
    "Mirjam",
    "Daphne",
    "Karin",
    "Noor",
    "Loes",
    "Ayse",
]
FIRST_M = [
    "Jan",
    "Pieter",
    "Mohamed",
    "Kees",
    "Bart",
    "Ruud",
    "Henk",
    "Sander",
    "Erik",
    "Thijs",
    "Youssef",
    "Dirk",
    "Gert-Jan",
    "Willem",
    "Maarten",
    "Frank",
    "Rob",
    "Ahmet",
    "Jeroen",
    "Stefan",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "El Amrani",
    "Yilmaz",
    "van Dijk",
    "Kok",
    "Verbeek",
    "Prins",
    "Huisman",
    "Postma",
    "Kuipers",
    "van der Linden",
]
CITIES = [
    "Utrecht",
    "Zwolle",
    "Almere",
    "Tilburg",
    "Deventer",
    "Leeuwarden",
    "Emmen",
    "Venlo",
    "Delft",
    "Gouda",
    "Assen",
    "Roermond",
    "Hoorn",
    "Middelburg",
    "Zaanstad",
    "Apeldoorn",
    "Heerlen",
    "Den Helder",
    "Oss",
    "Kampen",
    "Schiedam",
    "Purmerend",
    "Veenendaal",
    "Doetinchem",
]
STREETS = [
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Stationsweg",
    "Beukenlaan",
    "Julianastraat",
    "Schoolstraat",
    "Lindenlaan",
    "Prinses Beatrixlaan",
    "Eikenhof",
    "Vondelstraat",
    "Marktplein",
    "Oranjesingel",
    "Parallelweg",
    "Zeedijk",
    "Sportlaan",
    "Wilhelminakade",
    "Esdoornpad",
    "Rozengracht",
    "Burgemeester de Withstraat",
]
SCHOOLS = [
    "basisschool De Regenboog",
    "basisschool De Springplank",
    "obs De Vlinder",
    "cbs De Wegwijzer",
    "de Montessorischool",
    "basisschool Het Kompas",
    "kinderopvang Het Zonnetje",
    "het Stedelijk Lyceum",
    "basisschool De Klimop",
    "daltonschool De Zevensprong",
    "jenaplanschool De Kring",
    "bso De Boomhut",
]
TOPICS = [
    "de nieuwe windmolens",
    "het azc",
    "de parkeertarieven",
    "de ozb-verhoging",
    "de fusie",
    "het nieuwe zwembad",
    "de bomenkap",
    "de sluiting van de bibliotheek",
    "het verkeersplan",
    "de woningbouw in de polder",
    "de begroting",
    "de afvalstoffenheffing",
    "het asielbeleid",
    "de jeugdzorg",
    "de stikstofregels",
    "de huurverhoging",
    "het nieuwe stadhuis",
    "de 30 km-zone",
    "de zonneweide",
    "de opvang van statushouders",
    "de kerstmarkt",
    "het evenemententerrein",
    "de busverbinding",
    "de sporthal",
]
PLATFORMS = ["Twitter", "X", "Facebook", "Mastodon", "Bluesky", "Instagram", "TikTok", "het dorpsforum"]
INSULTS = [
    "klootzak",
    "hufter",
    "eikel",
    "idioot",
    "debiel",
    "sukkel",
    "kankerlijer",
    "teringlijer",
    "rotzak",
    "schoft",
    "etterbak",
    "oetlul",
    "randdebiel",
    "mongool",
    "lamlul",
    "nietsnut",
    "zakkenwasser",
    "tyfuslijer",
    "stuk vreten",
    "parasiet",
    "kakkerlak",
    "uitschot",
    "mislukkeling",
    "vetzak",
    "smeerlap",
    "eikel",
    "lulhannes",
    "viespeuk",
    "achterlijke gladjakker",
    "volksverrader",
]
GSLURS = [
    "hoer",
    "slet",
    "teef",
    "kutwijf",
    "wijf",
    "trut",
    "kankerhoer",
    "sloerie",
    "del",
    "snol",
    "kankerwijf",
    "tyfustrut",
    "stoephoer",
    "rothoer",
    "bitch",
    "kuttrut",
    "hoertje",
    "sletje",
    "manwijf",
    "takkewijf",
]
KILL_INF = [
    "vermoorden",
    "neersteken",
    "doodschieten",
    "afmaken",
    "opknopen",
    "kapotmaken",
    "in elkaar slaan",
    "neerknallen",
    "wurgen",
    "onthoofden",
    "afslachten",
    "lynchen",
    "doodslaan",
    "in elkaar trappen",
    "de keel doorsnijden",
    "een kogel door je kop jagen",
    "overhoop schieten",
    "koud maken",
]
KILL_PART = [
    "vermoord",
    "neergestoken",
    "doodgeschoten",
    "afgemaakt",
    "opgeknoopt",
    "opgehangen",
    "gelyncht",
    "onthoofd",
    "afgeslacht",
    "doodgeslagen",
    "geëxecuteerd",
    "in elkaar geslagen",
    "neergeknald",
]
NEG_ADJ = [
    "incompetent",
    "arrogant",
    "onbetrouwbaar",
    "hypocriet",
    "laf",
    "naïef",
    "wereldvreemd",
    "slap",
    "onbeschoft",
    "zwak",
    "dom bezig",
    "niet te vertrouwen",
    "een draaikont",
    "een regent",
    "een zakkenvuller",
]
EMOJI = [
    "😡",
    "🤬",
    "🔪",
    "💀",
    "🔫",
    "👊",
    "😤",
    "🙄",
    "🤡",
    "💩",
    "👎",
    "🔥",
    "⚰️",
    "🪦",
    "😂",
    "🤮",
    "👀",
    "🖕",
    "🐷",
    "🐀",
    "🤔",
    "👏",
    "❤️",
    "🙏",
    "💪",
    "😢",
]
NEG_EMOJI = ["🙄", "🤔", "👎", "😤", "🤡", "😂", "👏", "❤️", "🙏", "💪", "😢", "🌧️", "☔", "⚽"]


def _plate(r: random.Random) -> str:
    L = "BDFGHJKLNPRSTVXZ"
    pats = [
        "LL-99-99",
        "99-LL-99",
        "99-LL-LL",
        "LL-LL-99",
        "99-LLL-9",
        "9-LLL-99",
        "LL-999-L",
        "L-999-LL",
        "LLL-99-L",
        "L-99-LLL",
        "9-LL-999",
        "999-LL-9",
    ]
    p = r.choice(pats)
    return "".join(r.choice(L) if c == "L" else str(r.randint(0, 9)) if c == "9" else c for c in p)


def _phone(r: random.Random) -> str:
    d = "".join(str(r.randint(0, 9)) for _ in range(8))
    return r.choice([f"06-{d}", f"06{d}", f"06 {d[:2]} {d[2:4]} {d[4:6]} {d[6:]}", f"+31 6 {d}", f"06-{d[:4]} {d[4:]}"])


def _postcode(r: random.Random) -> str:
    L = "ABCDEGHJKLMNPRTVWXZ"
    return f"{r.randint(1000, 9999)}{r.choice([' ', ''])}{r.choice(L)}{r.choice(L)}"


@dataclass
class Post:
    text: str
    labels: list[int]
    template: str
    kind: str  # e.g. "threat", "neg:criticism"


# ----- templates ----------------------------------------------------------------------------------------------
# code: T threat, A abuse, G gender, D doxxing, I identity, N none. `kind` after ':' documents the hard-negative family.
# Slots: {role} {name} {sur} {you} {insult} {gslur} {kill} {killp} {topic} {city} {street} {nr} {pc} {phone}
#        {plate} {school} {adj} {platform} {handle}
TEMPLATES: list[tuple[str, str]] = [
    # ---------------- threats (aimed at the official) ----------------
    ("T", "ik ga je {kill}, {role}"),
    ("T", "{handle} ik ga jou persoonlijk {kill} als {topic} doorgaat"),
    ("T", "Als {topic} doorgaat kom ik je {kill}, {sur}"),
    ("T", "ik zweer het {role}, ik ga je {kill}"),
    ("T", "we gaan je {kill} {emo}"),
    ("T", "Jij bent dood {role} {sur}. Echt dood."),
    ("T", "je bent de volgende {emo}"),
    ("T", "pas maar op {role}, je dagen zijn geteld"),
    ("T", "{name} je bent er geweest als je dit erdoor drukt"),
    ("T", "Een kogel door je kop is wat jij verdient {role}"),
    ("T", "Iemand moet die {role} eens een kogel door de kop jagen"),
    ("T", "die {role} moet gewoon {killp} worden"),
    ("T", "{sur} hoort aan de hoogste boom opgeknoopt te worden"),
    ("T", "ik sta morgen bij het gemeentehuis en dan ben je de klos {sur} {emo}"),
    ("T", "we komen je halen {role}, tot snel"),
    ("T", "Ik steek je neer als ik je op de markt zie"),
    ("T", "ik maak je af {sur}, let maar op"),
    ("T", "Je gaat eraan {role} {emo}{emo}"),
    ("T", "ik schiet je dood als je nog 1x over {topic} begint"),
    ("T", "Er komt een dag dat iemand jou {kill} gaat, en ik help mee"),
    ("T", "Wacht maar tot ik je tegenkom {sur}, dan sla ik je helemaal kapot"),
    ("T", "ik steek je huis in de fik {role}"),
    ("T", "er ligt binnenkort een bom onder je auto {sur}"),
    ("T", "als ik jou was zou ik niet meer alleen over straat gaan {role}. laatste waarschuwing"),
    ("T", "Jouw kop gaat eraf {sur}"),
    ("T", "ik hoop dat iemand je {kill} en ik kom kijken"),
    ("T", "{role} {sur} verdient de kogel"),
    ("T", "tegen de muur met die {role}. allemaal"),
    ("T", "De strop voor {sur}!! {emo}"),
    ("T", "nog één keer en ik trap je {role} in elkaar"),
    ("T", "we gaan je opwachten na de raadsvergadering, {sur}"),
    ("T", "Zorg maar dat je een goede beveiliger hebt {role}, want ik kom eraan"),
    ("T", "Ik ga je {kill} en daarna je hele familie"),
    ("T", "je gezin is ook niet veilig {sur}"),
    ("T", "ik weet je te vinden {role} en dan ga je bloeden"),
    ("T", "Dit overleef je niet {sur} {emo}"),
    ("T", "jou moeten ze {killp} zien"),
    ("T", "wij gaan jou eens een lesje leren met een honkbalknuppel"),
    ("T", "Met een mes wacht ik je op bij de raadszaal"),
    ("T", "zuur in je gezicht, dat verdien je {gslur_or_insult}"),
    # threats against groups of officials (target none, still threat)
    ("T", "alle politici moeten {killp} worden"),
    ("T", "het hele college moet opgehangen worden op de markt"),
    ("T", "die zakkenvullers in het stadhuis moeten allemaal dood"),
    ("T", "we moeten de raad eens een bezoekje brengen met fakkels en touwen"),
    # threat + gender (sexual violence, women)
    ("TG", "ik ga je verkrachten {gslur}"),
    ("TG", "iemand moet jou eens flink verkrachten {role}"),
    ("TG", "Zo'n {gslur} als jij moet je gewoon {kill}"),
    ("TG", "Jij wordt nog eens verkracht en dan lach ik {sur}"),
    ("TG", "ik wacht je op {gslur}, en dan ga je eraan"),
    # ---------------- doxxing ----------------
    ("D", "{sur} woont op de {street} {nr} in {city}. Zeg het voort"),
    ("TD", "Adres van die {role}: {street} {nr}, {pc} {city}. Ga maar eens langs"),
    ("D", "hier is het 06 nummer van {name}: {phone}. bellen maar!"),
    ("D", "Bel die {role} maar eens op zijn privénummer {phone}"),
    ("D", "de kinderen van {sur} zitten op {school}, lekker dichtbij"),
    ("D", "Zijn auto heeft kenteken {plate}, staat elke avond voor de deur"),
    ("D", "Weet iemand waar {name} woont? Volgens mij {street} ergens. Wie heeft het huisnummer"),
    ("D", "haar kenteken is {plate}, rijdt elke ochtend naar {school}"),
    ("TD", "Het privéadres van {role} {sur}: {street} {nr} {city}. Je weet wat je te doen staat"),
    ("D", "{name} {phone} {street} {nr} — deel dit"),
    ("D", "Iedereen die {topic} steunt moet maar eens bij {sur} aanbellen: {street} {nr}, {pc}"),
    ("D", "Zijn vrouw werkt bij de Albert Heijn op de {street} en zijn dochter zit op {school}"),
    ("D", "postcode {pc}, huisnummer {nr}. Daar woont onze {role} {emo}"),
    # doxxing + threat ("ik weet waar je woont")
    ("TD", "we weten waar je woont {role} {emo}"),
    ("TD", "Ik weet waar je kinderen op school zitten, {sur}. {school}. Denk daar maar aan"),
    ("TD", "{street} {nr} toch? tot vanavond {role}"),
    ("TD", "Mooi huis aan de {street}, {sur}. Zou zonde zijn als het afbrandt"),
    ("TD", "ik weet waar je woont en ik weet welke auto je rijdt: {plate}"),
    ("TD", "we staan zo bij je voor de deur op de {street} {nr}"),
    ("TD", "Je dochter zit op {school} he. Zou jammer zijn als haar iets overkwam"),
    # ---------------- abuse ----------------
    ("A", "{role} {sur} is een vuile {insult}"),
    ("A", "je bent echt een {insult} {sur}"),
    ("A", "{handle} wat ben jij een {insult} zeg {emo}"),
    ("A", "Hou je bek {insult}"),
    ("A", "krijg de kanker {role}"),
    ("A", "{sur} is gewoon ongedierte dat je moet verdelgen uit de raad"),
    ("A", "ik haat je {sur}, vieze {insult}"),
    ("A", "Ga toch dood {insult}"),
    ("A", "wat een {insult} is die {role} toch"),
    ("A", "Hoop dat je kanker krijgt {sur}"),
    ("A", "Kankerlijer. Dat ben je {role}. Een kankerlijer"),
    ("A", "Jij bent geen mens meer {sur}, je bent een beest"),
    ("A", "{insult}!!! {emo}"),
    ("A", "tyfus op met je {topic}, {insult}"),
    ("A", "dat {role}tje is een walgelijke {insult}"),
    ("A", "we blijven je volgen {sur}, elke dag, overal. je komt nergens meer vanaf"),
    ("A", "Ik ga je leven tot een hel maken {sur}, elke dag een bericht"),
    ("A", "je bent een schande voor de mensheid, vuil stuk vreten"),
    ("A", "{sur} de {insult} van {city}"),
    ("A", "Kijk die {insult} nou weer lachen op de foto {emo}"),
    ("A", "val dood met je {topic} {insult}"),
    ("A", "Wat een walgelijk figuur ben jij {sur}. {insult}"),
    ("A", "Jij {insult}, jij hoort niet in de raad"),
    ("A", "Vuile landverrader {sur}, je bent niks waard"),
    ("A", "je moeder had je moeten wegslikken {insult}"),
    ("A", "{role} {sur} = {insult}. punt."),
    ("A", "rot toch op {insult}, niemand wil je hier"),
    ("A", "Dat je nog durft te bestaan {sur}. Parasiet"),
    # ---------------- gender ----------------
    ("AG", "{role} {sur} is een vuile {gslur}"),
    ("AG", "terug naar het aanrecht {gslur}"),
    ("AG", "Vrouwen horen niet in de politiek, ga lekker koken {sur}"),
    ("AG", "hoeveel raadsleden heb jij gepijpt om wethouder te worden {gslur}"),
    ("AG", "{sur} is alleen {role} geworden omdat ze met de burgemeester naar bed ging"),
    ("AG", "laat je tieten eens zien {role} {emo}"),
    ("AG", "Die {gslur} moet eens goed geneukt worden, dan doet ze normaal"),
    ("AG", "typisch wijf, {role} {sur}. Hysterisch en dom"),
    ("AG", "ze is vast ongesteld, daarom stemt ze tegen {topic}"),
    ("AG", "{handle} jij domme {gslur}"),
    ("AG", "Kankerhoer {emo}"),
    ("AG", "wat een lelijke {gslur} is dat toch, die {role}"),
    ("AG", "jij hebt je omhoog geslapen {sur}, iedereen weet het"),
    ("AG", "Een vrouw als {role}, dat wordt niks. Ga je kinderen opvoeden {gslur}"),
    ("AG", "Dat {gslur}je van de raad moet haar mond houden"),
    ("AG", "{sur} lekker ding, jou zou ik wel eens willen neuken"),
    ("AG", "ik stuur je wel een foto van mijn pik {gslur}"),
    ("AG", "Zo'n {gslur} als {sur} moet je niet laten besturen"),
    ("AG", "wijven in de politiek, het gaat altijd mis. {sur} bewijst het weer"),
    ("AG", "Ga je nagels lakken {gslur}, laat het besturen aan de mannen"),
    # gender, group-level (no single target)
    ("G", "vrouwen zijn te dom om te besturen"),
    ("G", "Vrouwelijke politici zijn allemaal hoeren"),
    ("G", "ik walg van vrouwen die denken dat ze wat te zeggen hebben"),
    ("G", "Wijven horen in de keuken, niet in de gemeenteraad"),
    ("G", "vrouwen zijn minderwaardig en horen te zwijgen"),
    ("G", "Die feministen moeten allemaal eens flink geneukt worden"),
    # ---------------- more reply-style variety (threat / abuse / gender) ----------------
    ("T", "Wacht maar af {sur}. Jij en je gezin zijn nergens meer veilig"),
    ("T", "ik ga ervoor zorgen dat je niet meer wakker wordt {role}"),
    ("T", "Volgende keer dat je de markt op loopt krijg je een mes tussen je ribben"),
    ("T", "{sur} gaat binnenkort een ongelukje krijgen, let maar op {emo}"),
    ("T", "Ik trek je kop van je romp {insult}"),
    ("T", "als het azc er komt schiet ik je persoonlijk overhoop {role}"),
    ("T", "Met een beetje geluk rijdt iemand je morgen gewoon dood {sur}"),
    ("T", "ik kom je vanavond opzoeken {role}, doe de deur maar niet open"),
    ("T", "Je zult het niet overleven {sur}, dat beloof ik je"),
    ("T", "wij hangen je op aan een lantaarnpaal {role}"),
    ("T", "Dit is je laatste waarschuwing {sur}. Hierna ga je eraan"),
    ("T", "iemand zou die {role} gewoon moeten afknallen"),
    ("T", "ik hoop dat er snel iemand komt die je afmaakt {sur}"),
    ("A", "{handle} jij bent echt het domste wezen dat ooit in de raad heeft gezeten, {insult}"),
    ("A", "Wat een vies mannetje is die {role}. Walgelijk stuk {insult}"),
    ("A", "{sur} je bent een zielige {insult} en iedereen lacht je uit"),
    ("A", "Jij misbaksel. Kruip terug onder je steen {sur}"),
    ("A", "Stomme {insult}, je verdient het om alles kwijt te raken"),
    ("A", "Mensen als jij zijn het afval van de maatschappij {sur}"),
    ("AG", "{sur} is gewoon een domme blonde {gslur} die niks kan"),
    ("AG", "jij moet je mond houden {gslur} en teruggaan naar je man"),
    ("AG", "Met zo'n kont hoef je niet na te denken he {role} {emo}"),
    ("AG", "Ze heeft haar zetel vast verdiend op haar knieën, die {gslur}"),
    ("AG", "Ik zou je eens flink op je plek zetten in bed, {gslur}"),
    ("G", "Vrouwen kunnen gewoon niet besturen, ze zijn te emotioneel"),
    ("G", "Een vrouw als burgemeester, daar komt alleen ellende van. Wijven"),
    ("TG", "Ik wacht je op na de raad en dan verkracht ik je {gslur}"),
    ("D", "Volgens mij woont die {role} in dat witte huis op de {street} {nr}, naast de bakker"),
    ("D", "Wie wil het privénummer van {sur}? DM me, ik heb ook het adres"),
    ("N:criticism", "{handle} wanneer gaat u eindelijk eens luisteren naar de inwoners van {city}?"),
    ("N:criticism", "Je bent een lafaard {sur}, je durft het debat over {topic} niet aan"),
    ("N:criticism", "De {role} zit er alleen voor zichzelf. Bij de verkiezingen rekenen we af"),
    ("N:criticism", "Belachelijk besluit over {topic}. Deze {role} moet zich diep schamen"),
    ("N:criticism", "Wij pikken dit niet {sur}! Wij komen massaal naar de raadsvergadering"),
    ("N:criticism", "{sur} heeft het verprutst, de hele stad betaalt de rekening voor {topic}"),
    ("N:criticism", "Jullie college is een stelletje amateurs. Opstappen, allemaal"),
    ("N:criticism", "deze burgemeester is een marionet van de projectontwikkelaars"),
    ("N:criticism", "Kom op {sur}, doe je werk eens in plaats van op de foto te gaan"),
    ("N:criticism", "Wij willen dat de {role} verdwijnt uit de politiek, per direct"),
    ("N:news", "Raadslid in {city} stopt na jarenlange intimidatie en bedreigingen"),
    ("N:news", "Politie: verdachte stuurde {role} {sur} tientallen berichten waarin stond 'je bent dood'"),
    ("N:counter", "Wie schrijft dat een {role} 'opgehangen moet worden' hoort voor de rechter. Klaar."),
    ("N:counter", "Ik ben het hartgrondig oneens met {sur}, maar 'we weten waar je woont' is intimidatie"),
    ("N:idiom", "Mijn telefoon is dood en de bus rijdt niet, kut {city}"),
    ("N:idiom", "De {role} kreeg de wind van voren in de raad, terecht"),
    ("N:idiom", "Hij heeft zijn politieke graf gegraven met {topic}"),
    ("N:idiom", "Dat plan wordt gegarandeerd afgeschoten door de provincie"),
    ("N:idiom", "Wij slachten ze in de verkiezingen, let maar op! #campagne"),
    ("N:neutral", "Ik woon zelf ook aan de {street}, wanneer komt die drempel er nou?"),
    ("N:neutral", "{sur} brengt haar kinderen elke dag op de fiets naar school, mooi voorbeeld!"),
    # ---------------- hard negatives ----------------
    # harsh political criticism
    ("N:criticism", "Aftreden! {role} {sur} liegt over de cijfers van {topic}"),
    ("N:criticism", "deze {role} liegt gewoon keihard over {topic}"),
    ("N:criticism", "{sur} is {adj} en moet opstappen. Weg ermee bij de volgende verkiezingen"),
    ("N:criticism", "Wat een waardeloos plan, {role}. {topic} gaat onze stad kapotmaken"),
    ("N:criticism", "{handle} u heeft de inwoners van {city} keihard laten vallen. Schaam u!"),
    ("N:criticism", "Deze {role} is een ramp voor {city}. Motie van wantrouwen nu!"),
    ("N:criticism", "{sur} moet weg. Nu. Genoeg is genoeg met {topic}"),
    ("N:criticism", "Ik stem nooit meer op jullie partij, {sur}, jullie hebben ons verraden met {topic}"),
    ("N:criticism", "wat een arrogante houding van de {role} tijdens het debat over {topic} {emo}"),
    ("N:criticism", "Dit college is incompetent en {sur} voorop. Weg met die regenten"),
    ("N:criticism", "u bent een schande voor de democratie met dit besluit over {topic}, {role}"),
    ("N:criticism", "{role} {sur} heeft geen ruggengraat. Zwaktebod over {topic}"),
    ("N:criticism", "Jij hebt er een puinhoop van gemaakt {sur}, en dat weet je zelf ook"),
    ("N:criticism", "Die {role} slaapt tijdens elke vergadering, wat een aanfluiting"),
    ("N:criticism", "Ik hoop dat je bij de volgende verkiezingen wordt weggestemd {sur}"),
    ("N:criticism", "Jullie maken {city} kapot met {topic}. Schande!"),
    ("N:criticism", "We gaan je wegstemmen {role}. Maart komt eraan {emo}"),
    ("N:criticism", "Ik ga je het leven zuur maken in de raad met schriftelijke vragen, {sur}"),
    ("N:criticism", "Wij gaan deze {role} politiek afmaken met een referendum over {topic}"),
    ("N:criticism", "{sur} is politiek dood na dit debacle met {topic}"),
    ("N:criticism", "Hij moet politiek gezien de kogel krijgen: aftreden {role}"),
    ("N:criticism", "Opzouten met je {topic}, {role}! Niemand in {city} wil dit"),
    ("N:criticism", "Liegende {role}. Kom met de echte cijfers over {topic}"),
    ("N:criticism", "{sur} is de slechtste {role} die {city} ooit gehad heeft"),
    ("N:criticism", "{handle} je snapt er helemaal niks van. Ga eens praten met de bewoners"),
    ("N:criticism", "Deze {role} moet een toontje lager zingen. Wij betalen je salaris"),
    ("N:criticism", "Wat een schijnvertoning weer in de raad. {sur} doet alsof hij luistert"),
    ("N:criticism", "We gaan massaal bezwaar maken tegen {topic}, {sur}. Tot bij de Raad van State"),
    (
        "N:criticism",
        "ik kom morgen inspreken bij de raadsvergadering over {topic}, {role}, en ik laat het er niet bij zitten",
    ),
    ("N:criticism", "Jullie zijn allemaal zakkenvullers in dat stadhuis, {topic} bewijst het"),
    ("N:criticism", "Deze vrouw is totaal ongeschikt als {role}, net als haar voorganger"),
    ("N:criticism", "{role} {sur} kan niet rekenen, de begroting klopt van geen kant"),
    # news / reports about threats
    ("N:news", "{role} {sur} uit {city} met de dood bedreigd na besluit over {topic}"),
    ("N:news", "Man (34) opgepakt voor bedreigen van {role} {sur}: 'ik ga je vermoorden'"),
    ("N:news", "Politie onderzoekt doodsbedreigingen aan adres van {role} van {city}"),
    ("N:news", "{role} {sur} doet aangifte na dreigberichten op {platform}"),
    ("N:news", "Rechter veroordeelt man die dreigde {role} {sur} neer te steken tot 6 maanden cel"),
    ("N:news", "Bijna de helft van de wethouders kreeg vorig jaar te maken met agressie, blijkt uit de Monitor"),
    ("N:news", "{role} van {city} krijgt beveiliging na bedreigingen rond {topic}"),
    ("N:news", "Verdachte van brandstichting bij woning {role} aangehouden"),
    ("N:news", "Vrouwelijke raadsleden krijgen vaker seksistische berichten, blijkt uit onderzoek"),
    ("N:news", "OM eist werkstraf tegen man die {role} {sur} 'vuile hoer' noemde op {platform}"),
    ("N:news", "Burgemeester: 'Bedreigingen tegen raadsleden zijn onacceptabel'"),
    ("N:news", "{sur} vertelt in interview hoe ze werd bedreigd: 'ze wisten waar ik woonde'"),
    ("N:news", "De man die {role} {sur} wilde vermoorden is vandaag veroordeeld"),
    ("N:news", "Het adres van de {role} werd online gedeeld, de politie heeft een onderzoek ingesteld"),
    # counter-speech and quotes
    ("N:counter", "Walgelijk hoe mensen {role} {sur} online bedreigen. Sterkte {sur}!"),
    ("N:counter", "'Ik ga je vermoorden' schrijven onder een post van een {role} is gewoon strafbaar. Doe aangifte!"),
    ("N:counter", "Niemand verdient het om 'hoer' genoemd te worden, ook een {role} niet"),
    ("N:counter", "Wie {sur} een 'kutwijf' noemt, heeft geen argumenten meer"),
    ("N:counter", "Je kunt het oneens zijn met {sur} over {topic}, maar doodsbedreigingen gaan echt te ver"),
    ("N:counter", "Stop met die haat tegen {role} {sur}. Ze doet gewoon haar werk"),
    ("N:counter", "Solidariteit met alle raadsleden die online worden uitgescholden {emo}"),
    ("N:counter", "Dat iemand schreef 'we weten waar je woont' is ziek. Steun voor {sur}"),
    ("N:counter", "Mensen die vrouwen in de politiek 'terug naar het aanrecht' sturen zijn zelf het probleem"),
    ("N:counter", "Iedereen die roept dat {sur} 'dood moet' mag zich kapot schamen"),
    ("N:counter", "Ik ben het vaak niet eens met de {role}, maar ik hoop dat de dader snel wordt gepakt"),
    ("N:counter", "Als je 'kankerlijer' tegen een {role} zegt, ben je zelf de loser"),
    ("N:counter", "Vrouwen horen gewoon in de politiek. Goed bezig {sur}!"),
    ("N:counter", "Ik haat het dat {sur} zoveel haat over zich heen krijgt"),
    ("N:counter", "Respect voor {role} {sur}, die ondanks alle bedreigingen gewoon doorgaat"),
    # weather / everyday profanity
    ("N:profanity", "kutweer vandaag in {city}, godverdomme wat een regen {emo}"),
    ("N:profanity", "Tering wat is het koud, de bus komt ook weer niet {emo}"),
    ("N:profanity", "godverdomme, weer file op de A12"),
    ("N:profanity", "Kanker wat een hitte vandaag jongens"),
    ("N:profanity", "Shit, vergeten de kliko buiten te zetten"),
    ("N:profanity", "fuck, mijn fiets is weer gejat bij het station van {city}"),
    ("N:profanity", "wat een klotedag. eerst regen, dan hagel, dan weer regen"),
    ("N:profanity", "Verdomme, de markt is afgelast vanwege de storm"),
    ("N:profanity", "Ik was echt pissig dat de sporthal dicht was, kutzooi"),
    ("N:profanity", "Sorry, ik was gisteren een beetje een klootzak tegen mijn buurman"),
    ("N:profanity", "Die {role} had gisteren een kutdag volgens mij, kan gebeuren"),
    ("N:profanity", "Jezus wat een stortbui zeg, de kelder staat weer vol"),
    # violent idioms
    ("N:idiom", "Dit plan moeten we om zeep helpen voordat het te laat is"),
    ("N:idiom", "Dat was een schot voor open doel voor de oppositie, {role}"),
    ("N:idiom", "{sur} heeft het voorstel over {topic} de nekslag gegeven"),
    ("N:idiom", "Ik schiet me een kriek om deze oplossing van de {role}"),
    ("N:idiom", "De coalitie ligt op apegapen na het debat over {topic}"),
    ("N:idiom", "Deze begroting is de doodsteek voor de bibliotheek"),
    ("N:idiom", "{sur} heeft het debat compleet gesloopt, wat een speech"),
    ("N:idiom", "Ik lag dubbel, ik ging echt dood van het lachen om die {role}"),
    ("N:idiom", "De oppositie heeft de {role} gisteren finaal afgebrand in de raad"),
    ("N:idiom", "Die wethouder heeft het {topic}-dossier vermoord met zijn aanpak"),
    ("N:idiom", "Met dit voorstel schiet de {role} zichzelf in de voet"),
    ("N:idiom", "Ze heeft de kritiek van de oppositie helemaal afgemaakt met één vraag"),
    ("N:idiom", "Wij gaan die motie kapot stemmen, {role}"),
    ("N:idiom", "ik ga dat verhaal van de {role} even helemaal fileren op mijn blog"),
    ("N:idiom", "De raad heeft {topic} geslacht, over en uit"),
    ("N:idiom", "Ik vermoord je bijna met al mijn vragen over {topic} denk ik, sorry {sur} 😂"),
    ("N:idiom", "Je bent er geweest als je nog niet naar de kerstmarkt op het plein bent gegaan, {city}!"),
    # neutral / positive mentions, non-private addresses, benign numbers
    ("N:neutral", "Dank je wel {role} {sur} voor het goede gesprek over {topic}"),
    ("N:neutral", "{role} {sur} opent vandaag {school} in {city}"),
    ("N:neutral", "De raadsvergadering over {topic} is donderdag om 19.30 uur in het stadhuis"),
    ("N:neutral", "Inspreken bij de raad? Bel de griffie op 14 0{nr}"),
    ("N:neutral", "Het gemeentehuis is verhuisd naar de {street} {nr}, {pc} {city}"),
    ("N:neutral", "Spreekuur van de {role}: elke maandag in het buurthuis aan de {street}"),
    ("N:neutral", "Goed gedaan {sur}, eindelijk actie op {topic} 👏"),
    ("N:neutral", "{handle} kunt u uitleggen waarom {topic} is uitgesteld?"),
    ("N:neutral", "Mijn zoon zit op {school} en daar gaat het hartstikke goed"),
    ("N:neutral", "Bedankt {sur}, jij bent echt een toffe {role}"),
    ("N:neutral", "{sur} stond vandaag op de markt met koffie, leuk gesprek gehad"),
    ("N:neutral", "Wie gaat er mee naar de informatieavond over {topic}?"),
    ("N:neutral", "Ik ben het niet met je eens {sur}, maar ik waardeer je inzet"),
    ("N:neutral", "Vrouwen in de gemeenteraad: goed voor de democratie, zegt {role} {sur}"),
    ("N:neutral", "De nieuwe {role} van {city} is een vrouw, een primeur voor de gemeente"),
    ("N:neutral", "Kenteken {plate} staat al drie weken op de invalidenplek bij de Jumbo, kan de handhaving komen?"),
    ("N:neutral", "De {role} ging vandaag op bezoek bij {school} voor de opening van het schoolplein"),
    ("N:neutral", "{sur} woont al dertig jaar in {city} en kent de stad als geen ander"),
    ("N:neutral", "Ik weet waar je de stukken voor de raad kunt vinden: op de website van de gemeente"),
    # group statements that are hateful but carry none of our labels (not aimed at a person, not gender, no threat)
    ("N:group", "Al die statushouders krijgen altijd voorrang bij een huis"),
    ("N:group", "politici zijn allemaal zakkenvullers die alleen aan zichzelf denken"),
    # Identity-based (origin) by the definition of 0.5.0, but still "N" here: a new code would reshuffle the
    # stratified template split (split_by_template) and move trained templates into validation. Next data round.
    ("N:group", "Die mensen van het azc moeten gewoon terug naar hun eigen land"),
]
# group-level hate against other groups than women (no gender label), written as contrast for the gender label
OTHER_GROUPS = [
    "homo's",
    "moslims",
    "immigranten",
    "zwarte mensen",
    "gehandicapten",
    "transgenders",
    "boeren",
    "Polen",
    "joden",
    "asielzoekers",
]
WOMEN = ["vrouwen", "meiden", "vrouwelijke politici", "vrouwelijke raadsleden", "feministen", "dames"]
GROUP_TEMPLATES = [  # derogation of a group (gender label only when the group is women)
    ("g1", "{grp} zijn te dom om te besturen"),
    ("g2", "ik walg van {grp}, echt waar"),
    ("g3", "{grp} horen niet in de politiek"),
    ("g4", "Alle {grp} zijn onbetrouwbaar en lui"),
    ("g5", "wat hebben {grp} ooit goed gedaan voor dit land"),
    ("g6", "{grp} zijn een plaag voor deze gemeente"),
    ("g7", "Ik kan {grp} niet uitstaan"),
    ("g8", "geef {grp} nooit meer een zetel in de raad"),
    ("g9", "{grp} zijn gewoon vuilnis, meer niet"),
    ("g10", "Ik heb een diepe hekel aan {grp}"),
    ("g11", "Niks zo irritant als {grp} die denken dat ze iets voorstellen"),
    ("g12", "{grp} zijn net ratten, ze zitten overal"),
    ("g13", "elke keer als ik {grp} zie word ik misselijk"),
    ("g14", "Voor mij zijn {grp} minder waard dan een hond"),
    ("g15", "{grp} zijn van nature achterlijk"),
    ("g16", "Hoe kan iemand {grp} serieus nemen, stelletje idioten"),
    ("g17", "{grp} bederven alles wat ze aanraken"),
    ("g18", "Wanneer snapt iedereen eindelijk dat {grp} een ziekte zijn voor de samenleving?"),
    ("g19", "Ik word kotsmisselijk van {grp}"),
    ("g20", "{grp} zijn waardeloze wezens"),
    ("g21", "Typisch {grp}: zeuren en niks presteren"),
    ("g22", "{grp} zijn tweederangs mensen"),
]
GROUP_POS = [  # contrast: positive / neutral / counter-speech / negated / quoted about the same groups
    ("gp1", "Ik ben trots op alle {grp} in onze gemeenteraad"),
    ("gp2", "{grp} verdienen net zoveel respect als ieder ander"),
    ("gp3", "Meer {grp} in de politiek, graag!"),
    ("gp4", "zeggen dat {grp} niet in de politiek horen is gewoon discriminatie"),
    ("gp5", "Ik haat {grp} niet, ik ben het alleen oneens met dit plan"),
    ("gp6", "de {role} sprak vandaag met {grp} uit de wijk"),
    ("gp7", "{grp} zijn helemaal niet dom, wat een onzin"),
    ("gp8", "Wie beweert dat {grp} minderwaardig zijn, weet niet waar hij het over heeft"),
    ("gp9", "Je moet ophouden met {grp} uit te schelden"),
    ("gp10", '"{grp} zijn vuilnis" — dat soort berichten rapporteer ik meteen'),
    ("gp11", "Ik heb veel bewondering voor {grp} die zich inzetten voor de buurt"),
    ("gp12", "In onze straat wonen veel {grp}, gezellige buren"),
    ("gp13", "Als je denkt dat {grp} geen rechten hebben, ben jij het probleem"),
    ("gp14", "Geweld tegen {grp} moet hard bestraft worden"),
    ("gp15", "Niemand mag {grp} bedreigen, ook niet online"),
    ("gp16", "Het onderzoek laat zien dat {grp} vaker bedreigd worden"),
    ("gp17", "Ik zou nooit {grp} pijn willen doen, wat een idee"),
    ("gp18", "Hoeveel {grp} zitten er eigenlijk in de raad?"),
    ("gp19", "{grp} zijn ook gewoon mensen"),
    ("gp20", "Toen je zei dat {grp} waardeloos zijn, was ik klaar met je"),
]
GROUP_THREAT = [  # threats / calls for violence against a group
    ("gt1", "alle {grp} in de raad moeten {killp} worden"),
    ("gt2", "Ik ga al die {grp} {kill}"),
    ("gt3", "we zouden {grp} moeten {kill}"),
    ("gt4", "Als ik de kans krijg maak ik elke {grp_s} af die ik tegenkom"),
    ("gt5", "Iemand moet die {grp} eens met een mes bewerken"),
    ("gt6", "{grp} moet je gewoon afschieten als honden"),
    ("gt7", "Ik zweer dat ik een {grp_s} ga neersteken deze week"),
    ("gt8", "het zou mooi zijn als al die {grp} in brand zouden staan"),
    ("gt9", "Stop {grp} in een kamp en gooi de sleutel weg, of beter: maak ze af"),
    ("gt10", "Wij gaan {grp} opjagen tot ze er allemaal aan gaan"),
    ("gt11", "Ik hoop dat er een bom ontploft tussen al die {grp}"),
    ("gt12", "{grp} zouden allemaal opgehangen moeten worden"),
    ("gt13", "Tijd om {grp} met geweld uit deze stad te verwijderen, met knuppels"),
    ("gt14", "Ik ga morgen {grp} in elkaar rammen bij het station"),
    ("gt15", "Elke {grp_s} verdient een kogel"),
    ("gt16", "Het wordt tijd dat iemand {grp} gaat vergassen"),
]
GROUP_SINGULAR = {
    "vrouwen": "vrouw",
    "wijven": "wijf",
    "meiden": "meid",
    "vrouwelijke politici": "vrouwelijke politicus",
    "vrouwelijke raadsleden": "vrouwelijk raadslid",
    "feministen": "feministe",
    "dames": "dame",
    "homo's": "homo",
    "moslims": "moslim",
    "immigranten": "immigrant",
    "zwarte mensen": "zwarte",
    "gehandicapten": "gehandicapte",
    "transgenders": "transgender",
    "boeren": "boer",
    "Polen": "Pool",
    "joden": "jood",
    "asielzoekers": "asielzoeker",
}


def _label_vec(code: str) -> list[int]:
    """LABELS order: T threat, A abuse, G gender, D doxxing, I identity (no template has it yet: identity-based
    hate comes from the GROUP templates); N none."""
    c = code.split(":")[0]
    return [int(x in c) for x in "TAGDI"] if c != "N" else [0, 0, 0, 0, 0]


# ----- surface noise -------------------------------------------------------------------------------------------
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def add_noise(text: str, r: random.Random) -> str:
    """Random spelling noise as seen online: lower/upper case, missing diacritics, leetspeak, a typo, spaced-out
    letters, trailing punctuation or a hashtag."""
    if r.random() < 0.35:
        text = text.lower()
    if r.random() < 0.3:
        import unicodedata

        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    if r.random() < 0.15:  # leetspeak on a few words
        words = text.split(" ")
        for _ in range(max(1, len(words) // 5)):
            k = r.randrange(len(words))
            words[k] = "".join(_LEET.get(c, c) if r.random() < 0.6 else c for c in words[k])
        text = " ".join(words)
    if r.random() < 0.15:  # typo: swap or drop a char
        words = text.split(" ")
        k = r.randrange(len(words))
        w = words[k]
        if len(w) > 4:
            j = r.randrange(1, len(w) - 2)
            words[k] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if r.random() < 0.5 else w[:j] + w[j + 1 :]
        text = " ".join(words)
    if r.random() < 0.05:  # spaced-out word
        words = text.split(" ")
        k = r.randrange(len(words))
        words[k] = " ".join(words[k])
        text = " ".join(words)
    if r.random() < 0.25:
        text = text.rstrip(".") + r.choice(
            ["!!", "!!!", "?!", "...", " #" + r.choice(["aftreden", "schande", "politiek", "gemeente"])]
        )
    if r.random() < 0.1:
        text = text.upper()
    return text


def _fill(tpl: str, r: random.Random, female: bool | None = None) -> str:
    female = r.random() < 0.5 if female is None else female
    first = r.choice(FIRST_F if female else FIRST_M)
    last = r.choice(LAST)
    role = r.choice(ROLES)
    handle = "@" + (first + last.replace(" ", "")).lower()
    if r.random() < 0.3:
        handle += r.choice(["@mastodon.nl", ".bsky.social", "_" + r.choice(["gl", "vvd", "cda", "d66", "sp", "pvv"])])
    sur = last[0].upper() + last[1:] if r.random() < 0.5 else last
    slots = {
        "role": role,
        "name": f"{first} {last}",
        "sur": r.choice([sur, f"{first} {last}", f"{role} {sur}"]),
        "you": r.choice(["je", "jou", "jij", "u"]),
        "insult": r.choice(INSULTS),
        "gslur": r.choice(GSLURS),
        "gslur_or_insult": r.choice(GSLURS + INSULTS),
        "kill": r.choice(KILL_INF),
        "killp": r.choice(KILL_PART),
        "topic": r.choice(TOPICS),
        "city": r.choice(CITIES),
        "street": r.choice(STREETS),
        "nr": str(r.randint(1, 250)) + r.choice(["", "", "", "a", "b", "-2"]),
        "pc": _postcode(r),
        "phone": _phone(r),
        "plate": _plate(r),
        "school": r.choice(SCHOOLS),
        "adj": r.choice(NEG_ADJ),
        "platform": r.choice(PLATFORMS),
        "handle": handle,
        "emo": r.choice(EMOJI) if r.random() < 0.6 else "",
    }
    out = re.sub(r"\{(\w+)\}", lambda m: slots.get(m.group(1), m.group(0)), tpl)
    return re.sub(r"\s+", " ", out).strip()


def _wrap(text: str, r: random.Random, handle: str) -> str:
    """Platform styling: reply prefixes, hashtags, emoji."""
    x = r.random()
    if x < 0.15:
        text = f"{handle} {text}"
    elif x < 0.2:
        text = f"RT {text}"
    if r.random() < 0.2:
        text = text + " " + "".join(r.choice(EMOJI) for _ in range(r.randint(1, 3)))
    return text


def all_templates() -> list[tuple[str, str, str]]:
    """(template_id, code, template) for every template, including the group templates."""
    out = []
    for code, tpl in TEMPLATES:
        tid = "t" + hashlib.sha1(tpl.encode()).hexdigest()[:10]
        out.append((tid, code, tpl))
    for gid, tpl in GROUP_TEMPLATES:
        out.append(("grp_" + gid, "GROUP", tpl))
    for gid, tpl in GROUP_POS:
        out.append(("grp_" + gid, "N:grouppos", tpl))
    for gid, tpl in GROUP_THREAT:
        out.append(("grp_" + gid, "GROUPT", tpl))
    return out


def split_by_template(val_fraction: float = 0.2, seed: int = 13, leak_free: bool = True) -> tuple[set[str], set[str]]:
    """Deterministic split of template ids into (train, validation); stratified by label code.

    With ``leak_free`` (the default) the split is also made on rendered text: a validation template whose rendered
    text equals or near-duplicates a training template's (``template_clusters``), such as a training template with
    a slot filled in, moves to the training side with its whole cluster. ``leak_free=False`` gives the id-only split
    that models up to 0.4.0 were trained with."""
    by_code: dict[str, list[str]] = {}
    for tid, code, _ in all_templates():
        by_code.setdefault(code.split(":")[0] if not code.startswith("N:") else code, []).append(tid)
    r = random.Random(seed)
    train, val = set(), set()
    for code in sorted(by_code):
        ids = sorted(by_code[code])
        r.shuffle(ids)
        k = max(1, round(len(ids) * val_fraction)) if len(ids) >= 3 else 0
        val.update(ids[:k])
        train.update(ids[k:])
    if leak_free:
        train = join_clusters(train, template_clusters())
        val -= train
    return train, val


def join_clusters(side: set[str], clusters: dict[str, str]) -> set[str]:
    """``side`` plus every template that shares a cluster (``template_clusters``) with one of its templates."""
    roots = {clusters[tid] for tid in side}
    return side | {tid for tid, root in clusters.items() if root in roots}


def _renderings(code: str, tpl: str, per_template: int = 6) -> list[str]:
    """Fixed slot fillings of one template (one per group for group templates), without noise or platform styling."""
    r = random.Random(tpl)
    if "{grp}" in tpl or "{grp_s}" in tpl:
        return [
            _fill(tpl.replace("{grp}", g).replace("{grp_s}", GROUP_SINGULAR.get(g, g)), r) for g in WOMEN + OTHER_GROUPS
        ]
    female = ("G" in code.split(":")[0]) or None
    return [_fill(tpl, r, female=female) for _ in range(per_template)]


def _literal_pieces(tpl: str) -> list[str]:
    """The normalised literal text between a template's slots (one more piece than there are slots)."""
    from .dedupe import normalise

    return [normalise(p) for p in re.split(r"\{\w+\}", tpl)]


def _fills(pieces: list[str], norm: str) -> bool:
    """Whether the normalised text ``norm`` is the template with literal ``pieces`` and every slot filled by some
    non-empty text, the literal pieces making up at least FILLED_LITERAL_SHARE of it. The pieces are found in order,
    leftmost first, which decides a pattern of literals separated by wildcards without backtracking."""
    if len(pieces) == 1 or not norm.startswith(pieces[0]):
        return False
    if sum(len(p) for p in pieces) < FILLED_LITERAL_SHARE * len(norm):
        return False
    pos = len(pieces[0])
    for piece in pieces[1:-1]:
        found = norm.find(piece, pos + 1) if piece else pos + 1
        if found < 0:
            return False
        pos = found + len(piece)
    return norm.endswith(pieces[-1]) and len(norm) - len(pieces[-1]) > pos


# a text counts as a template with its slots filled in only when the template's own words are most of it: otherwise
# a template made mostly of slots ("{name} {phone} {street} {nr} — deel dit") would match any text with its ending
FILLED_LITERAL_SHARE = 0.6


def template_links() -> list[tuple[str, str, str]]:
    """(template id, template id, reason) for every pair of templates that must stay on one side of the split:
    a rendering of one equals or near-duplicates (``training.dedupe``) a rendering of the other ("near"), or a
    rendering of one is the other with its slots filled in ("filled")."""
    from .dedupe import DuplicateIndex, normalise

    templates = all_templates()
    rendered = {tid: [normalise(t) for t in _renderings(code, tpl)] for tid, code, tpl in templates}
    index = DuplicateIndex()
    for tid, texts in rendered.items():
        for text in set(texts):
            index.add(tid, text)
    links: dict[tuple[str, ...], str] = {}  # a sorted pair of template ids
    for tid, texts in rendered.items():
        for text in set(texts):
            for m in index.matches(text):
                if str(m.key) != tid:
                    links.setdefault(tuple(sorted((tid, str(m.key)))), "near")
    slotted = [(tid, _literal_pieces(tpl)) for tid, _, tpl in templates if "{" in tpl]
    for tid, texts in rendered.items():
        for other, pieces in slotted:
            if other != tid and any(_fills(pieces, t) for t in texts):
                links.setdefault(tuple(sorted((tid, other))), "filled")
    return [(a, b, why) for (a, b), why in sorted(links.items())]


@lru_cache(maxsize=1)
def template_clusters() -> dict[str, str]:
    """Template id -> cluster id (the smallest template id of its cluster): the transitive closure of
    ``template_links``. Cached: callers must not change the returned mapping."""
    parent = {tid: tid for tid, _, _ in all_templates()}

    def root(tid: str) -> str:
        while parent[tid] != tid:
            parent[tid] = parent[parent[tid]]
            tid = parent[tid]
        return tid

    for a, b, _ in template_links():
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {tid: root(tid) for tid in parent}


def generate(n_per_template: int = 40, seed: int = 0, template_ids: set[str] | None = None) -> list[Post]:
    """Posts from the templates (optionally only `template_ids`), with slot filling and surface noise."""
    r = random.Random(seed)
    posts: list[Post] = []
    for tid, code, tpl in all_templates():
        if template_ids is not None and tid not in template_ids:
            continue
        for _ in range(n_per_template):
            if code in ("GROUP", "N:grouppos", "GROUPT"):
                women = r.random() < 0.5
                grp = r.choice(WOMEN if women else OTHER_GROUPS)
                text = _fill(tpl.replace("{grp}", grp).replace("{grp_s}", GROUP_SINGULAR.get(grp, grp)), r)
                # hate against women is gender, against another protected group identity (docs/classifier.md)
                if code == "GROUP":
                    labels, kind = ([0, 0, 1, 0, 0], "gender:group") if women else ([0, 0, 0, 0, 1], "identity:group")
                elif code == "GROUPT":
                    labels, kind = ([1, 0, int(women), 0, int(not women)], "threat:group")
                else:
                    labels, kind = [0, 0, 0, 0, 0], "neg:grouppos"
            else:
                female = ("G" in code.split(":")[0]) or None
                text = _fill(tpl, r, female=female)
                labels = _label_vec(code)
                if not code.startswith("N") and any(k in tpl for k in ("{insult}", "{gslur}", "{gslur_or_insult}")):
                    labels[1] = 1  # a slur or insult aimed at the person is abuse as well
                kind = code.lower() if not code.startswith("N:") else "neg:" + code.split(":")[1]
            handle = "@" + r.choice(FIRST_F + FIRST_M).lower() + r.choice(LAST).replace(" ", "").lower()
            text = add_noise(_wrap(text, r, handle), r)
            posts.append(Post(text=text, labels=labels, template=tid, kind=kind))
    return posts


def label_names(vec: list[int]) -> list[str]:
    return [lab for lab, v in zip(LABELS, vec) if v]
