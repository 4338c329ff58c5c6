"""What was published last time, per UID: the memory that keeps calendars stable.

Calendar clients update an event in place when its UID stays the same and its
SEQUENCE rises (RFC 5545 section 3.8.7.4).  To give them that, and to give
byte-identical files when nothing changed, publish remembers for every UID it
has published: a hash of the content, the SEQUENCE, the DTSTAMP to reuse while
the content is unchanged, and, for an item the plan withdrew, the day it was
first published as CANCELLED (it is dropped ``cancelled_keep_days`` later).
It also keeps the few fields needed to publish the CANCELLED copy: kind of
component, calendars, summary, start and end.

Stored as JSON in ``.visitplanner/published.json`` (atomically, mode 0600).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from visitplanner.errors import Problem, PublishError
from visitplanner.fsutil import write_atomic
from visitplanner.model import LONDON

FORMAT = 1
STATE_FILE = Path(".visitplanner") / "published.json"


@dataclass(frozen=True, slots=True)
class PublishedItem:
    """One published component (a VEVENT or VTODO), as last published.

    ``start``/``end`` are aware datetimes (a timed event), dates (an all-day
    event; ``end`` exclusive as in DTEND) or None; for a VTODO ``end`` is its
    DUE date.  ``cancelled_since`` is the day it was first published as
    CANCELLED, None while it is live.  ``document`` is the exact VCALENDAR
    text last published; ``past_since`` is the day the item left the plan
    because its day had passed (it is then published unchanged, not
    cancelled, until dropped).
    """

    uid: str
    component: str  # "VEVENT" | "VTODO"
    content_hash: str
    sequence: int
    stamp: datetime
    calendars: tuple[str, ...]
    summary: str
    start: date | None = None
    end: date | None = None
    cancelled_since: date | None = None
    document: str = ""
    past_since: date | None = None


def _empty() -> Mapping[str, PublishedItem]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PublishState:
    """Every UID published and not yet dropped, by UID."""

    items: Mapping[str, PublishedItem] = field(default_factory=_empty)


def state_to_json(state: PublishState) -> str:
    """Deterministic JSON (sorted keys, items by UID)."""
    items = [_item_to_json(state.items[uid]) for uid in sorted(state.items)]
    return json.dumps({"format": FORMAT, "items": items}, sort_keys=True, indent=2) + "\n"


def state_from_json(text: str, where: str = str(STATE_FILE)) -> PublishState:
    """Read state written by :func:`state_to_json`; PublishError when it is not that."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
        items = [_item_from_json(raw) for raw in document["items"]]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        fix = "delete it: the next publish starts again (clients see every item as changed)"
        raise PublishError(
            "The publish state cannot be read", [Problem(where, str(error), fix)]
        ) from error
    return PublishState(MappingProxyType({item.uid: item for item in items}))


def load_state(root: Path) -> PublishState:
    """The workspace's publish state; empty when nothing was published yet."""
    try:
        text = (root / STATE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return PublishState()
    return state_from_json(text)


def save_state(root: Path, state: PublishState) -> None:
    """Keep ``state`` in ``root/.visitplanner/published.json`` (atomically, mode 0600)."""
    write_atomic(root / STATE_FILE, state_to_json(state).encode("utf-8"))


def _item_to_json(item: PublishedItem) -> dict[str, Any]:
    return {
        "uid": item.uid,
        "component": item.component,
        "content_hash": item.content_hash,
        "sequence": item.sequence,
        "stamp": item.stamp.isoformat(),
        "calendars": list(item.calendars),
        "summary": item.summary,
        "start": _moment_to_json(item.start),
        "end": _moment_to_json(item.end),
        "cancelled_since": _moment_to_json(item.cancelled_since),
        "document": item.document,
        "past_since": _moment_to_json(item.past_since),
    }


def _item_from_json(raw: dict[str, Any]) -> PublishedItem:
    stamp = datetime.fromisoformat(raw["stamp"])
    if stamp.tzinfo is None:
        raise ValueError(f"stamp {raw['stamp']!r} has no UTC offset")
    sequence = raw["sequence"]
    if type(sequence) is not int or sequence < 0:
        raise ValueError(f"sequence {sequence!r} is not a whole number")
    cancelled_since = _moment_from_json(raw.get("cancelled_since"))
    past_since = _moment_from_json(raw.get("past_since"))
    if isinstance(cancelled_since, datetime) or isinstance(past_since, datetime):
        raise ValueError("cancelled_since and past_since must be dates")
    return PublishedItem(
        uid=str(raw["uid"]),
        component=str(raw["component"]),
        content_hash=str(raw["content_hash"]),
        sequence=sequence,
        stamp=stamp,
        calendars=tuple(str(c) for c in raw["calendars"]),
        summary=str(raw["summary"]),
        start=_moment_from_json(raw.get("start")),
        end=_moment_from_json(raw.get("end")),
        cancelled_since=cancelled_since,
        document=str(raw.get("document", "")),
        past_since=past_since,
    )


def _moment_to_json(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment_from_json(raw: str | None) -> date | None:
    """A date (``YYYY-MM-DD``) or an aware datetime (kept in Europe/London)."""
    if raw is None:
        return None
    if "T" not in raw:
        return date.fromisoformat(raw)
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError(f"date-time {raw!r} has no UTC offset")
    return moment.astimezone(LONDON)
