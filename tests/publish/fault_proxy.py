"""An HTTP proxy in front of a real CalDAV server that injects the faults of real networks.

- :meth:`FaultProxy.fail`: the next ``times`` requests of a method get ``status`` (503, 423
  ...) without reaching the server;
- :meth:`FaultProxy.lose_answer`: the next request of a method reaches the server, which
  carries it out, but the answer comes too late for the client (a timeout), or never;
- :attr:`FaultProxy.requests`: every request seen, by method (as a counting proxy would).

It runs in a thread of the test process, on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

#: Headers about one connection, not the message: never forwarded.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


@dataclass
class _Fault:
    method: str
    status: int | None  # None: forward, then answer late
    delay: float = 0.0


class FaultProxy:
    """Forwards to ``127.0.0.1:target_port``, injecting the faults queued."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.requests: Counter[str] = Counter()
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url_for(self, server_url: str) -> str:
        """``server_url`` (on the target port) as reached through this proxy."""
        return server_url.replace(f":{self.target_port}", f":{self.port}", 1)

    def fail(self, method: str, status: int, times: int = 1) -> None:
        with self._lock:
            self._faults += [_Fault(method, status) for _ in range(times)]

    def lose_answer(self, method: str, delay: float) -> None:
        """The next ``method`` is carried out; its answer is held back ``delay`` seconds."""
        with self._lock:
            self._faults.append(_Fault(method, None, delay))

    def take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            self.requests[method] += 1
            for fault in self._faults:
                if fault.method == method:
                    self._faults.remove(fault)
                    return fault
        return None

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read counts, not logs."""

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fault = proxy.take_fault(self.command)
            if fault is not None and fault.status is not None:
                self._answer(fault.status, [], b"")
                return
            status, headers, answer = self._forward(body)
            if fault is not None:
                time.sleep(fault.delay)  # the client has given up by now
                self.close_connection = True
                return
            self._answer(status, headers, answer)

        def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection.request(self.command, self.path, body, headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            finally:
                connection.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_MKCALENDAR = _any
        do_OPTIONS = do_POST = do_PROPPATCH = _any

    return Handler
