from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def rules():
    from classifiers.api import RuleClassifier

    return RuleClassifier()
