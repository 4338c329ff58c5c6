"""Workspace settings (``visitplanner.toml``): one spec table, loading and validation.

Like Radicale's ``radicale/config.py`` and khal's ``khal.spec``, :data:`SPEC` is the
single description of every section and key: its converter, its default and its help
text.  The same table validates a file, supplies the defaults and generates the
reference in ``docs/workspace.md`` (:func:`settings_reference_markdown`), so the three
cannot drift apart.

The settings never hold credentials: a ``password`` key, or ``user:password@`` in any
address (``url``, ``calendar_url_template``, ``calendars``), is refused with a message
pointing to ``username_env`` / ``password_env`` / ``password_command``.  No problem with
a key that may hold a secret (an address, a variable's name, a command) repeats its value.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from visitplanner.core.workdays import REGIONS
from visitplanner.errors import InputError, Problem

SETTINGS_FILE = "visitplanner.toml"
#: The longest plan the settings may ask for (``plan --weeks`` has the same bound).
MAX_WEEKS = 52
#: The most calendars `sync` works on at once ([caldav] concurrency).
MAX_SYNC_CONCURRENCY = 16


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A named part of the day, ``start`` to ``end`` (start inclusive, end exclusive)."""

    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    policy: str
    team_name: str
    privacy: str
    holiday_region: str
    closures: frozenset[date]
    records_from: date | None = None


@dataclass(frozen=True, slots=True)
class PlanningSettings:
    weeks: int
    seed: int
    pin_working_days: int
    visit_minutes: int
    travel_minutes: int
    day_start: time
    day_end: time
    time_windows: tuple[TimeWindow, ...]


@dataclass(frozen=True, slots=True)
class PublishSettings:
    """``out`` is as written: relative paths are relative to the workspace folder."""

    out: Path
    alarms_minutes: tuple[int, ...]
    cancelled_keep_days: int


@dataclass(frozen=True, slots=True)
class CaldavSettings:
    """Where and how to sync.  Credentials are *named* here, never stored.

    ``password_command``, when set, is used instead of ``password_env``.
    ``calendars`` gives explicit calendar URLs (calendar id -> URL) for servers
    that cannot create calendars (Google); others follow the template.
    ``concurrency``: calendars synced at once.  ``on_worker_delete``: what sync does
    with a visit a worker deleted that the plan still has (``recreate``, ``withdraw``).
    """

    url: str
    calendar_url_template: str
    username_env: str
    password_env: str
    password_command: str | None
    conflict: str
    calendars: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 4
    on_worker_delete: str = "recreate"


@dataclass(frozen=True, slots=True)
class DeskSettings:
    """The manager's desk.  ``database_url`` None: the workspace's SQLite file.  A URL
    with a password is refused here: it comes from ``database_url_env`` instead."""

    database_url: str | None = None
    database_url_env: str = "VISITPLANNER_DESK_DATABASE_URL"
    at_risk_working_days: int = 5


@dataclass(frozen=True, slots=True)
class Settings:
    workspace: WorkspaceSettings
    planning: PlanningSettings
    publish: PublishSettings
    caldav: CaldavSettings | None = None
    desk: DeskSettings = field(default_factory=DeskSettings)


# --------------------------------------------------------------------------- converters


class SettingValueError(ValueError):
    """A raw TOML value a converter refused: what is wrong and how to fix it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


Converter = Callable[[Any], Any]


def _literal(value: Any) -> str:
    """``value`` written as TOML, for messages and the generated reference."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_literal(v)}" for k, v in value.items()) + " }"
    return str(value)


#: Line breaks, tabs and other control characters: no setting's text may hold one.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(choices: tuple[str, ...] = (), required: bool = False,
          echo: bool = True) -> Callable[[Any], str]:
    """Text on one line; ``echo=False`` for keys whose value may be a secret (never repeated)."""
    def convert(raw: Any) -> str:
        if not isinstance(raw, str):
            shown = f"{_literal(raw)} is" if echo else "is"
            raise SettingValueError(f"{shown} not text", "write it in double quotes")
        if _CONTROL.search(raw):  # would break calendar output; the value is not repeated
            raise SettingValueError("holds a line break or another control character",
                                    "write it on one line, without control characters")
        if required and not raw.strip():
            raise SettingValueError("it is empty", "give a value")
        if choices and raw not in choices:
            raise SettingValueError(
                f"{_literal(raw)} is not one of {', '.join(choices)}", _suggest(raw, choices)
            )
        return raw

    return convert


