"""Publishing the plan: iCalendar documents, .ics files, feeds and their state.

The pure part, :func:`~visitplanner.publish.ics.build_documents`, turns a
schedule into per-calendar documents; :func:`publish_files` writes them as one
``.ics`` file per calendar at the edge.  ``feeds`` serves those files over HTTP
behind per-calendar tokens; ``state`` remembers what was published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visitplanner.core.collector import collector_paused
from visitplanner.inputs.fsutil import safe_filename, write_if_changed
from visitplanner.publish.state import PublishedItem, PublishState, load_state, save_state

if TYPE_CHECKING:
    from visitplanner.publish.ics import (
        PublishContext,
        build_documents,
        calendar_names,
        render_feed,
    )

#: Names of :mod:`visitplanner.publish.ics` offered here, imported on first use: the
#: iCalendar library is slow to import, and `plan` (which reads worker edits from
#: :mod:`visitplanner.publish.syncstatus`, inside this package) never needs it.
_FROM_ICS = frozenset({"PublishContext", "build_documents", "calendar_names", "render_feed"})

__all__ = [
    "ChangeCounts",
    "FilesWritten",
    "PublishContext",
    "PublishState",
    "PublishedItem",
    "build_documents",
    "calendar_names",
    "count_changes",
    "feed_path",
    "load_state",
    "publish_files",
    "render_feed",
    "save_state",
]


def __getattr__(name: str) -> Any:
    """Import the iCalendar side (:mod:`visitplanner.publish.ics`) only when asked for."""
    if name in _FROM_ICS:
        from visitplanner.publish import ics

        value = globals()[name] = getattr(ics, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class FilesWritten:
    """Which calendar files :func:`publish_files` wrote and which it left as they were."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class ChangeCounts:
    """How the published items changed since the last publish."""

    new: int
    changed: int
    cancelled: int
    unchanged: int
    dropped: int


def feed_path(out_dir: Path, calendar_id: str) -> Path:
    """Where a calendar's .ics file lives: always directly inside ``out_dir``."""
    return out_dir / f"{safe_filename(calendar_id)}.ics"


def publish_files(
    out_dir: Path, documents: Mapping[str, Mapping[str, bytes]], names: Mapping[str, str]
) -> FilesWritten:
    """Write one ``<safe calendar id>.ics`` per calendar into ``out_dir``.

    Each file is written atomically with mode 0600; a file that would get the
    very bytes it holds is not touched.  ``names`` gives each calendar's
    display name (default: the calendar id).
    """
    from visitplanner.publish.ics import render_feed

    written: list[Path] = []
    unchanged: list[Path] = []
    with collector_paused():
        for calendar_id in sorted(documents):
            path = feed_path(out_dir, calendar_id)
            feed = render_feed(documents[calendar_id], names.get(calendar_id, calendar_id))
            (written if write_if_changed(path, feed) else unchanged).append(path)
    return FilesWritten(tuple(written), tuple(unchanged))


def count_changes(before: PublishState, after: PublishState) -> ChangeCounts:
    """Compare two states: new, changed, newly cancelled, unchanged and dropped items."""
    new = changed = cancelled = unchanged = 0
    for uid, item in after.items.items():
        previous = before.items.get(uid)
        if previous is None:
            new += 1
        elif previous.sequence == item.sequence:
            unchanged += 1
        elif item.cancelled_since is not None and previous.cancelled_since is None:
            cancelled += 1
        else:
            changed += 1
    dropped = len(before.items.keys() - after.items.keys())
    return ChangeCounts(new, changed, cancelled, unchanged, dropped)
