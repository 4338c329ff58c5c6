"""An independent reading of a stored document: what a calendar app would make of it.

A second implementation, so that it can judge the first: its own content-line parser
(RFC 5545 section 3.1) and dateutil's VTIMEZONE reader, which builds the zone from the
VTIMEZONE's own observances -- never from the TZID's name, as icalendar and zoneinfo
would.  Nothing here comes from icalendar or from visitplanner's ICS or sync code.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from dateutil import tz

#: A comma that separates values (not one escaped as ``\,`` inside TEXT).
_LIST_COMMA = re.compile(r"(?<!\\),")


#: One check per line, and the earlier form: a comma-separated list per child.
CHECK_PROPERTIES = ("X-VISITPLANNER-CHECK", "X-VISITPLANNER-CHECKS")


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    params: dict[str, str]
    value: str


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a reader takes from one visit: times as UTC instants, every (child, check)."""

    uid: str
    start: datetime
    end: datetime
    status: str
    checks: tuple[tuple[str, str], ...]
    description: str


def content_lines(data: bytes) -> list[Line]:
    """Unfold (CRLF + space or tab) and split each line into name, parameters, value."""
    text = re.sub(r"\r?\n[ \t]", "", data.decode("utf-8"))
    return [_line(raw) for raw in text.splitlines() if raw]


def _line(raw: str) -> Line:
    head, _, value = raw.partition(":")
    name, *params = head.split(";")
    pairs = dict(param.split("=", 1) for param in params)
    return Line(name.upper(), {k.upper(): v.strip('"') for k, v in pairs.items()}, value)


def served_zone(data: bytes) -> tzinfo:
    """The Europe/London zone as the document's own VTIMEZONE defines it."""
    text = data.decode("utf-8").replace("\r\n", "\n")
    block = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    return tz.tzical(io.StringIO(block)).get()


def meaning(data: bytes) -> Meaning:
    """The first VEVENT's meaning, its local times read through the document's VTIMEZONE."""
    zone = served_zone(data)
    lines = content_lines(data)
    begin = lines.index(Line("BEGIN", {}, "VEVENT"))
    event: list[Line] = []
    for line in lines[begin + 1 :]:
        if (line.name, line.value) == ("END", "VEVENT"):
            break
        event.append(line)
    first = {line.name: line for line in reversed(event)}
    checks = sorted(
        (line.params.get("X-CASE-REF", ""), check)
        for line in event
        if line.name in CHECK_PROPERTIES
        for check in _LIST_COMMA.split(line.value)
    )
    return Meaning(
        uid=first["UID"].value,
        start=_instant(first["DTSTART"], zone),
        end=_instant(first["DTEND"], zone),
        status=first["STATUS"].value if "STATUS" in first else "",
        checks=tuple(checks),
        description=_unescape(first["DESCRIPTION"].value) if "DESCRIPTION" in first else "",
    )


def _instant(line: Line, zone: tzinfo) -> datetime:
    local = datetime.strptime(line.value.rstrip("Z"), "%Y%m%dT%H%M%S")
    if line.value.endswith("Z"):
        return local.replace(tzinfo=UTC)
    assert line.params.get("TZID") == "Europe/London", line
    return local.replace(tzinfo=zone).astimezone(UTC)


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)
