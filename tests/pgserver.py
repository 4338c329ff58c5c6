"""A throwaway PostgreSQL server for tests: Debian's binaries, a data folder in a temporary
directory, 127.0.0.1 on a free port, trust authentication, stopped and removed at the end.

Use the session fixture :func:`postgres_url` (import it into a test module or a conftest)
and :func:`fresh_database` for a database of one's own per test::

    from pgserver import fresh_database, postgres_url  # noqa: F401 (a fixture)

PostgreSQL refuses to run as root: as root the folder is given to the ``postgres`` user
and the server runs as that user (``runuser``); as anyone else it runs as oneself.
Without PostgreSQL installed the tests that need it are skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

INITDB_GLOB = "/usr/lib/postgresql/*/bin/initdb"
#: The OS account that runs the server when the tests run as root.
SERVER_USER = "postgres"
#: The database role the URLs log in as (made by initdb, trusted on 127.0.0.1).
ROLE = "postgres"
DATABASE = "visitplanner_test"
START_TIMEOUT = 30  # seconds
#: Each server's temporary folder, and the file in it naming the test process that owns it.
PREFIX, OWNER_FILE = "vp-pg-", "owner.pid"
#: A test server need not survive a crash: no fsync makes start-up and each commit quick.
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                  "-c max_connections=50")


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` folder, or None."""
    found = sorted(glob.glob(INITDB_GLOB),
                   key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts])
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def sockets(self) -> Path:
        return self.root / "sockets"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str, timeout: float = START_TIMEOUT
            ) -> subprocess.CompletedProcess[str]:
        """Run one of PostgreSQL's programs, as the server's user when we are root."""
        command: Sequence[str] = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, cwd=self.root, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def start(self) -> None:
        """initdb, then start and wait until it accepts connections (pg_ctl -w)."""
        self.sockets.mkdir()
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            for path in (self.root, self.sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._check(self.run("initdb", "-D", str(self.data), "-U", ROLE, "--auth=trust",
                             "--encoding=UTF8", "--locale=C", "--no-sync",
                             "--no-instructions"), "initdb")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.sockets} {SERVER_OPTIONS}"
        self._check(self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                             "-w", "-t", str(START_TIMEOUT), "start",
                             timeout=START_TIMEOUT + 5), "pg_ctl start")
        self._check(self.run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port),
                             "-t", str(START_TIMEOUT)), "pg_isready")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def _check(self, done: subprocess.CompletedProcess[str], step: str) -> None:
        if done.returncode == 0:
            return
        log = self.log.read_text(errors="replace") if self.log.exists() else "(no server log)"
        raise RuntimeError(f"PostgreSQL test server: {step} failed (exit {done.returncode})\n"
                           f"--- output\n{done.stdout}{done.stderr}\n--- server log\n{log}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        pass
    return True


def reap_orphans(bin_dir: Path) -> None:
    """Stop and remove the servers of earlier test sessions that were killed before their
    teardown (their ``owner.pid`` names a process that is gone)."""
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            PostgresServer(bin_dir, root, 0).stop(mode="immediate")
            shutil.rmtree(root, ignore_errors=True)


@contextmanager
def running_server(bin_dir: Path) -> Iterator[PostgresServer]:
    """A started server in a new temporary folder; stopped and removed on leaving."""
    reap_orphans(bin_dir)
    # Not under pytest's basetemp: that is private to root (0700), out of the server's reach.
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix=PREFIX)), free_port())
    (server.root / OWNER_FILE).write_text(str(os.getpid()))
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@contextmanager
def fresh_database(url: str, name: str) -> Iterator[str]:
    """A new, empty database ``name`` on the server of ``url``; dropped on leaving (even
    with connections still open).  Yields its URL."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of an empty database on a PostgreSQL server started for this test session."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL not installed: install Debian's postgresql "
                    "(scripts/system-packages.sh)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            pytest.skip(f"PostgreSQL refuses to run as root and there is no {SERVER_USER!r} "
                        "user to run it (install Debian's postgresql package)")
    with running_server(bin_dir) as server, fresh_database(server.url(), DATABASE) as url:
        yield url