def _region(raw: Any) -> str:
    """A bank-holiday region, or "" for the policy's own."""
    return "" if raw == "" else _text(REGIONS)(raw)


def _integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def convert(raw: Any) -> int:
        # bool is an int subclass in Python; TOML `true` must not pass as 1.
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise SettingValueError(
                f"{_literal(raw)} is not a whole number", "write a number without quotes, e.g. 3"
            )
        if minimum is not None and raw < minimum:
            raise SettingValueError(
                f"{raw} is less than {minimum}", f"use a whole number of at least {minimum}"
            )
        if maximum is not None and raw > maximum:
            raise SettingValueError(
                f"{raw} is more than {maximum}",
                f"use a whole number from {minimum if minimum is not None else 0} to {maximum}",
            )
        return raw

    return convert


_CLOCK_FIX = 'write it as "HH:MM" (24 hour), e.g. "09:30"'


def _clock_time(raw: Any) -> time:
    """A time of day in whole minutes: ``"09:30"`` (or a TOML time such as ``09:30:00``)."""
    if isinstance(raw, datetime):
        raise SettingValueError(f"{raw.isoformat()} is a date and time, not a time of day",
                                'write only the time, as "HH:MM" (24 hour), e.g. "09:30"')
    if isinstance(raw, time):
        if raw.second or raw.microsecond:
            raise SettingValueError(f"{raw.isoformat()} has seconds", _CLOCK_FIX)
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\d{1,2}:\d{2}", raw.strip()):
        hours, minutes = (int(part) for part in raw.strip().split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise SettingValueError(f"{_literal(raw)} is not a time of day", _CLOCK_FIX)


def _date(raw: Any) -> date:
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise SettingValueError(
        f"{_literal(raw) if not isinstance(raw, date) else raw} is not a date",
        'write the date as "YYYY-MM-DD", e.g. "2026-12-29"',
    )


def _list_of(item: Converter, what: str) -> Callable[[Any], list[Any]]:
    def convert(raw: Any) -> list[Any]:
        if not isinstance(raw, list):
            raise SettingValueError(
                f"{_literal(raw)} is not a list", f"write a list of {what}: [ ... ]"
            )
        return [item(element) for element in raw]

    return convert


def _optional_date(raw: Any) -> date | None:
    return None if raw is None else _date(raw)


def _closures(raw: Any) -> frozenset[date]:
    return frozenset(_list_of(_date, '"YYYY-MM-DD" dates')(raw))


def _alarms(raw: Any) -> tuple[int, ...]:
    return tuple(_list_of(_integer(minimum=0), "minutes before the visit")(raw))


def _time_window(raw: Any) -> TimeWindow:
    fix = 'write { name = "after_school", start = "15:30", end = "18:00" }'
    if not isinstance(raw, dict) or set(raw) != {"name", "start", "end"}:
        raise SettingValueError(f"{_literal(raw)} is not a time window", fix)
    window = TimeWindow(
        _text(required=True)(raw["name"]), _clock_time(raw["start"]), _clock_time(raw["end"])
    )
    if window.end <= window.start:
        raise SettingValueError(
            f"window {window.name!r} ends before it starts", "make end later than start"
        )
    return window


def _time_windows(raw: Any) -> tuple[TimeWindow, ...]:
    windows = tuple(_list_of(_time_window, "time windows")(raw))
    names = [w.name for w in windows]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SettingValueError(
            f"window name(s) {', '.join(repeated)} used twice", "give each window its own name"
        )
    return windows


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
#: Text of a key whose value may be a secret (an address, a variable's name, a command): a
#: problem with it never repeats the value.
_quiet_text = _text(required=True, echo=False)
#: What the template's ``{url}`` stands for while its own addresses are checked.
_URL_STAND_IN = "https://caldav.invalid/"
_NO_CREDENTIALS_FIX = (
    "remove user:password@ from the address and change the password if it was real; sync "
    "reads the user name from the environment variable named by username_env and the "
    "password from the one named by password_env, or from password_command")


def _calendar_urls(raw: Any) -> dict[str, str]:
    """Explicit calendar addresses; a problem names the entry, never its address."""
    if not isinstance(raw, dict):
        raise SettingValueError("is not a table", 'write it as { "worker-id" = "https://..." }')
    urls = {}
    for key, value in raw.items():
        try:
            urls[str(key)] = _server_url(value)
        except SettingValueError as exc:
            raise SettingValueError(f"entry {_literal(str(key))} {exc.what}", exc.fix) from None
    return urls


def _server_url(raw: Any) -> str:
    """An https:// address (plain http only on this machine) with no user name or password.

    Safeguarding data travels only over TLS; plain http is allowed for a server on
    this machine (tests, a local Radicale behind a TLS proxy).  The address is never
    repeated in a problem: it may hold a password.
    """
    url = _quiet_text(raw)
    _check_address(url)
    return url


def _check_address(url: str) -> None:
    """Raise unless ``url`` is a web address sync may use (see :func:`_server_url`)."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address, a port that is not a number
        raise SettingValueError("is not a web address",
                                'write the server\'s address, e.g. "https://dav.example.org/"'
                                ) from None
    if "@" in parts.netloc:
        raise SettingValueError("holds a user name or password (user:password@)",
                                _NO_CREDENTIALS_FIX)
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in _LOOPBACK:
        return
    what = ("is a plain http:// address of another machine" if parts.scheme == "http"
            else "is not an https:// address")
    raise SettingValueError(what, "use the server's https:// address (plain http only for "
                                  "localhost)")


def _url_template(raw: Any) -> str:
    """``{url}`` and ``{calendar}`` placed in an address that obeys :func:`_server_url`'s rules."""
    template = _quiet_text(raw)
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise SettingValueError(f"cannot be read: {exc}", "balance the { } braces") from None
    if "calendar" not in fields or not fields <= {"url", "calendar"}:
        unknown = ", ".join(f"{{{name}}}" for name in sorted(fields - {"url", "calendar"}))
        raise SettingValueError(
            "must use {calendar} and no placeholder but {url}"
            + (f" (it uses {unknown})" if unknown else ""),
            'write e.g. "{url}{calendar}/"',
        )
    try:
        example = template.format(url=_URL_STAND_IN, calendar="calendar")
    except (ValueError, TypeError) as exc:  # a format spec such as {calendar:d}
        raise SettingValueError(f"cannot be filled in: {exc}",
                                'write the placeholders bare, e.g. "{url}{calendar}/"') from None
    _check_address(example)
    return template


def _env_name(example: str) -> Callable[[Any], str]:
    """The name of an environment variable; a value that is not one may be the secret itself."""
    def convert(raw: Any) -> str:
        name = _quiet_text(raw)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SettingValueError(
                "is not an environment variable name (not shown: it may be a secret)",
                f"give the name of the variable that holds the value, e.g. {_literal(example)}, "
                "and change the password if it was written here",
            )
        return name

    return convert


def _optional_command(raw: Any) -> str | None:
    return None if raw is None else _quiet_text(raw)


def _database_url(raw: Any) -> str | None:
    """An SQLAlchemy URL with no password in it (secrets never live in the workspace)."""
    if raw is None:
        return None
    url = _quiet_text(raw)
    netloc = url.partition("://")[2].partition("/")[0]
    if ":" in netloc.partition("@")[0] and "@" in netloc:
        raise SettingValueError(
            "the address carries a password",
            "remove it: put the whole URL in the environment variable named by "
            "database_url_env, or use PGPASSWORD or ~/.pgpass")
    return url


def _folder_inside(raw: Any) -> Path:
    """A folder relative to the workspace that stays inside it: no absolute path, no ``..``.

    The settings travel with the workspace; only the command line (``--out``) may
    send output elsewhere.
    """
    path = Path(_text(required=True)(raw))
    if path.is_absolute() or ".." in path.parts:
        raise SettingValueError(
            f"{_literal(raw)} is outside the workspace",
            'give a folder inside the workspace, e.g. "calendars"; to write elsewhere, '
            "give --out on the command line",
        )
    return path


# --------------------------------------------------------------------------- the spec


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of an option that must be given.
REQUIRED: Any = _Required()


@dataclass(frozen=True, slots=True)
class Option:
    """One key: its converter, type (for the docs), TOML default and help text.

    ``default`` is the raw TOML value, run through ``convert`` like a value from
    the file, so the documented default is exactly the default used.
    """

    key: str
    convert: Converter
    type: str
    default: Any
    help: str


@dataclass(frozen=True, slots=True)
class Section:
    """A table of the file.  An ``optional`` section absent from the file is None."""

    name: str
    options: tuple[Option, ...]
    help: str
    optional: bool = False


SPEC: tuple[Section, ...] = (
    Section("workspace", (
        Option("policy", _text(required=True), "text", REQUIRED,
               "A bundled policy by name (`camden`, `walsall`: the files in `config/`), or a "
               "path to a policy file relative to the workspace (`local.toml`, `./camden`)."),
        Option("team_name", _text(), "text", "",
               "Free text shown in team calendars."),
        Option("privacy", _text(("minimal", "standard", "full")), "`minimal`, `standard` or `full`",
               "minimal", "How much calendars show about a child (see the README)."),
        Option("holiday_region", _region, ", ".join(f"`{r}`" for r in REGIONS), "",
               "Part of the UK whose bank holidays are not working days; `ENG` covers "
               "England and Wales; `none`: bank holidays are working days (only weekends and "
               "closures are off). Empty: the policy's `holiday_region`, else `ENG`."),
        Option("closures", _closures, "list of dates", [],
               "Days the authority is closed (not working days), e.g. 29 to 31 December."),
        Option("records_from", _optional_date, "date", None,
               "The day from which visits.csv holds every visit (the export's start): a "
               "deadline is never counted from before it, so a plan that began earlier is "
               "not reported as overdue for visits the export does not hold."),
    ), "What the workspace is and whose rules it follows."),
    Section("planning", (
        Option("weeks", _integer(1, MAX_WEEKS), f"whole number 1 to {MAX_WEEKS}", 6,
               "Default plan horizon in weeks."),
        Option("seed", _integer(), "whole number", 1,
               "Default seed for placing unannounced visits (same seed, same plan)."),
        Option("pin_working_days", _integer(0), "whole number ≥ 0", 5,
               "Planned visits this many working days ahead or nearer are kept unless "
               "they must move."),
        Option("visit_minutes", _integer(1), "whole number ≥ 1", 60, "Length of a visit."),
        Option("travel_minutes", _integer(0), "whole number ≥ 0", 30,
               "Travel time allowed between two visits."),
        Option("day_start", _clock_time, '"HH:MM"', "09:00", "Earliest start of a planned visit."),
        Option("day_end", _clock_time, '"HH:MM"', "17:00", "Latest end of a planned visit."),
        Option("time_windows", _time_windows, "list of `{ name, start, end }`", [
            {"name": "early_morning", "start": "08:00", "end": "09:30"},
            {"name": "school_hours", "start": "10:00", "end": "14:30"},
            {"name": "after_school", "start": "15:30", "end": "18:00"},
        ], "Named windows that unannounced visits rotate through, where the policy allows."),
    ), "How plans are made."),
    Section("publish", (
        Option("out", _folder_inside, "path inside the workspace", "calendars",
               "Folder for the ICS files, relative to the workspace; an absolute path or `..` "
               "is refused (`publish --out` may name any folder)."),
        Option("alarms_minutes", _alarms, "list of whole numbers ≥ 0", [1440, 60],
               "Reminders, in minutes before each visit."),
        Option("cancelled_keep_days", _integer(0), "whole number ≥ 0", 28,
               "Days a cancelled visit stays in calendars (marked cancelled)."),
    ), "How calendars are written."),
    Section("caldav", (
        Option("url", _server_url, "https:// address", REQUIRED,
               "The CalDAV server (plain `http://` only for localhost). No `user:password@`: "
               "the login comes from the environment (`username_env`, `password_env`) or "
               "`password_command`."),
        Option("calendar_url_template", _url_template, "text with `{url}`, `{calendar}`",
               "{url}{calendar}/",
               "Each calendar's address; `{calendar}` is a worker id or `team-<team>`. "
               "An address written out in it follows the rules of `url`."),
        Option("username_env", _env_name("VISITPLANNER_CALDAV_USERNAME"),
               "environment variable name", "VISITPLANNER_CALDAV_USERNAME",
               "Environment variable holding the user name."),
        Option("password_env", _env_name("VISITPLANNER_CALDAV_PASSWORD"),
               "environment variable name", "VISITPLANNER_CALDAV_PASSWORD",
               "Environment variable holding the password."),
        Option("password_command", _optional_command, "command", None,
               "A command printing the password (e.g. `pass show caldav/visitplanner`); "
               "when set it is used instead of `password_env`."),
        Option("calendars", _calendar_urls, "table: calendar id = https:// address", {},
               "Explicit calendar addresses, for servers that cannot create calendars "
               "(e.g. Google): `{ \"sw.osei\" = \"https://...\" }`, each following the rules "
               "of `url`. Others use the template."),
        Option("conflict", _text(("keep_worker_edit", "overwrite")),
               "`keep_worker_edit` or `overwrite`", "keep_worker_edit",
               "What sync does when a worker has edited a visit in their calendar."),
        Option("on_worker_delete", _text(("recreate", "withdraw")), "`recreate` or `withdraw`",
               "recreate", "What sync does, once, with a visit a worker deleted from their "
               "calendar that the plan still has: `recreate` puts it back (SEQUENCE raised, "
               "a note first in its description) and names it in that sync's summary; "
               "`withdraw` leaves it deleted and lists it in `visitplanner conflicts` as "
               "needing reallocating until the plan moves it to another calendar or cancels "
               "it. See docs/sync.md."),
        Option("concurrency", _integer(1, MAX_SYNC_CONCURRENCY), "whole number from 1 to 16",
               4, "Calendars synced at once, each over a kept-alive connection; 1 syncs them "
               "one after another. More than 4 rarely helps and loads the server."),
    ), "Sync to a CalDAV server. Leave the section out to publish ICS files only.",
        optional=True),
    Section("desk", (
        Option("database_url", _database_url, "SQLAlchemy database URL without a password",
               None, "Where decisions and desk accounts are kept: `postgresql+psycopg://"
               "desk@db.example.org/visitplanner` for a shared desk. Default: the SQLite file "
               "`.visitplanner/desk.sqlite` in the workspace. The password comes from "
               "`database_url_env` or PostgreSQL's own `PGPASSWORD` / `~/.pgpass`."),
        Option("database_url_env", _env_name("VISITPLANNER_DESK_DATABASE_URL"),
               "environment variable name", "VISITPLANNER_DESK_DATABASE_URL",
               "Environment variable holding a full database URL (it may carry the password); "
               "when set it is used instead of `database_url`."),
        Option("at_risk_working_days", _integer(1, 60), "whole number 1 to 60", 5,
               "The board lists every child whose next deadline falls within this many working "
               "days."),
    ), "The manager's desk (`visitplanner desk`).", optional=True),
)

_SECTIONS: Mapping[str, Section] = {section.name: section for section in SPEC}

# Keys that would put a secret into the file.  Matched by substring so that
# `caldav_password` or `api_token` are caught too.
_CREDENTIAL_WORDS = ("password", "passwd", "secret", "token")


# --------------------------------------------------------------------------- loading


def load_settings(path: Path) -> Settings:
    """Read, validate and complete ``path`` (a ``visitplanner.toml``).

    Raises InputError listing every problem, each located as
    ``"visitplanner.toml, key planning.visit_minutes"`` (or line and column for
    malformed TOML).
    """
    data, problems = _read_toml(path)
    if data is None:
        raise InputError(f"settings {path} cannot be read", problems)
    settings, problems = parse_settings(data, path.name)
    if settings is None:
        raise InputError(f"settings {path} have problems", problems)
    return settings


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(name, f"not found in {path.parent}",
                              f"create {name}; only [workspace] policy is required")]
    except OSError as exc:
        return None, [Problem(name, f"cannot be read: {exc.strerror}",
                              "check the file's permissions")]
    try:
        return tomllib.loads(raw.decode("utf-8-sig")), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(f"{name}, line {line}",
                              f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                              f"{exc.start} cannot be read)", "save the file as UTF-8")]
    except tomllib.TOMLDecodeError as exc:
        return None, [_toml_syntax_problem(name, str(exc))]


