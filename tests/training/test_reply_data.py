"""The training replies load with valid labels, share no text with the probe set, and split by author so the
validation author is never trained or calibrated on."""

from __future__ import annotations

from schildwacht.contracts import LABELS
from training.data import REPLIES_DIR, REPLIES_TEST_AUTHORS, REPLIES_VAL_AUTHORS, load_probe, load_replies
from training.stack_fit import stack_authors
from training.train import split_replies, trained_reply_authors


def test_reply_files_load_with_valid_labels():
    replies = load_replies()
    assert set(REPLIES_VAL_AUTHORS) <= set(replies) and len(replies) >= 3
    for author, exs in replies.items():
        lines = [ln for ln in (REPLIES_DIR / f"{author}.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert len(exs) == len(lines)
        assert all(len(e.labels) == len(LABELS) and set(e.labels[:4]) <= {0, 1} for e in exs)
        # identity: given in five-label files, else 0 on a negative kind and unknown (-1) on a positive one
        assert all(e.labels[4] in ({0, 1} if e.kind.startswith("neg:") else {-1, 0, 1}) for e in exs)
        assert all(not any(e.labels) for e in exs if e.kind.startswith("neg:"))
        assert all(1 in e.labels for e in exs if not e.kind.startswith("neg:"))
        # every author wrote threats and criticism as hard negatives; the validation authors cover all four labels
        assert any(e.labels[0] for e in exs) and any(e.kind == "neg:criticism" for e in exs), author
        if author in REPLIES_VAL_AUTHORS:
            for j in range(4):
                assert any(e.labels[j] for e in exs), (author, j)


def test_replies_share_no_text_with_the_probe():
    norm = lambda t: " ".join(t.lower().split())  # noqa: E731
    probe = {norm(e.text) for half in ("dev", "test") for e in load_probe(half)}
    assert probe
    assert not probe & {norm(e.text) for exs in load_replies().values() for e in exs}


def test_split_holds_out_validation_authors_whole():
    replies = load_replies()
    train, calib, val = split_replies(replies)
    assert val == [e for a in REPLIES_VAL_AUTHORS for e in replies[a]]
    held_out = REPLIES_VAL_AUTHORS + REPLIES_TEST_AUTHORS
    assert {e.source for e in train + calib} == {"reply:" + a for a in replies if a not in held_out}
    assert not {e.group for e in train} & {e.group for e in calib}
    norm = lambda t: " ".join(t.lower().split())  # noqa: E731
    tests = [e for a in REPLIES_TEST_AUTHORS for e in replies.get(a, [])]
    assert not {norm(e.text) for e in train + calib} & {norm(e.text) for e in val + tests}
    others = [e for a, x in replies.items() if a not in held_out for e in x]
    assert len(train) + len(calib) >= 0.97 * len(others)
    assert 0.05 < len(calib) / (len(train) + len(calib)) < 0.3


def test_a_models_record_limits_the_trained_authors_so_files_added_later_stay_out_of_its_splits():
    replies = load_replies()
    trained = [a for a in sorted(replies) if a not in REPLIES_VAL_AUTHORS + REPLIES_TEST_AUTHORS]
    older, newer = trained[: len(trained) // 2], trained[len(trained) // 2 :]
    train, calib, val = split_replies(replies, reply_authors=older)
    assert {e.source for e in train + calib} == {"reply:" + a for a in older}
    assert not {e.source for e in train + calib} & {"reply:" + a for a in newer}
    assert val == split_replies(replies)[2]


def test_authors_held_out_for_the_stacker_are_neither_trained_nor_calibrated_on_and_the_stacker_gets_them():
    replies = load_replies()
    authors = sorted(replies)
    free = [a for a in authors if a not in REPLIES_VAL_AUTHORS + REPLIES_TEST_AUTHORS]
    held = free[-2:]
    trained = trained_reply_authors(authors, hold_out=held)
    assert trained == free[:-2]
    train, calib, _ = split_replies(replies, trained)
    assert not {e.source for e in train + calib} & {"reply:" + a for a in held}
    meta = {"training": {"replies": {"authors_trained": trained}}}
    assert stack_authors(meta, authors) == sorted(held)
    # a model's record and a hold-out together: only the recorded authors that are not held out
    assert trained_reply_authors(authors, reply_authors=free[:3], hold_out=free[:1]) == free[1:3]
