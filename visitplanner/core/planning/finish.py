"""Tags, times and shortfalls: what is decided once every visit has its day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from visitplanner.core.cover import Staff, home_team
from visitplanner.core.model import (
    BirthDateNeeded,
    Child,
    Outcome,
    PlannedVisit,
    Schedule,
    Shortfall,
)
from visitplanner.core.outcomes import escalations, recording_tasks
from visitplanner.core.planning.notice import flag_short_notice
from visitplanner.core.planning.placement import (
    allocated_worker,
    duty_from,
    working_day_after_plan,
)
from visitplanner.core.planning.state import Need, PlanRequest, State
from visitplanner.core.planning.tasks import tasks_due
from visitplanner.core.policy.model import RuleKind
from visitplanner.core.rules import Context, Fact
from visitplanner.core.shortfalls import missed_because, one_per_deadline, rota_gaps
from visitplanner.core.tags import tag_for_ratios, tag_unannounced
from visitplanner.core.timeslots import assign_times
from visitplanner.core.verify import (
    dated_shortfalls,
    event_shortfalls,
    kth_shortfalls,
    ratio_shortfalls,
    revisit_shortfalls,
    unplannable_shortfalls,
)


def report_short(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
           planned_on: date | None, state: State) -> None:
    """Report each deadline the placement misses.

    ``days_late`` counts calendar days from the deadline to the planned day;
    when no day inside the plan could be found, it counts to the day after
    the plan ends (the least it will be late).
    """
    allocated = allocated_worker(staff, children, need)
    team = home_team(staff, children, allocated)
    cause = missed_because(request.today, staff, allocated, team, need.roles, need.earliest,
                           need.due, planned_on)
    rota = missing_rota(request, staff, children, need, state)
    cause = f"{cause}; {rota}" if rota else cause
    late_until = planned_on or request.end + timedelta(days=1)
    for deadline in need.reasons:
        if deadline.due is None or late_until <= deadline.due:
            continue
        child = next(c for c in children if c.case_ref == deadline.case_ref)
        state.shortfalls.append(Shortfall(
            case_ref=child.case_ref, household=child.household, rule_id=deadline.rule_id,
            deadline=deadline.due, planned_on=planned_on,
            days_late=(late_until - deadline.due).days, reason=cause, team=team))


def missing_rota(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
                 state: State) -> str:
    """The days the duty rota could have met the need on but had no one free ("" when the
    policy gives this need no duty visits, or the next plan may meet it on a working day)."""
    starts = duty_from(request, children, need)
    if starts is None or working_day_after_plan(request, need) is not None:
        return ""
    duty = request.policy.duty
    return rota_gaps(staff, state.bookings, lambda d: duty.covers_day(d, request.calendar),
                     need.roles, need.after_school, max(need.earliest, starts),
                     min(need.due, request.end))


def finish(ctx: Context, request: PlanRequest, staff: Staff, state: State) -> Schedule:
    visits = tag_for_ratios(ctx, request.children, state.histories, tag_unannounced(
        ctx, request.children, state.histories, state.visits, request.seed, request.today,
        request.end))
    late = dated_late(ctx, request, staff, state, visits)
    timed = flag_short_notice(request, assign_times(visits, request.times, request.seed,
                                                    prefers_variety(ctx), state.kept_starts))
    ordered = tuple(sorted(timed, key=lambda v: (v.start, v.worker_id, v.id)))
    return Schedule(
        today=request.today, start=request.today, end=request.end, seed=request.seed,
        visits=ordered,
        shortfalls=one_per_deadline([*state.shortfalls, *late]),
        recording_tasks=recording_tasks(ctx, request.children, ordered),
        escalations=escalations(ctx, request.children, recorded_only(state), request.today, staff),
        birth_dates_needed=birth_dates_needed(request, staff),
        tasks=tasks_due(ctx, request, staff, state.histories),
        known_visits=tuple(sorted({v.visit_id for v in request.visits
                                   if v.day <= request.today})))


def birth_dates_needed(request: PlanRequest, staff: Staff) -> tuple[BirthDateNeeded, ...]:
    """Unborn children expected on or before the plan's last day: treated as born from the
    expected date, and their worker asked for the date of birth."""
    found = []
    for child in sorted(request.children, key=lambda c: c.case_ref):
        if child.birth_date is None and child.due_date is not None \
                and child.due_date <= request.end:
            worker = staff.workers.get(child.allocated_worker or "")
            found.append(BirthDateNeeded(child.case_ref, child.household, child.due_date,
                                         worker.id if worker else None,
                                         home_team(staff, (child,), worker)))
    return tuple(found)


def dated_late(ctx: Context, request: PlanRequest, staff: Staff, state: State,
                visits: Sequence[PlannedVisit]) -> list[Shortfall]:
    """Quota and dated-check deadlines the tagged visits meet late
    (:mod:`visitplanner.core.verify`)."""
    recorded = recorded_only(state)
    planned: dict[str, list[Fact]] = {}
    for visit in sorted(visits, key=lambda v: (v.start, v.id)):
        role = staff.workers[visit.worker_id].role
        for child_checks in visit.checks:
            planned.setdefault(child_checks.case_ref, []).append(Fact(
                visit.start, visit.location, visit.announced, Outcome.COMPLETED, role,
                frozenset(child_checks.checks), planned=True, worker_id=visit.worker_id))
    teams = {c.case_ref: home_team(staff, (c,), None) for c in request.children}
    ahead = {ref: tuple(f) for ref, f in planned.items()}
    return [*dated_shortfalls(ctx, request.children, recorded, ahead, request.today,
                              request.end, teams),
            *kth_shortfalls(ctx, request.children, recorded, ahead, request.today,
                            request.end, teams),
            *revisit_shortfalls(ctx, request.children, recorded, ahead, request.today,
                                request.end, teams),
            *event_shortfalls(ctx, request.children, recorded, ahead, request.today,
                              request.end, teams),
            *ratio_shortfalls(ctx, request.children, recorded, ahead, request.today,
                              request.end, teams),
            *unplannable_shortfalls(ctx, request.children, recorded, ahead, request.today,
                                    request.end, teams)]


def recorded_only(state: State) -> dict[str, tuple[Fact, ...]]:
    """Each child's recorded visits only (the planned ones left out)."""
    return {ref: tuple(f for f in facts if not f.planned) for ref, facts in state.histories.items()}


def prefers_variety(ctx: Context) -> bool:
    return any(r.preference == "vary_time_of_day" for r in ctx.policy.rules_of(RuleKind.PREFERENCE))

