"""Prometheus metrics of every stage, in one registry per process (`REGISTRY`, `prometheus_client`'s default).

Who reads them: operators and their Prometheus. Invariants that make that safe:
- no metric and no label carries post content, a name, a handle, a URL or any other personal data;
- every label value comes from a bounded set: stage names, topic names, partition numbers, consumer-group ids,
  exception class names (`schildwacht.failures.kind`), and the fixed results below;
- counters only ever count events that are durable (a case is counted after its transaction committed).

Workers expose them on `Settings.metrics_port` (`serve_worker_metrics`), the web app on `/metrics` behind a bearer
token (triage/web/health.py). docs/operations.md lists every metric.
"""

from __future__ import annotations

import logging
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY as REGISTRY  # re-exported: the registry every stage's metrics live in
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from schildwacht.config import Settings

log = logging.getLogger(__name__)

MESSAGES_IN = Counter("schildwacht_messages_in", "Kafka records a stage read, per stage.", ["stage"])
MESSAGES_OUT = Counter(
    "schildwacht_messages_out",
    "Kafka records a stage finished: result durable (produced and confirmed, or committed to PostgreSQL).",
    ["stage"],
)
BATCH_SIZE = Histogram(
    "schildwacht_batch_size",
    "Records per batch a stage handled.",
    ["stage"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
BATCH_SECONDS = Histogram(
    "schildwacht_batch_seconds",
    "Seconds a stage spent handling one batch (successful calls, including the broker's or database's confirmation).",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TRANSIENT_RETRIES = Counter(
    "schildwacht_transient_retries",
    "Batches rewound and retried because the database or broker failed (never dead-lettered).",
    ["stage", "reason"],
)
DEAD_LETTERS = Counter(
    "schildwacht_dead_letters", "Records parked on the dead-letter topic, by exception class.", ["stage", "reason"]
)
CONSUMER_LAG = Gauge(
    "schildwacht_consumer_lag",
    "Records behind the partition's end, per consumer group and assigned partition (from the last fetch).",
    ["group", "topic", "partition"],
)
CLASSIFY_SECONDS = Histogram(
    "schildwacht_classifier_seconds_per_post",
    "Classifier time per post (a batch's classify() time divided by its size).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
CASES_OPENED = Counter("schildwacht_cases_opened", "Cases (incidents) the ingest worker opened.")
ALERTS = Counter("schildwacht_alerts", "Alert deliveries, per result (sent, failed).", ["result"])
CAPTURES = Counter("schildwacht_captures", "Re-captures of flagged posts, per result (success, failure).", ["result"])


def serve_worker_metrics(settings: Settings) -> WSGIServer | None:
    """Serve this process's metrics over HTTP on `settings.metrics_port` (any path, in a daemon thread); None when
    the setting is unset. The port carries no post content; keep it inside the deployment's network."""
    if settings.metrics_port is None:
        return None
    server, _thread = start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=REGISTRY)
    log.info("metrics on %s:%d", settings.metrics_host, settings.metrics_port)
    return server
