"""Issue 16, finding 5 (capture-url): the submitted-URL spider must not fetch internal addresses or local files.

Before the fix it fetched `http://127.0.0.1:...`, followed a redirect to loopback and read `file:///...`, and the
result travelled on as a post. Now every collector request passes the outbound guard; a refused URL is parked on
the dead-letter topic with the Dutch reason and nothing is published. The crawl runs for real (child process,
real Kafka); the post's site is a real server on 127.0.0.2, declared reachable for this test the way an operator
opens an intranet network, the internal site a real server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from kafka import KafkaConsumer, TopicPartition

from collectors.crawl import crawl
from schildwacht.app.seed import seed
from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.db import session_scope
from tests.security.sites import INTERNAL, PUBLIC_STAND_IN, Seen, Site, twin_sites

SECRET = b"GEHEIM-INTERN-51c2"
SUBMITTER = "n.smits@voorbeeld.example"


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    with Site(
        INTERNAL,
        lambda request: (
            200,
            {"Content-Type": "text/html"},
            b"<html><body><p>Zoetelief " + SECRET + b"</p></body></html>",
        ),
    ) as internal:

        def post(request: Seen):
            if request.path == "/post/redirect":
                return 302, {"Location": internal.url("/via-omleiding")}, b""
            return (
                200,
                {"Content-Type": "text/html"},
                b"<html><body><p>Wethouder Zoetelief moet oppassen</p></body></html>",
            )

        with Site(PUBLIC_STAND_IN, post) as public:
            yield public, internal


@pytest.fixture
def settings(stack, db):
    with session_scope(db) as session:
        seed(session)
    return stack.settings.model_copy(
        update={
            "collector_download_delay": 0.0,
            "outbound_allowed_networks": [ipaddress.ip_network(f"{PUBLIC_STAND_IN}/32")],
        }
    )


def _records(settings, topic: str, timeout: float = 20.0) -> list[bytes]:
    """Every record value on `topic`, from the beginning to the end offsets."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
        max_partition_fetch_bytes=settings.kafka_max_request_size,
    )
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or set())]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        values: list[bytes] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end[tp] for tp in tps):
            assert time.monotonic() < deadline, f"timed out reading {topic}"
            for batch in consumer.poll(timeout_ms=200).values():
                values.extend(record.value for record in batch)
        return values
    finally:
        consumer.close()


def _submit(settings, url: str) -> dict:
    return crawl("submitted", settings, url=url, submitted_by=SUBMITTER, official_id="off-zoetelief")


def test_internal_urls_redirects_and_files_are_parked_not_fetched(settings, sites):
    public, internal = sites
    inside = f"127.0.0.1:{internal.port}"
    refused = {  # submitted URL -> what its dead letter must say (the refused URL and why)
        f"http://{inside}/geheim": f"http://{inside}/geheim: 127.0.0.1 is een niet-openbaar adres (loopback)",
        f"http://localhost:{internal.port}/geheim": "localhost wijst naar het niet-openbare adres 127.0.0.1",
        f"http://{PUBLIC_STAND_IN}:{public.port}/post/redirect": f"http://{inside}/via-omleiding: 127.0.0.1 is een",
        f"http://[::ffff:127.0.0.1]:{internal.port}/x": "::ffff:127.0.0.1 is een niet-openbaar adres (IPv6-adres met",
        "file:///etc/passwd": "file:///etc/passwd: alleen http- en https-adressen",
    }
    for url in refused:
        stats = _submit(settings, url)
        assert stats.get("schildwacht/published", 0) == 0 and stats["schildwacht/parked"] == 1, url
    assert internal.seen == [] and public.paths == ["/post/redirect"]
    letters = [DeadLetter.model_validate_json(v) for v in _records(settings, settings.topic_dead_letter)]
    assert len(letters) == len(refused) and {letter.stage for letter in letters} == {"collectors.submitted"}
    for url, reason in refused.items():  # partitions do not keep the order: one letter per expected reason
        assert len([letter for letter in letters if reason in letter.reason]) == 1, (url, reason)
    published = _records(settings, settings.topic_raw)
    assert published == [] and not any(SECRET in v or b"root:" in v for v in published)


