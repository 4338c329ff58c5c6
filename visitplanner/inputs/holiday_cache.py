"""The bank holidays a workspace's commands have counted, kept between runs.

Asking the ``holidays`` package for England's bank holidays costs about 0.2 s on every
command that counts a working day (``plan``, ``due``, ``explain``, the desk): the package
imports every country it knows before it answers for one.  The answers never change for one
version of the package, so the years a command asked are kept in the workspace's state
folder (``.visitplanner/bank-holidays.json``, once a command such as ``plan`` has made the
folder) with that version, and given to the working-day calendar by the next command
(:func:`visitplanner.core.workdays.remember_bank_holidays`).  Only a command that succeeded keeps
them, and only the years it asked the package for itself.

A kept file made by another version of the package (or one that cannot be read) is not
used: the package is asked again and the file written anew.  It is only a cache: deleting
it loses nothing.  The version is read from the installed package's metadata folder
(``holidays-VERSION.dist-info``) without importing the package; where that cannot be found
nothing is kept or used.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from visitplanner.core.workdays import YearTable, remember_bank_holidays
from visitplanner.inputs.fsutil import write_atomic

#: Where a workspace keeps the tables, beside the kept plan.
CACHE_FILE = Path(".visitplanner") / "bank-holidays.json"
#: The package the tables come from (its distribution and import names are the same).
PACKAGE = "holidays"
#: The file's own layout, should it ever change.
FORMAT = 1

_log = logging.getLogger(__name__)


@functools.cache
def installed_version(package: str = PACKAGE) -> str | None:
    """The installed version of ``package`` from its ``NAME-VERSION.dist-info`` folder beside
    it, without importing it (importing the package, or importlib.metadata, costs more than
    the tables save); None when there is not exactly one such folder.  Found once per process:
    a command both reads and keeps the tables."""
    spec = find_spec(package)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if len(locations) != 1:
        return None
    found = list(Path(locations[0]).parent.glob(f"{package}-*.dist-info"))
    if len(found) != 1:
        return None
    return found[0].name.removeprefix(f"{package}-").removesuffix(".dist-info")


def use_kept_tables(workspace: Path) -> int:
    """Give the working-day calendar the tables kept in ``workspace`` by this version of the
    package; how many years were given (0 when none are kept, or not for this version)."""
    version = installed_version()
    path = workspace / CACHE_FILE
    if version is None or not path.is_file():
        return 0
    try:
        tables = _read(path.read_bytes(), version)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as problem:
        _log.debug("kept bank holidays not used (%s): they will be asked again", problem)
        return 0
    remember_bank_holidays(tables)
    return len(tables)


def keep_found_tables(workspace: Path, found: Mapping[tuple[str, int], YearTable]) -> bool:
    """Add ``found`` (tables the ``holidays`` package gave this command: see
    :func:`visitplanner.core.workdays.bank_holidays_found`) to those kept in ``workspace``, when it
    has a ``.visitplanner`` folder (a command never makes one for this alone).  False when
    there was nothing new to keep or it could not be kept: a cache, never an error, only
    logged."""
    version = installed_version()
    path = workspace / CACHE_FILE
    if not found or version is None or not path.parent.is_dir():
        return False
    try:
        kept = _read(path.read_bytes(), version) if path.is_file() else {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        kept = {}
    if found.keys() <= kept.keys():
        return False
    try:
        write_atomic(path, _text({**kept, **found}, version))
    except OSError as problem:
        _log.debug("bank holidays not kept (%s)", problem)
        return False
    return True


def _read(data: bytes, version: str) -> dict[tuple[str, int], YearTable]:
    """The tables of a kept file written for ``version`` ({} for another version)."""
    kept = json.loads(data)
    if kept["format"] != FORMAT or kept[PACKAGE] != version:
        return {}
    tables: dict[tuple[str, int], YearTable] = {}
    for key, days in kept["years"].items():
        region, year = key.split("/")
        tables[(region, int(year))] = {date.fromisoformat(day): str(name)
                                       for day, name in days.items()}
    return tables


def _text(tables: dict[tuple[str, int], YearTable], version: str) -> bytes:
    years = {f"{region}/{year}": {day.isoformat(): name for day, name in sorted(table.items())}
             for (region, year), table in sorted(tables.items())}
    return json.dumps({"format": FORMAT, PACKAGE: version, "years": years},
                      indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
