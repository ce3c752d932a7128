"""Rule layer: span types at the right offsets, and hard negatives that must stay unflagged."""

from __future__ import annotations

import pytest

from classifiers.api import ClassifyInput
from schildwacht.contracts import LABELS


def one(rules, text, **kw):
    return rules.classify([ClassifyInput(text, **kw)])[0]


def span_for(res, source_prefix):
    got = [s for s in res.spans if s.source.startswith(source_prefix)]
    assert got, f"no span {source_prefix} in {res.spans}"
    return got[0]


@pytest.mark.parametrize(
    "text,source,expected",
    [
        ("Jan woont op Dorpsstraat 12, bel maar aan", "rule:street_address", "Dorpsstraat 12"),
        ("Zijn adres: Kerkstraat 5, 1234 AB Utrecht", "rule:postcode", "1234 AB"),
        ("Haar privénummer is 06-12345678, bel haar maar even", "rule:phone_mobile", "06-12345678"),
        ("Zijn kenteken is XX-123-B, de auto staat elke avond voor de deur", "rule:licence_plate", "XX-123-B"),
        ("Je kinderen zitten op basisschool De Regenboog, weet je", "rule:school_name", "basisschool De Regenboog"),
        ("we weten waar je woont", "rule:we_know_where", "weten waar je woont"),
    ],
)
def test_doxxing_spans_at_right_offsets(rules, text, source, expected):
    res = one(rules, text)
    assert "doxxing" in res.flags
    sp = span_for(res, source)
    assert text[sp.start : sp.end].lower() == expected.lower() or expected.lower() in text[sp.start : sp.end].lower()
    assert sp.text == text[sp.start : sp.end]
    assert sp.label == "doxxing"


@pytest.mark.parametrize(
    "text,needle",
    [
        ("Ik ga je vermoorden, wethouder", "vermoorden"),
        ("ik steek je neer als ik je zie", "steek je neer"),
        ("jij bent dood burgemeester", "jij bent dood"),
        ("een kogel door je kop is wat je verdient", "kogel"),
        ("ik maak je af, let maar op", "maak je af"),
    ],
)
def test_threat_spans(rules, text, needle):
    res = one(rules, text)
    assert "threat" in res.flags
    assert any(needle in s.text.lower() and s.label == "threat" for s in res.spans), res.spans
    for s in res.spans:
        assert text[s.start : s.end] == s.text


def test_gendered_slur_and_abuse(rules):
    text = "Vuile hoer, terug naar het aanrecht"
    res = one(rules, text)
    assert "gender" in res.flags
    sp = span_for(res, "rule:gendered_slur")
    assert text[sp.start : sp.end] == "hoer"
    assert any(s.source == "rule:gender_role" and s.text == "terug naar het aanrecht" for s in res.spans)
    res = one(rules, "Je bent een klootzak")
    assert "abuse" in res.flags


def test_leetspeak_and_missing_diacritics_offsets(rules):
    text = "ik ga je verm00rden k4nkerh03r"
    res = one(rules, text)
    assert "threat" in res.flags and "gender" in res.flags
    sp = span_for(res, "rule:gendered_slur")
    assert sp.text == "k4nkerh03r" and text[sp.start : sp.end] == "k4nkerh03r"


@pytest.mark.parametrize(
    "text",
    [
        "Aftreden! Deze wethouder liegt over de cijfers",
        "deze wethouder liegt over de cijfers van het azc",
        "Wethouder De Vries met de dood bedreigd, man aangehouden",
        "Man opgepakt die dreigde de burgemeester neer te steken",
        "'Ik ga je vermoorden' schreef iemand onder haar post. Walgelijk, sterkte!",
        "Niemand verdient het om 'hoer' genoemd te worden, ook een raadslid niet",
        "Kut weer vandaag, godverdomme wat een regen",
        "We moeten dat plan om zeep helpen",
        "Dat was een schot voor open doel voor de oppositie",
        "Ik ga mijn verhaal afmaken in de raad",
        "Sorry dat ik een klootzak ben",
        "Ik haat vrouwen niet",
        "Het gemeentehuis is verhuisd naar de Stationsweg 12, 1234 AB Zwolle",
        "Wethouder opent vandaag basisschool De Regenboog",
        "Ik ga je wegstemmen bij de volgende verkiezingen, burgemeester",
    ],
)
def test_hard_negatives_not_flagged(rules, text):
    res = one(rules, text)
    assert res.flags == [], (text, res.flags, res.spans)


def test_scores_contract(rules):
    for text in ["", "x" * 100, "ik ga je vermoorden"]:
        res = one(rules, text)
        assert set(res.scores) == set(LABELS)
        assert all(0.0 <= v <= 1.0 for v in res.scores.values())


def test_hostile_input_does_not_crash(rules):
    texts = [
        "<script>alert('ik ga je vermoorden')</script><b>hoi</b>",
        "\ud800 ik ga je \udfff vermoorden",
        "💀🔪" * 500,
        "a" * 1_000_000 + " ik ga je vermoorden",
        "<<<>>>&&&",
    ]
    out = rules.classify([ClassifyInput(t) for t in texts])
    assert len(out) == len(texts)
    for t, r in zip(texts, out):
        for s in r.spans:
            assert 0 <= s.start < s.end <= len(t)
    # HTML tags are blanked, not the text between them
    assert "threat" in out[1].flags


@pytest.mark.parametrize(
    "text",
    [
        "Fiets te koop, 50 euro. Ophalen aan de Lindelaan 14 in Ede, of bel me op 06-4819 2207",
        "Kat kwijt sinds gisteren, zwart met witte sokjes. Ik woon op de Beukenweg 7, app me gerust: 06-3310 5582",
        "Wie wil er meedoen met de buurtbarbecue? Aanmelden kan bij mij, bel of app 06-7712 0934",
    ],
)
def test_the_writers_own_contact_details_are_not_doxxing(rules, text):
    """A phone number or address that the writer offers as their own ("bel me", "ik woon", "te koop") is not a
    person's private data published against them."""
    res = one(rules, text)
    assert "doxxing" not in res.flags and "threat" not in res.flags