def _toml_syntax_problem(name: str, message: str) -> Problem:
    # tomllib ends its message with "(at line L, column C)"; move that into `where`.
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match is None:
        return Problem(name, f"is not valid TOML: {message}", "see https://toml.io for the syntax")
    where = f"{name}, line {match[1]}, column {match[2]}"
    what = f"not valid TOML: {message[: match.start()]}"
    return Problem(where, what, 'check quotes, brackets and "key = value" on this line')


def parse_settings(data: Mapping[str, Any], file_name: str = SETTINGS_FILE
                   ) -> tuple[Settings | None, list[Problem]]:
    """Validate parsed TOML ``data``: the Settings, or None and every problem."""
    problems = _unknown_section_problems(data, file_name)
    values: dict[str, dict[str, Any] | None] = {}
    for section in SPEC:
        values[section.name] = _section_values(section, data.get(section.name), file_name, problems)
    if problems:
        return None, problems
    settings = _build(values)
    problems = _cross_checks(settings, file_name)
    return (None, problems) if problems else (settings, [])


def _unknown_section_problems(data: Mapping[str, Any], file_name: str) -> list[Problem]:
    problems = []
    for name in data:
        if name in _SECTIONS:
            continue
        if _is_credential(name):
            problems.append(_credential_problem(f"{file_name}, key {name}"))
            continue
        problems.append(Problem(f"{file_name}, section [{name}]", "unknown section",
                                _suggest(name, tuple(_SECTIONS))))
    return problems


