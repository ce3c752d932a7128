"""Rule layer, broadened Dutch constructions: threats (separable verbs, verb-second inversion, body-part harm,
idioms, passive calls, quantified objects), women-group derogation (denied positives, silencing, role restriction),
spelling robustness, and the contrast cases that must stay unflagged (objects, counter-speech, negated reports)."""

from __future__ import annotations

import pytest

from classifiers.api import ClassifyInput


def one(rules, text):
    return rules.classify([ClassifyInput(text)])[0]


@pytest.mark.parametrize(
    "text",
    [
        "ik leg je om",  # separable: omleggen
        "Ik breng je om, let maar op",  # separable: ombrengen
        "ik tuig je helemaal af",  # separable: aftuigen
        "ik breek al je botten",  # body-part harm
        "Ik sla je kop in",
        "ik ga je benen breken",
        "We gaan je uit de weg ruimen",  # idioms for killing
        "Ik ga je om het leven brengen",
        "Ik ga je een kopje kleiner maken",
        "Ik zal je laten boeten",
        "Zet ze tegen de muur",
        "ik zorg ervoor dat je het niet overleeft",
        "ik vermoord die burgemeester",  # present tense after "ik"
        "Als ik je zie, steek ik je neer",  # verb-second inversion
        "als ik de kans krijg maak ik elke ambtenaar af die ik tegenkom",
        "We zullen vrouwen genadeloos afmaken",  # group noun phrase as object
        "Ik ga elke vrouw in mijn buurt aanvallen",
        "Ik wil alle raadsleden dood zien",
        "Raadsleden moeten afgemaakt worden",  # passive call for violence
        "Vrouwen horen gemarteld te worden",
        "Verbrand alle verraders",  # imperative with person object
        "Ik wil je dood",
        "Ik ga op je jagen",
        "ik ga je vermoodren",  # typo: transposition
        "Ik ga je a f m a k e n",  # spaced out
        "We moeten ons eindelijk van al die feministen ontdoen",  # getting rid of people
        "Raadsleden zoals jij zouden beter dood zijn",  # death as the wished state
        "Iemand zou die wethouders de nek moeten breken",
        "Je gaat eraan, burgemeester",  # "eraan gaan"
        "Wacht maar, ze gaan er allemaal aan",
        "De galg voor de hele gemeenteraad!",  # instrument of execution demanded
        "Tijd om die raadsleden met knuppels de stad uit te jagen",  # force with weapons
        "Die raadsleden lachen niet meer als ik ze allemaal neerschiet",
        "Morgen trap ik je eigenhandig je schedel in",  # inversion with words between
        "Ik hoop dat je morgen verongelukt, wethouder",  # harm wished on someone
        "Een bom in het stadhuis en klaar",  # bomb at a public building
        "Als ik jou was zou ik vanavond niet alleen naar huis lopen",  # warning
        "Ik kom naar de raadsvergadering met een pistool",  # weapon at a public place
        "Geniet maar van je laatste zomer, burgemeester",  # veiled
        "Zorg dat je je leven niet meer zeker bent",
        "Gewoon neerschieten die hele fractie",  # imperative infinitive after an adverb  # negation in another clause
        # fourth round: sentence constructions aimed at a person
        "Die wethouder mag wat mij betreft onder een bus komen",  # a fatal accident wished on someone
        "Ik hoop dat jij ooit onder de tram loopt",
        "Hij gaat net zo eindigen als Fortuyn",  # the fate of a murdered politician
        "Ga Pim maar achterna, burgemeester",
        "Dan krijgt hij een fles op zijn kop",  # a blow to the head promised or deserved
        "Die wethouder verdient een dreun op z'n smoel",
        "Ik ga jouw leven kapotmaken",  # ruining someone's life as intent
        "De burgemeester kan zich beter gaan verstoppen",  # warning to hide
        "Spring maar van het dak af, wethouder",  # incitement to jump
        "Als ik u was ging ik niet meer zonder beveiliging naar buiten",  # the warning's own cue is no news word
        "We rekenen met je af, wethouder",  # a reckoning
        "Dan pakken we die wethouder zelf wel aan",  # taking the law into one's own hands
        "Als die wethouder dood is, is ons probleem opgelost",  # death as the solution
    ],
)
def test_threat_constructions(rules, text):
    assert "threat" in one(rules, text).flags, text


@pytest.mark.parametrize(
    "text",
    [
        "Ik veracht vrouwen",
        "Ik kan vrouwen niet uitstaan",
        "vrouwen zijn niks waard",
        "Vrouwen zijn niet slim genoeg voor de politiek",  # denied positive attribute
        "Ik respecteer geen vrouwen",
        "Vrouwen moeten hun mond houden",  # silencing
        "Vrouwen zijn alleen goed voor het huishouden",
        "Vrouwen zouden geen stemrecht moeten hebben",  # restricting rights
        "Ga terug naar je aanrecht, vrouw",
        "Vrouwen zijn onnozel",
        "Ikhaat vrouwen.",  # glued words
        "Er zijn te veel t e v e n in de raad",  # spaced-out slur
        "Je bent een s l e t.",  # spaced-out slur ending in "t."
        "Die wijven in de raad maken me kotsmisselijk",  # disgust
        "Ik ga nog liever dood dan dat ik op een vrouw stem",  # "rather dead than"
        "Feministen zeuren alleen maar. Laten we ze opruimen en vermoorden.",  # threat by pronoun, women named
        "Ik heb niks tegen vrouwen, maar ze zijn allemaal achterlijk",
        "Ik denk echt dat vrouwen de domste wezens op aarde zijn",  # own opinion, not reported speech
        "Vrouwen hebben geen recht om te leven",
        "Die vrowen in de politiek zijn walgelijk",  # short misspelling of "vrouw"
        "Stoeptrut, ga terug naar je keuken",  # compound slur
        "Zit alleen in het college vanwege het vrouwenquotum",  # gender-role put-down
    ],
)
def test_gender_constructions(rules, text):
    assert "gender" in one(rules, text).flags, text


