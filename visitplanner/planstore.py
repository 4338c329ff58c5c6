"""The kept plan: a :class:`~visitplanner.model.Schedule` as JSON, and back.

``visitplanner plan`` keeps its schedule in ``.visitplanner/plan.json`` so that
``publish`` and ``sync`` work from the plan the user reviewed;
``visitplanner plan --json`` prints the same JSON.  The format is documented
field by field in ``docs/plan-json.md``.

The JSON is deterministic: keys sorted, lists in the schedule's own order,
dates as ISO ``YYYY-MM-DD``, instants as ISO date-times with their UTC offset
(``2026-03-30T10:00:00+01:00``).  The same schedule always gives the same text.

The codec follows the dataclass fields of :mod:`visitplanner.model`, so a field
added to the model is stored without a change here.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from visitplanner.errors import PlanError, Problem
from visitplanner.fsutil import write_atomic
from visitplanner.model import LONDON, Schedule

#: Bumped when the JSON changes incompatibly; a reader refuses other formats.
FORMAT = 1
PLAN_FILE = Path(".visitplanner") / "plan.json"


def schedule_to_json(schedule: Schedule) -> str:
    """The schedule as deterministic JSON text (ends with a newline)."""
    document = {"format": FORMAT, "schedule": _encode(schedule)}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def schedule_from_json(text: str, where: str = "plan.json") -> Schedule:
    """Read a schedule written by :func:`schedule_to_json`.

    Raises :class:`PlanError` (naming ``where``) when the text is not such a
    schedule, with a fix telling the user to plan again.
    """
    fix = "run `visitplanner plan` again to rewrite it"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanError(
            "The kept plan cannot be read", [Problem(where, f"not JSON: {error}", fix)]
        ) from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        problem = Problem(where, f"plan format {found!r}, expected {FORMAT}", fix)
        raise PlanError("The kept plan cannot be read", [problem])
    try:
        schedule = _decode(Schedule, document["schedule"])
    except (KeyError, TypeError, ValueError) as error:
        problem = Problem(where, f"not a plan: {type(error).__name__}: {error}", fix)
        raise PlanError("The kept plan cannot be read", [problem]) from error
    assert isinstance(schedule, Schedule)
    return schedule


def save_schedule(root: Path, schedule: Schedule) -> Path:
    """Keep the schedule in ``root/.visitplanner/plan.json`` (atomically, mode 0600)."""
    path = root / PLAN_FILE
    write_atomic(path, schedule_to_json(schedule).encode("utf-8"))
    return path


def load_schedule(root: Path) -> Schedule | None:
    """The kept schedule of the workspace ``root``, or None when none was kept."""
    path = root / PLAN_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return schedule_from_json(text, where=str(PLAN_FILE))


def _encode(value: Any) -> Any:
    """Plain JSON values for a model value (dataclasses become objects)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the model keeps aware datetimes only")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        return sorted(_encode(item) for item in value)
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    return value


def _decode(hint: Any, raw: Any) -> Any:
    """The model value of type ``hint`` for the JSON value ``raw``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_optional(hint, raw)
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        return tuple(_decode(item_hint, item) for item in _as_list(raw))
    if origin is frozenset:
        item_hint = typing.get_args(hint)[0]
        return frozenset(_decode(item_hint, item) for item in _as_list(raw))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode_dataclass(hint, raw)
    return _decode_scalar(hint, raw)


def _decode_optional(hint: Any, raw: Any) -> Any:
    options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if raw is None:
        return None
    if len(options) != 1:
        raise TypeError(f"cannot decode a value of type {hint}")
    return _decode(options[0], raw)


def _decode_dataclass(cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise TypeError(f"{cls.__name__}: expected an object, found {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in raw:
            values[field.name] = _decode(hints[field.name], raw[field.name])
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise KeyError(f"{cls.__name__}.{field.name}")
    return cls(**values)


def _decode_scalar(hint: Any, raw: Any) -> Any:
    if hint is datetime:
        # Instants are kept in Europe/London, whatever offset the text carries.
        instant = datetime.fromisoformat(_as_str(raw))
        if instant.tzinfo is None:
            raise ValueError(f"date-time {raw!r} has no UTC offset")
        return instant.astimezone(LONDON)
    if hint is date:
        return date.fromisoformat(_as_str(raw))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint in (str, int, bool) and type(raw) is hint:
        return raw
    raise TypeError(f"expected {getattr(hint, '__name__', hint)}, found {raw!r}")


def _as_list(raw: Any) -> list[Any]:
    if not isinstance(raw, list):
        raise TypeError(f"expected a list, found {type(raw).__name__}")
    return raw


def _as_str(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"expected a string, found {type(raw).__name__}")
    return raw
