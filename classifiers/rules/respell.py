"""Respelling before matching: words mangled to dodge filters ("s l e t", "kkankerhoer", "vermoordn") restored to
the rule lexicons' spelling (spelling.Speller), and chat spellings of function words ("zn", "m'n", "ff": CHAT_FORMS)
to their full form, keeping each token's offsets in the original text."""

from __future__ import annotations

import re
from typing import Any

from .. import lexicons as L
from ..spelling import Speller

_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_]")
#: a word of two or more letters spelled out with single spaces and followed by a double gap ("i k  s l a  ")
_GAPPED_WORD = re.compile(r"(?<!\S)(?:[^\W\d_] )+[^\W\d_] {2,}")


def spell_vocab(gender_slurs: set[str]) -> set[str]:
    """Words of the rule lexicons that spelling.Speller restores from typos, gluing and spacing."""
    return (
        L.STRONG_VIOLENCE
        | L.PERSON_ONLY
        | gender_slurs
        | L.GENDER_SLURS
        | L.GENDER_GROUP
        | L.GENDER_GROUP_NEG
        | L.INSULT_WORDS
        | L.SEXUAL
        | L.HATE_VERBS
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


def respell(nlp: Any, speller: Speller, doc: Any) -> tuple[Any, list[int], list[int], list[bool], list[str] | None]:
    """Doc with mangled words restored (see spelling.py) plus, per token, its start / end offset in the
    original text and whether a newline follows it; the last item is the lower-case tokens when `doc` came back
    unchanged, else None."""
    from spacy.tokens import Doc

    starts, ends, nl_after, lowers = [], [], [], []
    for t in doc:
        starts.append(t.idx)
        ends.append(t.idx + len(t.text))
        nl_after.append("\n" in t.whitespace_)
        lowers.append(t.lower_)
    # words spelled out letter by letter with two spaces between words ("i k  s l a  j e  k o p  i n"): then a run of
    # two or three letters between such gaps is a word too (a long spelled-out word or three short ones at least)
    gapped = ("  " in doc.text and _SPACED.search(doc.text) is not None) or len(_GAPPED_WORD.findall(doc.text)) >= 3
    if (
        speller.changed.isdisjoint(lowers)
        and L.CHAT_FORMS.keys().isdisjoint(lowers)
        and not gapped
        and not _SPACED.search(doc.text)
    ):
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
        if gapped and t.is_space and words:  # the gap between spelled-out words is one space
            spaces[-1] = True
            nl[-1] = nl[-1] or "\n" in t.text
            changed = True
            i += 1
            continue
        # spaced-out letters: "s l e t t e n" (4+ single letters separated by single spaces; 2+ between double gaps)
        if len(t.text) == 1 and t.text.isalpha():
            j = i
            while j + 1 < n and len(doc[j + 1].text) == 1 and doc[j + 1].text.isalpha() and doc[j].whitespace_ == " ":
                j += 1
            # spaCy keeps a final "f." together (abbreviation): "t e e f." ends in a letter and a full stop
            dot = (
                j + 1 < n
                and doc[j].whitespace_ == " "
                and len(doc[j + 1].text) == 2
                and doc[j + 1].text[0].isalpha()
                and doc[j + 1].text[1] == "."
            )
            bounded = (i == 0 or doc[i - 1].is_space) and (
                j + 1 >= n or doc[j + 1].is_space or doc[j].whitespace_ == ""
            )
            if j - i + 1 + dot >= 4 or (gapped and bounded and j > i):
                last = j + dot
                merged = ("".join(doc[k].text for k in range(i, j + 1)) + (doc[last].text[0] if dot else "")).lower()
                fixed = speller.fix(merged)
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
        if t.lower_ in L.CHAT_FORMS:  # "zn" -> "zijn"
            fixed = (L.CHAT_FORMS[t.lower_],)
        else:
            fixed = speller.fix(t.lower_) if len(t.text) >= 5 else (t.lower_,)
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
    return Doc(nlp.vocab, words=words, spaces=spaces), st, en, nl, None
