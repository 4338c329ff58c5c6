"""Tiny builders of sync test documents: one VEVENT plus its VTIMEZONE, as the ICS side makes.

Synthetic content only (no names).  UIDs look like the real ones: ``v-0001abcd@visitplanner``.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import icalendar

from visitplanner.model import LONDON

BASE = datetime(2030, 3, 4, 10, 0, tzinfo=LONDON)


def uid(number: int) -> str:
    return f"v-{number:04d}abcd@visitplanner"


@functools.cache
def document(number: int, version: int = 0, shift_hours: int = 0) -> bytes:
    """Visit ``number`` in plan ``version`` (a new version changes the text, not the time)."""
    start = BASE + timedelta(days=number % 20, hours=shift_hours)
    return event_bytes(uid(number), start, f"Home visit CASE-{number:04d} (plan {version})")


def event_bytes(event_uid: str, start: datetime, summary: str, minutes: int = 60) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//visitplanner tests//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", event_uid)
    event.add("dtstamp", datetime(2030, 1, 1, 9, 0, tzinfo=LONDON))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("sequence", 0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def documents(count: int, version: int = 0) -> dict[str, bytes]:
    return {uid(n): document(n, version) for n in range(count)}
