"""The command line: the only layer that imports click, reads the clock or the environment.

Each command lives in its own module of this package and is registered on the
:func:`cli` group below.  Commands turn user input into calls of the pure core
and print the result; :func:`main` turns a :class:`VisitplannerError` into one
clear message listing every problem (followed by the traceback with ``-v``) and the
error's exit code.
"""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

from visitplanner import __version__
from visitplanner.errors import InputError, VisitplannerError


@dataclass(frozen=True)
class Context:
    """What every command receives: the workspace folder and the verbosity."""

    workspace: Path
    verbose: bool


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="visitplanner")
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="current directory",
    help="Workspace folder: visitplanner.toml and the CSV files.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, verbose: bool) -> None:
    """Plan statutory home visits to children, assign them and publish them."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(message)s")
    _check_workspace_folder(workspace)
    ctx.obj = Context(workspace=workspace, verbose=verbose)
    _use_kept_bank_holidays(ctx, workspace)


#: Where the group keeps, for its command's end, the bank holidays known when it started.
_HOLIDAYS_KNOWN = "visitplanner.bank_holidays_known"


def _use_kept_bank_holidays(ctx: click.Context, workspace: Path) -> None:
    """Give the working-day calendar the bank holidays earlier commands kept, and note
    which it knows already (:mod:`visitplanner.inputs.holiday_cache`)."""
    from visitplanner.core.workdays import bank_holidays_found
    from visitplanner.inputs.holiday_cache import use_kept_tables

    use_kept_tables(workspace)
    ctx.meta[_HOLIDAYS_KNOWN] = frozenset(bank_holidays_found())


@cli.result_callback()
@click.pass_context
def _keep_bank_holidays(ctx: click.Context, /, *_: object, **__: object) -> None:
    """After a command that succeeded: keep the bank holidays it asked the holidays package
    for, for the next command; a command that failed writes nothing."""
    from visitplanner.core.workdays import bank_holidays_found
    from visitplanner.inputs.holiday_cache import keep_found_tables

    known = ctx.meta.get(_HOLIDAYS_KNOWN, frozenset())
    found = {key: table for key, table in bank_holidays_found().items() if key not in known}
    keep_found_tables(ctx.obj.workspace, found)


def _check_workspace_folder(workspace: Path) -> None:
    """Refuse a ``-w`` folder that does not exist, naming it, before any command reads it.

    (A file given as the folder is refused by click itself: ``file_okay=False``.)
    """
    if not workspace.exists():
        raise InputError(f"workspace folder {workspace} does not exist (fix: give -w/--workspace "
                         "the folder that holds visitplanner.toml and the CSV files)")


def _register() -> None:
    from visitplanner.cli import conflicts, decide, desk, due, plan, policy, publish, report, serve
    from visitplanner.cli import sync as sync_command

    cli.add_command(policy.policy)
    cli.add_command(due.due)
    cli.add_command(plan.plan)
    cli.add_command(plan.explain)
    cli.add_command(publish.publish)
    cli.add_command(serve.serve)
    cli.add_command(serve.feed_token)
    cli.add_command(sync_command.sync)
    cli.add_command(conflicts.conflicts)
    cli.add_command(report.report)
    for command in (decide.absence, decide.reassign, decide.handover, decide.pin,
                    decide.withdraw_command, decide.decisions, desk.desk):
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, render user errors without a traceback."""
    verbose = "-v" in (argv if argv is not None else sys.argv[1:]) or "--verbose" in (
        argv if argv is not None else sys.argv[1:]
    )
    try:
        cli.main(args=argv, prog_name="visitplanner", standalone_mode=False)
    except VisitplannerError as error:
        click.echo(f"error: {error.render()}", err=True)
        if verbose:  # the traceback as well as every problem, and still the error's exit code
            click.echo(traceback.format_exc().rstrip(), err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
