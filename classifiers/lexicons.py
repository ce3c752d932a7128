"""Word and phrase lists of the rule layer, loaded once at import from the data files in `classifiers/rules_data/`.

One plain-text file per list, named after the list in lower case (`STRONG_VIOLENCE` -> `strong_violence.txt`), the
spaCy way of keeping language data out of the code: a header comment saying what the list is for, then one entry per
line; blank lines and lines starting with '#' are skipped. The phrase lists are what the rules package hands to
spaCy's `PhraseMatcher`; its token patterns live beside them as `<family>_patterns.jsonl` (rules/patterns.py).
Invariants, checked when a file is read (a bad file stops the import with a ValueError naming the file and line):
the file opens with a comment; every entry is in the folded form the rule layer compares with
(`textnorm.fold`: lower case, no diacritics), has no surrounding or doubled spaces and occurs once. Sets stay sets;
ordered lists and tuples keep the file order (STREET_SUFFIXES is a regex alternation, so order matters).

Written for this project; the gendered-slur and insult lists are extended with curated subsets of LDNOOBW (CC BY 4.0,
ldnoobw_gender.txt, ldnoobw_insult.txt). A few sets are unions or differences of lists (INSULT_WORDS, NEWS, GROUPISH,
...): only the lists are files. After a change of a list run `python scripts/regen_spelling_exceptions.py`.
"""

from __future__ import annotations

from pathlib import Path

from schildwacht.textnorm import fold

#: The folder of the list files; it ships with the package (package data *.txt).
DATA_DIR = Path(__file__).with_name("rules_data")