def _section_values(section: Section, table: Any, file_name: str, problems: list[Problem]
                    ) -> dict[str, Any] | None:
    if table is None and section.optional:
        return None
    if table is None:
        table = {}
    if not isinstance(table, dict):
        problems.append(Problem(f"{file_name}, key {section.name}", "is not a section",
                                f"write [{section.name}] on a line of its own, then its keys"))
        return None
    problems.extend(_unknown_key_problems(section, table, file_name))
    return {option.key: _option_value(section, option, table, file_name, problems)
            for option in section.options}


def _unknown_key_problems(section: Section, table: Mapping[str, Any], file_name: str
                          ) -> list[Problem]:
    known = tuple(option.key for option in section.options)
    problems = []
    for key in table:
        where = f"{file_name}, key {section.name}.{key}"
        if key in known:
            continue
        if _is_credential(key):
            problems.append(_credential_problem(where))
        else:
            problems.append(Problem(where, "unknown key", _suggest(key, known)))
    return problems


def _option_value(section: Section, option: Option, table: Mapping[str, Any], file_name: str,
                  problems: list[Problem]) -> Any:
    where = f"{file_name}, key {section.name}.{option.key}"
    raw = table.get(option.key, option.default)
    if raw is REQUIRED:
        problems.append(Problem(where, "is required",
                                f"add {option.key} = ... under [{section.name}]"))
        return None
    try:
        return option.convert(raw)
    except SettingValueError as exc:
        problems.append(Problem(where, exc.what, exc.fix))
        return None


