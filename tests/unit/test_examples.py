"""The bundled example workspaces: reproducible, and holding every case the README promises."""

from __future__ import annotations

import csv
import importlib.util
import sys
import tomllib
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from visitplanner.inputs.workspace import load_workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 23)
PLAN_END = TODAY + timedelta(weeks=6)
FILES = ("visitplanner.toml", "children.csv", "workers.csv", "absences.csv", "visits.csv")
SOCIAL_WORK_ROLES = {"social_worker", "senior_social_worker", "practice_manager", "team_manager"}

Row = dict[str, str]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def rows(team: str, name: str) -> list[Row]:
    with (EXAMPLES / team / name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def items(cell: str) -> list[str]:
    return [item for item in cell.split(";") if item]


def age(child: Row) -> int | None:
    if not child["date_of_birth"]:
        return None
    born = date.fromisoformat(child["date_of_birth"])
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def by_household(children: list[Row]) -> dict[str, list[Row]]:
    households: dict[str, list[Row]] = defaultdict(list)
    for child in children:
        households[child["household"]].append(child)
    return households


def last_completed_home_visit(team: str) -> dict[str, date]:
    """Each child's latest completed home visit by a social work qualified worker."""
    roles = {w["worker_id"]: w["role"] for w in rows(team, "workers.csv")}
    last: dict[str, date] = {}
    for visit in rows(team, "visits.csv"):
        if visit["outcome"] != "completed" or visit["location"] != "home":
            continue
        if roles[visit["worker_id"]] not in SOCIAL_WORK_ROLES:
            continue
        for ref in items(visit["children_seen"]) or items(visit["case_refs"]):
            last[ref] = max(last.get(ref, date.min), date.fromisoformat(visit["date"]))
    return last


# --------------------------------------------------------------------------- reproducible


def test_committed_examples_are_exactly_what_the_generator_writes(tmp_path: Path) -> None:
    load_generator().generate(tmp_path)
    for team in ("camden", "walsall"):
        for name in FILES:
            written = (tmp_path / team / name).read_bytes()
            assert written == (EXAMPLES / team / name).read_bytes(), f"{team}/{name} differs"


def test_generating_twice_gives_identical_files(tmp_path: Path) -> None:
    generator = load_generator()
    generator.generate(tmp_path / "first")
    generator.generate(tmp_path / "second")
    for team in ("camden", "walsall"):
        for name in FILES:
            first = (tmp_path / "first" / team / name).read_bytes()
            assert first == (tmp_path / "second" / team / name).read_bytes()


@pytest.mark.parametrize("team", ["camden", "walsall"])
def test_examples_load_as_workspaces_with_their_policy(team: str) -> None:
    workspace = load_workspace(EXAMPLES / team)
    assert workspace.settings.workspace.policy == team
    assert len(workspace.children) == len(rows(team, "children.csv"))
    visit_ids = {v.visit_id for v in workspace.visits}
    assert visit_ids == {v["visit_id"] for v in rows(team, "visits.csv")}


# --------------------------------------------------------------------------- both teams


@pytest.mark.parametrize("team", ["camden", "walsall"])
def test_visits_name_real_workers_and_children_and_list_the_whole_household(team: str) -> None:
    children = {c["case_ref"]: c for c in rows(team, "children.csv")}
    workers = {w["worker_id"]: w for w in rows(team, "workers.csv")}
    households = by_household(list(children.values()))
    for visit in rows(team, "visits.csv"):
        assert visit["worker_id"] in workers
        refs = items(visit["case_refs"])
        assert set(refs) <= set(children)
        social_work = workers[visit["worker_id"]]["role"] in SOCIAL_WORK_ROLES
        if visit["location"] == "home" and social_work:
            household = households[children[refs[0]]["household"]]
            assert sorted(refs) == sorted(c["case_ref"] for c in household)


@pytest.mark.parametrize("team", ["camden", "walsall"])
def test_history_runs_ten_weeks_back_and_stops_before_today(team: str) -> None:
    days = [date.fromisoformat(v["date"]) for v in rows(team, "visits.csv")]
    assert min(days) <= TODAY - timedelta(weeks=9)
    assert max(days) < TODAY
    assert all(date.fromisoformat(d).weekday() < 5 for d in (v["date"] for v in
                                                             rows(team, "visits.csv")))


@pytest.mark.parametrize("team", ["camden", "walsall"])
def test_no_worker_visits_more_than_their_daily_limit(team: str) -> None:
    limit = {w["worker_id"]: int(w["visits_per_day"]) for w in rows(team, "workers.csv")}
    load: dict[tuple[str, str], int] = defaultdict(int)
    for visit in rows(team, "visits.csv"):
        load[visit["worker_id"], visit["date"]] += 1
    assert all(count <= limit[worker] for (worker, _), count in load.items())


@pytest.mark.parametrize("team", ["camden", "walsall"])
def test_history_mixes_outcomes_and_records_what_was_seen(team: str) -> None:
    visits = rows(team, "visits.csv")
    outcomes = {v["outcome"] for v in visits}
    assert outcomes == {"completed", "not_seen", "no_access", "cancelled"}
    assert sum(v["outcome"] == "completed" for v in visits) > 0.8 * len(visits)
    assert any(v["announced"] == "no" for v in visits)
    assert any(v["location"] == "elsewhere" for v in visits)
    for column in ("seen_alone", "seen_awake", "bedroom_seen", "checks"):
        assert any(v[column] for v in visits), column


@pytest.mark.parametrize("team", ["camden", "walsall"])
def test_settings_name_the_policy_closures_and_local_caldav(team: str) -> None:
    settings = tomllib.loads((EXAMPLES / team / "visitplanner.toml").read_text("utf-8"))
    assert settings["workspace"]["policy"] == team
    assert settings["workspace"]["closures"] == ["2026-12-29", "2026-12-30", "2026-12-31"]
    assert settings["caldav"]["url"] == "http://127.0.0.1:5232/"
    assert settings["caldav"]["username_env"] == "VISITPLANNER_CALDAV_USERNAME"
    assert set(settings) == {"workspace", "planning", "publish", "caldav"}


# --------------------------------------------------------------------------- Camden


def test_camden_team_has_six_staff_and_a_health_visitor() -> None:
    workers = {w["worker_id"]: w for w in rows("camden", "workers.csv")}
    roles = sorted(w["role"] for w in workers.values())
    assert roles == sorted(["team_manager", "senior_social_worker", "social_worker",
                            "social_worker", "social_worker", "family_support_worker",
                            "health_visitor"])
    assert {w["team"] for w in workers.values()} == {"camden-west"}
    part_timers = [w for w in workers.values() if w["working_days"]]
    assert [(w["working_days"], w["visits_per_day"]) for w in part_timers] == [("Mon;Tue;Wed", "3")]
    assert workers["tm.fairclough"]["visits_per_day"] == "2"


def test_camden_caseload_mixes_plans_ages_and_households() -> None:
    children = rows("camden", "children.csv")
    plans = [c["plan_type"] for c in children]
    assert (len(children), plans.count("CIN"), plans.count("S47"), plans.count("CP")) == (
        60, 30, 8, 22)
    households = by_household(children)
    assert len(households) == 37
    sizes = sorted(len(h) for h in households.values())
    assert sizes.count(2) >= 5 and sizes.count(3) >= 3
    assert any(len({c["plan_type"] for c in h}) > 1 for h in households.values())
    ages = [age(c) for c in children]
    assert ages.count(0) >= 3 and ages.count(1) + ages.count(2) >= 4


def test_camden_s47_enquiries_are_recent_with_a_tighter_interval() -> None:
    enquiries = [c for c in rows("camden", "children.csv") if c["plan_type"] == "S47"]
    for child in enquiries:
        assert child["visit_frequency_days"] in {"5", "7"}
        assert TODAY - timedelta(weeks=4) <= date.fromisoformat(child["plan_start"]) < TODAY
        assert date.fromisoformat(child["referral_date"]) <= date.fromisoformat(child["plan_start"])


def test_every_cp_plan_has_a_past_conference_and_a_booked_review() -> None:
    for team in ("camden", "walsall"):
        for child in rows(team, "children.csv"):
            if child["plan_type"] != "CP":
                continue
            conferences = [date.fromisoformat(d) for d in items(child["conference_dates"])]
            assert conferences[0] == date.fromisoformat(child["plan_start"])
            assert any(d < TODAY for d in conferences) and any(d > TODAY for d in conferences)
    camden_cp = [c for c in rows("camden", "children.csv") if c["plan_type"] == "CP"]
    assert sum(c["visit_frequency_days"] == "7" for c in camden_cp) >= 3


def test_camden_holds_the_special_cases_the_readme_lists() -> None:
    children = rows("camden", "children.csv")
    unborn = [c for c in children if c["expected_due_date"]]
    assert [(c["plan_type"], c["date_of_birth"]) for c in unborn] == [("CP", "")]
    assert TODAY < date.fromisoformat(unborn[0]["expected_due_date"]) <= PLAN_END
    assert any("neglect" in items(c["categories"]) for c in children)
    assert any(c["education"] == "none" and age(c) == 8 for c in children)
    assert any(c["education"] == "none" and c["plan_type"] == "CP" and age(c) == 2
               for c in children)
    assert sum(c["allocated_worker"] == "" for c in children) == 2
    turning_three = [c for c in children if age(c) == 2
                     and date.fromisoformat(c["date_of_birth"]).replace(year=2026) > TODAY]
    assert len(turning_three) == 1


def test_camden_has_one_long_overdue_child_and_one_new_referral_without_visits() -> None:
    children = rows("camden", "children.csv")
    last = last_completed_home_visit("camden")
    never = [c["case_ref"] for c in children if c["case_ref"] not in last]
    assert never == [c["case_ref"] for c in children if c["referral_date"] == "2026-11-19"]
    long_ago = [ref for ref, day in last.items() if day < TODAY - timedelta(weeks=5)]
    assert len(long_ago) == 1
    assert last[long_ago[0]] < TODAY - timedelta(weeks=8)


def test_camden_has_a_household_whose_last_two_visits_failed() -> None:
    latest: dict[str, list[Row]] = defaultdict(list)
    for visit in rows("camden", "visits.csv"):
        if visit["location"] == "home":
            latest[visit["case_refs"]].append(visit)
    failed_twice = [refs for refs, visits in latest.items()
                    if {v["outcome"] for v in visits[-2:]} <= {"no_access", "cancelled"}
                    and visits[-2]["date"] >= "2026-11-09"]
    assert len(failed_twice) == 1


def test_camden_absences_cover_christmas_a_training_day_and_a_week_of_leave() -> None:
    spans = {(a["worker_id"], a["reason"]): (date.fromisoformat(a["from"]),
                                             date.fromisoformat(a["to"]))
             for a in rows("camden", "absences.csv")}
    christmas = spans["sw.adebayo", "leave"]
    assert christmas[0] <= date(2026, 12, 25) <= christmas[1]
    assert (christmas[1] - christmas[0]).days + 1 >= 19
    training = spans["sw.marchetti", "training"]
    assert training[0] == training[1]
    part_timer_leave = spans["sw.osei", "leave"]
    assert (part_timer_leave[1] - part_timer_leave[0]).days == 4


# --------------------------------------------------------------------------- Walsall


def test_walsall_team_has_four_workers_and_fifteen_children_on_cp_plans() -> None:
    roles = sorted(w["role"] for w in rows("walsall", "workers.csv"))
    assert roles == ["practice_manager", "social_worker", "social_worker", "team_manager"]
    children = rows("walsall", "children.csv")
    assert {c["plan_type"] for c in children} == {"CP"}
    assert (len(children), len(by_household(children))) == (15, 10)
    neglect = {c["household"] for c in children if "neglect" in items(c["categories"])}
    assert len(neglect) == 2
    assert len(rows("walsall", "absences.csv")) == 1


def test_walsall_neglect_visits_see_bedroom_kitchen_and_bathroom() -> None:
    neglect = {c["case_ref"] for c in rows("walsall", "children.csv")
               if "neglect" in items(c["categories"])}
    home = [v for v in rows("walsall", "visits.csv")
            if v["outcome"] == "completed" and v["location"] == "home"
            and set(items(v["case_refs"])) <= neglect]
    assert home and all(items(v["bedroom_seen"]) for v in home)
    assert all(set(items(v["checks"])) >= {"kitchen", "bathroom"} for v in home)


def test_walsall_has_one_child_not_seen_at_the_last_visit() -> None:
    latest: dict[str, Row] = {}
    for visit in rows("walsall", "visits.csv"):
        if visit["location"] == "home":
            latest[visit["case_refs"]] = visit
    not_seen = [refs for refs, visit in latest.items() if visit["outcome"] == "not_seen"]
    assert len(not_seen) == 1 and len(items(not_seen[0])) == 1
