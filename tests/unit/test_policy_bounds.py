"""Every policy that `policy check` accepts can be planned (issue 10).

Three policies used to pass the check (or crash it) and then crash `due` or `plan`: an
interval of 100,000 months (a date past the year 9999), a rule whose source has no quote,
and a Latin-1 file.  Each is now refused by the check, located, with its fix.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from rulekit import POLICY_HEADER

from visitplanner.cli import main
from visitplanner.core.model import LONDON
from visitplanner.core.policy import Interval, Unit, load_policy, parse_policy
from visitplanner.core.policy.model import Counting
from visitplanner.core.policy.spec import MAX_INTERVAL
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import PolicyError

ROOT = Path(__file__).resolve().parents[2]
CAMDEN = ROOT / "config" / "camden.toml"
FIRST_QUOTE = (', quote = "Please note that all children must be visited at home within 7 days '
               'of referral."')


def policy_with(rule: str) -> str:
    return POLICY_HEADER + '\n[[rules]]\nid = "r"\n' + rule + (
        '\nsource = { document = "manual", section = "2", quote = "Visit." }\n')


def refusal(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.toml")
    return [problem.render() for problem in caught.value.problems]


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- interval bounds


@pytest.mark.parametrize("unit", list(Unit))
def test_an_interval_up_to_ten_years_is_accepted_and_a_longer_one_refused(unit: Unit) -> None:
    longest = MAX_INTERVAL[unit]
    rule = 'kind = "first_visit"\nevent = "referral"\nwithin = "{} ' + unit.value + '"'
    assert parse_policy(policy_with(rule.format(longest)), "p.toml").rules[0].within == \
        Interval(longest, unit)
    problems = refusal(policy_with(rule.format(longest + 1)))
    assert len(problems) == 1
    assert problems[0].startswith(f"p.toml, rules[0] (r).within: '{longest + 1} {unit.value}' "
                                  "is longer than the longest interval allowed")


@pytest.mark.parametrize("unit", list(Unit))
@pytest.mark.parametrize("counting", list(Counting))
def test_the_longest_interval_of_every_unit_can_be_counted(
        unit: Unit, counting: Counting, england: WorkingCalendar) -> None:
    start = datetime(2026, 11, 2, 10, tzinfo=LONDON)
    end = Interval(MAX_INTERVAL[unit], unit).add_to(start, england, counting)
    assert start.date() < end <= start.date().replace(year=2037)


@pytest.mark.parametrize("key, rule", [
    ("every", 'kind = "cadence"\nevery = "0 days"'),
    ("window", 'kind = "quota"\nwindow = "0 weeks"\nat_least = 1'),
    ("period", 'kind = "escalation"\ntrigger = "not_seen_for"\nnotify = ["team_manager"]\n'
               'period = "0 days"'),
])
def test_a_cadence_window_or_period_of_no_time_is_refused(key: str, rule: str) -> None:
    problems = refusal(policy_with(rule))
    assert len(problems) == 1 and problems[0].startswith(f"p.toml, rules[0] (r).{key}: ")
    assert "no time at all" in problems[0]


def test_a_deadline_of_0_days_stays_allowed() -> None:
    policy = parse_policy(policy_with(
        'kind = "first_visit"\nevent = "referral"\nwithin = "0 days"'), "p.toml")
    assert policy.rules[0].within == Interval(0, Unit.DAYS)


def test_a_100000_month_interval_is_refused_by_check_and_never_reaches_due(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = shutil.copytree(ROOT / "examples" / "camden", tmp_path / "ws")
    text = CAMDEN.read_text(encoding="utf-8").replace(
        'within = "7 days"', 'within = "100000 months"', 1)
    (workspace / "local.toml").write_text(text, encoding="utf-8")
    settings = workspace / "visitplanner.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'policy = "camden"', 'policy = "local.toml"'), encoding="utf-8")

    code, _, err = run_main(["policy", "check", str(workspace / "local.toml")], capsys)
    assert code == PolicyError.exit_code
    assert "(first-visit-after-referral).within: '100000 months' is longer than the longest " \
           "interval allowed, 120 months (fix: give at most 120 months, ten years)" in err
    code, _, err = run_main(["-w", str(workspace), "due", "--on", "2026-12-02"], capsys)
    assert code == PolicyError.exit_code and "Traceback" not in err


# ---------------------------------------------------------------- sources


@pytest.mark.parametrize("missing", ["document", "section", "quote"])
def test_a_source_missing_a_key_is_refused_naming_it(missing: str) -> None:
    source = {"document": '"manual"', "section": '"2"', "quote": '"Visit."'}
    del source[missing]
    text = POLICY_HEADER + ('\n[[rules]]\nid = "r"\nkind = "guidance"\nsource = { '
                            + ", ".join(f"{k} = {v}" for k, v in source.items()) + " }\n")
    problems = refusal(text)
    assert len(problems) == 1
    assert problems[0].startswith(f"p.toml, rules[0] (r).source: missing {missing} (fix: add "
                                  f"{missing} = ")


def test_policy_check_refuses_a_rule_without_its_quote_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CAMDEN.read_text(encoding="utf-8")
    assert FIRST_QUOTE in text
    (tmp_path / "unquoted.toml").write_text(text.replace(FIRST_QUOTE, "", 1), encoding="utf-8")
    code, _, err = run_main(["policy", "check", str(tmp_path / "unquoted.toml")], capsys)
    assert code == PolicyError.exit_code
    assert err.splitlines() == [
        "error: policy unquoted.toml has problems (1 problem)",
        "  - unquoted.toml, rules[0] (first-visit-after-referral).source: missing quote "
        '(fix: add quote = "...": the sentence quoted, word for word)']


@pytest.mark.parametrize("documents", ['documents = "the manual"', "documents = { manual = 5 }"])
def test_documents_must_be_a_table_of_titles(documents: str) -> None:
    text = policy_with('kind = "guidance"').replace(
        '[policy.documents]\nmanual = "Testshire visiting manual"\n', "").replace(
        'name = "Testshire visits"', f'name = "Testshire visits"\n{documents}')
    problems = refusal(text)
    assert problems[0].startswith("p.toml, key policy.documents: ")


# ---------------------------------------------------------------- encoding


def test_a_latin1_policy_is_refused_with_its_line(tmp_path: Path) -> None:
    lines = CAMDEN.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[8] = "# Caf\u00e9 (saved as Latin-1)\n"
    (tmp_path / "latin1.toml").write_bytes("".join(lines).encode("latin-1", "replace"))
    with pytest.raises(PolicyError) as caught:
        load_policy("latin1.toml", tmp_path)
    assert [p.render() for p in caught.value.problems] == [
        f"{tmp_path / 'latin1.toml'}, line 9: is not UTF-8 text (byte 0xe9 at offset "
        f"{len(''.join(lines[:8]).encode('latin-1', 'replace')) + 5} cannot be read) "
        "(fix: save the file as UTF-8)"]
