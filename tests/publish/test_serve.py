"""`serve`: the right feed for the right token, 404 for anything else, 304 when unchanged.

A real waitress server on 127.0.0.1 (ephemeral port, in a thread), a real HTTP client.
"""

from __future__ import annotations

import http.client
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import Any

import pytest
import waitress
from ics_samples import context, sample_schedule
from waitress import wasyncore

from visitplanner.publish import PublishState, build_documents, calendar_names, publish_files
from visitplanner.publish.feeds import TOKENS_FILE, feed_app, feed_url, load_tokens, rotate_token


@dataclass
class Served:
    root: Path
    out: Path
    port: int

    def get(self, path: str, method: str = "GET", **headers: str) -> tuple[int, HTTPMessage, bytes]:
        """Status, headers (case-insensitive) and body of one request on a fresh connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def path_of(self, token: str) -> str:
        return feed_url("", token)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    root, out = tmp_path / "ws", tmp_path / "ws" / "calendars"
    ctx = context()
    documents, _ = build_documents(sample_schedule(), ctx, PublishState())
    publish_files(out, documents, calendar_names(documents, ctx))
    sockets: dict[int, Any] = {}
    server = waitress.create_server(
        feed_app(root, out), map=sockets, host="127.0.0.1", port=0, threads=2
    )
    stop = threading.Event()
    thread = threading.Thread(target=_serve_until, args=(server, sockets, stop), daemon=True)
    thread.start()
    try:
        yield Served(root, out, int(server.effective_port))
    finally:
        stop.set()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _serve_until(server: Any, sockets: dict[int, Any], stop: threading.Event) -> None:
    """Run waitress's loop in short turns; close everything from this same thread when told.

    (Closing the server from another thread while it sits in select() races with it.)
    """
    while not stop.is_set():
        wasyncore.loop(timeout=0.05, map=sockets, count=1)
    for dispatcher in list(sockets.values()):
        dispatcher.close()
    server.task_dispatcher.shutdown()


def test_the_right_token_gets_the_right_calendar(served: Served):
    ana, ben = rotate_token(served.root, "w-ana"), rotate_token(served.root, "w-ben")
    status, headers, body = served.get(served.path_of(ana))
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert body == (served.out / "w-ana.ics").read_bytes()
    assert served.get(served.path_of(ben))[2] == (served.out / "w-ben.ics").read_bytes()


@pytest.mark.parametrize("wrong", ["A" * 43, "w-ana", "", "../w-ana"])
def test_a_wrong_token_gets_the_same_404_whatever_is_wrong(served: Served, wrong: str):
    rotate_token(served.root, "w-ana")
    responses = {served.get(f"/feeds/{wrong}.ics")[::2] for _ in range(2)}
    responses.add(served.get("/feeds/")[::2])
    responses.add(served.get("/w-ana.ics")[::2])
    assert responses == {(404, b"Not found\n")}


def test_an_unchanged_feed_answers_304_to_its_etag(served: Served):
    token = rotate_token(served.root, "w-ana")
    status, headers, _ = served.get(served.path_of(token))
    assert status == 200
    again = served.get(served.path_of(token), **{"If-None-Match": headers["ETag"]})
    assert (again[0], again[2]) == (304, b"")
    assert again[1]["ETag"] == headers["ETag"]


def test_a_changed_feed_answers_200_to_the_old_etag(served: Served):
    token = rotate_token(served.root, "w-ana")
    etag = served.get(served.path_of(token))[1]["ETag"]
    (served.out / "w-ana.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    status, headers, body = served.get(served.path_of(token), **{"If-None-Match": etag})
    assert (status, body) == (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert headers["ETag"] != etag


def test_rotating_ends_the_old_url_at_once(served: Served):
    old = rotate_token(served.root, "w-ana")
    new = rotate_token(served.root, "w-ana")
    assert served.get(served.path_of(old))[0] == 404
    assert served.get(served.path_of(new))[0] == 200


def test_head_gives_headers_without_a_body_and_post_is_a_404(served: Served):
    token = rotate_token(served.root, "w-ana")
    status, headers, body = served.get(served.path_of(token), method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == (served.out / "w-ana.ics").stat().st_size
    assert served.get(served.path_of(token), method="POST")[0] == 404


def test_tokens_are_stored_only_hashed_and_privately(tmp_path: Path):
    token = rotate_token(tmp_path, "team-west")
    stored = (tmp_path / TOKENS_FILE).read_text()
    assert token not in stored
    assert stat.S_IMODE((tmp_path / TOKENS_FILE).stat().st_mode) == 0o600
    assert load_tokens(tmp_path).calendar_for(token) == "team-west"
    assert load_tokens(tmp_path).calendar_for(token[:-1] + "x") is None
    assert len(token) >= 43
