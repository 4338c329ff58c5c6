"""No credential is taken from the workspace, and no problem repeats a secret (issue 10).

The login comes from the environment (``username_env``, ``password_env``) or from
``password_command``; an address holding ``user:password@``, or a password written where a
variable's name belongs, is refused, naming the key and never the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from visitplanner.errors import InputError, Problem
from visitplanner.inputs.settings import load_settings, parse_settings
from visitplanner.publish.caldav_storage import CaldavStorage
from visitplanner.publish.storage import StorageError

SECRET = "Hunter2-s3cret"
SERVER = "https://dav.example.org/"


def caldav_problems(**caldav: Any) -> list[Problem]:
    settings, problems = parse_settings(
        {"workspace": {"policy": "camden"}, "caldav": {"url": SERVER, **caldav}})
    assert (settings is None) == bool(problems)
    return problems


def rendered(problems: list[Problem]) -> str:
    return "\n".join(problem.render() for problem in problems)


@pytest.mark.parametrize("key, value", [
    ("url", f"https://alice:{SECRET}@dav.example.org/"),
    ("url", f"http://alice:{SECRET}@127.0.0.1:5232/"),
    ("url", f"https://{SECRET}@dav.example.org/"),
    ("calendar_url_template", f"https://alice:{SECRET}@dav.example.org/{{calendar}}/"),
    ("calendars", {"w-0012": f"https://alice:{SECRET}@calendar.example.com/events/"}),
])
def test_a_login_in_any_address_is_refused_without_repeating_it(key: str, value: Any) -> None:
    problems = caldav_problems(**{key: value})
    assert [p.where for p in problems] == [f"visitplanner.toml, key caldav.{key}"]
    assert "user name or password" in problems[0].what
    assert "username_env" in problems[0].fix and "password_env" in problems[0].fix
    assert "password_command" in problems[0].fix
    assert SECRET not in rendered(problems) and "alice" not in rendered(problems)


def test_a_problem_with_a_calendars_entry_names_the_entry_not_its_address() -> None:
    problems = caldav_problems(calendars={"w-0012": f"http://calendar.example.com/{SECRET}/"})
    assert rendered(problems) == (
        'visitplanner.toml, key caldav.calendars: entry "w-0012" is a plain http:// address '
        "of another machine (fix: use the server's https:// address (plain http only for "
        "localhost))")


@pytest.mark.parametrize("value", [
    f"http://dav.example.org/{SECRET}/",
    f"ftp://dav.example.org/{SECRET}/",
    SECRET,
    f"http://[::1{SECRET}",
    f"https://dav.example.org:{SECRET}/",
])
def test_a_refused_url_is_not_repeated(value: str) -> None:
    problems = caldav_problems(url=value)
    assert [p.where for p in problems] == ["visitplanner.toml, key caldav.url"]
    assert SECRET not in rendered(problems)


@pytest.mark.parametrize("key", ["password_env", "username_env"])
@pytest.mark.parametrize("value", [SECRET + " !", f"{SECRET}#", 12345678])
def test_a_secret_written_where_a_variable_name_belongs_is_not_repeated(
        key: str, value: Any) -> None:
    problems = caldav_problems(**{key: value})
    assert [p.where for p in problems] == [f"visitplanner.toml, key caldav.{key}"]
    assert SECRET not in rendered(problems) and "12345678" not in rendered(problems)


def test_a_password_command_that_is_not_text_is_not_repeated() -> None:
    problems = caldav_problems(password_command=12345678)
    assert [p.where for p in problems] == ["visitplanner.toml, key caldav.password_command"]
    assert "12345678" not in rendered(problems)


@pytest.mark.parametrize("template, accepted", [
    ("{url}{calendar}/", True),
    ("{url}dav/{calendar}/", True),
    ("https://other.example.org/{calendar}/", True),
    ("http://127.0.0.1:5232/{calendar}/", True),
    ("http://localhost:5232/{calendar}/", True),
    ("http://other.example.org/{calendar}/", False),
    ("x{url}{calendar}/", False),
])
def test_the_calendar_url_template_obeys_the_https_rule_of_url(
        template: str, accepted: bool) -> None:
    problems = caldav_problems(calendar_url_template=template)
    assert (problems == []) is accepted
    if not accepted:
        where = "visitplanner.toml, key caldav.calendar_url_template"
        assert [p.where for p in problems] == [where]


def test_a_template_placeholder_that_cannot_be_filled_in_is_a_problem_not_a_crash() -> None:
    problems = caldav_problems(calendar_url_template="{url}{calendar:d}/")
    assert [p.where for p in problems] == ["visitplanner.toml, key caldav.calendar_url_template"]


def test_a_settings_file_with_a_login_in_the_url_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "visitplanner.toml"
    path.write_text(f'[workspace]\npolicy = "camden"\n\n[caldav]\n'
                    f'url = "https://sw.osei:{SECRET}@dav.example.org/"\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_settings(path)
    assert [p.where for p in raised.value.problems] == ["visitplanner.toml, key caldav.url"]
    assert SECRET not in raised.value.render()


def test_the_caldav_storage_never_logs_in_with_an_address_login() -> None:
    with pytest.raises(StorageError) as raised:
        CaldavStorage.connect(f"https://alice:{SECRET}@dav.example.org/cal/", "w-0012")
    assert "user name or password" in str(raised.value)
    assert SECRET not in str(raised.value) and "alice" not in str(raised.value)
