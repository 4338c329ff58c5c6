"""Safe by default (issue 10): the guards' rules, on values (visitplanner.core.guards is pure)."""

from __future__ import annotations

import doctest
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from visitplanner.cli import due
from visitplanner.core import explain, guards
from visitplanner.core.explain import visit_id_of
from visitplanner.core.guards import (
    CalendarLoss,
    FutureVisit,
    calendar_losses,
    cancellation_problems,
    cancellation_refusal,
    empty_plan_problems,
    no_children_problems,
    shrunk_export_problems,
    start_problems,
)
from visitplanner.core.model import LONDON, PlannedVisit, Schedule, VisitKind
from visitplanner.publish.state import PublishedItem

TODAY = date(2026, 11, 23)
STAMP = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize("module", [guards, due, explain])
def test_the_documented_examples_hold(module: object) -> None:
    failed, _ = doctest.testmod(module)  # type: ignore[arg-type]
    assert failed == 0


# --------------------------------------------------------------------------- plan --from


@pytest.mark.parametrize("start", [TODAY - timedelta(days=7), TODAY, TODAY + timedelta(days=7)])
def test_a_start_up_to_seven_days_either_side_of_today_is_accepted(start: date) -> None:
    assert start_problems(start, TODAY) == []


def test_no_start_given_means_today_and_is_accepted() -> None:
    assert start_problems(None, TODAY) == []


@pytest.mark.parametrize(("start", "side"), [(date(2025, 11, 23), "365 days before"),
                                             (TODAY + timedelta(days=8), "8 days after")])
def test_a_start_further_from_today_is_refused_naming_the_option_and_force(
        start: date, side: str) -> None:
    [problem] = start_problems(start, TODAY)
    assert problem.where == "--from"
    assert f"{start.isoformat()} is {side} today (2026-11-23)" in problem.what
    assert "--force" in problem.fix and "leave --from out" in problem.fix


# --------------------------------------------------------------------------- the export


def test_an_export_without_children_is_refused_naming_children_csv() -> None:
    [problem] = no_children_problems(0)
    assert problem.where == "children.csv" and "export children.csv again" in problem.fix
    assert no_children_problems(1) == []


@pytest.mark.parametrize(("children", "kept", "refused"), [
    (29, 60, True), (30, 60, False), (4, 10, True), (5, 10, False), (0, 9, False), (60, 60, False),
])
def test_fewer_than_half_the_kept_plans_children_is_refused_once_it_had_ten(
        children: int, kept: int, refused: bool) -> None:
    problems = shrunk_export_problems(children, kept)
    assert bool(problems) is refused
    if refused:
        assert problems[0].where == "children.csv" and "--force" in problems[0].fix


def test_a_plan_with_children_but_no_visits_is_refused_and_not_kept() -> None:
    empty = schedule(())
    [problem] = empty_plan_problems(empty, 60)
    assert "no visits planned for 60 children" in problem.what
    assert "not kept" in problem.fix
    assert empty_plan_problems(empty, 0) == []
    assert empty_plan_problems(schedule((visit("v-000000000001", 1),)), 60) == []


def test_the_kept_plan_counts_each_child_once() -> None:
    plan = schedule((visit("v-000000000001", 1, refs=("C-1", "C-2")),
                     visit("v-000000000002", 2, refs=("C-1",))))
    assert guards.kept_children(plan) == 2
    assert guards.kept_children(None) == 0


# --------------------------------------------------------------------------- cancellations


def test_cancelling_more_than_five_and_more_than_a_fifth_of_a_calendars_future_is_refused() -> None:
    assert CalendarLoss("w", 25, going(6)).over_limit  # 6 > 5 and 6 > 20 % of 25
    assert not CalendarLoss("w", 5, going(5)).over_limit  # five may always go
    assert not CalendarLoss("w", 30, going(6)).over_limit  # 6 is 20 % of 30: not more
    assert CalendarLoss("w", 30, going(7)).over_limit


def test_visits_the_new_state_publishes_as_cancelled_or_drops_are_going() -> None:
    before = state({uid(n): live(n, ("w-ana", "team-a")) for n in range(1, 5)})
    after = {**before,
             uid(1): replace(before[uid(1)], cancelled_since=TODAY, sequence=1),
             uid(2): replace(before[uid(2)], calendars=("w-ben", "team-a"))}  # given to Ben
    del after[uid(3)]  # dropped at once (cancelled_keep_days = 0)
    losses = {loss.calendar: loss for loss in calendar_losses(before, after, TODAY)}
    assert [v.visit_id for v in losses["w-ana"].going] == ["v-000000000001", "v-000000000003"]
    assert losses["w-ana"].future == 4 and losses["team-a"].future == 4
    assert [v.visit_id for v in losses["team-a"].going] == ["v-000000000001", "v-000000000003"]