@pytest.mark.parametrize(
    "text",
    [
        "Bel me, hij is te vinden op Beukenweg 7 in Ede",
        "Bel mij, de wethouder heeft 06-3310 5582",
        "Ik woon naast hem, Beukenweg 7 in Ede",
    ],
)
def test_someone_elses_details_stay_doxxing_beside_first_person_words(rules, text):
    """The same first-person phrases with the data pointed at someone else (a role word, hij / hem in that sentence)
    keep the doxxing flag. These posts have no doxxing phrase or word, so only that check decides (without it each
    scores 0.3)."""
    assert "doxxing" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Vanavond in de nieuwe game, de draak moet dood! Wie speelt healer?",
        "Die mollen moeten echt uitgeroeid worden, de hele wei ligt vol hopen",
        "Zaterdag derby tegen de buren, we maken ze kapot!",
    ],
)
def test_violence_in_a_game_a_match_or_pest_control_is_not_a_threat(rules, text):
    """Frame "play": a threat construction in a sentence about a game, a match or pests, with nobody addressed."""
    res = one(rules, text)
    assert "threat" not in res.flags


@pytest.mark.parametrize(
    "text",
    [
        "Na de wedstrijd wacht ik je op, wethouder, en dan maak ik je kapot",
        "jij moet dood, net als die draak in de game",
        "Ik schiet hem neer na de wedstrijd",
        "Die wethouders moeten dood, derby of niet",
        "@wethouderSmit die moet dood, net als in de game",
        "Wow. Ik maak hem kapot.",
    ],
)
def test_the_play_frame_keeps_a_threat_at_someone_in_view(rules, text):
    assert "threat" in one(rules, text).flags


def test_an_at_handle_with_a_role_word_is_someone_in_view(rules):
    """ "@wethouderSmit" addresses an official just as "wethouder" does: a bare slur after it is aimed; after a
    handle without a role word nothing else aims it."""
    assert "identity" in one(rules, "@wethouderSmit mongool").flags
    assert "identity" not in one(rules, "@jansmit mongool").flags


def test_an_aiming_word_reaches_over_one_adjective(rules):
    assert "identity" in one(rules, "zo'n spastische mongool moet niet over zorg gaan").flags
    assert "identity" not in one(rules, "in het woordenboek staat dat mongool een verouderd woord is").flags


@pytest.mark.parametrize(
    "text", ["Jij bent echt de domste wethouder ooit, schaam je kapot", "Schaam je maar kapot, zakkenvuller"]
)
def test_schaam_je_kapot_is_an_idiom_not_a_threat(rules, text):
    assert "threat" not in one(rules, text).flags


def test_the_same_construction_with_a_verb_of_harm_stays_a_threat(rules):
    assert "threat" in one(rules, "Ik sla je kapot, wethouder").flags


# Fourth data round (2026-12-06): kinds of threat the reply authors wrote that the rules missed, each with the
# harmless look-alike that must stay unflagged.
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Ongedierte is het, die wethouder. Ongedierte moet verdelgd worden.", "threat_exterminate"),
        ("Wethouder Claassen is een plaag. Plagen bestrijd je, die ruim je op.", "threat_exterminate"),
        ("Die Lotte Verbeek moet gewoon een pak slaag krijgen", "threat_beating"),
        ("ik rij je gewoon omver met mijn bus, raadslid Pinas", "threat_beating"),
        ("Ik wil Martina Cijntje zien branden. Letterlijk.", "threat_beating"),
        ("ik wil die wethouder zien hangen", "threat_beating"),
        ("wethouder Postma gaat het niet overleven als hij ons clubhuis dichtgooit", "threat_veiled"),
        ("bro die griffier van Venlo, ik breek zn nek serieus", "threat_body"),  # chat spelling "zn" read as "zijn"
        # sixth data round (2026-12-07): new sentences of the kinds the reply authors wrote and rules and model missed
        ("Die wethouder mag blij zijn dat ik nog niet bij haar op de stoep heb gestaan", "threat_not_yet"),
        ("raadslid Bakker mag blij zijn dat we hem nog geen bezoekje hebben gebracht", "threat_not_yet"),
        ("wees maar blij dat het voorlopig nog bij berichtjes blijft, burgemeester", "threat_not_yet"),
        ("Er komt een dag dat burgemeester Jansen hiervoor betaalt", "threat_day_comes"),
        ("Er komt een dag dat u hiervoor boet, wethouder, sneller dan u denkt", "threat_day_comes"),  # no speech frame
        ("Ik neem morgen een jerrycan benzine mee naar het huis van die wethouder", "threat_fuel"),
    ],
)
def test_extermination_beatings_survival_chat_spellings_and_veiled_constructions_are_threats(rules, text, rule):
    res = rules.rules.analyze(text)
    assert rule in {h.rule for h in res.hits if h.label == "threat"}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "De wethouder wil de ratten in de haven laten verdelgen met gif.",  # real rats: no person called vermin
        "Die rat in de kelder moeten we verdelgen, wethouder.",  # called, but the text is about a cellar (PEST_CONTEXT)
        "De eikenprocessierups is een plaag. De wethouder wil die bestrijden.",  # no person where the plague is
        "Dit is een teken van zwakte, wethouder. Ruim 300 bewoners zijn boos.",
        "Vroeger kreeg je van je vader een pak slaag, dat mag nu niet meer.",  # past narrative
        "de wethouder wil die problemen hardhandig aanpakken",  # problems, not a person
        "Ik pak voor je een biertje, wethouder.",
        "Ik wil de vlaggen bij het Stadhuis zien hangen, wethouder.",  # flags, not a person
        "Geen wethouder overleeft zo'n schandaal.",  # a negated subject, not a negated survival
        "de wethouder overleeft dit debat wel",  # survival without a negation
        "soms ben ik een klootzak, dat geef ik toe",  # self-deprecation stays unflagged
    ],
)
def test_their_harmless_look_alikes_are_not(rules, text):
    assert not {"threat", "abuse"} & set(one(rules, text).flags)


