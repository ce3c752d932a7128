"""deploy/ and docker-compose.yml agree with the code: the dashboard asks only for metrics the code defines, Prometheus
scrapes every worker service on the port compose gives it, and the workers can be scaled (no fixed name or port)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import schildwacht.metrics  # noqa: F401 - registers the stage metrics in REGISTRY

REPO = Path(__file__).resolve().parents[2]
WORKERS = ("classifier", "ingest", "capture")


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def exported_names() -> set[str]:
    """Every sample name the process registry exports (counters as *_total, histograms as *_bucket/_sum/_count)."""
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(family.name + "_total")
        if family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


def test_the_dashboard_queries_only_metrics_the_code_exports():
    dashboard = json.loads((REPO / "deploy/grafana/dashboards/schildwacht-pipeline.json").read_text(encoding="utf-8"))
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bschildwacht_[a-z_]+", target["expr"])
    }
    assert len(queried) >= 10
    assert queried <= exported_names(), queried - exported_names()


def test_prometheus_scrapes_every_worker_service_on_its_metrics_port():
    services = compose()["services"]
    scrape = yaml.safe_load((REPO / "deploy/prometheus.yml").read_text(encoding="utf-8"))
    [workers] = [job for job in scrape["scrape_configs"] if job["job_name"] == "schildwacht-workers"]
    [discovery] = workers["dns_sd_configs"]
    assert set(discovery["names"]) == set(WORKERS)
    for name in WORKERS:
        service = services[name]
        assert service["command"][0] == "worker"
        assert int(service["environment"]["SCHILDWACHT_METRICS_PORT"]) == discovery["port"]
        assert str(discovery["port"]) in " ".join(service["healthcheck"]["test"])
        assert "container_name" not in service and "ports" not in service  # `--scale` needs neither
    [web] = [job for job in scrape["scrape_configs"] if job["job_name"] == "schildwacht-web"]
    assert web["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
    assert "metrics_token" in services["prometheus"]["secrets"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["prometheus"]["profiles"] == ["monitoring"] == services["grafana"]["profiles"]
