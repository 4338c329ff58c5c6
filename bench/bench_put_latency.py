"""Milliseconds per CalDAV PUT on a fresh local server, by HTTP client (prints; not a test).

Run from the repository root:

    .venv/bin/python bench/bench_put_latency.py [--server xandikos|radicale] [--puts 150]

Creates a calendar and PUTs ``--puts`` small events into it with caldav's DAVClient, then
as many with a bare niquests session, then with the standard library's http.client, one
after another into the same collection, and prints the mean per PUT for each; then the same
in the reverse order into a second calendar.  It tells the server's own cost from a
client's: when the figure grows with the collection whichever client comes first, it is the
collection's size, not the client, that costs.
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
import time
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//visitplanner//bench//EN\r\n"
    "BEGIN:VEVENT\r\nUID:{uid}@bench\r\nDTSTAMP:20261123T090000Z\r\n"
    "DTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:Visit HH-{n:04d}\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
HEADERS = {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}


def main() -> None:
    import caldav
    import niquests

    from visitplanner.publish.devserver import DevServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="xandikos", choices=("xandikos", "radicale"))
    parser.add_argument("--puts", type=int, default=150)
    args = parser.parse_args()
    start = DevServer.xandikos if args.server == "xandikos" else DevServer.radicale
    with start(Path(tempfile.mkdtemp())) as server:
        login = (server.username, server.password) if server.needs_auth else None
        headers = dict(HEADERS)
        if login:
            headers["Authorization"] = "Basic " + b64encode(":".join(login).encode()).decode()
        client = caldav.DAVClient(url=server.url, username=login[0] if login else None,
                                  password=login[1] if login else None)
        session = niquests.Session()
        for order in ("forward", "reverse"):
            base = server.calendar_url(f"bench-{order}")
            client.request(base, "MKCALENDAR", "", {})
            puts = _clients(base, client, session, headers)
            print(f"{args.server}, {order}: {args.puts} PUTs per client into one collection")
            for offset, (name, put) in enumerate(puts if order == "forward" else puts[::-1]):
                started = time.perf_counter()
                for n in range(offset * args.puts, (offset + 1) * args.puts):
                    put(n)
                each = (time.perf_counter() - started) / args.puts * 1000
                print(f"  {name:<12} {each:6.1f} ms per PUT "
                      f"(collection {offset * args.puts} to {(offset + 1) * args.puts} items)")


def _clients(base: str, client: object, session: object, headers: dict[str, str]
             ) -> list[tuple[str, Callable[[int], None]]]:
    """Each client's PUT of event ``n`` into the calendar at ``base``."""

    def body(n: int) -> bytes:
        return EVENT.format(uid=f"e{n}", n=n).encode()

    def caldav_put(n: int) -> None:
        client.request(f"{base}e{n}.ics", "PUT", body(n), HEADERS)  # type: ignore[attr-defined]

    def niquests_put(n: int) -> None:
        session.put(f"{base}e{n}.ics", data=body(n), headers=headers)  # type: ignore[attr-defined]

    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)

    def stdlib_put(n: int) -> None:
        connection.request("PUT", f"{address.path}e{n}.ics", body=body(n), headers=headers)
        connection.getresponse().read()

    return [("caldav", caldav_put), ("niquests", niquests_put), ("http.client", stdlib_put)]


if __name__ == "__main__":
    main()