# Issue 17, obfuscation: a weapon or grave emoji right beside a named or addressed person is a threat; the same emoji
# beside a thing, in mourning, in a game, or at the end of a sentence about something else is not.
@pytest.mark.parametrize(
    "text",
    [
        "Verhoeven 🔪🔪",
        "wethouder Brinkman 🔫💥 zaterdag",
        "🗡️ Kuijpers 🗡️",
        "Mulder ➡️ ⚰️",
        "zaterdag op de markt, wethouder 🪓",
        "@burgemeester_deventer 💣💣 tik tak",
    ],
)
def test_a_weapon_emoji_beside_a_person_is_a_threat(rules, text):
    assert "threat_emoji_weapon" in {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Rust zacht, oud-burgemeester Hendriks ⚰️🕊️",  # mourning
        "de bezuinigingen van wethouder Brinkman 🪦",  # a grave for a thing
        "Verhoeven scoort de winnende goal in de derby 🔫⚽",  # sport
        "🍖🔪 Barbecue in het dorpshuis, iedereen welkom",  # no person beside it
        "ONZE KELDER STAAT WEER ONDER WATER 🔪",  # capitals throughout: no name to read
        "Morgen braderie aan de Lindenlaan 🔪",  # a place after "aan de"
        "wethouder Brinkman legt de plannen uit in het dorpshuis, kom allemaal 🔪",  # not beside the person
    ],
)
def test_the_same_emoji_beside_a_thing_in_mourning_or_play_is_not(rules, text):
    assert "threat_emoji_weapon" not in {h.rule for h in rules.rules.analyze(text).hits}


# Issue 17, Dutch-English mixing: an English promise of violence against a person, and the direct English threats.
# Texts written for this test, not taken from the data.
@pytest.mark.parametrize(
    "text",
    [
        "als die wethouder de sporthal sluit I'm gonna beat the shit out of him",
        "ngl someone's gonna stab her als ze nog een keer in Oost komt",
        "Wethouder Jansen, we will find you and we'll hurt you",
        "i swear ik ga naar het stadhuis and I'm gonna kill the mayor",
        "wethouder Bakker if this passes imma beat you up",
        "you're dead, meneer de burgemeester",
        "watch your back Dekker, we weten waar je zit",
    ],
)
def test_english_threats_in_dutch_posts_are_threats(rules, text):
    assert {"threat_english", "threat_english_direct"} & {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "I'm not gonna hurt you, ik wil gewoon praten",  # negated
        "we will beat you in the elections, wethouder",  # "beat" without a beating
        "ik stuur het door, I'll shoot you a DM",  # a message after the object
        "you're dead wrong over die parkeervergunningen",  # "dead" as an intensifier
        "we're gonna kill this plan in de raad",  # a thing, not a person
        "I'll burn them, die oude folders",  # "them" with a verb that also harms things
    ],
)
def test_their_english_look_alikes_are_not(rules, text):
    assert "threat" not in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "wethouder Brinkman verdient een k-o-g-e-l",
        "raadslid Mulder verdient een k.o.g.e.l. en snel",
        "ik maak je d*o*o*d, burgemeester",
    ],
)
def test_letters_spelled_out_with_hyphens_dots_or_stars_are_read_as_the_word(rules, text):
    assert "threat" in one(rules, text).flags


def test_zijn_as_a_possessive_does_not_make_an_insult_self_deprecation(rules):
    # "zijn" (from "z'n") in a sentence with "ik" is the possessive, not "to be": the insult still counts
    assert "abuse" in one(rules, "ik hoop dat die hufter van een wethouder van de trap valt en z'n nek breekt").flags


def test_a_pure_address_post_is_doxxing_not_a_threat(rules):
    flags = one(rules, "Voor wie het wil weten: wethouder Brink woont op de Vlierstraat 9 in Oldenzaal.").flags
    assert "doxxing" in flags and "threat" not in flags


@pytest.mark.parametrize(
    "text",
    [
        "Wethouder Hoekstra woont op de Meidoornlaan 7 in Heerenveen. Ga maar eens aanbellen, allemaal.",
        "Adres van die wethouder: Kerkstraat 3, 9231 AB Surhuisterveen. Jullie weten wat je moet doen.",
        # fire or a visit "not for coffee" beside the address is a threat without an intent word
        "Wethouder Smit woont op de Beukenlaan 14 in Emmen. Rieten dak, en het is al weken droog.",
        "Adres van de burgemeester: Molenweg 5, Ruinen. Wie heeft er nog vuurwerk over?",
        "Raadslid De Vries woont op de Hondsrugweg 21 in Dalen. We komen langs, en niet voor de koffie.",
        "Gedeputeerde Bos woont op de Veldweg 8 in Norg. Neem een jerrycan mee.",
    ],
)
def test_an_address_with_a_call_to_go_there_is_doxxing_and_a_threat(rules, text):
    flags = one(rules, text).flags
    assert "doxxing" in flags and "threat" in flags


@pytest.mark.parametrize(
    "text",
    [
        "De wethouder woont op de Dorpsstraat 12 in Eext, een mooi huis met een rieten dak.",
        "Ik woon zelf aan de Lindelaan 3 in Zuidlaren, kom gerust langs, niet voor de koffie maar voor een gesprek.",
        "Vuurwerkoverlast bij de Kerkstraat 4, de burgemeester moet ingrijpen.",
    ],
)
def test_a_thatched_roof_coffee_or_fireworks_alone_do_not_make_an_address_a_threat(rules, text):
    assert "threat" not in one(rules, text).flags


def test_no_pattern_or_word_list_spells_a_chat_form_that_respelling_replaces():
    """respell.py reads "zn", "m'n", "ff" ... as "zijn", "mijn", "even" before matching, so an entry spelt the chat
    way could never match (it did: "z'n jurkje" went unmatched for a while)."""
    import json
    from pathlib import Path

    from classifiers import lexicons as L

    data = Path(L.__file__).with_name("rules_data")
    words: set[str] = set()
    for path in data.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for spec in json.loads(line)["pattern"]:
                low = spec.get("LOWER")
                words |= {low} if isinstance(low, str) else set((low or {}).get("IN", []))
    for path in data.glob("*.txt"):
        if path.stem != "chat_forms":
            words |= {w for line in L.read_list(path) for w in line.split()}
    assert words and not words & L.CHAT_FORMS.keys()


