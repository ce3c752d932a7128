"""Prometheus metrics after a real replay (issue 18): the web app's /metrics and a worker's metrics port.

The oracles are the replay's own counts (posts published, rows in the database, cases) and one contract-breaking
record this test produces, compared with what /metrics showed before the replay (the registry lives for the whole
test process, so only differences are asserted).
"""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select

from collectors.replay import run_replay
from schildwacht.app.pipeline import DEMO_POSTS, runtime, start_workers, summary, wait_until_processed
from schildwacht.db import session_scope
from schildwacht.embedded import free_port
from schildwacht.kafka import make_producer, publish
from schildwacht.metrics import serve_worker_metrics
from schildwacht.models import Case, DeadLetterRecord
from schildwacht.models.workflow import AlertOutbox
from triage.web.app import create_app

pytestmark = pytest.mark.integration

TOKEN = "metrics-token-" + "m" * 40
Samples = dict[tuple[str, frozenset], float]


def scrape(web: TestClient) -> Samples:
    response = web.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return parse(response.text)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def letters_from(sessions, stage: str) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).where(DeadLetterRecord.stage == stage))


def wait_for(condition, bound_s: float = 120.0) -> None:
    deadline = time.monotonic() + bound_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.2)


def test_metrics_after_a_replay_count_what_went_through(stack):
    settings = stack.settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    with runtime(settings, seed_demo=True) as rt:
        web = TestClient(create_app(rt.settings, rt.sessions))
        before = scrape(web)
        workers = start_workers(rt)
        try:
            stats = run_replay(DEMO_POSTS, rt.settings)
            producer = make_producer(rt.settings)
            publish(producer, rt.settings.topic_raw, b"k", b'{"schema": "onbekend/9", "tekst": "geen bericht"}')
            producer.close()
            state = wait_until_processed(rt.sessions, stats.published_uids, timeout=300)
            result = summary(rt.sessions, stats.posts, stats.published_uids, stats.parked, state)
            wait_for(lambda: letters_from(rt.sessions, "classifier") == 1)  # the record above, stored by ingest
        finally:
            workers.join()  # the threads have left their loops: every count they made is in the registry
        after = scrape(web)
        with session_scope(rt.sessions) as s:
            cases = s.scalar(select(func.count()).select_from(Case))
            alert_attempts = s.scalar(select(func.coalesce(func.sum(AlertOutbox.attempts), 0)))

    assert stats.published > 0 and state.scored == stats.published
    assert grew(before, after, "schildwacht_messages_in_total", stage="classifier") >= stats.published + 1
    assert grew(before, after, "schildwacht_messages_out_total", stage="classifier") >= stats.published
    assert grew(before, after, "schildwacht_messages_out_total", stage="triage-ingest") >= state.scored
    assert grew(before, after, "schildwacht_batch_size_count", stage="classifier") >= 1
    assert grew(before, after, "schildwacht_batch_size_sum", stage="classifier") >= stats.published
    assert grew(before, after, "schildwacht_batch_seconds_count", stage="triage-ingest") >= 1
    assert grew(before, after, "schildwacht_classifier_seconds_per_post_count") >= 1
    assert grew(before, after, "schildwacht_classifier_seconds_per_post_sum") > 0
    # the contract-breaking record: parked at once by the classifier, with the exception class as its reason
    assert grew(before, after, "schildwacht_dead_letters_total", stage="classifier", reason="ContractError") == 1
    # every case of this (emptied) database was opened by this replay's ingest worker, once
    assert result["cases"] == cases > 0
    assert grew(before, after, "schildwacht_cases_opened_total") == cases
    # no mail server in this test: every delivery attempt failed and was counted once
    assert alert_attempts > 0
    assert grew(before, after, "schildwacht_alerts_total", result="failed") == alert_attempts
    assert grew(before, after, "schildwacht_alerts_total", result="sent") == 0
    lag = {labels for (name, labels) in after if name == "schildwacht_consumer_lag"}
    assert any(("topic", rt.settings.topic_raw) in labels for labels in lag)
    assert not any("Zoetelief" in str(key) or "vermoord" in str(key) for key in after)  # no content in labels


def test_worker_metrics_port_serves_the_same_registry(tmp_path, stack):
    settings = stack.settings.model_copy(update={"metrics_port": free_port(), "metrics_host": "127.0.0.1"})
    server = serve_worker_metrics(settings)
    try:
        response = httpx.get(f"http://127.0.0.1:{settings.metrics_port}/metrics", timeout=10)
        assert response.status_code == 200
        assert "# TYPE schildwacht_dead_letters_total counter" in response.text
        assert "# TYPE schildwacht_consumer_lag gauge" in response.text
    finally:
        server.shutdown()
        server.server_close()
    assert serve_worker_metrics(stack.settings) is None  # no port configured: nothing served
