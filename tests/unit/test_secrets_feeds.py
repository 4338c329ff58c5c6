"""`serve` never logs a feed's secret token (issue 10).

A request that fails (here: the calendar's file cannot be read, because a folder stands
where it should be) is answered 500 without detail and logged with the token replaced by
``<token>``; waitress's own log lines, which name the request path, are redacted too.
"""

from __future__ import annotations

import http.client
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import waitress
from waitress import wasyncore

from visitplanner.publish import feed_path
from visitplanner.publish.feeds import (
    TokenRedactor,
    feed_app,
    feed_url,
    keep_tokens_out_of_logs,
    redact_tokens,
    rotate_token,
)

CALENDAR = "w-0012"


@pytest.fixture
def broken_feed(tmp_path: Path) -> tuple[Path, Path, str]:
    """A workspace whose one feed has a token but whose file cannot be read."""
    root, out = tmp_path / "ws", tmp_path / "ws" / "calendars"
    token = rotate_token(root, CALENDAR)
    feed_path(out, CALENDAR).mkdir(parents=True)  # reading it raises IsADirectoryError
    return root, out, token


def call(app: Any, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=headers)

    body: Iterable[bytes] = app({"REQUEST_METHOD": "GET", "PATH_INFO": path}, start_response)
    return answer["status"], answer["headers"], b"".join(body)


def test_a_failed_request_is_answered_500_without_detail(
        broken_feed: tuple[Path, Path, str], caplog: pytest.LogCaptureFixture) -> None:
    root, out, token = broken_feed
    status, headers, body = call(feed_app(root, out), feed_url("", token))
    assert (status, body) == ("500 Internal Server Error", b"Internal server error\n")
    assert ("Cache-Control", "no-cache, private") in headers


def test_a_failed_request_is_logged_without_its_token(
        broken_feed: tuple[Path, Path, str], caplog: pytest.LogCaptureFixture) -> None:
    root, out, token = broken_feed
    with caplog.at_level(logging.DEBUG):
        call(feed_app(root, out), feed_url("", token))
    assert [r.name for r in caplog.records] == ["visitplanner.publish.feeds"]
    logged = caplog.text
    assert token not in logged
    assert "GET /feeds/<token>" in logged
    assert "IsADirectoryError" in logged and f"{CALENDAR}.ics" in logged


def test_waitress_log_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    token = "A" * 43
    record = logging.LogRecord("waitress", logging.ERROR, __file__, 1,
                               "Exception while serving %s", (f"/feeds/{token}.ics",), None)
    try:
        raise RuntimeError(f"while reading /feeds/{token}.ics")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    assert TokenRedactor().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert token not in formatted
    assert formatted.startswith("Exception while serving /feeds/<token>")


def test_redacting_replaces_whatever_follows_feeds() -> None:
    assert redact_tokens("GET /feeds/abc-DEF_123.ics HTTP/1.1 '/feeds/x'") == \
        "GET /feeds/<token> HTTP/1.1 '/feeds/<token>'"


# ---------------------------------------------------------------- through a real waitress


@pytest.fixture
def redacted_waitress_log() -> Iterator[None]:
    logger = logging.getLogger("waitress")
    before = list(logger.filters)  # `serve` run by an earlier test may have put one there
    logger.filters[:] = [f for f in before if not isinstance(f, TokenRedactor)]
    keep_tokens_out_of_logs("waitress")
    keep_tokens_out_of_logs("waitress")  # once, however often asked
    assert sum(isinstance(f, TokenRedactor) for f in logger.filters) == 1
    yield
    logger.filters[:] = before


def serve_once(app: Any, path: str) -> tuple[int, bytes]:
    """Status and body of one GET ``path`` from ``app`` behind a real waitress on 127.0.0.1."""
    sockets: dict[int, Any] = {}
    server = waitress.create_server(app, map=sockets, host="127.0.0.1", port=0, threads=1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=sockets, count=1)
        for dispatcher in list(sockets.values()):
            dispatcher.close()
        server.task_dispatcher.shutdown()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", int(server.effective_port), timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        answer = response.status, response.read()
        connection.close()
        return answer
    finally:
        stop.set()
        thread.join(timeout=5)


def test_serve_logs_a_500_without_the_token(
        broken_feed: tuple[Path, Path, str], caplog: pytest.LogCaptureFixture,
        redacted_waitress_log: None) -> None:
    root, out, token = broken_feed
    with caplog.at_level(logging.DEBUG):
        status, body = serve_once(feed_app(root, out), feed_url("", token))
    assert (status, body) == (500, b"Internal server error\n")
    assert token not in caplog.text and "<token>" in caplog.text


def test_waitress_names_no_token_even_when_an_app_raises(
        caplog: pytest.LogCaptureFixture, redacted_waitress_log: None) -> None:
    token = "B" * 43

    def raising_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise RuntimeError("boom")

    with caplog.at_level(logging.DEBUG):
        status, _ = serve_once(raising_app, feed_url("", token))
    assert status == 500
    assert "Exception while serving /feeds/<token>" in caplog.text
    assert token not in caplog.text