@pytest.mark.parametrize(
    ("text", "gendered"),
    [
        ("Help! Kakkerlakken in de keuken van het buurthuis, wie kent een bestrijder?", False),
        ("Wij hebben een muizenplaag in de keuken, iemand een goede tip?", False),
        ("Zet haar maar in de keuken, kan ze tenminste iets nuttigs doen voor de gemeente", True),
        ("haar plek is in de keuken en in de slaapkamer, niet in de Staten", True),
        ("Die wethouder hoort in de keuken", True),
        ("Vrouwen in de keuken, niet in de raad", True),
    ],
)
def test_a_bare_in_de_keuken_is_a_gender_role_only_with_a_person_put_there(rules, text, gendered):
    assert ("gender" in one(rules, text).flags) is gendered


# Sixth data round (2026-12-07): the look-alikes of the veiled threats added to the threat test above (not yet, a day
# of reckoning, fuel brought along) must stay unflagged.
@pytest.mark.parametrize(
    "text",
    [
        "De wethouder mag blij zijn dat de raad nog niet heeft gestemd",  # nobody who writes it is coming
        "De wethouder mag blij zijn dat het nog niet geregend heeft bij de opening",
        "Er komt een dag dat de gemeente die brug niet meer kan betalen, wethouder",  # money, not a reckoning
        "Er komt een dag dat we allemaal betalen voor dit klimaatbeleid",  # nobody in view
        "Ik heb de screenshot van die 'molotov door je brievenbus'-tweet naar de politie gestuurd",  # a report
        "ik rij zo even met de jerrycan naar het tankstation, wethouder, tot straks",
    ],
)
def test_their_look_alikes_are_not(rules, text):
    assert "threat" not in one(rules, text).flags


# Ninth data round (2026-12-07): throwing someone into water or off a height, and a published address or number
# with someone arriving at the door; tenth: English, Papiamentu / Sranan and dialect threats.
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("iemand moet die wethouder eens van de Erasmusbrug duwen", "threat_thrown"),
        ("die gast moet je gewoon in de gracht gooien", "threat_thrown"),
        ("als de veerboot weer uitvalt smijt ik hem persoonlijk in de haven", "threat_thrown"),
        ("die Jansen moeten we met een blok beton aan z'n voeten in de IJssel gooien", "threat_thrown"),
        ("someone should throw that alderman off the bridge tbh", "threat_thrown"),
        ("Adres: Lindelaan 14, Breda. We komen hem halen, wethouder Kok weet wel waarom", "dox_intimidation"),
        ("Zijn 06 is 06-1234 9876. Bel hem en zeg dat we eraan komen", "dox_intimidation"),
        ("wethouder Smit woont op de Beukenlaan 3. zondag staan wij voor zijn deur", "dox_intimidation"),
        ("Raadslid Vos woont op de Kerkweg 8 in Ede, wie helpt zijn ruiten in te gooien?", "dox_intimidation"),
        # tenth data round: English threat grammar, Papiamentu and Sranan, dialect "in mekaar", "te grazen" wished
        ("wethouder Dekker, I'm gonna break your legs als die bibliotheek dichtgaat", "threat_english"),
        ("if Vos shows up at the market imma jump him, swear", "threat_english"),
        ("next time I see that alderman I'm putting him in the hospital", "threat_english_put"),
        ("raadslid Kok, mi o kiri yu if you close the buurthuis", "threat_creole"),
        ("Pietersz, mi ta bai mata bo, bo sa", "threat_creole"),
        ("ik hoop dat iemand die wethouder eens flink te grazen neemt", "threat_person_verb"),
        ("Van Dam, ik sla oe in mekaar as ge die kermis afschaft", "threat_in_elkaar"),
    ],
)
def test_the_threat_constructions_of_the_data_rounds_are_threats(rules, text, rule):
    assert rule in {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "gooi je afval niet in de gracht, mensen",  # no person thrown
        "ik gooi morgen mijn hengel uit in de haven van Urk",  # a thing
        "Wethouder, gooi die plannen in de sloot",  # no intent word, not an imperative at the start
        "de gemeente gooit ons geld in de gracht met dat project",
        "De wethouder wil het baggerslib in de haven dumpen",  # the subject is no one thrown
        "Burgemeester Halsema wil de rondvaartboten uit de gracht gooien",
        "Het is tijd dat de wethouder die regels over boord gooit",  # an idiom
        "Ze willen hem uit de flat gooien omdat hij de huur niet betaalt",  # an eviction
        "Gooit u ook uw afval in de gracht?",
        "Ik zou dat hele plan van de wethouder in de gracht gooien",  # the wethouder owns the plan
        "Wethouder Bakker wil een nieuwe steiger in de haven. Gooi het geld maar weg",  # two sentences
        "Gooit de wethouder ons geld in de gracht?",  # the subject after an inflected verb
        "Zondag gooit de burgemeester een krans in zee voor de omgekomen vissers, komen jullie ook?",
        "Iemand moet die scooters eens in de gracht gooien.",  # things, whatever their suffix
        "wil je tekenen? kom langs op de Meeuwenweg 3, ik ben Karin, of app me op 06-4498 1234",  # own data
        "Hij heeft twee diesels voor de deur staan, Beukenlaan 3 in Goes. Kijk zelf maar.",  # no arrival
        "Wanneer komen de containers aan de Molenweg 14? Weet jij het?",
        "Zaterdag open dag bij bakkerij Jansen, Dorpsstraat 5. Kom gezellig langs, we houden de deur open!",
        "Gratis bank, je kunt hem komen halen op de Kerkstraat 12",  # a sale: nobody says "we"
        "Zet je oud papier zaterdag buiten aan de Kerkstraat 12, we komen het dan halen. Groet, de scouting.",
        "Al weken gooien jongeren ruiten in bij de woningen aan de Molenweg 14. Wethouder, doe er wat aan!",
        "Zaterdag staan wij voor uw deur met onze campagne. Vragen? Bel 06-12345678.",  # canvassers
        "im gonna jump in the pool after the raadsvergadering lol",  # no person jumped
        "I'm gonna get hurt doing this marathon for the wethouder's charity",  # the writer
        "I put him in the hospital once, in a game of rugby, long story",  # a story, no plan
        "you'll get hurt if you climb that fence at the new playground",  # a warning
        "nobody is gonna get hurt if the council just listens",  # negated
        "I'm gonna break the news to the wethouder tomorrow",  # no body part
        "die wethouder heeft ons flink te grazen genomen met die belasting",  # cheated, a story
        "mi ta bai kas awe, ayó",  # Papiamentu, nobody harmed
        "careful on that ice wethouder, you're gonna get hurt",  # a warning, not a threat
        "We're putting her in the hospital for observation, the doctor says",  # not the writer's plan
        "someone's gonna break their neck on these stairs bij het station, fix it",  # an accident foretold
        "I'll smoke you in Call of Duty tonight",  # a game
        "mi lo mata bo den e wega di kaarta awe",  # Papiamentu: beaten at cards
        "Ze nemen je gewoon te grazen bij dat loket",  # cheated
        "Ajax gaat ze zondag flink te grazen nemen",  # sport
        "Die gedeputeerde heeft gisteren iemand te grazen genomen in het debat",  # a story
        "Draai dy sigaretsje yn elkoar en kom",  # Frisian "dy": that
    ],
)
def test_their_look_alikes_are_no_threat(rules, text):
    assert "threat" not in one(rules, text).flags


