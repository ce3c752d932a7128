"""A real Dovecot IMAP server for the tests: a free loopback port, a throw-away maildir and configuration.

Runs as the current user when that is not root (every path lives in the test's directory); as root it drops to
Debian's `dovecot`/`dovenull` users like a packaged server. Any user logs in with `PASSWORD`."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from imap_tools import MailBoxUnencrypted

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
PASSWORD = "geheim"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """`start()` runs dovecot in the foreground as a child process; `stop()` ends it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def _config(self) -> Path:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            internal, login, mail_user = "dovecot", "dovenull", "dovecot"
            (self.root / "home").chmod(0o777)
        else:
            internal = login = mail_user = pwd.getpwuid(os.getuid()).pw_name
        config = self.root / "dovecot.conf"
        config.write_text(
            f"""base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={self.root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""",
            encoding="utf-8",
        )
        return config

    def start(self, timeout: float = 30.0) -> Dovecot:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self._config())], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (
                    (self.root / "dovecot.log").read_text(errors="replace")
                    if (self.root / "dovecot.log").exists()
                    else ""
                )
                self.stop()
                raise RuntimeError(f"dovecot did not start: {log}")
            time.sleep(0.1)

    def deliver(self, user: str, messages: list[bytes]) -> None:
        """Deliver `messages` into `user`'s INBOX through the server (IMAP APPEND)."""
        with MailBoxUnencrypted("127.0.0.1", self.port).login(user, PASSWORD) as box:
            for message in messages:
                box.append(message, "INBOX")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None
