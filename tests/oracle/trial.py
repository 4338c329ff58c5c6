"""Plan a random caseload with the real planner and judge the schedule with the oracle.

The only module of the oracle package that imports the planner: it builds the
:class:`~visitplanner.core.planning.PlanRequest` from a :class:`~oracle.inputs.Caseload`,
calls :func:`~visitplanner.core.planning.plan`, and hands the schedule to
:func:`oracle.judge.judge`.  The sweep (``bench/oracle_sweep.py``) and the property tests
share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from oracle.caseloads import random_caseload
from oracle.inputs import SHAPES_POLICY, Caseload
from oracle.judge import Verdict, judge
from visitplanner.core.model import Schedule
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, load_policy
from visitplanner.core.workdays import WorkingCalendar

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The policies the sweep plans for: the two bundled ones and the synthetic shapes.
POLICY_FILES = {"camden": "camden", "walsall": "walsall", "shapes": str(SHAPES_POLICY)}


@dataclass(frozen=True, slots=True)
class Trial:
    """One caseload, the planner's schedule for it, and the oracle's verdict."""

    caseload: Caseload
    schedule: Schedule
    verdict: Verdict


@cache
def policy_named(name: str) -> Policy:
    """A policy of :data:`POLICY_FILES`, loaded once."""
    return load_policy(POLICY_FILES[name], REPO_ROOT)


def request_for(caseload: Caseload) -> PlanRequest:
    """The planner's request for the caseload."""
    return PlanRequest(
        policy=caseload.policy,
        calendar=WorkingCalendar(caseload.region, caseload.closures),
        children=caseload.children, workers=caseload.workers, absences=caseload.absences,
        visits=caseload.visits, today=caseload.today, weeks=caseload.weeks,
        seed=caseload.seed, times=caseload.times, records_from=caseload.records_from,
        terms=caseload.terms, duty=caseload.duty)


def run_trial(caseload: Caseload) -> Trial:
    """Plan the caseload and judge the schedule."""
    schedule = plan(request_for(caseload))
    return Trial(caseload, schedule, judge(caseload, schedule))


@cache
def trial(policy: str, seed: int) -> Trial:
    """The trial of random caseload ``seed`` under the named policy (memoised)."""
    return run_trial(random_caseload(policy_named(policy), seed))
