"""visitplanner.toml: one spec validates, supplies defaults and documents the settings."""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from visitplanner.errors import InputError
from visitplanner.inputs.settings import (
    SPEC,
    TimeWindow,
    load_settings,
    parse_settings,
    settings_reference_markdown,
)

DOC = Path(__file__).parents[2] / "docs" / "workspace.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "visitplanner.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_settings(write(tmp_path, text))
    assert caught.value.exit_code == 4
    return [problem.render() for problem in caught.value.problems]


def doc_toml_example() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"```toml\n(.*?)```", text, re.S)
    assert match is not None
    return match[1]


def test_a_file_with_only_the_policy_gets_every_default(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[workspace]\npolicy = "camden"\n'))
    assert settings.workspace.policy == "camden"
    assert settings.workspace.privacy == "minimal"
    assert settings.workspace.holiday_region == ""  # the policy's region, else ENG
    assert settings.workspace.closures == frozenset()
    assert settings.planning.weeks == 6
    assert settings.planning.day_start == time(9, 0)
    assert settings.planning.day_end == time(17, 0)
    assert settings.planning.time_windows[0] == TimeWindow("early_morning", time(8), time(9, 30))
    assert settings.publish.out == Path("calendars")
    assert settings.publish.alarms_minutes == (1440, 60)
    assert settings.publish.cancelled_keep_days == 28
    assert settings.caldav is None


def test_the_documented_example_loads_with_the_values_it_shows(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, doc_toml_example()))
    assert settings.workspace.team_name == "Camden Family Help West"
    assert settings.workspace.closures == {date(2026, 12, 29), date(2026, 12, 30),
                                           date(2026, 12, 31)}
    assert [w.name for w in settings.planning.time_windows] == [
        "early_morning", "school_hours", "after_school"]
    assert settings.caldav is not None
    assert settings.caldav.url == "https://caldav.example.org/"
    assert settings.caldav.password_env == "VISITPLANNER_CALDAV_PASSWORD"
    assert settings.caldav.password_command is None
    assert settings.caldav.conflict == "keep_worker_edit"


def test_every_spec_key_is_in_the_doc_example_and_every_example_key_is_in_the_spec() -> None:
    # Commented-out keys count: the example shows password_command as an alternative.
    example = tomllib.loads(re.sub(r"^# (\w+ =)", r"\1", doc_toml_example(), flags=re.M))
    in_example = {(section, key) for section, table in example.items() for key in table}
    in_spec = {(section.name, option.key) for section in SPEC for option in section.options}
    assert in_example == in_spec


def test_the_doc_settings_reference_is_the_one_generated_from_the_spec() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- settings-reference:start -->\n")[1].split(
        "<!-- settings-reference:end -->")[0]
    assert block == settings_reference_markdown()


def test_an_unknown_key_is_an_error_suggesting_the_closest_key(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[workspace]\npolicy = "camden"\n'
                                     "[planning]\nvisit_minute = 45\n")
    assert problems == ["visitplanner.toml, key planning.visit_minute: unknown key "
                        "(fix: did you mean visit_minutes?)"]