LONG_COMPLAINT = (
    "Ik woon al twintig jaar in deze wijk en het wordt elk jaar slechter. De gemeente zegt dat het om veiligheid "
    "gaat, maar niemand heeft ons iets gevraagd. De bus rijdt niet meer en de bibliotheek is dicht. "
    "Als wethouder Kramer hier nog één keer komt praten, sla ik hem persoonlijk in elkaar. "
    "Verder hoop ik dat de buurtvereniging een petitie start."
)


def test_two_weak_news_words_far_from_the_threat_do_not_make_a_long_complaint_a_news_report(rules):
    assert "threat" in one(rules, LONG_COMPLAINT).flags


def test_a_long_news_report_with_a_strong_news_word_still_frames_the_threat_it_reports(rules):
    report = (
        "In Hoorn is gisteren een man opgepakt. Hij had volgens de politie op Facebook geschreven dat hij de "
        "wethouder in elkaar zou slaan. De gemeente zegt dat de veiligheid van bestuurders voorop staat. "
        "Het onderzoek loopt nog."
    )
    assert "threat" not in one(rules, report).flags


@pytest.mark.parametrize(
    "text",
    [
        "Ik ben tegen geweld, tegen mest voor de deur van politici en tegen brandende hooibalen op de weg.",
        "Mijn vader was wethouder en kreeg ooit een envelop met een kogel erin, ik weet wat dat met een gezin doet.",
        "Sinds de voetbalkooi weg is hangen we op straat en dan klagen de buren over overlast.",
    ],
)
def test_opposing_violence_a_past_story_and_hanging_out_are_no_threat(rules, text):
    assert "threat" not in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Ik ben tegen geweld, maar als ik die wethouder zie steek ik hem neer",  # "maar" ends the counter-speech
        "Die wethouder hangen we gewoon op",  # the person hung comes first
    ],
)
def test_a_threat_after_but_or_with_its_object_first_stays_a_threat(rules, text):
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Verhoeven is ne grote zak, ne echte lapzwans.",
        "Ik vind Jansen persoonlijk een arrogante, zelfingenomen eikel.",
        "burgemeester Kuipers = grootste loser van de provincie",
    ],
)
def test_an_insult_predicated_of_a_name_is_abuse(rules, text):
    assert "insult" in {h.rule for h in rules.rules.analyze(text).hits}
    assert "abuse" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Het is een loser van een plan, dat rondje om de kerk",  # a capitalised function word
        "Thee is voor losers, koffie is beter",  # no article: the insult is not what the subject is
        "Iedereen is wel eens een huilebalk",  # a pronoun
    ],
)
def test_no_insult_is_predicated_of_a_function_word_a_pronoun_or_without_an_article(rules, text):
    assert "abuse" not in one(rules, text).flags


def test_a_gendered_slur_at_a_person_is_abuse_too(rules):
    res = rules.rules.analyze("Wethouder De Boer is een hoer, iedereen weet hoe ze daar gekomen is.")
    assert {("gender", "gendered_slur"), ("abuse", "demeaning")} <= {(h.label, h.rule) for h in res.hits}
    assert {"gender", "abuse"} <= set(one(rules, "Wethouder De Boer is een hoer, iedereen weet het.").flags)


def test_a_suppressed_gender_hit_makes_no_abuse(rules):
    res = rules.rules.analyze('Ze noemden haar "een hoer" en dat is walgelijk, steun voor de wethouder.')
    assert not [h for h in res.hits if h.rule == "demeaning"]


@pytest.mark.parametrize(
    "text",
    [
        "vrouwen zijn dom, dat weet iedereen",  # about women as a group, aimed at no one
        "Ik ga je verkrachten, wethouder.",  # a threat: abuse only where it also demeans
    ],
)
def test_group_statements_and_threats_make_no_demeaning_abuse(rules, text):
    assert not [h for h in rules.rules.analyze(text).hits if h.rule == "demeaning"]


@pytest.mark.parametrize(
    "text",
    [
        "Voor de bewonersavond over de sloop kun je me bellen op 06-2199 4410, ik ben Els van nummer 14.",
        "Wie mee wil helpen met de buurtbus kan mij bellen: 06-3381 2290, vroag noar Gerrit.",
        "Wa't meidwaan wol mei de aksje: ik bin Wiebe, myn nûmer is 06-4410 2233.",
        "Meld je an bij mien, Hennie, 06-5512 7788, dan regelen we de bus.",
        "parents who want to join the appeal about the school bus, message me, my number is 06-2288 1144",
    ],
)
def test_the_writers_own_number_in_dialect_or_english_is_not_doxxing(rules, text):
    assert "doxxing" not in one(rules, text).flags


def test_someone_elses_number_beside_a_call_to_ring_is_still_doxxing(rules):
    text = "Het privénummer van wethouder Smit is 06-1122 3344, bel hem allemaal vannacht maar eens op."
    assert "doxxing" in one(rules, text).flags