def read_list(path: Path) -> list[str]:
    """The entries of one list file, in file order.

    Raises ValueError when the file does not open with a '#' comment, or an entry is not folded, has surrounding or
    doubled spaces, or repeats an earlier entry.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("#"):
        raise ValueError(f"{path}: the file must open with a '#' comment saying what the list is for")
    entries: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{path}:{number}: {line!r}"
        if " ".join(line.split()) != line:
            raise ValueError(f"{where} has surrounding or doubled spaces")
        if fold(line) != line:
            raise ValueError(f"{where} is not folded (lower case, no diacritics): write {fold(line)!r}")
        if line in seen:
            raise ValueError(f"{where} repeats line {seen[line]}")
        seen[line] = number
        entries.append(line)
    return entries


def _words(name: str) -> set[str]:
    return set(read_list(DATA_DIR / f"{name}.txt"))


def _ordered(name: str) -> list[str]:
    return read_list(DATA_DIR / f"{name}.txt")


# --- spelling -----------------------------------------------------------------------------------------------
CHAT_FORMS = dict(line.split(" ", 1) for line in _ordered("chat_forms"))

# --- threat -------------------------------------------------------------------------------------------------
STRONG_VIOLENCE = _words("strong_violence")
PERSON_ONLY = _words("person_only")
KAPOT_IDIOM_VERBS = _words("kapot_idiom_verbs")
PARTICLES = _words("particles")
INTENT_SUBJECTS = _words("intent_subjects")
INTENT_MODALS = _words("intent_modals")
PERSON_OBJECTS = _words("person_objects")
SECOND_PERSON = _words("second_person")

# --- negation, news and counter-speech frames ---------------------------------------------------------------
NEGATIONS = _words("negations")
NEWS_MARKERS = _words("news_markers")

# --- abuse --------------------------------------------------------------------------------------------------
INSULTS = _words("insults")
INSULT_MODIFIERS = _words("insult_modifiers")
ABUSE_PHRASES = _ordered("abuse_phrases")

# --- gender -------------------------------------------------------------------------------------------------
GENDER_SLURS = _words("gender_slurs")
GENDER_SLURS_CONTEXT = _words("gender_slurs_context")
GENDER_GROUP = _words("gender_group")
GENDER_ROLE_PHRASES = _ordered("gender_role_phrases")
GENDER_GROUP_NEG = _words("gender_group_neg")

# --- doxxing ------------------------------------------------------------------------------------------------
DOX_PHRASES = _ordered("dox_phrases")
STREET_SUFFIXES = tuple(_ordered("street_suffixes"))
DOX_OFFER = _ordered("dox_offer")
DOX_OWN = _ordered("dox_own")
DOX_ARRIVAL = _ordered("dox_arrival")
PLAY_WORDS = _words("play_words")
PLAY_PERSONS = _words("play_persons")

# --- targets ------------------------------------------------------------------------------------------------
ROLE_WORDS = _words("role_words")
GROUP_NOUNS = _words("group_nouns")
GROUP_MEMBERS = _words("group_members")
LDNOOBW_GENDER = _words("ldnoobw_gender")
LDNOOBW_INSULT = _words("ldnoobw_insult")
#: every gendered slur the rule layer knows: the project's list plus the curated LDNOOBW subset
ALL_GENDER_SLURS = GENDER_SLURS | LDNOOBW_GENDER
INSULTS_EXCLUDED = _words("insults_excluded")
INSULT_WORDS = (INSULTS | LDNOOBW_INSULT) - INSULT_MODIFIERS - INSULTS_EXCLUDED
WEAK_INSULTS = _words("weak_insults")
SEXUAL = _words("sexual")
SINGULAR_WOMAN = _words("singular_woman")
KITCHEN_CUES = _words("kitchen_cues")
KITCHEN_PLACES = _words("kitchen_places")
FIRST_SG = _words("first_sg")
PROFANE_MODS = _words("profane_mods")
MASCULINE_PUTDOWN = _words("masculine_putdown")
HATE_VERBS = _words("hate_verbs")
POS_ATTR = _words("pos_attr")
RIGHTS_WORDS = _words("rights_words")
VICTIM_WORDS = _words("victim_words")
SLUR_HEADS = tuple(_ordered("slur_heads"))

# --- threat constructions -----------------------------------------------------------------------------------
VIOLENCE_STEMS = _words("violence_stems")
ADVERBS = _words("adverbs")
PAST_NARRATIVE = _words("past_narrative")
HARM_WISHED = _words("harm_wished")
PUBLIC_PLACES = _words("public_places")
WEAPONS_PLURAL = _words("weapons_plural")
VEHICLES = _words("vehicles")
ARSON_CUES = _words("arson_cues")
DOX_MENACE = _words("dox_menace")
WISH_MODALS = _words("wish_modals")
MURDERED = _words("murdered")
FATE_WORDS = _words("fate_words")
BLOWS = _words("blows")
HEADS = _words("heads")
GET_OR_DESERVE = _words("get_or_deserve")
RUINED = _words("ruined")
OTHERS_LIFE = _words("others_life")
HIDE = _words("hide")
JUMP_FROM = _words("jump_from")
RECKON = _words("reckon")
THROW_VERBS = _words("throw_verbs")
THROW_PLACES = _words("throw_places")
BALLOT = _words("ballot")
OBJECT_PRONOUNS = _words("object_pronouns")
AIMED_OBJECTS = ROLE_WORDS | OBJECT_PRONOUNS
CONSTRUCTION_WORDS = _words("construction_words")
EXTERMINATE = _words("exterminate")
VERMIN = _words("vermin")
WEAPON_EMOJI = _words("weapon_emoji")
MOURNING = _words("mourning")
ENGLISH_INTENT = _words("english_intent")
ENGLISH_NEGATIONS = _words("english_negations")
PEST_CONTEXT = _words("pest_context")
CONSTRUCTION_ANCHORS = CONSTRUCTION_WORDS | WEAPONS_PLURAL | HIDE | GET_OR_DESERVE | RECKON | EXTERMINATE
GROUP_PRONOUNS = _words("group_pronouns")
GROUPISH = GROUP_NOUNS | GENDER_GROUP | GROUP_PRONOUNS
COMMON_TOKENS = _words("common_tokens")

# --- frames (negation, quotes, news, counter-speech, reference, inanimate targets) ----------------------------
NEWS_WORDS = _words("news_words")
NEWS = NEWS_MARKERS | NEWS_WORDS
NEWS_STRONG = _words("news_strong")
NEWS_WEAK = NEWS - NEWS_STRONG
REFERENCE = _words("reference")
SPEECH = _words("speech")
PREVENT = _words("prevent")
OPINION = _words("opinion")
CLAUSE_BREAK = _words("clause_break")
COUNTER = _words("counter")
META_SPEECH_VERBS = _words("meta_speech_verbs")
META_SPEECH = SPEECH | META_SPEECH_VERBS
COUNTER_EVAL = _words("counter_eval")
PERSON_MARKERS = _words("person_markers")
ADJ_SKIP = _words("adj_skip")
NEUTRAL_HEADS = _words("neutral_heads")
DETERMINERS = _words("determiners")
INANIMATE = _words("inanimate")
INANIMATE_SUFFIX = tuple(_ordered("inanimate_suffix"))
PERSON_SUFFIX = tuple(_ordered("person_suffix"))

# --- doxxing ------------------------------------------------------------------------------------------------
STREET_STOP = _words("street_stop")

# --- identity -----------------------------------------------------------------------------------------------
IDENTITY_GROUPS = _words("identity_groups")
IDENTITY_SLURS = _words("identity_slurs")
IDENTITY_SLURS_CONTEXT = _words("identity_slurs_context")
SLUR_FOLLOW = _words("slur_follow")
IDENTITY_ADJECTIVES = _words("identity_adjectives")
DEHUMANISING = _words("dehumanising")
ANIMAL_METAPHORS = _words("animal_metaphors")
IDENTITY_TERMS = _words("identity_terms")
IDENTITY_TOPICS = _words("identity_topics")
#: words that describe a person by origin, religion, colour, orientation, gender identity or disability (rule
#: identity_mention; the adjectives among them only before a person noun), and the IDENTITY_CUES
IDENTITY_CUES = _words("identity_cues")
IDENTITY_MENTIONS = (
    (IDENTITY_GROUPS | GROUP_MEMBERS | IDENTITY_SLURS | IDENTITY_ADJECTIVES | {"non-binair", "nonbinair"})
    - IDENTITY_TOPICS
) | IDENTITY_CUES
ORIGIN_PLACES = _words("origin_places")
IDENTITY_PREFIXES = _words("identity_prefixes")
DEROGATORY_HEADS = _words("derogatory_heads")
POSITIVE_APPRAISAL = _words("positive_appraisal")