def test_an_unknown_section_is_an_error_suggesting_the_closest_section(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[workspace]\npolicy = "camden"\n[publsh]\nout = "x"\n')
    assert problems == [
        "visitplanner.toml, section [publsh]: unknown section (fix: did you mean publish?)"
    ]


def test_a_password_key_is_refused_and_its_value_never_shown(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[workspace]\npolicy = "camden"\n'
                                     '[caldav]\nurl = "https://dav.example.org/"\n'
                                     'password = "hunter2-secret"\n')
    assert len(problems) == 1
    assert problems[0].startswith("visitplanner.toml, key caldav.password: credentials must not")
    assert "password_env" in problems[0] and "password_command" in problems[0]
    assert "hunter2" not in problems[0]


def test_every_problem_is_reported_at_once_with_its_key(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, """
[workspace]
privacy = "ful"
holiday_region = "England"
closures = ["2026-02-30"]
[planning]
weeks = 0
visit_minutes = "sixty"
seed = true
day_start = "9am"
""")
    assert problems == [
        "visitplanner.toml, key workspace.policy: is required "
        "(fix: add policy = ... under [workspace])",
        'visitplanner.toml, key workspace.privacy: "ful" is not one of minimal, standard, full '
        "(fix: did you mean full?)",
        'visitplanner.toml, key workspace.holiday_region: "England" is not one of ENG, WLS, SCT, '
        "NIR, none (fix: use one of: ENG, WLS, SCT, NIR, none)",
        'visitplanner.toml, key workspace.closures: "2026-02-30" is not a date '
        '(fix: write the date as "YYYY-MM-DD", e.g. "2026-12-29")',
        "visitplanner.toml, key planning.weeks: 0 is less than 1 "
        "(fix: use a whole number of at least 1)",
        "visitplanner.toml, key planning.seed: true is not a whole number "
        "(fix: write a number without quotes, e.g. 3)",
        'visitplanner.toml, key planning.visit_minutes: "sixty" is not a whole number '
        "(fix: write a number without quotes, e.g. 3)",
        'visitplanner.toml, key planning.day_start: "9am" is not a time of day '
        '(fix: write it as "HH:MM" (24 hour), e.g. "09:30")',
    ]


def test_malformed_toml_is_reported_with_line_and_column(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[workspace]\npolicy = "camden\n')
    assert problems == ["visitplanner.toml, line 2, column 17: not valid TOML: Illegal character "
                        "'\\n' (fix: check quotes, brackets and \"key = value\" on this line)"]


def test_a_missing_settings_file_says_what_to_create(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path / "visitplanner.toml")
    assert caught.value.problems[0].where == "visitplanner.toml"
    assert "policy is required" in caught.value.problems[0].fix


def test_day_end_must_be_after_day_start(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[workspace]\npolicy = "p"\n[planning]\n'
                                     'day_start = "17:00"\nday_end = "09:00"\n')
    assert problems == ["visitplanner.toml, key planning.day_end: 09:00 is not after day_start "
                        "17:00 (fix: make day_end later than day_start)"]


def test_time_windows_must_end_after_they_start_and_have_distinct_names(tmp_path: Path) -> None:
    backwards = problems_of(tmp_path, '[workspace]\npolicy = "p"\n[planning]\ntime_windows = '
                                      '[{ name = "late", start = "18:00", end = "15:00" }]\n')
    twice = problems_of(tmp_path, '[workspace]\npolicy = "p"\n[planning]\ntime_windows = ['
                                  '{ name = "a", start = "08:00", end = "09:00" },'
                                  '{ name = "a", start = "10:00", end = "11:00" }]\n')
    assert backwards == ["visitplanner.toml, key planning.time_windows: window 'late' ends "
                         "before it starts (fix: make end later than start)"]
    assert "window name(s) a used twice" in twice[0]


def test_native_toml_dates_and_times_are_accepted(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[workspace]\npolicy = "p"\nclosures = [2026-12-29]\n'
                                             "[planning]\nday_start = 08:30:00\n"))
    assert settings.workspace.closures == {date(2026, 12, 29)}
    assert settings.planning.day_start == time(8, 30)


@pytest.mark.parametrize("url, accepted", [
    ("https://dav.example.org/", True),
    ("http://127.0.0.1:5232/", True),
    ("http://localhost:5232/", True),
    ("http://dav.example.org/", False),
    ("dav.example.org", False),
])
def test_caldav_url_must_use_tls_except_on_this_machine(url: str, accepted: bool) -> None:
    settings, problems = parse_settings({"workspace": {"policy": "p"}, "caldav": {"url": url}})
    assert (settings is not None) is accepted
    assert bool(problems) is not accepted


def test_calendar_url_template_must_place_the_calendar(tmp_path: Path) -> None:
    settings, problems = parse_settings({"workspace": {"policy": "p"}, "caldav": {
        "url": "https://dav.example.org/", "calendar_url_template": "{url}{worker}/"}})
    assert settings is None
    assert problems[0].where == "visitplanner.toml, key caldav.calendar_url_template"


def test_password_env_must_name_a_variable_not_hold_a_password() -> None:
    _, problems = parse_settings({"workspace": {"policy": "p"}, "caldav": {
        "url": "https://dav.example.org/", "password_env": "s3cret pass!"}})
    assert [p.where for p in problems] == ["visitplanner.toml, key caldav.password_env"]
    assert "environment variable name" in problems[0].what


def test_caldav_section_without_url_is_an_error() -> None:
    _, problems = parse_settings({"workspace": {"policy": "p"}, "caldav": {}})
    assert [p.render() for p in problems] == [
        "visitplanner.toml, key caldav.url: is required (fix: add url = ... under [caldav])"]
