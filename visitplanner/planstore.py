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
import functools
import json
import operator
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from enum import Enum
from fractions import Fraction
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
    if value is None or type(value) in _PLAIN:
        return value
    names = _field_names(type(value))  # type: ignore[arg-type]  # classes are hashable
    if names is not None:
        return {name: _encode(getattr(value, name)) for name in names}
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


#: Types that are JSON values as they are (most values: asked first).
_PLAIN = frozenset({str, int, bool, float})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for other types), found once per class; fields kept
    out of comparisons (indexes built from the others) are left out."""
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    return None


def canonical_json(value: Any) -> str:
    """A model value as compact, deterministic JSON text, for digests (never read back).

    Dataclasses are arrays of their compared fields' values (in field order), sets are sorted,
    enums are their values, dates, times and instants ISO text, mapping keys sorted: the same
    value gives the same text in any process.  Unlike ``json.dumps`` of the plain values the
    plan file is written from, it builds no copy of the value: json's encoder walks it and
    calls back only for what it does not know, which makes a digest of an authority's inputs
    about twice as cheap.
    """
    return json.dumps(value, default=_canonical, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def _canonical(value: Any) -> Any:
    """What json's encoder writes for a value it does not know (see ``canonical_json``)."""
    fields = _field_getter(type(value))  # type: ignore[arg-type]  # classes are hashable
    if fields is not None:
        return fields(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        try:
            return sorted(value)
        except TypeError:  # items with no order (dataclasses): by their own text
            return sorted(value, key=canonical_json)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Fraction):  # a ratio's share: exact, "1/2"
        return str(value)
    raise TypeError(f"no canonical JSON for {type(value).__name__}")


@functools.cache
def _field_getter(cls: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """The compared fields' values of a dataclass, as a tuple (None for other types)."""
    names = _field_names(cls)
    if names is None:
        return None
    getter = operator.attrgetter(*names)
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        return lambda value: (getter(value),)
    return getter


def _decode(hint: Any, raw: Any) -> Any:
    """The model value of type ``hint`` for the JSON value ``raw``."""
    return _decoder(hint)(raw)


@functools.cache
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """A function that decodes JSON values of type ``hint``, built once per type: reading the
    type hints of a dataclass for every value cost most of the time of reading a plan."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _optional_decoder(hint)
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])
        return lambda raw: tuple(item(x) for x in _as_list(raw))
    if origin is frozenset:
        member = _decoder(typing.get_args(hint)[0])
        return lambda raw: frozenset(member(x) for x in _as_list(raw))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    return functools.partial(_decode_scalar, hint)


def _optional_decoder(hint: Any) -> Callable[[Any], Any]:
    options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(options) != 1:
        def refuse(raw: Any) -> Any:
            if raw is None:
                return None
            raise TypeError(f"cannot decode a value of type {hint}")
        return refuse
    inner = _decoder(options[0])
    return lambda raw: None if raw is None else inner(raw)


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, f.default is dataclasses.MISSING and
               f.default_factory is dataclasses.MISSING) for f in dataclasses.fields(cls)]
    decoders = {name: _decoder(hints[name]) for name, _ in fields}

    def decode(raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise TypeError(f"{cls.__name__}: expected an object, found {type(raw).__name__}")
        values = {}
        for name, required in fields:
            if name in raw:
                values[name] = decoders[name](raw[name])
            elif required:
                raise KeyError(f"{cls.__name__}.{name}")
        return cls(**values)
    return decode


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
