"""Calendar backends for the sync contract suite: memory, and real Radicale and Xandikos.

The servers are started once per test session on 127.0.0.1 (subprocesses, own
temp folders); every test gets its own calendar, so tests do not see each
other's items.  A :class:`Backend` gives the suite what differs per backend:
a storage for a calendar, and a *second client* (the worker) editing it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import caldav
import pytest

from visitplanner.publish.caldav_storage import CaldavStorage
from visitplanner.publish.devserver import DevServer
from visitplanner.publish.memory import MemoryStorage
from visitplanner.publish.storage import Changes, Storage, href_for_uid

_calendar_numbers = itertools.count(1)

WRITES = ("create", "update", "delete")


@dataclass
class RecordingStorage:
    """Wraps a storage: records every call, and can run a hook before and after a call.

    An ``after`` hook that raises models a lost answer: the server did the request,
    the client never heard back.
    """

    inner: Any
    calls: list[str] = field(default_factory=list)
    before: Callable[[str, tuple[Any, ...]], None] | None = None
    after: Callable[[str, tuple[Any, ...]], None] | None = None

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def writes(self) -> list[str]:
        return [call for call in self.calls if call in WRITES]

    def _call(self, method: str, *args: Any) -> Any:
        self.calls.append(method)
        if self.before is not None:
            self.before(method, args)
        result = getattr(self.inner, method)(*args)
        if self.after is not None:
            self.after(method, args)
        return result

    def ensure_collection(self) -> bool:
        return bool(self._call("ensure_collection"))

    def list(self) -> dict[str, str]:
        return dict(self._call("list"))

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[bytes, str]]:
        return dict(self._call("get", list(hrefs)))

    def create(self, href: str, data: bytes) -> str:
        return str(self._call("create", href, data))

    def update(self, href: str, data: bytes, etag: str) -> str:
        return str(self._call("update", href, data, etag))

    def delete(self, href: str, etag: str) -> None:
        self._call("delete", href, etag)

    def changes_since(self, token: str | None) -> Changes:
        result: Changes = self._call("changes_since", token)
        return result


class Backend:
    """What the contract suite needs from one kind of server."""

    kind = ""
    server: DevServer | None = None

    def new_calendar(self) -> str:
        return f"cal-{next(_calendar_numbers):04d}"

    def storage(self, calendar: str) -> RecordingStorage:
        raise NotImplementedError

    def worker_move(self, calendar: str, event_uid: str, hours: int) -> None:
        """The worker moves the event by ``hours`` in their calendar app."""
        raise NotImplementedError

    def worker_retitle(self, calendar: str, event_uid: str, summary: str) -> None:
        raise NotImplementedError

    def worker_delete(self, calendar: str, event_uid: str) -> None:
        raise NotImplementedError

    def remote_uids(self, calendar: str) -> list[str]:
        """The UID of every event on the server (duplicates show as repeats)."""
        raise NotImplementedError


class MemoryBackend(Backend):
    kind = "memory"

    def __init__(self) -> None:
        self.calendars: dict[str, MemoryStorage] = {}

    def memory(self, calendar: str) -> MemoryStorage:
        return self.calendars.setdefault(calendar, MemoryStorage(name=calendar, exists=False))

    def storage(self, calendar: str) -> RecordingStorage:
        return RecordingStorage(self.memory(calendar))

    def _edit(self, calendar: str, event_uid: str, change: Callable[[Any], None]) -> None:
        import icalendar

        store = self.memory(calendar)
        href = href_for_uid(event_uid)
        parsed = icalendar.Calendar.from_ical(store.items[href][0])
        change(next(c for c in parsed.walk() if c.name == "VEVENT"))
        store.worker_put(href, parsed.to_ical())

    def worker_move(self, calendar: str, event_uid: str, hours: int) -> None:
        self._edit(calendar, event_uid, lambda event: _shift(event, hours))

    def worker_retitle(self, calendar: str, event_uid: str, summary: str) -> None:
        self._edit(calendar, event_uid, lambda event: _retitle(event, summary))

    def worker_delete(self, calendar: str, event_uid: str) -> None:
        self.memory(calendar).worker_delete(href_for_uid(event_uid))

    def remote_uids(self, calendar: str) -> list[str]:
        return sorted(_uids_in(data for data, _ in self.memory(calendar).items.values()))


class ServerBackend(Backend):
    def __init__(self, server: DevServer) -> None:
        self.server = server
        self.kind = server.kind
        self.opened: list[Any] = []

    def close(self) -> None:
        """Close every HTTP client opened (warnings are errors: no leaked sockets)."""
        for client in self.opened:
            client.close()
        self.opened.clear()

    def _credentials(self) -> dict[str, str | None]:
        assert self.server is not None
        if not self.server.needs_auth:
            return {"username": None, "password": None}
        return {"username": self.server.username, "password": self.server.password}

    def storage(self, calendar: str) -> RecordingStorage:
        assert self.server is not None
        url = self.server.calendar_url(calendar)
        storage = CaldavStorage.connect(url, calendar, **self._credentials())
        self.opened.append(storage)
        return RecordingStorage(storage)

    def worker_calendar(self, calendar: str) -> Any:
        """The calendar as a worker's app sees it: caldav's object API, a second client."""
        assert self.server is not None
        client = caldav.DAVClient(url=self.server.url, **self._credentials())
        self.opened.append(client)
        return client.calendar(url=self.server.calendar_url(calendar))

    def _edit(self, calendar: str, event_uid: str, change: Callable[[Any], None]) -> None:
        event = self.worker_calendar(calendar).get_event_by_uid(event_uid)
        change(event.icalendar_component)
        event.save()

    def worker_move(self, calendar: str, event_uid: str, hours: int) -> None:
        self._edit(calendar, event_uid, lambda event: _shift(event, hours))

    def worker_retitle(self, calendar: str, event_uid: str, summary: str) -> None:
        self._edit(calendar, event_uid, lambda event: _retitle(event, summary))

    def worker_delete(self, calendar: str, event_uid: str) -> None:
        self.worker_calendar(calendar).get_event_by_uid(event_uid).delete()

    def remote_uids(self, calendar: str) -> list[str]:
        storage = self.storage(calendar)
        items = storage.get(storage.list())
        return sorted(_uids_in(data for data, _ in items.values()))


def _shift(event: Any, hours: int) -> None:
    start: datetime = event.decoded("DTSTART")
    end: datetime = event.decoded("DTEND")
    del event["DTSTART"], event["DTEND"]
    event.add("dtstart", start + timedelta(hours=hours))
    event.add("dtend", end + timedelta(hours=hours))


def _retitle(event: Any, summary: str) -> None:
    del event["SUMMARY"]
    event.add("summary", summary)


def _uids_in(documents: Iterable[bytes]) -> Iterator[str]:
    import icalendar

    for data in documents:
        for component in icalendar.Calendar.from_ical(data).walk():
            if component.name in ("VEVENT", "VTODO"):
                yield str(component["UID"])


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = DevServer.radicale(Path(tmp_path_factory.mktemp("radicale")))
    with server:
        yield server


@pytest.fixture(scope="session")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = DevServer.xandikos(Path(tmp_path_factory.mktemp("xandikos")))
    with server:
        yield server


@pytest.fixture(
    params=[
        "memory",
        pytest.param("radicale", marks=pytest.mark.servers),
        pytest.param("xandikos", marks=pytest.mark.servers),
    ]
)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "memory":
        yield MemoryBackend()
        return
    server: DevServer = request.getfixturevalue(request.param)
    server.start()  # a test may have killed it
    chosen = ServerBackend(server)
    yield chosen
    chosen.close()


def no_sleep(_seconds: float) -> None:
    """Backoff delays are injected: tests never wait."""


__all__ = ["Backend", "RecordingStorage", "Storage", "no_sleep"]