# Twelfth data round (2026-12-07): promises read over a whole clause (rules/threat_clauses.py), running someone
# over, more things thrown at a head or someone pushed off, extermination after "zijn gewoon ongedierte".
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Raadslid Dekker heeft de bieb gesloten, dus na de vergadering zal ik haar echt iets aandoen.",
            "threat_harm_done",
        ),
        ("Als die sporthal niet doorgaat zal ik wethouder Kramer persoonlijk iets aandoen.", "threat_harm_done"),
        ("We komen vrijdag bij de wethouder langs, en we komen niet om te kletsen.", "threat_visit_not_to_talk"),
        ("Burgemeester, ge krijgt bezoek van de mannen, en nie om te kaarten", "threat_visit_not_to_talk"),
        (
            "ik ga die wethouder, samen met mijn neven en de halve straat erbij, na de raad helemaal kapot slaan",
            "threat_spanning_promise",
        ),
        (
            "wethouder, we zullen jou, na alles wat je dit dorp met die windmolens hebt aangedaan, echt afmaken",
            "threat_spanning_promise",
        ),
        ("Als ik die wethouder op de fiets zie, rij ik hem gewoon omver.", "threat_run_over"),
        ("Die wethouder krijgt van mij een stoeptegel tegen zijn kop.", "threat_blow"),
        ("Iemand moet die burgemeester eens van het podium duwen bij de intocht.", "threat_thrown"),
        ("Zulke wethouders zijn gewoon ongedierte, en ongedierte moet je verdelgen.", "threat_exterminate"),
    ],
)
def test_the_clause_promises_of_the_twelfth_round_are_threats(rules, text, rule):
    assert rule in {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Wethouder, daar moet u echt iets aan doen, en ik ga er zelf ook iets aan doen.",  # do something about it
        "Ik zou hem nooit iets aandoen, ik ben geen geweldpleger.",  # negated
        "Als iemand haar iets aandoet, sta ik naast haar.",  # someone else, the writer protects
        "We komen niet om te praten maar om te demonstreren bij het gemeentehuis.",  # the real purpose: a protest
        "Ik ga de wethouder kapot maken in het debat van donderdag.",  # a contest
        "Zondag gaan we Ajax helemaal afmaken in de Kuip.",  # sport
        "Dat paaltje bij de Coop, ik rijd hem nog eens omver.",  # a thing, no person in view
        "Die wethouder is ongedierte dat je moet verdelgen uit de raad.",  # out of office
    ],
)
def test_their_look_alikes_are_no_clause_threat(rules, text):
    assert "threat" not in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Een Turk in de gemeenteraad die over onze kermis beslist, kameeldrijver die niks van ons snapt.",
        "Die potteuze wethouder moet zich niet met onze school bemoeien.",
        "Hij is gewoon een baardaap in een pak, die nieuwe wethouder.",
    ],
)
def test_an_unambiguous_slur_in_a_sentence_about_someone_is_identity_hate(rules, text):
    assert {"identity", "abuse"} <= set(one(rules, text).flags)


@pytest.mark.parametrize(
    "text",
    [
        "kkr mongool ga weg uit de raad",  # an all-purpose insult: abuse, not identity
        "Die hele raad is een apenkooi 🐒🐒",  # an emoji about the council, no person
    ],
)
def test_all_purpose_insults_and_emoji_need_the_usual_aiming_cues_for_identity(rules, text):
    assert "identity" not in one(rules, text).flags


# Twelfth data round, second part: animals, pests and diseases said of a person (rule dehumanised) and narrow
# put-down frames of misogyny (gender_role_phrases.txt).
@pytest.mark.parametrize(
    "text",
    [
        "wethouder Hamstra is literally a leech, sucking this town dry",
        "Het college bestaat uit aasgieren die wachten tot het zwembad dicht is.",
        "Wat een rat is die wethouder, echt waar.",
        "Dat zwijn van een gedeputeerde zit weer te vreten op de receptie.",
        "Burgemeester de Wit is gewoon een hyena die lacht om onze ellende.",
    ],
)
def test_an_animal_said_of_a_person_is_abuse(rules, text):
    assert "dehumanised" in {h.rule for h in rules.rules.analyze(text).hits}
    assert "abuse" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "De muur van het gemeentehuis is schimmel, wethouder, doe er wat aan.",  # a thing
        "Makelaars zijn de kakkerlakken van de woningmarkt.",  # a capitalised first word is no name
        "Raadslid Jansen is al jaren een luis in de pels van het college.",  # the opposition's idiom
        "De ratten bij het stadhuis zijn een plaag, wethouder.",  # real rats
        "Hij is een beest op de piano, die wethouder.",  # praise
    ],
)
def test_animals_things_and_idioms_are_not_dehumanising(rules, text):
    assert "dehumanised" not in {h.rule for h in rules.rules.analyze(text).hits}


@pytest.mark.parametrize(
    "text",
    [
        "Die heeft haar wethoudersbaan zeker op haar knieën verdiend.",
        "ga je nagels lakken en laat het besturen aan de mannen, wethouder",
        "councillor Brinkman needs a man to tell her how a budget works",
        "Die raadsvrouw zit alleen in de raad omdat ze een lekker kontje heeft.",
    ],
)
def test_put_down_frames_of_misogyny_are_gender(rules, text):
    assert "gender" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Mijn moeder zat op haar knieën in de moestuin de aardappels te rooien.",
        "Wethouder, waarom duurt de vergunning voor mijn nagelsalon zo lang? Ik wil gewoon nagels lakken.",
        "Ik heb bij de bakker een lekker kontje brood gekocht, het laatste stuk.",
        "My kid's class is making sandwiches for the homeless shelter on Friday.",
        "Can you rate her restaurant on Google? Mijn zus is net begonnen aan de Markt.",
    ],
)
def test_the_same_words_in_everyday_speech_are_not(rules, text):
    assert "gender" not in one(rules, text).flags


# Thirteenth data round (2026-12-08): the twelfth set's long-post threats. A long post's news word elsewhere no longer
# makes the writer's own sentence a report; promises no rule read before.
LONG_POST_WITH_POLICE = (
    "Ik woon nu dertig jaar aan de Kerkweg en heb nog nooit zo'n overlast gehad als met die nieuwe opvang. Elke nacht "
    "geschreeuw, en de politie komt pas na een uur. We hebben drie keer een brief gestuurd naar de gemeente. Als "
    "burgemeester Vos nog één keer zegt dat het meevalt, dan sta ik bij hem op de stoep met een knuppel. De wijkagent "
    "is wel aardig."
)


