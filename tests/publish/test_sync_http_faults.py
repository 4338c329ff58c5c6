"""Real servers behind a faulty network: every 5xx, 423 and timeout is retried with backoff
on every method, and ends with 0 duplicates, 0 missing and 0 false worker edits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fault_proxy import FaultProxy
from sync_docs import document, documents, uid

from visitplanner.cli.sync import SERVER_DOWN, error_kind
from visitplanner.publish.caldav_storage import CaldavStorage, ServerDownError
from visitplanner.publish.devserver import DevServer
from visitplanner.publish.sync import CalendarSyncResult, SyncPolicy, sync_calendar
from visitplanner.publish.syncstatus import SyncStatus

pytestmark = pytest.mark.servers

WAITS: list[float] = []
POLICY = SyncPolicy(sleep=WAITS.append, backoff_seconds=0.01)
#: Seconds the client waits for an answer in these tests (a lost answer waits longer).
CLIENT_TIMEOUT = 1
CALENDAR_NUMBERS = itertools.count(1)


def replanned() -> dict[str, bytes]:
    """Visits 0-5 published; then 1 changes, 4 is dropped and 9 is new: every method."""
    desired = documents(6) | {uid(1): document(1, version=1), uid(9): document(9)}
    del desired[uid(4)]
    return desired


class Through:
    """One server behind one fault proxy; a calendar per test."""

    def __init__(self, server: DevServer, proxy: FaultProxy, calendar: str) -> None:
        self.server, self.proxy, self.calendar = server, proxy, calendar
        self.status = SyncStatus.in_memory()
        self.opened: list[CaldavStorage] = []

    def storage(self) -> CaldavStorage:
        login = (self.server.username, self.server.password) if self.server.needs_auth else ()
        url = self.proxy.url_for(self.server.calendar_url(self.calendar))
        storage = CaldavStorage.connect(url, self.calendar, *login, timeout=CLIENT_TIMEOUT)
        self.opened.append(storage)
        return storage

    def sync(self, desired: dict[str, bytes]) -> CalendarSyncResult:
        return sync_calendar(self.storage(), desired, self.status, POLICY)

    def served_uids(self) -> list[str]:
        storage = self.storage()
        items = storage.get(storage.list())
        return sorted(line.split(":", 1)[1] for data, _ in items.values()
                      for line in data.decode().splitlines() if line.startswith("UID:"))


@pytest.fixture(params=["radicale", "xandikos"])
def through(request: pytest.FixtureRequest) -> Iterator[Through]:
    server: DevServer = request.getfixturevalue(request.param).start()
    WAITS.clear()
    with FaultProxy(server.port) as proxy:
        chosen = Through(server, proxy, f"faults-{next(CALENDAR_NUMBERS):03d}")
        yield chosen
        for storage in chosen.opened:
            storage.close()


def assert_exactly(through: Through, desired: dict[str, bytes], result: CalendarSyncResult) -> None:
    """0 duplicates, 0 missing, 0 false worker edits."""
    assert result.ok, result.error
    assert (result.worker_edits, result.conflicts) == ((), 0)
    assert through.served_uids() == sorted(desired)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 423])
def test_a_failing_mkcalendar_is_retried(through: Through, status: int) -> None:
    through.proxy.fail("MKCALENDAR", status)
    result = through.sync(documents(3))
    assert_exactly(through, documents(3), result)
    assert WAITS == [0.01]  # one retry, after a backoff


@pytest.mark.parametrize("method", ["PUT", "DELETE", "REPORT"])
@pytest.mark.parametrize("status", [503, 423])
def test_a_503_or_423_on_any_method_is_retried_with_backoff(
    through: Through, method: str, status: int
) -> None:
    assert through.sync(documents(6)).ok
    through.proxy.fail(method, status, times=2)
    result = through.sync(replanned())
    assert_exactly(through, replanned(), result)
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    assert WAITS == [0.01, 0.02]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_a_write_whose_answer_times_out_is_retried_and_adopted(
    through: Through, method: str
) -> None:
    assert through.sync(documents(6)).ok
    through.proxy.lose_answer(method, delay=CLIENT_TIMEOUT + 0.5)  # it lands; we never hear
    result = through.sync(replanned())
    assert_exactly(through, replanned(), result)
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    again = through.sync(replanned())
    assert (again.unchanged, again.worker_edits) == (len(replanned()), ())


def test_a_server_that_stops_mid_sync_is_server_down_not_configuration(through: Through) -> None:
    login = (through.server.username, through.server.password) if through.server.needs_auth else ()
    url = through.server.calendar_url(through.calendar)  # straight to it: no proxy between
    storage = CaldavStorage.connect(url, through.calendar, *login)
    through.opened.append(storage)
    assert sync_calendar(storage, documents(2), through.status, POLICY).ok
    through.server.kill()
    try:
        result = sync_calendar(storage, documents(4), through.status, POLICY)
    finally:
        through.server.start()
    assert isinstance(result.failure, ServerDownError)
    assert error_kind(result) == SERVER_DOWN and "stopped answering" in (result.error or "")
    assert_exactly(through, documents(4), through.sync(documents(4)))


def test_calendars_of_one_session_send_the_login_from_their_first_request(
    radicale: DevServer,
) -> None:
    from visitplanner.publish.caldav_storage import CaldavSession

    radicale.start()
    with FaultProxy(radicale.port) as proxy:
        session = CaldavSession(radicale.username, radicale.password)
        try:
            for _ in range(3):
                calendar = f"session-{next(CALENDAR_NUMBERS):03d}"
                url = proxy.url_for(radicale.calendar_url(calendar))
                session.storage(url, calendar).ensure_collection()
        finally:
            session.close()
    # One 401 for the first calendar, which teaches the session the scheme; none after.
    assert proxy.requests["MKCALENDAR"] == 3 + 1
