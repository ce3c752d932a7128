"""A classify worker's torch threads (issue 18): half the cores it may run on, unless OMP_NUM_THREADS says otherwise.
On 2 cores a team of 2 torch threads spins at its barriers whenever the ingest worker, the broker or PostgreSQL runs
on the other core, so one thread scores faster and with a fraction of the CPU there (bench/pipeline.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from classifiers.worker import default_torch_threads
from schildwacht.config import REPO_ROOT

# cores the process may run on -> threads, worked out by hand from "half, at least 1, at most 4"
EXPECTED = {1: 1, 2: 1, 3: 1, 4: 2, 6: 3, 8: 4, 9: 4, 16: 4}

PROBE = """
import sys, torch
from classifiers.worker import ClassifierWorker
from schildwacht.config import Settings
worker = ClassifierWorker(Settings(kafka_bootstrap_servers=sys.argv[1]))
print(torch.get_num_threads())
worker.producer.close()
"""


def threads_on(cores: int) -> int:
    """default_torch_threads() while this thread may run on the first `cores` of its cores only."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, sorted(before)[:cores])
    try:
        return default_torch_threads()
    finally:
        os.sched_setaffinity(0, before)


def test_default_is_half_the_usable_cores_at_least_one_at_most_four():
    usable = len(os.sched_getaffinity(0))
    checked = {cores: threads_on(cores) for cores in EXPECTED if cores <= usable}
    assert checked == {cores: EXPECTED[cores] for cores in checked}
    assert 1 in checked  # every machine checks at least the single-core case


def worker_threads(bootstrap: str, omp: str | None) -> int:
    """Torch threads of a classify worker that loads the shipped model in a process of its own, on (at most) 2
    cores: 1 thread by default either way."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if omp is not None:
        env["OMP_NUM_THREADS"] = omp
    two = sorted(os.sched_getaffinity(0))[:2]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, bootstrap],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.sched_setaffinity(0, two),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


@pytest.mark.parametrize(("omp", "expected"), [(None, 1), ("3", 3)])
def test_a_worker_process_takes_the_default_unless_omp_num_threads_is_set(broker, omp, expected):
    assert worker_threads(broker.bootstrap, omp) == expected