def test_a_news_word_elsewhere_in_a_long_post_does_not_frame_the_writers_own_threat(rules):
    assert "threat" in one(rules, LONG_POST_WITH_POLICE).flags


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Als die wethouder met zijn bulldozers komt, zorgen wij dat hij het terrein niet levend afkomt.",
            "threat_not_alive",
        ),
        ("Dan krijgt die burgemeester van mij dezelfde behandeling, maar dan met mijn vuisten.", "threat_armed_visit"),
        ("Als die wethouder onze buurt sloopt, dan gaat hij ervan lusten.", "threat_will_pay"),
        ("Als die gedeputeerde met een taxateur mijn erf op komt, schiet ik eerst.", "threat_shoot_first"),
        ("Die wethouder moet maar eens voor de loop van mijn geweer komen staan.", "threat_in_the_line"),
        ("Als ik die burgemeester op de boulevard zie, duw ik 'm zelf de zee in.", "threat_thrown_in"),
    ],
)
def test_the_promises_of_the_thirteenth_round_are_threats(rules, text, rule):
    assert rule in {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Mijn opa kwam niet levend thuis uit de oorlog, wethouder.",  # a death that happened
        "Ik sta zaterdag met een kraam op de markt, kom langs burgemeester!",  # no weapon
        "De VVD gaat ervan lusten bij de verkiezingen, wethouder.",  # an election
        "De hond sprong de zee in en ik trap hem niet.",  # no one thrown
    ],
)
def test_their_look_alikes_are_no_thirteenth_round_threat(rules, text):
    assert "threat" not in one(rules, text).flags


# Fourteenth data round (2026-12-08): someone named by their sex or by who they are told where they belong
# (rules/belonging.py), an animal said of someone with their people, published data beside harm, vermin "zoals" a
# person to be exterminated, insults said of a council.
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Dae Marokkaan in de gemeinteraod mot trök nao ziene woostijn.", "identity"),
        (
            "Wat mot zo'n zwarte in Hengel met oonze ollenzorg? Dee vent is hier nich eboren, laat 'm ophoepeln.",
            "identity",
        ),
        ("Wat mot zo'n buutenlander nou in ons gemientehoes, dei mot noar zien aigen laand.", "identity"),
        ("Die Surinaamse wethouder moet terug naar Suriname.", "identity"),
        ("Dat wiefke van de gemeinte mót trök nao häör keuke.", "gender"),
        ("Dat wicht het d'r niks te zuiken in t gemientehoes.", "gender"),
        ("Vrouwleu heurt nait in de gemaintepolitiek.", "gender"),
    ],
)
def test_someone_named_by_sex_or_identity_told_where_they_belong_is_hate(rules, text, label):
    assert f"{label}_belongs_elsewhere" in {h.rule for h in rules.rules.analyze(text).hits}
    assert label in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "De Marokkaanse wethouder heeft niks te zeggen over de begroting, dat doet de raad.",  # a say over a decision
        "Zwarte Piet hoort niet meer in deze tijd, de raad besluit hier terecht over.",  # a figure, not a person
        "Mannen die vrouwen in de politiek 'terug naar het aanrecht' sturen zijn zelf gewoon bang. Hou vol Lieke!",
        "Wethouder, uw vrouw werkt in het ziekenhuis en fietst 's nachts naar huis.",  # no order to go home
        "Ik moet vanavond nog koken, de wethouder had het over de keuken van het buurthuis.",  # no woman sent
        "gatverdamme die wethouder met haar vriendin op de foto. ga dat thuis doen ofzo",  # not "naar huis"
        # a second reader's everyday posts: return migration, a reason, a question, chores, the writer's own family
        "Die Marokkaanse moet terug naar Tanger voor de begrafenis van haar oom, condoleances aan de familie.",
        "De Turkse raadsleden gaan deze zomer terug naar Turkije voor een werkbezoek aan de zusterstad Izmir.",
        "Die vluchteling moet niet terug naar Syrië, daar is het niet veilig! Teken de petitie.",
        "De Afghaan die ons tolk was moet terug naar Afghanistan? Schandalig, de regering laat hem vallen.",
        "Die Syrische vrouw moet terug naar de keuken van de kookstudio, haar cursus is de beste van de stad.",
        "Mijn vrouw moet strijken, ik moet afwassen, zo verdelen we het hier thuis.",
        "Mijn vrouw hoort niet in de raad, zij is griffier, dat is wat anders mensen.",
        "De Marokkaanse wethouder is hier geboren en getogen, hij kent de wijk als geen ander.",
        "Die Marokkaan heeft de hele buurt opgeknapt, laat 'm niet ophoepelen door die huurverhoging!",
    ],
)
def test_their_look_alikes_are_not_belongs_elsewhere(rules, text):
    assert not {"gender_belongs_elsewhere", "identity_belongs_elsewhere"} & {
        h.rule for h in rules.rules.analyze(text).hits
    }


@pytest.mark.parametrize(
    "text",
    [
        "Die El Amrani is een rat, net als de rest van zijn volk.",
        "die wethouder Bouzerda is een kakkerlak uit de Rif, kruip terug in je gat",
        "Die Marokkaan in het college is gewoon een kakkerlak.",
    ],
)
def test_an_animal_said_of_someone_with_their_people_is_identity_hate(rules, text):
    assert "identity_dehumanised" in {h.rule for h in rules.rules.analyze(text).hits}


@pytest.mark.parametrize(
    "text",
    [
        "DIT SOORT BESTUURDERS ZIJN ZWIJNEN. VIEZE VETTE ZWIJNEN AAN DE TROG.",  # "dit soort": no one's people
        "Raadslid Koster is een luis in de pels van ons volk.",  # the idiom
        "Die wethouder is een parasiet die zich volvreet aan het geld van gehandicapten.",  # the victims' group
    ],
)
def test_animals_beside_other_group_words_are_not_identity_dehumanised(rules, text):
    assert "identity_dehumanised" not in {h.rule for h in rules.rules.analyze(text).hits}


