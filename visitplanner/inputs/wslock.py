"""One writer at a time: the lock that every command changing the workspace's state takes.

``plan``, ``publish``, ``sync`` and ``feed-token rotate`` each read some of the
workspace's state (``.visitplanner/``), decide, and write it back.  Two at once
would both read the old state, and the second write would undo the first: a URL
printed as valid would be dead, a calendar written would be re-cancelled.  So
each runs its read-decide-write inside :func:`workspace_lock`.

The lock is an operating-system file lock on ``.visitplanner/lock``, taken with
the `filelock <https://py-filelock.readthedocs.io>`_ library (``flock`` on
Unix).  The operating system releases it when its process ends, however it ends,
so a crashed or killed command never leaves the workspace locked.  A second
command waits up to :data:`WAIT_SECONDS`, then fails with
:class:`WorkspaceBusyError`, naming the command that holds the lock; the holder
says who it is in ``.visitplanner/lock-holder.json``, written as soon as it has
the lock and removed before it lets go.

Commands that only read (``due``, ``explain``, ``serve``, ``plan --no-keep``)
take no lock: every state file is replaced atomically
(:func:`visitplanner.inputs.fsutil.write_atomic`), so a reader sees the old file or the
new one, never half of each.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from visitplanner.errors import Problem, VisitplannerError
from visitplanner.inputs.fsutil import write_atomic

LOCK_FILE = Path(".visitplanner") / "lock"
HOLDER_FILE = Path(".visitplanner") / "lock-holder.json"
#: How long a command waits for another to finish before giving up, in seconds.  Read when
#: the lock is taken, so that tests can shorten it.
WAIT_SECONDS = 30.0
#: The lock file's mode: the owner's only, like everything under ``.visitplanner/``.
LOCK_MODE = 0o600


class WorkspaceBusyError(VisitplannerError):
    """Another command is changing the workspace and did not finish in time."""

    exit_code = 9


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds the workspace lock: a process, the command it runs, and since when."""

    pid: int
    command: str
    since: datetime

    def describe(self) -> str:
        """E.g. ```visitplanner plan` (pid 4242) since 2026-11-23 10:15:02+00:00``."""
        return (f"{_shown(self.command)} (pid {self.pid}) since "
                f"{self.since.isoformat(sep=' ', timespec='seconds')}")


@contextlib.contextmanager
def workspace_lock(root: Path, command: str, wait: float | None = None) -> Iterator[LockHolder]:
    """Hold ``root``'s workspace lock for the ``with`` block, as ``command`` (e.g. ``"plan"``).

    Waits up to ``wait`` seconds (default :data:`WAIT_SECONDS`) for another holder to let go,
    then raises :class:`WorkspaceBusyError` naming that holder.  Not re-entrant: a process
    that takes it twice waits for itself.
    """
    from filelock import FileLock, Timeout

    seconds = WAIT_SECONDS if wait is None else wait
    (root / LOCK_FILE).parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(root / LOCK_FILE, mode=LOCK_MODE)
    try:
        lock.acquire(timeout=seconds)
    except Timeout:
        raise busy_error(root, command, seconds, read_holder(root)) from None
    try:
        holder = LockHolder(os.getpid(), command, _now())
        write_atomic(root / HOLDER_FILE, holder_to_json(holder).encode("utf-8"))
        yield holder
    finally:
        with contextlib.suppress(FileNotFoundError):
            (root / HOLDER_FILE).unlink()
        lock.release()


def busy_error(root: Path, command: str, waited: float, holder: LockHolder | None
               ) -> WorkspaceBusyError:
    """The error for ``command`` that waited ``waited`` seconds for ``holder`` (None: unknown)."""
    who = holder.describe() if holder else "another visitplanner command (it left no details)"
    fix = f"wait for it to finish, then run {_shown(command)} again"
    if holder is not None:
        fix += f"; if it is stuck, stop it (kill {holder.pid}): the lock goes with its process"
    return WorkspaceBusyError(
        f"The workspace is busy: another command is changing it ({_shown(command)} waited "
        f"{waited:g} s)",
        [Problem(str(root / LOCK_FILE), f"held by {who}", fix)],
    )


def holder_to_json(holder: LockHolder) -> str:
    document = {"pid": holder.pid, "command": holder.command,
                "since": holder.since.isoformat(timespec="seconds")}
    return json.dumps(document, sort_keys=True) + "\n"


def holder_from_json(text: str) -> LockHolder | None:
    """The holder recorded in ``text``, or None when it is not a holder record."""
    try:
        document = json.loads(text)
        holder = LockHolder(int(document["pid"]), str(document["command"]),
                            datetime.fromisoformat(document["since"]))
    except (ValueError, TypeError, KeyError):
        return None
    return holder


def read_holder(root: Path) -> LockHolder | None:
    """The lock's holder as it recorded itself, or None (gone already, or no record)."""
    try:
        return holder_from_json((root / HOLDER_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _now() -> datetime:
    """The local time with its UTC offset, to the second (as the holder record keeps it)."""
    return datetime.now().astimezone().replace(microsecond=0)


def _shown(command: str) -> str:
    return f"`visitplanner {command}`"
