"""`visitplanner policy show|check|reference` and the entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rulekit import CORRECTED_POLICY, MALFORMED_POLICY

from visitplanner import __version__
from visitplanner.cli import cli, main
from visitplanner.core.policy import Policy
from visitplanner.core.policy.spec import reference_markdown
from visitplanner.errors import PolicyError


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", ["camden", "walsall"])
def test_policy_show_lists_every_rule_with_its_quote(
        name: str, request: pytest.FixtureRequest) -> None:
    policy: Policy = request.getfixturevalue(name)
    shown = run("policy", "show", name)
    assert shown.splitlines()[0] == policy.name
    assert [r.id for r in policy.rules if f"[{r.id}] " not in shown] == []
    assert [r.id for r in policy.rules if f'"{r.source.quote}"' not in shown] == []


def test_policy_show_says_the_rule_in_plain_english(camden: Policy) -> None:
    shown = run("policy", "show", "camden")
    assert "[cp-cadence] CP plans: a visit at home where the child was seen" in shown
    assert "at least every 10 calendar days" in shown


def test_policy_show_json_carries_ids_kinds_and_sources(walsall: Policy) -> None:
    data = json.loads(run("policy", "show", "walsall", "--json"))
    assert data["id"] == "walsall"
    assert [r["id"] for r in data["rules"]] == [r.id for r in walsall.rules]
    cadence = data["rules"][0]
    assert (cadence["kind"], cadence["plans"], cadence["source"]["section"]) == (
        "cadence", ["CP"], "Minimum requirement")


def test_policy_check_accepts_a_good_file(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(CORRECTED_POLICY, encoding="utf-8")
    assert run("policy", "check", str(good)) == f"{good}: OK, 2 rules\n"


def test_policy_check_exits_3_listing_every_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(MALFORMED_POLICY, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", str(bad)])
    assert exit_info.value.code == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "error: policy bad.toml has problems (4 problems)",
        "  - bad.toml, rules[0] (cin-cadence).evry: unknown key (fix: did you mean 'every'?)",
        '  - bad.toml, rules[0] (cin-cadence).every: a cadence rule needs every '
        '(fix: add every = "10 days", or requires_plan_value = true to leave it to the '
        'conference)',
        "  - bad.toml, rules[1] (cin-revisit).within: '10 dayz' is not an interval: write a "
        'whole number and a unit, e.g. "10 days", "15 working_days", "2 weeks", "3 months", '
        '"24 hours"',
        "  - bad.toml, rules[1] (cin-revisit).source.document: 'nowhere' is not in "
        "[policy.documents] (fix: use one of manual or add it to documents)",
    ]
    assert "Traceback" not in captured.err


def test_policy_check_raises_policy_error_under_the_click_runner(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(MALFORMED_POLICY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["policy", "check", str(bad)])
    assert isinstance(result.exception, PolicyError)
    assert (result.exception.exit_code, len(result.exception.problems)) == (3, 4)


def test_policy_check_of_a_missing_file_names_the_bundled_policies(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", str(tmp_path / "nothere.toml")])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "nothere.toml: " in err and "(fix: name a bundled policy (" in err
    assert "camden" in err and "walsall" in err


def test_policy_reference_prints_the_generated_reference() -> None:
    assert run("policy", "reference") == reference_markdown()


def test_python_m_visitplanner_version_works() -> None:
    done = subprocess.run([sys.executable, "-m", "visitplanner", "--version"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, f"visitplanner, version {__version__}\n")


def test_the_sentence_to_rule_table_in_the_docs_is_current() -> None:
    from visitplanner.core.policy import CONFIG_DIR, load_policy
    from visitplanner.core.policy.describe import sources_table

    docs = CONFIG_DIR.parent / "docs" / "policy-sources.md"
    text = docs.read_text(encoding="utf-8")
    for name in ("camden", "walsall"):
        policy = load_policy(name, CONFIG_DIR)
        assert sources_table(policy) in text
        assert all(f"`{rule.id}`" in text for rule in policy.rules)
