"""The kept plan: a :class:`~visitplanner.core.model.Schedule` as JSON, and back.

``visitplanner plan`` keeps its schedule in ``.visitplanner/plan.json`` so that
``publish`` and ``sync`` work from the plan the user reviewed;
``visitplanner plan --json`` prints the same JSON.  The format is documented
field by field in ``docs/plan-json.md``.

The JSON is deterministic: keys sorted, lists in the schedule's own order,
dates as ISO ``YYYY-MM-DD``, instants as RFC 3339 date-times with the UTC offset
in force in London (``2026-03-30T10:00:00+01:00``; ``Z`` when it is zero, in GMT).
The same schedule always gives the same text.

The codec is msgspec's, which reads and writes the dataclasses of
:mod:`visitplanner.core.model` from their type hints (a field added to the model is stored
without a change here), in C: at 5,000 children (77 MB) a plan is read in 0.44 s instead
of 3.50 s with the codec written in Python it replaced, and written in 0.29 s instead of
4.67 s (``bench/bench_planfile.py``, figures in bench/README.md).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import msgspec

from visitplanner.core.collector import collector_paused
from visitplanner.core.model import LONDON, Schedule
from visitplanner.errors import PlanError, Problem
from visitplanner.inputs.fsutil import write_atomic

#: Bumped when the JSON changes incompatibly; a reader refuses other formats.
FORMAT = 1
PLAN_FILE = Path(".visitplanner") / "plan.json"


#: The plan file's fix, whatever is wrong with it.
_PLAN_AGAIN = "run `visitplanner plan` again to rewrite it"


class _Envelope(msgspec.Struct, frozen=True):
    """The plan file's outer object: its format is checked before the schedule is read."""

    format: object = None
    schedule: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"null"))


#: Keys and dataclass fields sorted, sets sorted: the same schedule gives the same bytes.
_ENCODER = msgspec.json.Encoder(order="sorted")
_ENVELOPE = msgspec.json.Decoder(_Envelope)
_SCHEDULE = msgspec.json.Decoder(Schedule)


def schedule_to_json(schedule: Schedule) -> str:
    """The schedule as deterministic JSON text (ends with a newline)."""
    return schedule_json_bytes(schedule).decode("utf-8")


def schedule_json_bytes(schedule: Schedule) -> bytes:
    """:func:`schedule_to_json` as UTF-8 bytes: indented two spaces, one value per line."""
    for _, name, instant in _instants(schedule, Schedule):
        if instant.tzinfo is None:
            raise ValueError(f"naive datetime {instant!r} in {name}: the model keeps aware "
                             "datetimes only")
    compact = _ENCODER.encode({"format": FORMAT, "schedule": schedule})
    return msgspec.json.format(compact, indent=2) + b"\n"


def schedule_from_json(text: str | bytes, where: str = "plan.json") -> Schedule:
    """Read a schedule written by :func:`schedule_to_json`.

    Raises :class:`PlanError` (naming ``where``) when the text is not such a
    schedule, with a fix telling the user to plan again.
    """
    try:
        envelope = _ENVELOPE.decode(text)
    except msgspec.DecodeError as error:
        raise _unreadable(where, f"not JSON: {error}") from error
    except msgspec.ValidationError as error:
        raise _unreadable(where, f"not a plan: {error}") from error
    if envelope.format != FORMAT:
        raise _unreadable(where, f"plan format {envelope.format!r}, expected {FORMAT}")
    try:
        # A plan is a million small values and no cycles: the collector's passes over them
        # cost more than reading them (5,000 children: 1.2 s -> 0.5 s).
        with collector_paused():
            schedule = _SCHEDULE.decode(envelope.schedule)
            _to_london(schedule)
    except (msgspec.ValidationError, ValueError) as error:
        raise _unreadable(where, f"not a plan: {error}") from error
    return schedule


def _unreadable(where: str, what: str) -> PlanError:
    return PlanError("The kept plan cannot be read", [Problem(where, what, _PLAN_AGAIN)])


def _to_london(schedule: Schedule) -> None:
    """Turn the instants just read into Europe/London times, whatever offset the text
    carried (msgspec reads them with a fixed offset; a London time knows its clock
    changes).  The values were made by the decoder a moment ago and are seen by no one
    else yet, so they are set in place rather than copied."""
    for holder, name, instant in _instants(schedule, Schedule):
        if instant.tzinfo is None:
            raise ValueError(f"date-time {instant.isoformat()!r} has no UTC offset")
        object.__setattr__(holder, name, instant.astimezone(LONDON))


def _instants(value: Any, cls: type) -> Iterator[tuple[Any, str, datetime]]:
    """(holder, field name, instant) for every date-time field inside ``value`` (of
    dataclass ``cls``), found through the fields that may hold one."""
    own, inner = _instant_fields(cls)
    for name in own:
        instant = getattr(value, name)
        if instant is not None:
            yield value, name, instant
    for name, inner_cls, many in inner:
        held = getattr(value, name)
        for item in (held if many else (held,)):
            if item is not None:
                yield from _instants(item, inner_cls)


@functools.cache
def _instant_fields(cls: type) -> tuple[tuple[str, ...], tuple[tuple[str, type, bool], ...]]:
    """The dataclass's date-time fields, and its fields that hold (one, or a tuple of)
    dataclasses with date-time fields somewhere inside, found once per class."""
    own: list[str] = []
    inner: list[tuple[str, type, bool]] = []
    for name, hint in typing.get_type_hints(cls).items():
        many = typing.get_origin(hint) is tuple
        args = typing.get_args(hint) if many or typing.get_origin(hint) in (
            typing.Union, types.UnionType) else (hint,)
        for arg in args:
            if arg is datetime and not many:
                own.append(name)
            elif dataclasses.is_dataclass(arg) and isinstance(arg, type) and \
                    _holds_instants(arg):
                inner.append((name, arg, many))
    return tuple(own), tuple(inner)


def _holds_instants(cls: type) -> bool:
    own, inner = _instant_fields(cls)
    return bool(own or inner)


def save_schedule(root: Path, schedule: Schedule) -> Path:
    """Keep the schedule in ``root/.visitplanner/plan.json`` (atomically, mode 0600)."""
    path = root / PLAN_FILE
    write_atomic(path, schedule_json_bytes(schedule))
    return path


def load_schedule(root: Path) -> Schedule | None:
    """The kept schedule of the workspace ``root``, or None when none was kept."""
    path = root / PLAN_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return schedule_from_json(data, where=str(PLAN_FILE))


def canonical_json(value: Any) -> bytes:
    """A model value as compact, deterministic JSON (UTF-8), for digests (never read back).

    Dataclasses are objects of all their fields, in name order; sets are sorted, mapping keys
    sorted, enums their values, dates, times and instants ISO text, a ratio's share exact
    ("1/2"): the same value gives the same bytes in any process.  Derived fields (a policy's
    index of its rules) are written too; an input must keep no cache filled as it is used
    (tests/unit/test_partition.py holds that rule).
    """
    return _CANONICAL.encode(value)


def _canonical_extra(value: Any) -> Any:
    """What the digest encoder writes for a type msgspec does not know."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping):  # a read-only view (MappingProxyType)
        return dict(value)
    raise TypeError(f"no canonical JSON for {type(value).__name__}")


_CANONICAL = msgspec.json.Encoder(enc_hook=_canonical_extra, order="sorted")
