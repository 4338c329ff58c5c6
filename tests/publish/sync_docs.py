"""Tiny builders of sync test documents: one VEVENT plus its VTIMEZONE, as the ICS side makes.

Synthetic content only (no names).  UIDs look like the real ones: ``v-0001abcd@visitplanner``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from visitplanner.core.model import LONDON
from visitplanner.inputs.settings import CaldavSettings

BASE = datetime(2030, 3, 4, 10, 0, tzinfo=LONDON)


def uid(number: int) -> str:
    return f"v-{number:04d}abcd@visitplanner"


@functools.cache
def document(number: int, version: int = 0, shift_hours: int = 0) -> bytes:
    """Visit ``number`` in plan ``version`` (a new version changes the text, not the time,
    and raises SEQUENCE, as the ICS side does)."""
    start = BASE + timedelta(days=number % 20, hours=shift_hours)
    summary = f"Home visit CASE-{number:04d} (plan {version})"
    return event_bytes(uid(number), start, summary, sequence=version)


def event_bytes(
    event_uid: str, start: datetime, summary: str, minutes: int = 60, sequence: int = 0
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//visitplanner tests//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", event_uid)
    event.add("dtstamp", datetime(2030, 1, 1, 9, 0, tzinfo=LONDON))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("sequence", sequence)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def documents(count: int, version: int = 0) -> dict[str, bytes]:
    return {uid(n): document(n, version) for n in range(count)}


#: CalDAV settings for tests of credentials and URLs (no server behind them).
LOCAL_CALDAV = CaldavSettings(
    url="http://127.0.0.1:5232/",
    calendar_url_template="{url}{calendar}/",
    username_env="VP_USER",
    password_env="VP_PASSWORD",
    password_command=None,
    conflict="keep_worker_edit",
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"


def planned_camden_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Camden example, planned from 23 Nov 2026 by the real CLI."""
    root = tmp_path_factory.mktemp("ws") / "camden"
    shutil.copytree(EXAMPLE, root)
    command = [sys.executable, "-m", "visitplanner", "-w", str(root), "plan", "--force", "--from",
               "2026-11-23"]
    subprocess.run(command, check=True, capture_output=True)
    return root
