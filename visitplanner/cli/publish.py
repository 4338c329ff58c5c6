"""`visitplanner publish`: the kept plan as one .ics file per worker and per team."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from visitplanner.core import guards

if TYPE_CHECKING:
    from visitplanner.publish import ChangeCounts, FilesWritten

#: The command named as the workspace lock's holder while calendars are published.
PUBLISH_COMMAND = "publish"
#: The override of the cancellation guard, shared by `publish` and `sync`.
ALLOW_CANCELLATIONS = click.option(
    guards.ALLOW_CANCELLATIONS_OPTION, "allow_cancellations", is_flag=True,
    help=f"Go ahead although more than {guards.CANCELLATIONS_ALWAYS_ALLOWED} and more than "
    f"{guards.CANCELLATION_SHARE_ALLOWED:.0%} of a calendar's future visits would be cancelled.")


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the .ics files (default: [publish] out in visitplanner.toml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@ALLOW_CANCELLATIONS
@click.pass_obj
def publish(obj: object, out: Path | None, as_json: bool, allow_cancellations: bool) -> None:
    """Write the kept plan as one .ics calendar per worker and per team.

    Unchanged files are left untouched; changed visits keep their UID and get a
    higher SEQUENCE; withdrawn ones are published as CANCELLED for a while.  A run
    that would cancel many of a calendar's future visits is refused (nothing is
    written) unless --allow-cancellations is given; so is a children.csv with no
    children, or far fewer than the kept plan visits.  Takes the workspace lock: a
    `plan`, `publish` or `sync` meanwhile waits for it.
    """
    from visitplanner.inputs.wslock import workspace_lock
    from visitplanner.publish import count_changes

    root: Path = getattr(obj, "workspace", Path("."))
    from visitplanner.publish.job import publish_workspace

    with workspace_lock(root, PUBLISH_COMMAND):
        done = publish_workspace(root, out, allow_cancellations)
    counts = count_changes(done.before, done.after)
    render = _summary_json if as_json else _summary_text
    click.echo(render(done.out_dir, done.files, counts))


def _summary_text(out_dir: Path, files: FilesWritten, counts: ChangeCounts) -> str:
    written, unchanged = len(files.written), len(files.unchanged)
    return (
        f"{written + unchanged} calendars in {out_dir}: {written} written, {unchanged} unchanged\n"
        f"items: {counts.new} new, {counts.changed} changed, {counts.cancelled} cancelled, "
        f"{counts.unchanged} unchanged, {counts.dropped} dropped"
    )


def _summary_json(out_dir: Path, files: FilesWritten, counts: ChangeCounts) -> str:
    document = {
        "out": str(out_dir),
        "written": [path.name for path in files.written],
        "unchanged": [path.name for path in files.unchanged],
        "items": asdict(counts),
    }
    return json.dumps(document, indent=2, sort_keys=True)
