"""`visitplanner desk`: serve the manager's desk; `desk add-user`: make an account."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from visitplanner.cli import Context
from visitplanner.cli.due import DATE, DATE_FORM, now_utc, today_in_london
from visitplanner.errors import InputError, Problem

if TYPE_CHECKING:
    from visitplanner.desk.app import DeskConfig

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8080
#: Where the desk's session-signing key is kept (made on first start, owner-only).
SECRET_FILE = Path(".visitplanner") / "desk-secret"
SECRET_ENV = "VISITPLANNER_DESK_SECRET_KEY"
DEMO_MANAGER, DEMO_VIEWER = "demo-manager", "demo-viewer"


@click.group(invoke_without_command=True)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--today", type=DATE, metavar=DATE_FORM,
              help="Plan and show as on this day (default: today).")
@click.option("--demo", is_flag=True, help="Make demo accounts (a manager and a viewer of "
              "every team) if missing, and print their passwords.")
@click.pass_context
def desk(click_ctx: click.Context, host: str, port: int, today: date | None,
         demo: bool) -> None:
    """Serve the manager's desk: the team board, what is at risk, decisions with a preview.

    The published calendar feeds are served by the same process under /feeds/ (as
    `visitplanner serve` does).  Decisions and accounts are kept in the desk's database
    ([desk] in visitplanner.toml).
    """
    if click_ctx.invoked_subcommand is not None:
        return
    import waitress

    from visitplanner.cli.serve import WAITRESS_LOGGER, _address, _listen
    from visitplanner.desk.app import create_app
    from visitplanner.publish.feeds import keep_tokens_out_of_logs

    ctx: Context = click_ctx.obj
    config = desk_config(ctx.workspace, today)
    if demo:
        for line in demo_accounts(config):
            click.echo(line)
    keep_tokens_out_of_logs(WAITRESS_LOGGER)
    server = _listen(waitress, create_app(config), host, port)
    click.echo(f"desk for {ctx.workspace} at {_address(server)}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    server.run()


def desk_config(root: Path, today: date | None) -> DeskConfig:
    """The desk's configuration: the clock, the database, the session key, the feeds."""
    from visitplanner.desk.app import DeskConfig
    from visitplanner.inputs.settings import SETTINGS_FILE, load_settings
    from visitplanner.jobs import desk_database_url
    from visitplanner.publish.feeds import feed_app

    settings = load_settings(root / SETTINGS_FILE)
    url = desk_database_url(root, settings, os.environ)
    return DeskConfig(
        root=root, store_url=url, secret_key=_secret_key(root),
        today=(lambda: today) if today is not None else today_in_london, now=now_utc,
        feeds=feed_app(root, root / settings.publish.out))


def _secret_key(root: Path) -> bytes:
    """The session-signing key: from the environment, else the workspace's key file (made
    owner-only on first start, so sessions survive a restart)."""
    from visitplanner.inputs.fsutil import write_atomic

    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode()
    path = root / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def demo_accounts(config: DeskConfig) -> list[str]:
    """Demo accounts for every team of the workspace, made if missing: lines to print."""
    from visitplanner.decisions.store import MANAGER, VIEWER, Store
    from visitplanner.inputs.workspace import read_tables

    tables, _ = read_tables(config.root)
    teams = sorted({w.team for w in tables.workers})
    store = Store(config.store_url)
    lines = []
    for name, role in ((DEMO_MANAGER, MANAGER), (DEMO_VIEWER, VIEWER)):
        if store.user(name) is not None:
            lines.append(f"demo account {name} ({role}) exists; its password is as made")
            continue
        password = secrets.token_urlsafe(12)
        store.add_user(name, password, role, teams, config.now())
        lines.append(f"demo account {name} ({role} of {', '.join(teams)}): password {password}")
    return lines


@desk.command("add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(["manager", "viewer"]), required=True)
@click.option("--team", "teams", multiple=True, required=True,
              help="A team the account sees (repeat for more).")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
@click.pass_obj
def add_user(ctx: Context, name: str, role: str, teams: tuple[str, ...],
             password_stdin: bool) -> None:
    """Create the desk account NAME (its password hashed with Argon2)."""
    from visitplanner.decisions.store import Store
    from visitplanner.inputs.workspace import read_tables

    password = sys.stdin.readline().rstrip("\r\n")
    tables, _ = read_tables(ctx.workspace)
    known = {w.team for w in tables.workers}
    unknown = [t for t in teams if t not in known]
    if unknown:
        fix = f"use a team of workers.csv: {', '.join(sorted(known))}"
        raise InputError("The account was not created",
                         [Problem("--team", f"unknown team {t!r}", fix) for t in unknown])
    config = desk_config(ctx.workspace, None)
    Store(config.store_url).add_user(name, password, role, teams, config.now())
    click.echo(f"account {name} ({role} of {', '.join(teams)}) created")
