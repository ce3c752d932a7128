from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def rules():
    from classifiers.api import RuleClassifier

    return RuleClassifier()


@pytest.fixture(scope="session")
def official():
    from classifiers.api import OfficialRef

    return OfficialRef(
        id="off-1",
        names=["Anna de Vries", "De Vries", "wethouder De Vries"],
        handles=["@annadevries@mastodon.nl", "annadevries.bsky.social"],
    )
