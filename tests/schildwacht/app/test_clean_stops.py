"""Commands that start embedded services stop them when the command is stopped by SIGTERM or SIGHUP (as `timeout`,
systemd, `docker stop` and a closed terminal do), not only on Ctrl-C: no process of the run survives.

A process belongs to a run when the run's data directory is on its command line or is the SCHILDWACHT_DATA_DIR of
its environment (inherited by the broker, PostgreSQL and every other descendant, also after they are re-parented).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from schildwacht.app.pipeline import DEMO_POSTS
from schildwacht.embedded import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCHILDWACHT = Path(sys.executable).with_name("schildwacht")
STARTUP_BOUND_S = 600  # generous: the demo scores its sample on a shared 2-core machine first
EXIT_BOUND_S = 120
POSTMASTER = "bin/postgres -D "


def processes_of(data_dir: Path) -> dict[int, str]:
    """Live processes of the run on `data_dir`, by pid, with their command lines."""
    path = str(data_dir).encode()
    in_environ = b"SCHILDWACHT_DATA_DIR=" + path + b"\0"
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline, environ = (entry / "cmdline").read_bytes(), (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or a kernel thread
            continue
        if path in cmdline or in_environ in environ:
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()
    return found


def wait_for(
    condition,
    bound_s: float,
    what: str,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
    poll_s: float = 0.2,
) -> None:
    """Poll `condition` until true; fail after `bound_s` or when `proc` ended first."""
    deadline = time.monotonic() + bound_s
    while not condition():
        ended = proc is not None and proc.poll() is not None
        if ended or time.monotonic() > deadline:
            output = log.read_text()[-3000:] if log else ""
            pytest.fail(f"{what}: {'the command ended first' if ended else f'not within {bound_s} s'}:\n{output}")
        time.sleep(poll_s)


def pgdata_of(cmd: str) -> Path:
    """The data directory on a postgres or pg_ctl command line."""
    return Path(cmd.split(" -D ", 1)[1].split(" ", 1)[0])


def stop_leftovers(data_dir: Path) -> None:
    """Stop whatever the run left behind (on the code before the fix: broker and database) and remove the
    PostgreSQL data directories named on the command lines of left-over postmasters."""
    leftovers = processes_of(data_dir)
    pgdata = [pgdata_of(cmd) for cmd in leftovers.values() if " -D " in cmd]
    for pid, cmd in leftovers.items():
        # SIGQUIT: PostgreSQL's immediate shutdown, which also releases its shared memory
        with_signal = signal.SIGQUIT if POSTMASTER in cmd else signal.SIGKILL
        try:
            os.kill(pid, with_signal)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    while (left := processes_of(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for path in pgdata:
        if path.parent.name.startswith("schildwacht-pg-"):
            shutil.rmtree(path.parent, ignore_errors=True)


@contextmanager
def command(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen, Path, Path]]:
    """`schildwacht <args>` with embedded services on a data directory of its own; yields the process, its data
    directory and its stderr log. Leaves nothing running, whatever the test found."""
    data_dir = tmp_path / "data"
    log = tmp_path / "stderr.log"
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}
    env |= {"SCHILDWACHT_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    with open(log, "wb") as err, open(tmp_path / "stdout.log", "wb") as out:
        proc = subprocess.Popen(
            [str(SCHILDWACHT), *args], env=env, cwd=tmp_path, stdout=out, stderr=err, start_new_session=True
        )
    try:
        yield proc, data_dir, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stop_leftovers(data_dir)


def services_running(data_dir: Path) -> Path:
    """The embedded broker and PostgreSQL of the run are up (without them the test could not fail); returns the
    PostgreSQL data directory."""
    running = list(processes_of(data_dir).values())
    assert any(" broker --listener-url " in cmd for cmd in running), running
    postmasters = [cmd for cmd in running if POSTMASTER in cmd]
    assert postmasters, running
    return pgdata_of(postmasters[0])


def assert_stopped_cleanly(
    proc: subprocess.Popen, data_dir: Path, log: Path, signum: int, pgdata: Path | None = None
) -> None:
    """No process of the run survives, the exit status says which signal ended it, and the temporary PostgreSQL
    data directory is gone."""
    proc.wait(EXIT_BOUND_S)
    deadline = time.monotonic() + 60  # the forkserver and resource tracker end when they see their parent gone
    while processes_of(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = processes_of(data_dir)
    assert not survivors, f"still running after {signal.Signals(signum).name}: {survivors}"
    assert proc.returncode == 128 + signum, (proc.returncode, log.read_text()[-3000:])
    assert f"{signal.Signals(signum).name} ontvangen" in log.read_text()
    assert pgdata is None or not pgdata.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_replay_stops_its_services_on_signal(tmp_path, signum):
    """`replay --zonder-workers` waits for workers that are not there, so it is certainly still running when
    signalled."""
    sample = tmp_path / "posts.jsonl"
    sample.write_bytes(b"\n".join(DEMO_POSTS.read_bytes().splitlines()[:3]) + b"\n")
    with command(tmp_path, "replay", "--zonder-workers", str(sample)) as (proc, data_dir, log):
        wait_for(lambda: "berichten gelezen" in log.read_text(), STARTUP_BOUND_S, "replay published", proc, log)
        assert " 0 doorgestuurd" not in log.read_text()  # something to wait for, so the replay does not end itself
        pgdata = services_running(data_dir)
        os.kill(proc.pid, signum)
        assert_stopped_cleanly(proc, data_dir, log, signum, pgdata)


def test_replay_signalled_while_its_broker_starts_leaves_no_broker(tmp_path):
    """A signal that arrives while the broker starts (its process runs, its port is not yet open) waits until the
    start is done, then stops everything: an interrupted start would leave a broker that nothing stops."""
    with command(tmp_path, "replay", "--zonder-workers", str(DEMO_POSTS)) as (proc, data_dir, log):
        wait_for(
            lambda: "tansu" in " ".join(processes_of(data_dir).values()),
            STARTUP_BOUND_S,
            "broker process",
            proc,
            log,
            poll_s=0.005,
        )
        os.kill(proc.pid, signal.SIGTERM)
        assert_stopped_cleanly(proc, data_dir, log, signal.SIGTERM)


def _serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_demo_stops_its_services_on_signal(tmp_path, signum):
    """Signalled while uvicorn serves: uvicorn handles SIGTERM itself and passes it on; SIGHUP it does not handle."""
    port = free_port()
    with command(tmp_path, "demo", "--poort", str(port)) as (proc, data_dir, log):
        wait_for(lambda: _serves(f"http://127.0.0.1:{port}/inloggen"), STARTUP_BOUND_S, "demo web UI", proc, log)
        pgdata = services_running(data_dir)
        os.kill(proc.pid, signum)
        assert_stopped_cleanly(proc, data_dir, log, signum, pgdata)