def test_a_reachable_page_is_still_captured(settings, sites):
    public, _ = sites
    stats = _submit(settings, f"http://{PUBLIC_STAND_IN}:{public.port}/post/1")
    assert stats["schildwacht/published"] == 1 and public.paths == ["/post/1"]
    [value] = _records(settings, settings.topic_raw)
    assert "Wethouder Zoetelief moet oppassen" in CollectedMention.from_bytes(value).text


# A crawl in a child process with the collectors' real settings, except: the DNS answers come from a rebinding
# resolver (the public stand-in first, 127.0.0.1 after), and optionally without the guard middleware, to show
# that the resolver alone keeps connections on checked addresses.
CRAWL_SCRIPT = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from collectors.outbound import GuardedResolver
from collectors.crawl import scrapy_settings
from schildwacht.config import Settings
from schildwacht.netguard import OutboundGuard

port, without_middleware = int(sys.argv[1]), sys.argv[2] == "zonder"
calls = []

def rebinding(host):
    calls.append(host)
    return ["127.0.0.2"] if len(calls) == 1 else ["127.0.0.1"]

class RebindingDns(GuardedResolver):
    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor, OutboundGuard(["127.0.0.2/32"], resolver=rebinding))

class Probe(scrapy.Spider):
    name = "probe"
    custom_settings = {"RETRY_ENABLED": False}
    async def start(self):
        for n in range(3):
            yield scrapy.Request(f"http://herbind.test:{port}/{n}", callback=self.fetched, errback=self.failed,
                                 dont_filter=True)
    def fetched(self, response):
        results.append(["opgehaald", response.text])
    def failed(self, failure):
        results.append(["mislukt", failure.getErrorMessage()])

results = []
values = scrapy_settings(Settings())
values.update(dict(TWISTED_DNS_RESOLVER="__main__.RebindingDns", ITEM_PIPELINES={}, LOG_LEVEL="CRITICAL",
                   DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, CONCURRENT_REQUESTS=1))
if without_middleware:
    values["DOWNLOADER_MIDDLEWARES"] = {**values["DOWNLOADER_MIDDLEWARES"].copy_to_dict(),
                                        "collectors.middlewares.OutboundGuardMiddleware": None}
process = CrawlerProcess(values)
process.crawl(Probe)
process.start()
print(json.dumps({"calls": calls, "results": results}))
"""


@pytest.fixture
def twins() -> Iterator[tuple[Site, Site]]:
    """(public stand-in, internal site) on the same port: a connection to the wrong address lands internally."""
    with twin_sites(
        lambda request: (200, {"Content-Type": "text/plain"}, b"openbaar"),
        lambda request: (200, {"Content-Type": "text/plain"}, SECRET),
    ) as pair:
        yield pair


def _probe(port: int, middleware: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT, str(port), "met" if middleware else "zonder"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("middleware", [True, False], ids=["met-middleware", "alleen-resolver"])
def test_one_resolution_per_host_and_connections_pinned_to_it(twins, middleware):
    public, internal = twins
    outcome = _probe(public.port, middleware)
    assert outcome["calls"] == ["herbind.test"]  # resolved once, for the check and every connection
    assert outcome["results"] == [["opgehaald", "openbaar"]] * 3
    assert sorted(public.paths) == ["/0", "/1", "/2"] and internal.seen == []


def test_the_resolver_alone_refuses_internal_addresses(sites):
    _, internal = sites
    done = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT.replace("herbind.test", "127.0.0.1"), str(internal.port), "zonder"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["calls"] == [] and internal.seen == []  # a literal address: no DNS, refused all the same
    assert [kind for kind, _ in outcome["results"]] == ["mislukt"] * 3
