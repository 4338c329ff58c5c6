"""The workspace and kept plan the desk shows, read from disk once per change.

Reading a large authority's plan.json takes seconds, and every page needs it: the values
are kept while the files they come from are unchanged (same size and modification time),
and read again as soon as a plan, a decision or a new export changes one.  The values are
frozen, so the threads serving pages share them safely.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from visitplanner.core.model import Schedule
from visitplanner.inputs.workspace import Workspace

#: What a stamp is made of: (file name, size, modification time in ns) per input file.
Stamp = tuple[tuple[str, int, int], ...]


@dataclass
class Loaded:
    """The last workspace and kept plan read, with the stamp of the files they came from."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stamp: Stamp = ()
    values: tuple[Workspace, Schedule | None] | None = None

    def get(self, root: Path) -> tuple[Workspace, Schedule | None]:
        """The workspace and kept plan of ``root``, read again only when a file changed."""
        from visitplanner.inputs.planstore import load_schedule
        from visitplanner.inputs.workspace import load_workspace

        with self.lock:
            now = stamp_of(root)
            if self.values is None or now != self.stamp:
                self.values = (load_workspace(root), load_schedule(root))
                self.stamp = now
            return self.values


def stamp_of(root: Path) -> Stamp:
    """Size and modification time of every file the workspace and the kept plan are read
    from: the settings and any policy file in the folder, the CSV files, plan.json."""
    from visitplanner.inputs.planstore import PLAN_FILE

    paths = sorted([*root.glob("*.toml"), *root.glob("*.csv"), root / PLAN_FILE])
    out = []
    for path in paths:
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        out.append((path.name, status.st_size, status.st_mtime_ns))
    return tuple(out)
