"""Model card (README.md) for models/schildwacht-nl-mini; the evaluation section is filled by `evaluate`, the
frozen-test section by `evaluate --final` (training/final_report.py) and kept when the card is written again."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.api import STACKED
from classifiers.spelling import SPELL_EXCEPTIONS

from .evaluate import REPORT_END, REPORT_START
from .final_report import keep_card_section

CARD = """---
language: nl
license: eupl-1.2
pipeline_tag: text-classification
tags: [schildwacht, multi-label, dutch, threat-detection, online-hate]
---

# schildwacht-nl-mini

Small Dutch multi-label classifier that scores a social-media post aimed at a Dutch local official on five labels:
`threat`, `abuse`, `gender`, `doxxing`, `identity` (identity-based hate: origin, religion, skin colour, sexual
orientation, gender identity, disability; transphobic hate is `identity`, misogyny `gender`). It has two halves trained here on the same data: a BERT-style transformer
trained from scratch, and a TF-IDF + logistic-regression model (`lexical.*`); the model probability is their average
(`lexical_weight` in `thresholds.json`). In production that probability is combined with the spaCy rule layer
(`classifiers/rules/`) as recorded in `thresholds.json` (`combine`).

## Intended use
Triage support for staff protecting wethouders, raadsleden and burgemeesters: it ranks and flags posts for a human to
review. It is **not** a legal verdict (art. 285 / 285d / 266 Sr are for staff and police to judge), it must not be
used for automated sanctions, and it is not meant for content outside this domain.

## Model
{model}

- Tokenizer: WordPiece, lowercasing + accent stripping, vocabulary {vocab}, trained here with `tokenizers`
  on pretrain_nl lines plus the training texts (never validation texts).
- Masked-LM pretraining of the encoder on pretrain_nl and the training texts ({mlm}), then multi-label fine-tuning
  (`problem_type=multi_label_classification`, BCE with label masking for sources that do not annotate a label).
- Lexical half: TF-IDF over word 1–2-grams and character 2–5-grams (`char_wb`), one logistic regression per label
  (balanced class weights, label masking as above), stored as arrays in `lexical.safetensors` and term lists in
  `lexical_vocab.json` (nothing is unpickled). It is the same code as the `tfidf_lr` baseline in the evaluation.
- Per-label Platt calibration of both halves (`thresholds.json` → `calibration`, `lexical_vocab.json` →
  `calibration`) fitted on the calibration split: generator templates in neither train nor validation, UD
  negatives and 15% of the training replies.
- Evidence shown to staff when only the model flags a label: the (at most 3) words whose removal lowers the model
  probability most, by at least 0.05 (occlusion through the same model), else the post itself.
- Load with `AutoModelForSequenceClassification.from_pretrained(dir)` / `AutoTokenizer.from_pretrained(dir)`;
  `classifiers.load_classifier(dir)` accepts any such directory (e.g. a fine-tuned RobBERT) whose `id2label` names
  the four labels.
- Input: text with HTML tags blanked, whitespace collapsed, first 4,000 characters, then at most 96 tokens. The rule
  layer scans the first 20,000 characters; spans never point beyond that.

