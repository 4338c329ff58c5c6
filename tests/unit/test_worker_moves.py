"""A visit a worker moved in their calendar is a request: kept if it meets the rules,
else flagged.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from visitplanner.core.model import LONDON, Child, PlanType, Role, Worker
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import load_policy
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.usecases import moves_from_edits

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)  # a Monday


def request(**changes: object) -> PlanRequest:
    policy = load_policy("walsall", ROOT)
    child = Child(case_ref="WAL-T001", household="WAL-HT01", name="Test Child",
                  birth_date=date(2018, 4, 1), plan_type=PlanType.CP,
                  plan_start=date(2026, 11, 16), allocated_worker="sw.one")
    workers = (Worker("sw.one", "Worker One", "one@example.invalid", "north",
                      Role.SOCIAL_WORKER),
               Worker("tm.boss", "Manager", "boss@example.invalid", "north", Role.TEAM_MANAGER))
    base = PlanRequest(policy=policy, calendar=WorkingCalendar(), children=(child,),
                       workers=workers, absences=(), visits=(), today=TODAY, weeks=3, seed=7)
    return PlanRequest(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def test_a_move_that_keeps_within_the_deadline_is_kept_and_flagged() -> None:
    first = plan(request())
    visit = first.visits[0]
    earlier = at(TODAY, 15)
    assert visit.day > TODAY  # as late as safe, so there is room to move it earlier
    again = plan(request(previous=first, moves={visit.id: earlier}))
    moved = next(v for v in again.visits if v.id == visit.id)
    assert moved.start == earlier
    assert "moved_by_worker" in moved.flags


def test_a_move_past_the_deadline_is_rejected_and_the_visit_keeps_its_id() -> None:
    first = plan(request())
    visit = first.visits[0]
    too_late = at(visit.due_by + timedelta(days=3), 10)
    again = plan(request(previous=first, moves={visit.id: too_late}))
    replanned = next(v for v in again.visits if v.id == visit.id)
    assert replanned.day <= replanned.due_by
    assert replanned.start != too_late
    assert "moved_by_worker_rejected" in replanned.flags
    assert again.shortfalls == ()


def test_moves_are_read_from_worker_edits_of_kind_moved_only() -> None:
    class Edit:
        def __init__(self, uid: str, kind: str, start: str) -> None:
            self.uid, self.kind, self.start = uid, kind, start

    edits = [Edit("v-abc@visitplanner", "moved", "2026-11-24T15:00:00+00:00"),
             Edit("v-def@visitplanner", "deleted", ""),
             Edit("record-v-abc@visitplanner", "moved", "2026-11-25T10:00:00+00:00")]
    assert moves_from_edits(edits) == {"v-abc": datetime.fromisoformat("2026-11-24T15:00:00+00:00")}