@pytest.mark.parametrize(
    "text",
    [
        "Van Gils woont in Rosmalen, De Driesprong 6. As de scootmobiel van m'n vader nie terug is, sta ik daar met "
        "een knuppel voor de deur.",
        "Ik heb gehoord dat die wethouder in een villa aan de Amstelveenseweg woont, nummer 201. Daar moet een bom "
        "onder.",
        "found his address lol: Kerkwijk 12, Deurne. see you soon wethouder 🔪",
    ],
)
def test_published_data_beside_harm_is_a_threat(rules, text):
    assert "dox_intimidation" in {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Geweld is nooit de oplossing. Ook niet als je huis door de gaswinning scheurt.",
        "Ik heb het nummer van Vlasblom, 06-19 44 82 05, bel hem maar. Er moet iets veranderen. Ik hoop dat er iets "
        "verandert. Want twintig idioten gooiden fakkels en de hele tribune werd opgesloten.",  # harm far away
        "Ik ben het oneens met de burgemeester, maar 'we weten waar je woont' is intimidatie 🔪",  # quoted
    ],
)
def test_harm_far_from_data_quoted_or_condemned_is_no_dox_threat(rules, text):
    assert "dox_intimidation" not in {h.rule for h in rules.rules.analyze(text).hits}


def test_vermin_likened_to_a_person_and_fought_is_extermination(rules):
    text = "Ratten zoals Van Rijswijk moet je met gif bestrijden, dan is de opvangdiscussie ook meteen klaar."
    assert "threat_exterminate" in {h.rule for h in rules.rules.analyze(text).hits}
    assert "threat_exterminate" not in {
        h.rule for h in rules.rules.analyze("Onkruid zoals Japanse duizendknoop moet je bestrijden, wethouder.").hits
    }


def test_insults_said_of_a_council_are_abuse(rules):
    assert "abuse" in one(rules, "De hele raad bestaat uit idioten en zakkenwassers, geen uitzondering").flags


@pytest.mark.parametrize(
    "text",
    ["i k  s l a  j e  k o p  i n  m e t  e e n  h a m e r", "w e t h o u d e r   b r i n k m a n   m o e t   d o o d"],
)
def test_words_spelled_out_letter_by_letter_with_double_gaps_are_read_as_words(rules, text):
    assert "threat" in one(rules, text).flags


def test_double_spaces_between_ordinary_words_change_nothing(rules):
    assert (
        one(rules, "dat is  een  test  met  spaties, wethouder").flags
        == one(rules, "dat is een test met spaties, wethouder").flags
    )


@pytest.mark.parametrize(
    "text",
    [
        "Het is geen toeval dat de enige Turkse wethouder de fraudecontroles wil afschaffen. Die mensen frauderen "
        "allemaal, zij ook.",
        "Somalische raadslid Warsame die over jeugdzorg begint. Jullie mensen laten hun kinderen op straat zwerven.",
        "Wat mot die Bulgaar nou in de raad van Hoorn, die lui komme hier allenig voor de toeslage.",
    ],
)
def test_someone_named_by_who_they_are_lumped_with_their_people_is_identity_hate(rules, text):
    assert "identity_their_kind" in {h.rule for h in rules.rules.analyze(text).hits}


@pytest.mark.parametrize(
    "text",
    [
        "De Turkse wethouder kwam langs bij de Marokkaanse bakker. Die mensen zijn altijd zo gastvrij!",  # praise
        "De Turkse wethouder sprak met de bewoners. Die mensen waren boos over de parkeerplaatsen.",  # no lumping
        "Het is niet waar dat die lui allemaal frauderen, zegt de Turkse wethouder terecht.",  # no one named before
    ],
)
def test_people_words_without_lumping_someone_with_them_are_not_their_kind(rules, text):
    assert "identity_their_kind" not in {h.rule for h in rules.rules.analyze(text).hits}


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("hebben ze daar weer een allochtoontje op de lijst gezet voor de diversiteit, wethouder", True),
        ("die k*tmarokkaan van de raad moet z'n bek houden", True),
        ("mijn buurjongen is een lief Marokkaantje, wethouder", False),  # praise
    ],
)
def test_diminutives_and_starred_compounds_of_origin_nouns_are_slurs(rules, text, flagged):
    assert ("identity_slur" in {h.rule for h in rules.rules.analyze(text).hits}) is flagged


@pytest.mark.parametrize(
    "text",
    [
        "Geachte burgemeester, mijn adres is Zuiderkade 3, Harlingen. Mocht u langs willen komen, dan bent u welkom.",
        "Raadsleden die vragen hebben over onze petitie: bel me gerust, 06-5521 0387. Liever bellen dan twitteren.",
        "Hoi, ik ben Sandra van de oudergroep. Reacties op onze brief mogen naar mij: 06-44719203.",
    ],
)
def test_the_writers_own_address_or_number_after_mijn_or_me_is_not_doxxing(rules, text):
    assert "doxxing" not in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Mijn neef heeft het adres van de wethouder: Zuiderkade 3, Harlingen. Ga maar langs.",
        "Ik heb het nummer van de wethouder gevonden, bel haar maar allemaal: 06-44719203.",
    ],
)
def test_someone_elses_data_beside_a_first_person_word_is_still_doxxing(rules, text):
    assert "doxxing" in one(rules, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Die Turkse wethouder moet terug naar zijn land voor de begrafenis van zijn vader.",  # a reason after it
        "Die Marokkaanse wethouder keert terug naar zijn land, meldt de krant.",  # a return reported
        "Dat wicht moet niet terug naar de keuken, ze doet het prima in de raad.",  # negated
    ],
)
def test_a_reason_a_reported_return_or_a_negation_is_no_belongs_elsewhere(rules, text):
    assert not {"gender_belongs_elsewhere", "identity_belongs_elsewhere"} & {
        h.rule for h in rules.rules.analyze(text).hits
    }


@pytest.mark.parametrize(
    "text",
    ["Stuur me het adres van Jansen: Kerkstraat 5, Assen.", "Mijn gegevens zijn: Kerkstraat 5, 9401 AB Assen."],
)
def test_me_before_a_request_or_zijn_as_a_verb_do_not_decide_whose_data_it_is(rules, text):
    own = "Mijn gegevens" in text
    assert ("doxxing" in one(rules, text).flags) is not own
