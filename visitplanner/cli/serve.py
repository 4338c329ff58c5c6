"""`visitplanner serve` and `visitplanner feed-token rotate`: calendar feeds over HTTP."""

from __future__ import annotations

from pathlib import Path

import click

from visitplanner.errors import Problem, PublishError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


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

    from visitplanner.publish.feeds import feed_app, load_tokens
    from visitplanner.settings import SETTINGS_FILE, load_settings

    root = _root(obj)
    out_dir = out if out is not None else root / load_settings(root / SETTINGS_FILE).publish.out
    if not load_tokens(root).hashes:
        click.echo(
            "no feed tokens yet: make one with `visitplanner feed-token rotate CALENDAR_ID`",
            err=True,
        )
    server = waitress.create_server(feed_app(root, out_dir), host=host, port=port)
    address = f"http://{server.effective_host}:{server.effective_port}"
    click.echo(f"serving {out_dir} at {address}/feeds/<token>.ics (Ctrl-C to stop)")
    server.run()  # until Ctrl-C; waitress logs no request lines, so tokens stay out of logs


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
    from visitplanner.workspace import read_tables

    tables, _ = read_tables(root)
    return {w.id for w in tables.workers} | {f"team-{w.team}" for w in tables.workers}