def test_past_already_cancelled_and_non_visit_items_are_not_counted() -> None:
    before = state({
        uid(1): live(-3, ("w-ana",)),  # before the plan's first day: left as past
        uid(2): replace(live(2, ("w-ana",)), cancelled_since=TODAY - timedelta(days=1)),
        uid(3): replace(live(3, ("w-ana",)), past_since=TODAY),
        f"record-{uid(4)}": live(4, ("w-ana",), component="VTODO"),
        "escalate-C-1-cadence-20261120@visitplanner": live(5, ("w-ana",), component="VTODO"),
        uid(6): live(6, ("w-ana",)),
    })
    [loss] = calendar_losses(before, {}, TODAY)
    assert loss == CalendarLoss("w-ana", 1, (FutureVisit("v-000000000006", day(6)),))


def test_a_refusal_names_calendars_visit_ids_and_days_never_summaries() -> None:
    before = state({uid(n): replace(live(n, ("w-ana",)), summary="Home visit Zebedee Quorn")
                    for n in range(1, 11)})
    losses = calendar_losses(before, {}, TODAY)
    problems = cancellation_problems(losses, schedule(()), "publish")
    text = "\n".join(p.render() for p in problems)
    assert problems[0].where == "calendar w-ana"
    assert "10 of its 10 future visits would be cancelled: v-000000000001 (2026-11-24)" in text
    assert "and 7 more" in text
    assert "visitplanner publish --allow-cancellations" in text
    assert "Quorn" not in text
    headline = cancellation_refusal(losses, "publish")
    assert headline.startswith("publish refused: it would cancel 10 future visits")
    assert "nothing was written" in headline


def test_within_the_limit_there_is_nothing_to_say() -> None:
    before = state({uid(n): live(n, ("w-ana",)) for n in range(1, 31)})
    after = {u: item for u, item in before.items() if u != uid(1)}
    assert cancellation_problems(calendar_losses(before, after, TODAY), schedule(()), "sync") == []


# --------------------------------------------------------------------------- explain, dates


@pytest.mark.parametrize("given", ["v-0123456789ab", "v-0123456789ab@visitplanner",
                                   " v-0123456789ab@visitplanner\n"])
def test_explain_takes_the_visit_id_or_the_calendar_uid(given: str) -> None:
    assert visit_id_of(given) == "v-0123456789ab"


@pytest.mark.parametrize(("text", "why"), [
    ("2026-02-30", "2026-02-30 is not a date: February 2026 has 28 days"),
    ("2028-02-30", "2028-02-30 is not a date: February 2028 has 29 days"),
    ("2026-04-31", "2026-04-31 is not a date: April 2026 has 30 days"),
    ("2026-13-01", "2026-13-01 is not a date: there is no month 13 (YYYY-MM-DD)"),
    ("2026-11-00", "2026-11-00 is not a date: November 2026 has 30 days"),
    ("23/11/2026", "'23/11/2026' is not a date in the form YYYY-MM-DD (e.g. 2026-11-23)"),
    ("2026-11-23", None),
    ("2028-02-29", None),
])
def test_a_date_option_says_why_a_value_is_not_a_date(text: str, why: str | None) -> None:
    assert due.date_mistake(text) == why


# --------------------------------------------------------------------------- builders


def uid(number: int) -> str:
    return f"v-{number:012d}@visitplanner"


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def live(offset: int, calendars: tuple[str, ...], component: str = "VEVENT") -> PublishedItem:
    start = datetime.combine(day(offset), time(10), tzinfo=LONDON)
    return PublishedItem(uid=f"item-{offset}", component=component, content_hash="h",
                         sequence=0, stamp=STAMP, calendars=calendars, summary="Home visit",
                         start=start, end=start + timedelta(hours=1), document="BEGIN:VCALENDAR")


def state(items: dict[str, PublishedItem]) -> dict[str, PublishedItem]:
    return {u: replace(item, uid=u) for u, item in items.items()}


def going(count: int) -> tuple[FutureVisit, ...]:
    return tuple(FutureVisit(f"v-{n:012d}", day(n)) for n in range(count))


def visit(visit_id: str, offset: int, refs: tuple[str, ...] = ("C-1",)) -> PlannedVisit:
    start = datetime.combine(day(offset), time(10), tzinfo=LONDON)
    return PlannedVisit(visit_id, "HH-1", refs, start, start + timedelta(hours=1), "w-ana", "a",
                        VisitKind.ROUTINE, True, (), day(offset + 3), ())


def schedule(visits: tuple[PlannedVisit, ...]) -> Schedule:
    return Schedule(today=TODAY, start=TODAY, end=TODAY + timedelta(weeks=6), seed=1,
                    visits=visits)

