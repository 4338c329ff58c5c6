"""Where each calendar syncs to: the URL template, or an explicit URL (servers like Google)."""

from __future__ import annotations

import tomllib

from visitplanner.cli.sync import calendar_url
from visitplanner.inputs.settings import parse_settings

SETTINGS = """
[workspace]
policy = "camden"

[caldav]
url = "https://caldav.example.org/"
calendar_url_template = "{url}dav/{calendar}/"
calendars = { "sw.osei" = "https://calendar.example.com/dav/abc123/events/" }
"""


def test_an_explicit_calendar_url_wins_over_the_template() -> None:
    settings, problems = parse_settings(tomllib.loads(SETTINGS))
    assert problems == [] and settings is not None and settings.caldav is not None
    assert calendar_url(settings.caldav, "sw.osei") == \
        "https://calendar.example.com/dav/abc123/events/"
    assert calendar_url(settings.caldav, "team-west") == \
        "https://caldav.example.org/dav/team-west/"


def test_an_explicit_calendar_url_must_use_tls() -> None:
    insecure = SETTINGS.replace("https://calendar.example.com", "http://calendar.example.com")
    settings, problems = parse_settings(tomllib.loads(insecure))
    assert settings is None
    assert [p.render() for p in problems] == [
        'visitplanner.toml, key caldav.calendars: entry "sw.osei" is a plain http:// address of '
        "another machine (fix: use the server's https:// address (plain http only "
        "for localhost))"]
