"""An in-memory calendar with the :class:`~visitplanner.publish.storage.Storage` contract.

It behaves like a strict CalDAV server (conditional requests, sync tokens,
fresh ETags on every write) and can inject the faults the sync must survive:

- ``fail_next(n, error)``: the next ``n`` requests raise ``error`` (a 5xx, say);
- ``crash_after(n)``: the ``n``-th request from now is *carried out* and then
  :class:`SimulatedCrash` is raised, as when the client dies before reading
  the answer (the worst moment: the server changed, the client never knew);
- ``forget_tokens()``: every sync token handed out so far becomes invalid;
- ``supports_sync = False``: ``sync-collection`` is refused, as on some servers.

A "worker" edits the calendar through :meth:`MemoryStorage.worker_put` and
:meth:`MemoryStorage.worker_delete`, which count as someone else's writes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from visitplanner.publish.storage import (
    Changes,
    InvalidSyncTokenError,
    NotFoundError,
    PreconditionFailedError,
    StorageError,
    TransientError,
)

T = TypeVar("T")


class SimulatedCrash(BaseException):
    """The client process 'died' (a BaseException so that no ``except Exception`` swallows it)."""


@dataclass
class MemoryStorage:
    """One calendar collection held in a dict; mutable by design (it is a fake server)."""

    name: str = "memory"
    items: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    supports_sync: bool = True
    requests: int = 0
    writes: int = 0
    exists: bool = True
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _log: list[str] = field(default_factory=list)  # hrefs touched, in order of change
    _token_floor: int = 0
    _pending_failures: list[StorageError] = field(default_factory=list)
    _crash_countdown: int | None = None

    # ------------------------------------------------------------------ faults

    def fail_next(self, count: int, error: StorageError | None = None) -> None:
        """Make the next ``count`` requests fail (default: a transient 503)."""
        self._pending_failures.extend([error or TransientError("503 Service Unavailable")] * count)

    def crash_after(self, count: int | None) -> None:
        """Carry out ``count`` more requests, then raise :class:`SimulatedCrash` after the last.

        ``None`` cancels a crash that has not happened yet.
        """
        self._crash_countdown = count

    def forget_tokens(self) -> None:
        """Invalidate every sync token handed out so far (an expired token)."""
        self._token_floor = len(self._log)

    # ------------------------------------------------------------------ worker (second client)

    def worker_put(self, href: str, data: bytes) -> str:
        """Someone else writes ``href`` unconditionally; returns the new ETag."""
        return self._write(href, data)

    def worker_delete(self, href: str) -> None:
        self.items.pop(href, None)
        self._log.append(href)

    # ------------------------------------------------------------------ Storage

    def ensure_collection(self) -> bool:
        self._begin()
        created = not self.exists
        self.exists = True
        return self._end(created)

    def list(self) -> dict[str, str]:
        self._begin()
        return self._end({href: etag for href, (_, etag) in self.items.items()})

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[bytes, str]]:
        self._begin()
        return self._end({h: self.items[h] for h in hrefs if h in self.items})

    def create(self, href: str, data: bytes) -> str:
        self._begin()
        if href in self.items:
            raise PreconditionFailedError(f"{href} exists")
        self.writes += 1
        return self._end(self._write(href, data))

    def update(self, href: str, data: bytes, etag: str) -> str:
        self._begin()
        self._check_etag(href, etag)
        self.writes += 1
        return self._end(self._write(href, data))

    def delete(self, href: str, etag: str) -> None:
        self._begin()
        self._check_etag(href, etag)
        self.writes += 1
        self.items.pop(href)
        self._log.append(href)
        self._end(None)

    def changes_since(self, token: str | None) -> Changes:
        self._begin()
        if not self.supports_sync:
            raise InvalidSyncTokenError("sync-collection is not supported")
        position = self._position(token)
        touched = set(self._log[position:])
        changed = {h: self.items[h][1] for h in touched if h in self.items}
        deleted = frozenset(h for h in touched if h not in self.items)
        return self._end(Changes(changed, deleted, f"mem-{len(self._log)}"))

    # ------------------------------------------------------------------ internals

    def _position(self, token: str | None) -> int:
        if token is None:
            return 0
        try:
            position = int(token.removeprefix("mem-"))
        except ValueError as error:
            raise InvalidSyncTokenError(f"unknown token {token!r}") from error
        if not self._token_floor <= position <= len(self._log):
            raise InvalidSyncTokenError(f"expired token {token!r}")
        return position

    def _check_etag(self, href: str, etag: str) -> None:
        if href not in self.items:
            raise NotFoundError(href)
        if self.items[href][1] != etag:
            raise PreconditionFailedError(f"{href} has changed")

    def _write(self, href: str, data: bytes) -> str:
        etag = f'"{next(self._versions)}"'
        self.items[href] = (bytes(data), etag)
        self._log.append(href)
        return etag

    def _begin(self) -> None:
        self.requests += 1
        if self._pending_failures:
            raise self._pending_failures.pop(0)

    def _end(self, result: T) -> T:
        if self._crash_countdown is not None:
            self._crash_countdown -= 1
            if self._crash_countdown <= 0:
                self._crash_countdown = None
                raise SimulatedCrash(f"client died after request {self.requests}")
        return result
