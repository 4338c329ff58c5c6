"""Local CalDAV servers for tests and the README's example: Radicale and Xandikos.

Each server runs as a subprocess of the current Python on ``127.0.0.1`` with a
free port and its own folder, so a test (or ``examples/run.sh``) never touches a
real server.  Radicale is started with htpasswd authentication and plaintext
users (no bcrypt needed); Xandikos only offers Basic authentication over TLS,
so it runs without authentication, which is acceptable on the loopback address.

Killing a server and starting it again on the *same* folder and port is how the
tests simulate a server crash in the middle of a sync (:meth:`DevServer.kill`,
:meth:`DevServer.start`).

Example::

    with DevServer.radicale(folder) as server:
        url = server.calendar_url("w-001")   # http://127.0.0.1:PORT/planner/w-001/
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

ServerKind = Literal["radicale", "xandikos"]

DEFAULT_USER = "planner"
DEFAULT_PASSWORD = "local-test-only"
READY_TIMEOUT_SECONDS = 20.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class DevServer:
    """One local CalDAV server process; mutable because it starts and stops."""

    kind: ServerKind
    folder: Path
    port: int = field(default_factory=free_port)
    username: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def radicale(cls, folder: Path) -> DevServer:
        return cls("radicale", Path(folder))

    @classmethod
    def xandikos(cls, folder: Path) -> DevServer:
        return cls("xandikos", Path(folder))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def needs_auth(self) -> bool:
        return self.kind == "radicale"

    def calendar_url(self, calendar: str) -> str:
        """The collection URL of ``calendar`` on this server (with a trailing slash)."""
        if self.kind == "radicale":
            return f"{self.url}/{self.username}/{calendar}/"
        return f"{self.url}/user/calendars/{calendar}/"

    @property
    def calendar_url_template(self) -> str:
        """A ``calendar_url_template`` for workspace settings (``{url}``, ``{calendar}``)."""
        if self.kind == "radicale":
            return "{url}/" + self.username + "/{calendar}/"
        return "{url}/user/calendars/{calendar}/"

    def start(self) -> DevServer:
        """Start (or restart, on the same folder and port) and wait until it answers."""
        if self.process is not None and self.process.poll() is None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        command = self._radicale_command() if self.kind == "radicale" else self._xandikos_command()
        log = (self.folder / f"{self.kind}.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then wait for the process to end."""
        self._end(kill=False)

    def kill(self) -> None:
        """Kill abruptly (SIGKILL): a crash, as far as the client can tell."""
        self._end(kill=True)

    def _end(self, kill: bool) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited early; see {self.folder / self.kind}.log")
            if _port_open(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.kind} did not start within {READY_TIMEOUT_SECONDS:.0f} s")

    def _radicale_command(self) -> list[str]:
        users = self.folder / "users"
        # Plaintext htpasswd: a throwaway local user, and no bcrypt dependency.
        users.write_text(f"{self.username}:{self.password}\n", encoding="utf-8")
        config = self.folder / "radicale.conf"
        config.write_text(
            "\n".join(
                [
                    "[server]",
                    f"hosts = 127.0.0.1:{self.port}",
                    "[auth]",
                    "type = htpasswd",
                    f"htpasswd_filename = {users}",
                    "htpasswd_encryption = plain",
                    # Radicale sleeps after a failed login; tests of a wrong password need not.
                    "delay = 0",
                    "[storage]",
                    f"filesystem_folder = {self.folder / 'collections'}",
                    "[logging]",
                    "level = warning",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        return [sys.executable, "-m", "radicale", "--config", str(config)]

    def _xandikos_command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "xandikos",
            "serve",
            "--defaults",
            "--no-detect-systemd",
            "-d",
            str(self.folder / "collections"),
            "-l",
            "127.0.0.1",
            "-p",
            str(self.port),
            "--state-dir",
            str(self.folder / "state"),
        ]


def point_workspace_at(workspace: Path, url: str, calendar_url_template: str) -> None:
    """Rewrite ``[caldav] url`` and ``calendar_url_template`` in the workspace's settings.

    For a local test server whose port is only known once it runs (tests, the README's
    example, benchmarks); the lines must already be in ``visitplanner.toml``.
    """
    settings = workspace / "visitplanner.toml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^url = ".*"$', f'url = "{url}"', text)
    text = re.sub(r'(?m)^calendar_url_template = ".*"$',
                  f'calendar_url_template = "{calendar_url_template}"', text)
    settings.write_text(text, encoding="utf-8")