def _build(values: Mapping[str, dict[str, Any] | None]) -> Settings:
    caldav, desk = values["caldav"], values.get("desk")
    return Settings(
        workspace=WorkspaceSettings(**(values["workspace"] or {})),
        planning=PlanningSettings(**(values["planning"] or {})),
        publish=PublishSettings(**(values["publish"] or {})),
        caldav=CaldavSettings(**caldav) if caldav is not None else None,
        desk=DeskSettings(**desk) if desk is not None else DeskSettings(),
    )


def _cross_checks(settings: Settings, file_name: str) -> list[Problem]:
    planning = settings.planning
    if planning.day_end <= planning.day_start:
        end, start = f"{planning.day_end:%H:%M}", f"{planning.day_start:%H:%M}"
        return [Problem(f"{file_name}, key planning.day_end",
                        f"{end} is not after day_start {start}",
                        "make day_end later than day_start")]
    return []


def _is_credential(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _CREDENTIAL_WORDS) and key not in (
        "password_env", "password_command")


def _credential_problem(where: str) -> Problem:
    # The value is deliberately not shown: it may be a real password.
    return Problem(where, "credentials must not be stored in the settings file",
                   "remove the key (and change the password if it was real); in [caldav] set "
                   "password_env to the name of an environment variable holding it, or "
                   "password_command to a command that prints it")


def _suggest(raw: str, choices: tuple[str, ...]) -> str:
    """A fix naming the closest choice (difflib), or listing them all."""
    close = difflib.get_close_matches(raw, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    return f"use one of: {', '.join(choices)}"


# --------------------------------------------------------------------------- docs


def settings_reference_markdown() -> str:
    """The settings reference, generated from :data:`SPEC` (pasted into docs/workspace.md)."""
    lines: list[str] = []
    for section in SPEC:
        note = " (optional section)" if section.optional else ""
        lines += [f"### [{section.name}]{note}", "", section.help, "",
                  "| key | type | default | meaning |", "|---|---|---|---|"]
        for option in section.options:
            lines.append(f"| `{option.key}` | {option.type} | {_default_markdown(option.default)} "
                         f"| {option.help} |")
        lines.append("")
    return "\n".join(lines)


def _default_markdown(default: Any) -> str:
    if default is REQUIRED:
        return "**required**"
    if default is None:
        return "not set"
    return "`" + _literal(default).replace("|", "\\|") + "`"