## Training data (every source)
| source | path | use | licence |
|---|---|---|---|
| Synthetic posts from `training/generator.py` (written for this project from the domain brief; fictional names, roles, platforms, spelling noise, emoji, leetspeak, missing diacritics; many hard negatives: harsh criticism, news about threats, counter-speech, quotes, weather profanity, violent idioms) | generated | train / calibration / validation split **by template** | project (EUPL-1.2) |
| Training replies `training/replies/<author>.jsonl`: realistic replies, comments, DMs and letters to local officials, each file written by a separate helper author with its own style brief (X, Facebook groups, youth slang, letters and sovereign-citizen mail, women officials, regional / WhatsApp, news-site comments, DMs, short replies, officials with a minority identity, veiled threats and their harmless lookalikes, election campaigns, everyday mentions, forums, Telegram groups, Instagram / TikTok comments, mayors' emergency orders, mostly hard negatives, livestream chat of council meetings), told not to open the rules, generator, probe or any dataset; labelled by their author with the label definitions of the issue | training/replies/ | the whole files of {val_authors} are the realistic-reply **validation** set (choices are made on it); the whole files of {test_authors} are a **test** set (reported only, never used for a choice); of the other files 15% of lines go to calibration, the rest is trained on (original + {copies} copies with spelling noise) | project (EUPL-1.2) |
| Multilingual HateCheck, Dutch dev cases | ../shared/data/mhc_dutch/mhc_dutch_dev.csv | template groups split in halves: half A trains, half B is a **validation** set (never trained on, but the rules and the gates were tuned on it, so it is not held out). Mapping: threat_dir_h/threat_norm_h → threat (+gender if target women); hateful with target women → gender; hateful with another target group → identity (abuse masked; threats also identity); target_indiv_nh → abuse; counter_*, ident_*, negate_neg_nh, profanity_nh, target_obj_nh → contrast (no label); other cases → no label (abuse masked) | CC BY 4.0 |
| RTP-LX Dutch prompts + benign completions (password zip, read in place) | ../shared/data/rtp_lx_nl/rtp_lx_nl.zip | Insult ≥ 2.5 and Toxicity ≥ 3 → abuse (other labels masked); Toxicity ≤ 1.5 with all harms at 1 → negative; benign completions with ACS < 0.05 → negative; 80/20 split by prompt | MIT + Apache-2.0 |
| UD Dutch Alpino + LassySmall sentences | ../shared/data/pretrain_nl/ud_dutch_text.txt.gz | 1,500 clean negatives; tokenizer / MLM text | CC BY-SA 4.0 |
| Dutch legislation sample, Debian Dutch docs | ../shared/data/pretrain_nl/ | tokenizer / MLM text only | public domain / MPL-2.0, GFDL, GPL |
| LDNOOBW Dutch list (curated subset of gendered slurs and insults) | ../shared/data/lexicons/ldnoobw_nl.txt | rule layer lexicon only | CC BY 4.0 |
| OpenTaal word list | ../shared/data/pretrain_nl/opentaal_wordlist.txt.gz | rule layer only: the {n_exc} Dutch words within one edit of (or glued to) a rule-lexicon word, kept in `classifiers/spelling_exceptions.txt` so the typo repair leaves real words alone | BSD / CC BY 3.0 |

Split sizes: `{splits}`

Provenance notes (honest caveats): no evaluation data was used to write generator templates. The rule layer was
extended after inspecting errors on MHC half A (the training half) and on generator train/calibration templates.
Before the MHC split was made, one listing of MHC dev templates of the functionalities threat_dir_h, threat_norm_h,
profanity_nh (and a few contrast ones) from the whole dev file (both halves) was looked at, so MHC half B is not
perfectly unseen for the rule author. The idiom frame ("politiek ... de kogel", "de kogel is door de kerk") was added
after seeing which rule fired on generator-validation criticism posts (rule names only). The per-label combination row
is chosen on the same validation sets it is reported on.

Rule-layer broadening (second round, transformer not retrained, generator unchanged): written from general Dutch
grammar and tested on sentences written by the rule author, then measured on the validation halves: separable verbs
with om/af (omleggen, ombrengen, aftuigen), body-part harm ("ik breek je nek", "ik sla je kop in"), idioms for
killing ("uit de weg ruimen", "om het leven brengen", "een kopje kleiner maken"), "laten boeten", "zet ze tegen de
muur", "ik zorg dat je ...", a present-tense violent verb right after "ik / we", imperatives with a person object,
quantified / group noun phrases as object ("elke X", "vrouwen ... afmaken"), passive calls ("moeten afgemaakt
worden"), violence aimed at objects (every noun phrase a thing: plan, motie, printer, trends) suppressed,
counter-speech frame (verb of saying / threatening + an evaluation such as walgelijk, seksistisch, strafbaar),
negated reports ("ik zou nooit zeggen dat ..."), women-group derogation by denied positives ("zijn niet slim",
"respecteer geen"), silencing ("hun mond houden"), role / rights restriction, hate verbs (veracht, minacht,
"niet uitstaan"), pronoun reference across sentences, profanity modifiers and compounds ("kutvrouwen"), and a
spelling repair (adjacent transposition, one dropped letter, glued function words, spaced-out letters) of lexicon
words. Error-motivated changes, after looking at validation errors: verb-second inversion "als ..., maak ik je af"
(generator-validation threat misses); "horen thuis in" (= belong in) no longer a gender role phrase, and rape
threats count as gender only with a gender word / female pronoun / addressed person and no other named group (MHC
half B false positives, rule names and matched phrase only). Every look at half B tunes to it: its numbers are
optimistic for unseen templates.

Rule-layer third round (transformer not retrained, generator unchanged), **after reading the individual errors** of
MHC half A and half B and of the generator validation and calibration templates, so all three sets are now tuning
data for the rules and their numbers below are optimistic. Each change was written as a general Dutch construction
and checked against harmless sentences written by the rule author, not as a template match: getting rid of people
("laten we ons van X ontdoen"), death as the wished state ("zouden allemaal dood zijn", not counterfactual past),
harm to a group's body parts ("de nekken van ... breken"), "je gaat eraan" / "tot ze er allemaal aan gaan", an
instrument of execution demanded for someone ("de strop voor X"), force with weapons ("met geweld ... met
knuppels"); a negation only negates its own clause; a threat by pronoun ("laten we ze uitroeien") is gender-targeted
when another sentence of a short post names women; women-group derogation by disgust ("maken me ziek"), "liever
dood dan ...", wishes that they suffer, "geen recht om te leven", "niets tegen vrouwen, maar ...", the writer's own
opinion ("ik denk dat ...") no longer read as reported speech, a wider list of derogatory predicates, and short
misspellings of "vrouw"; "manwijf" is gender only where a woman is in view (else a homophobic / transphobic slur:
abuse); rape of "een X zoals jij" with X another group is not gender-targeted (data README mapping); counter-speech
"ons uitspreken tegen"; a leetspeak word after a street-like word is no longer a house number. A fourth step used
the **dev half** (even lines) of the hand-written probe replies: general constructions for wished harm ("ik hoop dat
je verongelukt"), warnings ("als ik jou was ..."), veiled phrases ("je laatste kerst", "je leven niet zeker",
"we onthouden gezichten"), weapons or bombs at a town hall, verb-second body-part harm with words between,
imperative infinitives after an adverb, slur compounds ("rotwijf"), gender-role put-downs (quota, "echte vent") and
more personal insults; the **test half** (odd lines) was never inspected.

Realistic training replies (fifth round, model 0.2.0): the rules had stopped generalising (probe dev half up, test
half flat), so the model was retrained with twelve helper-written reply authors. The reply authors were different
helpers from the probe author and never saw the probe; the rules were not changed since. The probe is of the same
kind (replies written by a language-model helper), so its test half measures generalisation to a new author of the
same kind, not to real posts. One training line that happened to equal a probe line (a one-word insult) was
removed; a test keeps the two sets apart.

Sixth round (model 0.3.0): five more training authors (everyday mentions, forums, Telegram groups, mostly hard
negatives, livestream chat), a second validation author (`r_mayor`) and a test author (`o_instagram`), both chosen
before their files were read and before any training run. The gate search became exhaustive (all per-label gate
combinations instead of a coordinate search that stopped in a local optimum), a missed hard target became a step
penalty (no gain elsewhere can buy it), and threat on the replies is scored as recall at precision ≥ 0.85 (the
acceptance aim) instead of F1. Model selection, decided before the runs: a second retrain with four more authors
(elderly Facebook users, provincial politics, women in politics with positive statements about women as
negatives, violent words aimed at things) would ship unless its selection score on the choice sets was more than
0.01 lower. It scored 0.8315 against 0.8436 for this one, so this one ships; those four files wait in
`training/replies_pending/`. Model 0.2.0 on the same sets, same code: selection score 0.8124; `replies_val`
threat P / R 0.925 / 0.730; `replies_test` 0.943 / 0.811; probe test half 0.969 / 0.861 (31 of 36).

Seventh round (0.3.1): the same weights as 0.3.0, a new combination. The evaluation now searches the
lexical (TF-IDF) share of the model probability (`lexical_weight` 0.25 / 0.5 / 0.75) together with the gates and the
frame damping, on the same choice sets and with the same selection score. It picks 0.75 and threat gate 0.6: the
TF-IDF half fires less than the transformer on the MHC contrast templates, so a lower threat gate fits under the 10%
contrast limit. Selection score 0.8491, against 0.8436 for the 0.3.0 combination (weight 0.5, threat gate 0.7).
Tried in the same round and not shipped, each scored with the same search: a retrain with three more generator
families (violent or hateful words aimed at things, insults aimed at oneself, positive statements about women; 46
templates) scored 0.8379; refitting the TF-IDF half with C = 1 or 16 instead of 4 scored 0.8334 and 0.8442.

Eighth round (0.3.2): the same weights and the same gates as 0.3.1; two changes outside the model.
(1) Frame damping is per label: a label's model probability is damped only when the rules suppressed a would-be hit
of that label (before, any suppressed hit damped all four, so a gender-role phrase inside a counter-speech frame
damped a threat). (2) Nine more sentence constructions in the rule layer, each needing a person in the sentence: a
fatal accident wished on someone ("mag onder een bus komen"), the fate of a murdered politician ("net zo eindigen
als Fortuyn"), a blow to the head promised or deserved, ruining someone's life, a warning to hide, incitement to
jump, a reckoning (not at the ballot box), taking the law into one's own hands, death as the solution; and
"beveiliging" is no longer a strong news word (it is also the cue of the "als ik jou was" warning). The constructions
were written after reading the threats 0.3.1 missed in `replies_val`, so that row (threat recall 0.869 → 0.890) is
optimistic; `replies_test` (0.885) and the probe test half (33 of 36) did not change. Selection score 0.8537
(0.8491 before these changes). Tried and not shipped, same code and search: a retrain with the MHC half-A contrast
cases counted three times (0.8366) and a retrain with seed 1 (0.8356); both sit 0.015–0.02 below these weights, so
part of this model's lead on the choice sets is the luck of one training run. A lexical weight for threat apart from
the other labels, and gates 0.55 / 0.65 in the grid, led to the same combination.

Ninth round (0.4.0): new weights, trained on a GPU lent for one session (an NVIDIA H100; the model runs
on CPU as before). Same data, code and fine-tuning as 0.3.x; two changes in pretraining: the masked-LM step ran
10,248 steps (290 s on the GPU; the 240 s on 2 CPU cores behind 0.3.x give about 320 steps), with the learning rate
warmed up and decayed over the budget, on all pretrain_nl lines (about 155,000) instead of the first 60,000. Model
selection, decided before the runs: six GPU runs, the highest selection score ships. Seed 0 with 60,000 lines scored
0.8522; with all lines, seeds 0–4 scored 0.8471, 0.8562, 0.8502, 0.8563 (this one, seed 3) and 0.8510; 0.3.2 scores
0.8537 in the same code. The choice is within the spread of seeds: it is the luck of the draw as much as the recipe.
The untouched rows show what the longer pretraining did, over the four all-lines runs with seeds 1–4:
`replies_test` threat recall 0.934 / 0.926 / 0.918 / 0.869 at precision 0.898 / 0.897 / 0.896 / 0.930 (0.3.2: 0.885
at 0.915), and the transformer alone on `replies_test` rose from 0.852 to 0.885 recall for this seed. The generator
validation templates of each seed's run are drawn with that seed (same templates, other instances), so scores of
different seeds compare slightly different generator rows. To redo this model without a GPU:
`schildwacht train --seed 3 --mlm-stappen 10248` (the MLM step alone takes about two hours on 2 CPU cores; the
result will differ in the last digits, since GPU and CPU arithmetic differ).

Tenth round (still 0.4.0: the same weights and the same shipped combination; the evaluation changed). The splits
leaked text into each other, and part of what was reported as held out was not:
(1) texts were compared only exactly (case and spacing ignored) and only between reply files. Every split (training,
calibration, generator / MHC / RTP-LX / reply validation, the test author, both probe halves) is now compared with
every other on a normalised form (case, diacritics, punctuation, emoji and whitespace ignored) and by near-duplicate
measure: Jaccard similarity >= 0.6 of character 5-gram sets, candidates found with MinHash LSH (`datasketch`) and then
checked exactly (`training/dedupe.py`; 0.6 was read off the cross-split pairs: above it they are the same sentence
with a word changed or added, an emoji, a handle or a typo, below 0.5 different sentences that share a frame).
(2) Found that way: the probe dev line "Hoer." was trained on (`e_women` "hoer"); the probe test line "Zeg maar vast
gedag tegen je gezin." was in the calibration split (`a_twitter`); five more probe lines near-duplicate training
replies (Jaccard 0.63-0.91); 17 lines of the test author `o_instagram` and 10 of the validation authors equal or
near-duplicate training replies; one generator validation template ("vrouwen zijn te dom om te besturen") is the
training template "{{grp}} zijn te dom om te besturen" with the slot filled in; ten generator validation posts
near-duplicate training replies ("Vrouwen horen niet in de politiek, punt", "Politie onderzoekt doodsbedreigingen aan
raadslid in Tiel") and four near-duplicate a probe test line ("Respect voor raadslid Jansen die ondanks alle
bedreigingen gewoon doorgaat"); three MHC half-B contrast cases near-duplicate half-A cases ("Homoseksuelen zijn
geweldig." / "Alle homoseksuelen zoals hen zijn geweldig.").
(3) MHC half B was called held out although the rules were extended after reading its errors and the gates are chosen
on it: it is now called a validation set, like the generator validation templates and `replies_val`.
The fix for training (`build_splits`, on by default) splits the generator on rendered text as well as on template
ids (a template and its near-duplicate or slot-filled twin go to the training side together, calibration included)
and drops from each split every text that equals or near-duplicates one in a split of higher priority (probe test,
test author, probe dev, validation, calibration, training), before the noisy reply copies are made; it applies to
the next training run. The weights were **not** retrained this round: they were trained on a GPU lent for one session
(433 s fine-tuning after 290 s of masked-LM pretraining on an H100), no GPU was lent this round, and the pretraining
alone takes about two hours on the 2 CPU cores here. So this model was trained on the old splits
(`build_splits(leak_free=False)` rebuilds them exactly), and the evaluation below leaves out every evaluation item
that equals or near-duplicates a text of their training or calibration part: 47 items in all (table "Leak-free
evaluation sets"), besides the 15 posts of the moved generator template and the 4 generator posts left to the probe.
The other generator validation posts are the ones drawn before (the split draws from the id-only template sets and
then filters), so every before / after row compares the same posts less the excluded ones. Searched again on the
leak-free choice sets, the gate search picks the shipped combination unchanged (lexical weight 0.75, gates 0.5 /
0.6 / 0.7 / 0.5, frame damping 0.5; selection score 0.8534, 0.8563 before). The before / after table is in the evaluation section; on the untouched sets the shipped combination moves from
threat recall 0.918 to 0.912 at precision 0.896 → 0.889 on `replies_test` and from 35 of 36 to 33 of 34 threats on
the probe test half.

Eleventh round (0.5.0, issue 17): a fifth output `identity` and the second data round, trained on
2 CPU cores without a GPU. `schildwacht train --verder-van models/schildwacht-nl-mini --epochs 3 --seed 3` took
over the tokenizer and the weights of 0.4.0 (whose encoder had the 10,248 MLM steps on the H100), gave the head a
fifth row (started from the mean of the other four) and fine-tuned everything for 3 epochs on the leak-free splits
(1,736 s with `OMP_NUM_THREADS=1` beside other work). New training data: the four reply files that waited in
`replies_pending/` since the sixth round and two of the three five-label files of the second round (`x_identity`:
identity-based abuse and its hard negatives; `y_dehuman`: dehumanisation, obfuscation, veiled threats), 6,625
training replies instead of 4,664; the third (`z_longdialect`) is kept out for the feedback demo. Identity labels:
five-label files give them; in the older reply files identity is 0 on negative kinds and masked elsewhere; MHC
hate against a group other than women is identity (abuse masked), as hate against women is gender; the generated
group-hate templates likewise (one generator template, "Die mensen van het azc moeten gewoon terug naar hun eigen
land", is still a negative: changing its code would reshuffle the stratified template split). The gate search now
scores the 6^5 gate combinations exactly from per-gate columns (`_GateColumns`). It keeps the four labels'
gates near 0.4.0's and gives `identity` the highest gate (0.95): the transformer's identity output reaches F1 0.80
on MHC half B but flags 36% of its contrast cases (positive statements about groups, counter-speech), over the 10%
limit, so in the shipped combination `identity` comes almost only from the rule family `identity`
(`classifiers/rules/identity.py`). The other four labels on the untouched sets: `replies_test` threat recall
0.89 at precision 0.93 (0.4.0: 0.91 at 0.89), abuse F1 0.92 (0.91), doxxing 0.98 (0.96); probe test half threats
unchanged (0.97 / 0.97).

Twelfth round (0.6.0, issue 17): the third data round and a few rule changes, trained on 2 CPU cores
without a GPU. `schildwacht train --verder-van models/schildwacht-nl-mini --epochs 3 --seed 3` took over the
tokenizer and the weights of 0.5.0 and fine-tuned for 3 epochs (16 minutes of epochs, `OMP_NUM_THREADS=1`). New
training data: three more authors who saw nothing of the project (`aa_groups`: identity-based abuse against
officials of every background and the harmless ways people talk about groups; `ab_dialects`: threats and doxxing
against violent words about things, games, hunting and pests and people sharing their own details, in regional
speech; `ac_mixed`: youth channels and code-switching), 8,097 training replies instead of 6,625. Rules changed
before this model was chosen, on training replies only: contact details the writer offers as their own ("bel me",
"ik woon", "te koop") are not doxxing; a threat construction about a game, a match or pest control with nobody
addressed is framed as play; an @handle holding a role word puts an official in view. Which rule families pay is now
decided on the validation sets in every evaluation (section "Rule families on the validation sets"): all five
pay. The gate search moves the threat gate from 0.6 to 0.7 (at 0.6 the new model's threat output flags 11% of the MHC
half-B contrast cases, over the 10% limit), abuse to 0.5, gender to 0.6, identity to 0.9 and the lexical weight to
0.5; selection score 0.7436 against 0.7266 for 0.5.0 with the same rules. On the untouched sets: `replies_test`
threat recall 0.83 at precision 0.95 (0.5.0: 0.89 at 0.93), the probe test half 35 of 36 threats at precision 1.00
(0.97 / 0.97). The transformer's identity output still flags about a third of the MHC contrast cases (34.7%; 0.5.0:
35.6%), so `identity` stays mostly with the rule family.

Thirteenth round (still 0.6.0: the same weights and gates; the rules and the validation set changed, issue 17). The
two spent frozen test sets became reply data: `ad_villagers`, `ae_youngmixed` and `af_community` train, and
`ag_regional` (five labels, 60 identity posts) joined the validation authors, so identity choices are now made on
realistic replies too. Rule fixes made on the new training authors (docs/classifier.md, "Fourth data round rule
fixes"): more identity slurs (and the lesbian slurs moved from `gender` to `identity`), an aimed identity slur is
also `abuse`, "terug naar je eiland" and "terug het schip op", chat spellings ("zn", "m'n") read in full,
extermination wording for a person called vermin, beatings ("een pak slaag krijgen", "ik rij je omver"), "je
gaat het niet overleven" as a threat, and published contact data as a threat only with a call to go there or act on
it (not with any "weten"). Selection score with these weights: 0.7722 with the rules before, 0.7844 with the fixes
as first made, 0.7819 after a second reader's mends of their false positives. Three retrains on the new data were
tried and not shipped: 3 epochs from 0.6.0 (selection score 0.7738) and 1 epoch (0.7617), scored with the rules as
first made, and 3 epochs from the 0.4.0 weights with all rounds at once (0.7667, final rules); for each the gate
search raised the threat gate to 0.8, which cost threat recall on the validation authors (0.76 and 0.75 for the
first two against 0.82).

Fourteenth round (still 0.6.0: the same weights, gates and calibration; issue 17). The transformer now runs in int8
by default (`classifiers/int8.py`: weights per output channel, activations per token row) with per-text attention
(`classifiers/attention.py`), so a post scores exactly the same alone as in a batch; on the choice sets the tables
are those of the float32 transformer but for legitimate criticism flagged (4.2% instead of 5.0%) and one MHC case,
and on 2,000 training replies one flag changed (docs/classifier.md, "Speed": the full path 1.5-1.6x faster, 277-295
posts/s at batch 32 on one thread, 24-26x the float32 BERT-base reference). A bare "in de keuken" is a gender role
only with someone put there. The fourth and fifth frozen sets were read (section "Frozen test set (final report)"
holds the fifth; docs/classifier.md has both). After the fifth report, "identity from hostility": a post flagged for
abuse or a threat that names the official's origin, religion, colour, orientation, gender identity or disability
outside a frame is also `identity` (chosen on the spent sets; identity F1 on them 0.68 / 0.60 / 0.62 -> 0.75 / 0.71
/ 0.74, on the validation authors 0.63 -> 0.73; no post is flagged that was not flagged before); the final report
below predates it, the sixth frozen set will report it.

Fifteenth round (still 0.6.0 weights; issue 17). int8 runs only on a CPU with int8 dot-product instructions (AVX-512
VNNI or AMX, `classifiers.int8.fast_int8`); on an AVX2-only CPU `torch._int_mm` is some 30x slower than float32, so
the transformer loads in float32 there (docs/classifier.md, "Speed": 95 posts/s at batch 32 on such a machine, 8.4x
the BERT-base reference). The third and fourth spent sets became training replies and the fifth two more validation
authors (selection score 0.7983 with the same gates); more origin groups in the identity lists and a threat for
published personal data beside fire or a visit "not for coffee" (0.8006, gates unchanged). Then the sixth frozen set
was read (section "Frozen test set (final report)"): identity F1 0.804 and gender 0.907 reach their targets, threat
0.835, abuse 0.842, doxxing 0.886; legitimate posts flagged 1.2%.

Sixteenth round (still 0.6.0 weights; issue 17). The sixth spent set became training replies (`an_provinces`,
`ao_streams`). A stacker (`classifiers/stacking.py`, `schildwacht fit-stacker`): one logistic regression per label
over what the classifier already reads of a post, fitted on the 5,113 posts of the nine reply authors neither half
trained on. Read with the shipped settings on the choice sets it wins only for `doxxing` (replies F1 0.869 -> 0.885,
selection score 0.8006 -> 0.8026); for threat and abuse it gains on the realistic replies (threat F1 0.846 -> 0.872
at its gate 0.5) but flags MHC contrast cases and generator hard negatives the gated combination leaves alone, so the
per-label choice keeps the gated combination there. Three veiled-threat constructions in the rules ("mag blij zijn
dat ik nog niet ...", "er komt een dag dat ... boeten", "ik neem een jerrycan benzine mee naar ..."): 11 posts of the
26,864 snapshot texts gain a threat, none of them a negative; neutral on the choice sets (0.8006 before and after).
The seventh frozen set was read with a broader first version of them (narrowed after a review found they would
flag accountability language).

Seventeenth round (still 0.6.0 weights; issue 17). The seventh spent set became training replies (`ap_villages`,
`aq_cities`), and a new author wrote `ar_contrast` for the stacker: 469 innocent look-alikes (neutral and positive
mentions of an official's origin, faith, orientation or disability, counter-speech quoting slurs and threats, news,
negated hate, violent words about things and games) beside 235 hateful twins. The stacker, refitted on the twelve
unseen authors (6,920 posts), now scores `doxxing` alone ("stack"); the per-label choice scores every combination of
modes at once (`choose_per_label`), so the labels together keep the MHC contrast and criticism targets. Two
obfuscations the issue names are read by the rules: letters spelled out with hyphens, dots or stars ("k-o-g-e-l",
`classifiers.textnorm.unseparate`) and a weapon, noose or grave emoji right beside a named or addressed person
("Hoekstra 🔪🔪🔪", `threat_emoji_weapon`; not in mourning, games or beside a thing): 66 training-reply posts gain 79
labels they carry and one they do not (a bomb emoji used as a slur read as a threat), none loses one; selection score
0.8026 -> 0.8058. A retrain (`--verder-van`, 3 epochs, the nine earlier unseen authors added, `ap_villages`,
`aq_cities` and `ar_contrast` held out with `--stapelaar-auteur`) was not shipped: its transformer alone reads the
validation replies better (threat P 0.897 / R 0.856 against 0.869 / 0.839) but flags more MHC contrast cases, so the
gate search raised the threat gate to 0.9 (replies threat recall 0.671); its best per-label combination (0.8081)
scores threat with the stacker, which dilutes a threat a window found in a long post
(tests/classifiers/test_api_windows.py fails), and threat recall on the validation replies is lower (0.774 against
0.806).

Eighteenth round (still 0.6.0 weights; issue 17). The eighth spent set became training replies (`as_suburbs`,
`at_channels`); the stacker is refitted on the fourteen authors neither half trained on (8,024 posts). A third
stacked mode, "stack+max": the larger of the gated combination ("max", windows and rules included) and the stacker's
gated probability, so the stacker can only add a flag and a threat that one window of a long post found stays
flagged. Chosen for threat (stacker gate 0.8) and doxxing: replies threat P 0.893 / R 0.806 -> 0.890 / 0.834,
doxxing F1 0.894, selection score 0.8058 -> 0.8111. English threats in Dutch posts are read by the rules
(`threat_english`: a first-person promise of violence with an intent word, "I'm gonna beat the shit out of him",
"someone's gonna stab her"; `threat_english_direct`: "you're dead", "watch your back", "we're coming for you"; not
negated, not "beat you in the elections", not "shoot you a DM"): 8 posts of the snapshot texts gain a threat they
carry, none a label they do not. A retrain with `ar_contrast` trained on (`ap_villages`, `aq_cities`, `as_suburbs`,
`at_channels` held out for the stacker) scored 0.8012: better gender (0.880) and doxxing (0.923) on the validation
replies, but lower threat recall (0.776) and abuse F1 (0.819), its threat gate raised to 0.8 by MHC contrast cases.

Nineteenth round (still 0.6.0 weights; issue 17). The ninth spent set became training replies (`au_coast`,
`av_networks`); the stacker is refitted on the sixteen authors neither half trained on (9,131 posts). Rules, each
checked on a snapshot of 30,882 texts before and after: a person thrown into water or off a height
(`threat_thrown`: a throwing verb of `throw_verbs.txt` and a place of `throw_places.txt` or a name ending in -brug,
-gracht, -haven, ..., in one sentence; the person is the word right before the place (an object pronoun, a role,
person, group or insult word, a name), never the subject nor a possessor; an intent word or an imperative stem:
"iemand moet die wethouder van de brug duwen", not "de wethouder wil het baggerslib in de haven dumpen" or "gooit de
burgemeester een krans in zee"); published data beside an arrival at the door (`dox_arrival.txt`, words in one
sentence: "we komen hem halen", "zaterdag staan wij voor zijn deur", "wie helpt zijn ruiten in te gooien") is a threat;
an invitation beside the writer's own data ("kom langs op ..., of app me") is no longer doxxing; identity cues
(`identity_cues.txt`: headscarf, kippah, "tatta", "kaaskop", sharia) and an identity adjective before an insult or a
singular animal word ("die joodse rat") are identity mentions; eighteen insults the training replies use only as
abuse ("loser", "teek", "bloedzuiger"); a sentence-final "zeg" ("wat ben jij een eikel zeg") no longer frames the
sentence as reported speech. Two second readers' false positives are negatives in the tests. Snapshot: 82 reply posts
gain abuse and 30 a threat, each one they carry (19 generator and probe posts gain abuse too: "wat ben jij een
lamlul zeg"); 4 lose a doxxing flag and 2 a threat they do not carry; 205 posts gain an identity mention; no other
label changes. The evaluation now refines the per-label choice over the stacked modes at every gate
(`refine_stack_gates`, each combination scored with all the gates it would ship); with this stacker the exact mode
search already takes threat "stack+max" at its own gate 0.7 (MHC half B contrast cases 9.6%). Validation replies
threat P / R 0.890 / 0.834 -> 0.887 / 0.851, identity F1 0.771; selection score 0.8111 -> 0.8169.

Twentieth round (still 0.6.0 weights; issue 17). The tenth spent set became training replies (`aw_services`,
`ax_events`); the stacker is refitted on the eighteen authors neither half trained on (10,250 posts). Rules: English
threat grammar ("I'll break your legs", "imma jump him", "I'm putting him in the hospital", "catch these hands"; harm
foretold to someone else was left out: warnings and sport), Papiamentu and Sranan "mi o kiri yu" / "mi ta bai mata
bo", "in mekaar" / "yn elkoar", "te grazen nemen" wished on someone; in a post of more than three sentences two weak
news words no longer make the whole text a news report; "ik ben tegen geweld, tegen ..." is counter-speech up to a
"maar"; an insult predicated of a name ("Verhoeven is ne echte lapzwans", "ik vind Nijenhuis een eikel"); five
insults the training replies use only as abuse; a gender or identity hit with a person in view is abuse too
(`demeaning`: 98% of the reply posts it turns to abuse carry it). Snapshot of 32,001 texts: 506 reply posts gain
abuse and 21 a threat they carry, 10 gain abuse they do not carry; 72 MHC cases addressed to "jij" gain abuse.
Validation replies abuse F1 0.857 -> 0.864, threat 0.869 -> 0.870, doxxing 0.894 -> 0.887; selection score 0.8169 ->
0.8162 (MHC half B counts abuse only for insults of an individual; identity hate said to "jij" is abuse in the
issue's definitions).

Twenty-first round (still 0.6.0 weights; issue 17), after the eleventh report. The eleventh spent set became training
replies (`ay_schools`, `az_mobility`); the stacker is refitted on the twenty authors neither half trained on (11,348
posts). The set's largest over-flag, people sharing their own contact details (15 of 40), came from invitations the
rules did not read as the writer's own: `dox_own.txt` adds "kun je me bellen", "kan mij bellen", "mie bellen", "bij
mien", "mijn huis", "ik bin", "myn nûmer", "my number", "message me", "dm me", "contact met mij" and the like.
Snapshot: 22 reply posts lose a doxxing flag they do not carry, nothing else changes. Validation replies doxxing F1
0.887 -> 0.889; selection score 0.8162 -> 0.8167.

Twenty-second round (still 0.6.0 weights; issue 17). Read from the threats the shipped model missed in the four
spent sets of the day (`aw_services` ... `az_mobility`, training replies now): promises whose parts stand far apart
in one clause (`rules/threat_clauses.py`): the writer will do someone harm ("dat ik hem bij de volgende vergadering
fysiek iets zal aandoen"), a visit whose benign purpose is denied ("we komen langs, en niet om te praten"), "ik ga
jou, met al mijn vrienden erbij, ... kapot maken" (up to a new clause; the acts that are also games or chores only
with someone in office in view and no contest in the sentence); running someone over ("ik rij 'm omver"); more
things thrown at a head ("een klinker tegen zijn hoofd") and someone pushed off a stage or stairs; extermination after
"wethouders zijn gewoon ongedierte". An unambiguous identity slur in a sentence about someone (a pronoun, the council,
a name) is aimed at that person; slurs also used as all-purpose insults ("mongool") keep the old cues. Eight slurs
added ("baardaap", "kameeldrijver", "zemmel", "potteuze"). A second reader tried 265 ordinary posts aimed at the new
rules; the false positives (games, chores, possessives, warnings of falling stones, pest control) were narrowed and
are negatives in the tests. Snapshot of 33,099 texts: 25 reply posts gain a threat, 23 abuse and 21 identity they
carry, 2 gain identity they do not carry ("baardaap" labelled abuse only); nothing is lost. Validation replies threat
F1 0.869 -> 0.870, abuse 0.864 -> 0.865, identity 0.771 -> 0.776; selection score 0.8167 -> 0.8175.

Twenty-third round (still 0.6.0 weights; issue 17), the same day's abuse and gender misses: an animal, pest or
disease said of a person is abuse (`dehumanised`, `rules_data/animal_metaphors.txt`: "het college bestaat uit
aasgieren", "wethouder Hamstra is a leech", "dat zwijn van een wethouder", "wat een rat is die wethouder"; the
subject must stand right before the copula and be a role word or a body, or a name or pronoun with someone in
office in the post; not a place, not "een luis in de pels", and none of the words whose everyday sense is far more
common: "gier", "mol", "schimmel", "vee", "teken"); 28 narrow put-down frames of misogyny ("ga je nagels lakken",
"op haar knieën verdiend", "lekker kontje heeft", "make me a sandwich", "needs a man to tell her"). Two second
readers tried 169 and 160 ordinary posts: the first versions flagged 81 and 86 of them; after the narrowing 1 and
0 (plus 4 from older phrases). Snapshot: 105 reply posts gain abuse and 32 gender they carry, none a label they do
not carry, nothing lost. Validation replies abuse F1 0.865 -> 0.870, threat 0.870 -> 0.871; selection score 0.8175
-> 0.8185.

Twenty-fourth round (still 0.6.0 weights; issue 17), after the twelfth report. The twelfth spent set became training
replies (`ba_housing`, `bb_safety`); the stacker is refitted on the twenty-two authors neither half trained on (12,446
posts). The set's worst reading was threats in long posts (4 of 16): a strong news word elsewhere in a long post
("de politie komt pas na een uur") framed the writer's own sentence as a report; now a sentence in which the writer
speaks (ik, we, mij) is not framed by the post's news word. New promises: "zorgen wij dat hij het terrein niet
levend afkomt", "dan sta ik bij hem op de stoep met een knuppel" / "van mij ... met mijn vuisten", "dan gaat hij
ervan lusten", "schiet ik eerst", "voor de loop van mijn geweer", "duw ik 'm de zee in"; "in mekoar" with "hom". A
second reader's 107 ordinary posts: the first version flagged 42, the narrowed one none (19 of 20 threats found).
The rules now find 7 of the 12 long-post threats the shipped path missed in that set. Snapshot of the older replies:
6 posts gain a threat and 1 identity they carry, 1 gains gender it does not carry. Validation replies threat F1 0.871
-> 0.868 (one post; the stacker now fits two more authors), selection score 0.8185 -> 0.8177.

Twenty-fifth round (still 0.6.0 weights; issue 17), after the thirteenth report. The thirteenth spent set became
training replies (`bc_care`, `bd_council`); the stacker is refitted on the twenty-four authors neither half trained on
(13,544 posts). New rules for hate said as where someone belongs, read over dialect (`rules/belonging.py`:
`identity_belongs_elsewhere` "dae Marokkaan mot trök nao ziene woostijn", "die Surinaamse wethouder moet terug naar
Suriname."; `gender_belongs_elsewhere` "dat wiefke mót trök nao häör keuke", "wicht heurt nait in de
gemaintepolitiek"; `identity_their_kind` "de enige Turkse wethouder ... Die mensen frauderen allemaal";
`identity_dehumanised` "een rat, net als de rest van zijn volk"); published data beside a weapon or act of violence
is a threat (`dox_intimidation`, `rules_data/dox_menace.txt`); the writer's own address or number after "mijn" or
"bel me" is not doxxing; vermin "zoals" a person to be fought; insults said of a council; diminutive and starred slurs; words
spelled out with double gaps. The older go-back patterns no longer fire on a reported or explained return. Two second
readers: 256 everyday posts (return migration, going home, chores) were flagged 67 times by the first belonging rules,
once after the narrowing, and the rule layer's gender or identity flags on them went from 50 to 20; its finds of
their 60 hateful posts from 28 to 51. Of 224 everyday posts naming where someone lives beside a harm word the first
dox-harm rule flagged 48, the narrowed 1; threats found of their 50: 21 -> 39. Snapshot of 35,295 texts: reply posts
gain 38 threat, 59 abuse, 35 identity, 4 gender, 6 doxxing labels they carry and lose 30 doxxing and 3 threat labels
they do not carry; 3 gain one they do not carry; none loses one it carries. Validation replies threat F1 0.868 ->
0.869, abuse 0.870 -> 0.871, gender 0.839 -> 0.842, doxxing 0.889 -> 0.899, own contact details flagged 32% -> 28%;
selection score 0.8177 -> 0.8207.

## Shipped configuration
{shipped}

## Evaluation
{report_start}
{report_end}

## Known failure modes
- **Identity-based hate is mostly missed (0.6.0).** The transformer's `identity` output fires on positive statements
  about groups and on counter-speech (35% of MHC half-B contrast cases), so its gate is 0.9 and the label comes
  mostly from the rule family `identity`: on the third, fourth and fifth frozen test sets precision 0.93-0.96 but
  recall 0.44-0.53 (fifth set: identity-based abuse posts with every label found 31 of 70). "Identity from
  hostility" raises recall on those (now spent) sets to 0.57-0.61, measured on the sets it was chosen on; identity
  hate that is neither abusive nor threatening in the model's or the rules' eyes ("Zo'n Hindoestaan als
  burgemeester, zo zijn ze allemaal") is still missed. Staff should not read a missing `identity` flag as "no
  identity-based hate".
- **The frozen test sets are harder than the choice sets.** On the third to fifth frozen sets threat recall
  0.79-0.85 at precision 0.81-0.83, on the seventh and eighth 0.70 and 0.69 at 0.85 and 0.83 (dialect, English-mixed
  and conditional first-person threats the transformer scores under its gate), against 0.81 at 0.89 on the
  validation authors; threats in long posts 57-80% (eighth set 12 of 19);
  people sharing their own contact details (6-10 of 30-35 per set), violent words about things (6-17 of 42-43) and
  games, sport and hunting (2-5 of 37-46) are still flagged; criticism, news and counter-speech together 1.7-5.5%
  (5.5% on the third set, mostly counter-speech); obfuscated posts with every label found 32 of 52 on the fifth.
- **The higher threat gate costs threat recall on realistic replies.** 0.6.0 finds fewer threats than 0.5.0 on the
  validation and test authors (recall 0.84 and 0.83 against 0.91 and 0.89 on the validation authors of that round)
  at higher precision. Retrains on more data (thirteenth and seventeenth rounds) made the gate search raise the
  threat gate further, to 0.8 and 0.9 (their transformers flag more MHC contrast cases), and were not shipped.
- **Realistic replies: threat recall at the aim for helper-written authors, not measured on real posts.** The rule
  layer alone finds about a fifth of the threats in the training replies; the model learnt from those replies
  carries the recall. With the shipped gates, on the leak-free sets, the validation authors (now three, with
  `ag_regional`) get threat recall 0.82 (precision 0.92), the test author 0.83 (0.95) and the probe test half 35 of 36
  (0.97, precision 1.00) (tables above). All are written by language-model helpers, so
  real posts (threads, images, irony, local context) will score lower. The gap between authors shows how much
  depends on who writes.
- **A trade-off between MHC contrast and threat recall.** The model over-fires on some MHC contrast templates:
  positive statements about groups, killing words for objects ("de tijd doden"), profanity. The gates in
  `model_gate` keep MHC contrast flags under 10% (9.6% on the leak-free half B, at the limit); without them
  (`rules+model(max)`) MHC contrast is 53%, with threat recall 0.91 on the validation and 0.90 on the test author. More
  helper-written lookalikes (files in `replies_pending/`) and generated contrast families (seventh round) did not
  lower the model's contrast flags.
- The gates, the frame damping and the per-label choice are picked on the same validation sets they are reported on
  (generator validation, MHC half B, `replies_val`). Those rows are optimistic. Only `replies_test` and the probe
  test half are untouched by any choice.
- A from-scratch transformer this small learns mostly the lexical surface: the TF-IDF half is as good as or better
  than the transformer on realistic replies. Hostile vocabulary in harmless contexts can still be over-flagged.
  So can some harmless posts:
  - positive statements about women as a group (generator `neg:grouppos`);
  - counter-speech and sarcasm in replies;
  - plain sentences with a word the model links to insults. Of 1,000 unseen UD news sentences (shuffled lines
    1,500–2,500, never trained on) 8 are flagged: 3 gender (two about women's ordination), 3 threat (two war
    stories), 2 abuse (0.3.2: 6; 0.3.0's combination: 15, 10 of them abuse; 0.2.0: 7).
  Flag rates per kind are in the tables above. The short meeting post that 0.2.0 flagged as a threat ("Vanavond mijn
  eerste raadsvergadering als fractievoorzitter. Spannend!") scores 0.23 with 0.4.0 (not flagged).
- MHC has threats against individuals under `target_indiv_nh` ("Ik breek je nek."); we label those abuse and do not
  score threat on them (masked), since for this product they are threats.
- Calls for violence phrased as opinions ("X moeten allemaal gedood worden") are flagged as threat by the rules even
  where MHC files them under derogation; this lowers measured threat precision on MHC.
- The rules repair one transposition / one dropped letter in lexicon words of 6+ letters, glued function words and
  spaced-out letters; heavier misspellings, leetspeak beyond the normaliser, and dialect are still missed.
- MHC files misspelled calls for violence under spell_* (not threat) and rape threats against non-women groups as
  not gender-targeted; the rules flag the former as threat (a misspelled threat is still a threat here), which lowers
  measured MHC threat precision.
- Doxxing detection depends on Dutch address / postcode / 06 / licence-plate formats; public addresses (stadhuis)
  are damped by keywords only.
- Gender is learnt mostly from women-targeted group hate (MHC) and generated slurs/sexualisation; gendered abuse
  without gendered words is missed. Threats against a woman are only labelled gender when gender words occur.
- All labelled training data is written for this project, by the generator or by helpers, apart from MHC and RTP-LX.
  Real replies are messier (threads, sarcasm, images). Re-evaluate on real, consented data before relying on the
  numbers.
"""  # noqa: E501 - markdown table rows of the card cannot be wrapped


def write_card(model_dir: Path) -> None:
    model_dir = Path(model_dir)
    meta = json.loads((model_dir / "thresholds.json").read_text())
    cfg = json.loads((model_dir / "config.json").read_text())
    tr = meta.get("training", {})
    size = sum(p.stat().st_size for p in model_dir.iterdir() if p.is_file()) / 1e6
    model = (
        f"- BertForSequenceClassification, {cfg.get('num_hidden_layers')} layers, hidden "
        f"{cfg.get('hidden_size')}, {cfg.get('num_attention_heads')} heads, intermediate "
        f"{cfg.get('intermediate_size')}, max positions {cfg.get('max_position_embeddings')}; "
        f"directory size {size:.1f} MB (safetensors, fp32).\n"
        f"- Trained {tr.get('epochs')} epochs, lr {tr.get('lr')}, batch {tr.get('batch_size')}, seed "
        f"{tr.get('seed')}, {tr.get('seconds')} s on {_where(tr)}."
    )
    old = (model_dir / "README.md").read_text() if (model_dir / "README.md").exists() else ""
    report = ""
    if REPORT_START in old and REPORT_END in old:
        report = old.split(REPORT_START, 1)[1].split(REPORT_END, 1)[0].strip("\n")
    comb = meta.get("combine", "max")
    shipped = (
        f"`thresholds.json`: combine = `{json.dumps(comb)}`, model_gate = "
        f"`{json.dumps(meta.get('model_gate', {}))}`, frame_damp = `{meta.get('frame_damp', 1.0)}`, "
        f"lexical_weight = `{meta.get('lexical_weight', 0.5)}`, thresholds = "
        f"`{json.dumps(meta.get('thresholds'))}`. A post is flagged for a label when its combined score "
        "reaches the threshold: the rule score, or the model probability once it passes that label's gate (the "
        "probability is multiplied by frame_damp when the rules found a would-be hit of that label inside a "
        "negation, quote, news, counter-speech or idiom frame). "
    )
    stacked = [lab for lab, m in (comb.items() if isinstance(comb, dict) else []) if m in STACKED]
    if comb in STACKED:
        stacked = ["every label"]
    if stacked and meta.get("stacker"):
        st = meta["stacker"]
        shipped += (
            f"For {', '.join(stacked)} the score is the stacker's (`classifiers/stacking.py`: one logistic regression "
            "per label over the transformer's and the lexical half's probability of the whole post, the strongest "
            "window, the rule score, the frames and the gated combination above), sent through `stack_gate` "
            f"`{json.dumps(meta.get('stack_gate', {}))}`; with `stack+rules` the rule score counts as well, with "
            "`stack+max` the gated combination does (the stacker then only adds flags). It was "
            f"fitted (`schildwacht fit-stacker`) on {st.get('posts')} posts by {len(st.get('authors', []))} reply "
            "authors that neither half trained on and no choice reads: "
            f"{', '.join(f'`{a}`' for a in st.get('authors', []))}. "
        )
    if comb == "rules":
        shipped += (
            "The evaluation run chose the rule layer alone, so at runtime `load_classifier()` loads this model "
            "but its scores are not used; set `combine` to e.g. "
            '`{"threat": "rules", "abuse": "max", "gender": "max", "doxxing": "max"}` '
            "(plus `model_gate`) to use the transformer per label."
        )
    text = CARD.format(
        shipped=shipped,
        model=model,
        vocab=cfg.get("vocab_size"),
        mlm=_mlm(tr),
        splits=_validation_names(
            {
                k: tr.get(k)
                for k in (
                    "generator_templates",
                    "generator_examples",
                    "mhc_template_groups",
                    "mhc_cases",
                    "rtp",
                    "ud_negatives",
                    "replies",
                )
            }
        ),
        val_authors=_authors(tr, "validation_authors"),
        test_authors=_authors(tr, "test_authors"),
        copies=max(0, int((tr.get("replies") or {}).get("train_weight", 1)) - 1),
        n_exc=len(SPELL_EXCEPTIONS),
        report_start=REPORT_START + ("\n" + report if report else ""),
        report_end=REPORT_END,
    )
    (model_dir / "README.md").write_text(keep_card_section(old, text), encoding="utf-8")


def _validation_names(splits: dict) -> str:
    """The split sizes as JSON, MHC half B under its present name (models up to 0.4.0 recorded it as held out)."""
    return json.dumps(splits).replace('"heldout_half_B"', '"validation_half_B"')


def _where(training: dict) -> str:
    """Where the model was trained, for the card."""
    device = training.get("device", "cpu")
    if device.startswith("cuda"):
        return f"a GPU, {device} (training only: the model runs on CPU)"
    return "2 CPU cores"


def _mlm(training: dict) -> str:
    """The masked-LM pretraining budget, for the card (a run that continued from a basis inherited its encoder)."""
    basis = training.get("basis")
    if basis:
        return f"inherited: this run continued from {basis['name']} {basis['version']} and its weights"
    steps, secs = training.get("mlm_steps"), training.get("mlm_seconds", 0)
    lines = training.get("pretrain_lines", 60000)
    budget = f"{steps} steps in {secs} s" if steps else f"{secs} s"
    return f"{budget}, at most {lines:,} pretrain_nl lines"


def _authors(training: dict, key: str) -> str:
    """Reply authors recorded under training["replies"][key], as inline code, or a dash."""
    return ", ".join(f"`{a}`" for a in (training.get("replies") or {}).get(key, [])) or "—"
