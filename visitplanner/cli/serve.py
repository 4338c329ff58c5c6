"""`visitplanner serve` and `visitplanner feed-token rotate`: calendar feeds over HTTP."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

import click

from visitplanner.errors import Problem, PublishError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
#: The logger waitress writes to (naming the request path when a request fails).
WAITRESS_LOGGER = "waitress"


def _root(obj: object) -> Path:
    root: Path = getattr(obj, "workspace", Path("."))
    return root


@click.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1 exposes the feeds to the network: "
    "put a TLS-terminating proxy in front.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the published .ics files (default: [publish] out).",
)
@click.pass_obj
def serve(obj: object, host: str, port: int, out: Path | None) -> None:
    """Serve each calendar at its secret URL (/feeds/<token>.ics), with ETag and 304.

    Make a calendar's URL with `visitplanner feed-token rotate CALENDAR_ID`.
    """
    import waitress

    from visitplanner.inputs.settings import SETTINGS_FILE, load_settings
    from visitplanner.publish.feeds import feed_app, keep_tokens_out_of_logs, load_tokens

    root = _root(obj)
    out_dir = out if out is not None else root / load_settings(root / SETTINGS_FILE).publish.out
    keep_tokens_out_of_logs(WAITRESS_LOGGER)
    server = _listen(waitress, feed_app(root, out_dir), host, port)
    if not load_tokens(root).hashes:
        click.echo(
            "no feed tokens yet: make one with `visitplanner feed-token rotate CALENDAR_ID`",
            err=True,
        )
    address = _address(server)
    click.echo(f"serving {out_dir} at {address}/feeds/<token>.ics (Ctrl-C to stop)")
    server.run()  # until Ctrl-C; waitress logs no request lines, and its others are redacted


def _listen(waitress: Any, app: Any, host: str, port: int) -> Any:
    """Waitress's server on ``host:port``; an address or port it cannot have is one line.

    The sockets are bound here and handed to waitress, so a refused bind leaves nothing
    half-made behind (waitress's own bind would leave its socket and threads).
    """
    sockets = _bound_sockets(host, port)
    try:
        return waitress.create_server(app, sockets=sockets)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise


def _bound_sockets(host: str, port: int) -> list[socket.socket]:
    """A socket bound to each address of ``host`` (both IPv4 and IPv6 for ``localhost``)."""
    try:
        addresses = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM,
                                       socket.IPPROTO_TCP, socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PublishError(f"cannot listen on {host}: {exc.strerror} "
                           "(fix: give --host an address of this machine, e.g. 127.0.0.1)"
                           ) from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(addresses):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise _bind_error(exc, host, port) from None
    return sockets


def _bind_error(exc: OSError, host: str, port: int) -> PublishError:
    if exc.errno == errno.EADDRINUSE:
        return PublishError(f"port {port} on {host} is already in use (fix: stop the program "
                            "using it, or choose another port with --port)")
    return PublishError(f"cannot listen on {host} port {port}: {exc.strerror or exc} "
                        "(fix: check --host and --port)")


def _address(server: Any) -> str:
    """``http://host:port`` of the (first) address the server listens on."""
    listening = getattr(server, "effective_listen", None)  # a server on several sockets
    host, port = listening[0] if listening else (server.effective_host, server.effective_port)
    return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"


@click.group("feed-token")
def feed_token() -> None:
    """Manage the secret feed URLs of `visitplanner serve`."""


@feed_token.command()
@click.argument("calendar_id")
@click.option(
    "--base-url",
    default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
    show_default=True,
    help="Where `serve` is reached by subscribers.",
)
@click.pass_obj
def rotate(obj: object, calendar_id: str, base_url: str) -> None:
    """Make a new secret URL for CALENDAR_ID (a worker id or team-<team>), ending the old one.

    The URL is printed once and not stored (only its hash is): copy it now.
    """
    from visitplanner.publish.feeds import feed_url, rotate_token

    root = _root(obj)
    known = _calendar_ids(root)
    if calendar_id not in known:
        fix = f"use one of: {', '.join(sorted(known))}" if known else "check workers.csv"
        raise PublishError(
            "Unknown calendar", [Problem("feed-token rotate", f"no calendar {calendar_id!r}", fix)]
        )
    click.echo(feed_url(base_url, rotate_token(root, calendar_id)))


def _calendar_ids(root: Path) -> set[str]:
    """Calendars `publish` makes: every worker's, and team-<team> for every team."""
    from visitplanner.inputs.workspace import read_tables

    tables, _ = read_tables(root)
    return {w.id for w in tables.workers} | {f"team-{w.team}" for w in tables.workers}
