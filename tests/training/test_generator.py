"""Synthetic data generator: the template-level train / validation split."""

from __future__ import annotations

from training.generator import all_templates, generate, split_by_template


def test_split_has_no_template_overlap():
    train, val = split_by_template(0.2, seed=13)
    assert train and val
    assert not (train & val)
    assert train | val == {tid for tid, _, _ in all_templates()}
    gen_train = generate(3, 0, train)
    gen_val = generate(3, 1, val)
    assert not ({p.template for p in gen_train} & {p.template for p in gen_val})
    # and no identical template text ends up on both sides
    texts = {tid: tpl for tid, _, tpl in all_templates()}
    assert not ({texts[t] for t in train} & {texts[t] for t in val})


def test_every_label_and_hard_negatives_present():
    posts = generate(2, 0)
    for j in range(4):
        assert any(p.labels[j] for p in posts)
    kinds = {p.kind for p in posts}
    for k in ("neg:criticism", "neg:news", "neg:counter", "neg:profanity", "neg:idiom"):
        assert k in kinds
    assert sum(1 for p in posts if not any(p.labels)) > len(posts) * 0.4