@pytest.mark.parametrize(
    "text",
    [
        # harsh political criticism
        "Aftreden!",
        "deze wethouder liegt over de cijfers",
        "Die wethouder moet gewoon opstappen",
        "We gaan je verslaan bij de verkiezingen",
        # news about threats
        "Wethouder met de dood bedreigd, verdachte aangehouden",
        "Steeds meer raadsleden worden aangevallen, blijkt uit onderzoek",
        # counter-speech and negated reports
        "Het is walgelijk om te zeggen dat vrouwen in de keuken horen",
        "Dreigen dat je iemand gaat vermoorden is strafbaar",
        "Ik zou nooit zeggen dat vrouwen dom zijn",
        "Niemand mag zeggen dat vrouwen minderwaardig zijn",
        "Mensen die vrouwen haten zijn zielig",
        "Wie dreigt dat politici opgehangen moeten worden, hoort in de cel",
        "Ik zou nooit iemand pijn doen",
        # identity mentions without hate
        "Vrouwen zijn niet minder slim dan mannen",
        "Vrouwen verdienen respect",
        "Vrouwen mogen niet uitgesloten worden van de politiek",
        "Vrouwen zouden niet bang moeten zijn om in de politiek te gaan",
        "Wij zijn een groep vrouwen",
        # profanity not aimed at anyone
        "Kut weer, godverdomme wat regent het",
        # violence aimed at objects / violent idioms
        "We moeten dat plan om zeep helpen",
        "Dat was een schot voor open doel voor de oppositie",
        "Ik zou die stomme printer wel willen neerschieten",
        "De raad gaat die motie afschieten",
        "Dit beleid moet dood en begraven worden",
        "Die agenda moet dit jaar afgemaakt worden",
        "Verbrand alle oude papieren na de vergadering",
        "Morgen maak ik het rapport af",
        "Ik breng je om 8 uur naar huis",
        "We gaan een einde maken aan deze begroting.",  # "einde" is a noun here, not an adjective
        "Ik sla elke wesp dood.",  # a quantifier before the thing
        "Ik pak je bericht morgen op",
        "De steen viel op de stoep",
        # third round: constructions near the new rules
        "We moeten ons ontdoen van dit beleid",
        "Zonder de brandweer waren ze allemaal dood geweest",
        "Ik ga er morgen aan werken, wethouder",
        "De politie trad met geweld op tegen de demonstranten",
        "Er is geen haat in mijn hart voor vrouwen",
        "We moeten ons uitspreken tegen haat jegens vrouwen",
        "Vrouwen zijn niet minder waard dan mannen",
        "Mijn vrouw werd ziek van de griep",
        "Ik kom morgen inspreken bij de raadsvergadering 0v3r de woningbouw",
        "Ik denk dat de wethouder liegt over de cijfers",
        "Jullie zijn de weg volledig kwijt met deze begroting",
        "Drie uur geouwehoer in de raad en niks besloten",
        "Ik hoop dat je snel beterschap krijgt, wethouder",
        "We onthouden dit bij de verkiezingen",
        # fourth round: lookalikes of the person-aimed constructions
        "De fietser kwam onder een vrachtwagen, meldt de politie",
        "Let op dat je kinderen niet onder een auto komen",
        "Fortuyn had gelijk over de macht van de wethouders",
        "De economie krijgt een klap door dit besluit",
        "Hij kreeg een klap op zijn hoofd bij het voetballen",
        "Mijn leven is kapot door het beleid van de wethouder",
        "Jij moet je niet verstoppen achter je ambtenaren, wethouder",
        "Ik spring een gat in de lucht, wethouder",
        "De kiezer rekent bij de verkiezingen af met de burgemeester",
        "Wij pakken de problemen in de wijk zelf aan, wethouder",
        "Het recht op eigen woonruimte is belangrijk, burgemeester",
    ],
)
def test_contrast_cases_not_flagged(rules, text):
    res = one(rules, text)
    assert res.flags == [], (text, res.flags, res.spans)


def test_respelled_spans_point_at_original_text(rules):
    for text, needle in [
        ("ik ga je vermoodren", "vermoodren"),
        ("Ikhaat vrouwen.", "vrouwen"),
        ("Ik ga je a f m a k e n", "a f m a k e n"),
    ]:
        res = one(rules, text)
        assert res.spans
        for s in res.spans:
            assert text[s.start : s.end] == s.text
        assert any(needle in s.text or s.text in needle for s in res.spans), (text, res.spans)
