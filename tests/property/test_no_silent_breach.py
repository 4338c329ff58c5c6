"""No silent breach, no false alarm, no fault: random caseloads judged by the independent oracle.

Each example draws a caseload seed, plans that caseload (:mod:`oracle.caseloads`) with the
real planner for one of three policies (Camden, Walsall and the synthetic Shapesville policy
in ``tests/oracle/policies/shapes.toml``), and judges the schedule with the oracle in
``tests/oracle``: a second implementation of the rules that shares nothing with the
planner's.  The runs are derandomised, never shrunk and held to a fixed budget; a failure
names the caseload so that ``bench/oracle_sweep.py`` reproduces it:

    .venv/bin/python bench/oracle_sweep.py --policy camden --seed0 SEED --n 1
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from oracle.trial import POLICY_FILES, Trial, trial

#: The bundled policies are held to every property.  Shapesville (the synthetic policy of
#: other rule shapes) is held to "no planning fault" only: the sweep still finds silent
#: breaches and needless cover there (a cadence whose condition starts on a birthday, a
#: second failure's re-visit), listed by `bench/oracle_sweep.py --policy shapes` and left
#: open in the issue "Any authority's visiting policy as data".
POLICIES = ["camden", "walsall"]
ALL_POLICIES = sorted(POLICY_FILES)
#: 9 tests x 20 caseloads x about 0.15 s: inside a minute (trials are memoised).
SWEEP = settings(max_examples=20, derandomize=True, database=None, deadline=None,
                 phases=[Phase.explicit, Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow])
SEEDS = st.integers(0, 10_000)
SHOWN = 8


def explain(run: Trial, what: str, lines: Sequence[str]) -> str:
    """A failure message: the caseload, the count, the first few examples."""
    shown = "\n  ".join(lines[:SHOWN])
    return (f"{run.caseload.label} (today {run.caseload.today}, {run.caseload.weeks} weeks): "
            f"{len(lines)} {what}\n  {shown}")


@pytest.mark.parametrize("policy", POLICIES)
@SWEEP
@given(seed=SEEDS)
def test_every_lapse_the_oracle_finds_is_in_the_shortfall_report(policy: str, seed: int) -> None:
    run = trial(policy, seed)
    breaches = [f"{la.case_ref} {la.rule_id} {la.deadline}: {la.what}"
                for la in run.verdict.silent_breaches]
    assert not breaches, explain(run, "silent breaches", breaches)


@pytest.mark.parametrize("policy", POLICIES)
@SWEEP
@given(seed=SEEDS)
def test_every_reported_shortfall_is_a_lapse_the_oracle_finds(policy: str, seed: int) -> None:
    run = trial(policy, seed)
    alarms = [f"{s.case_ref} {s.rule_id} {s.deadline}: {s.reason}"
              for s in run.verdict.false_alarms]
    assert not alarms, explain(run, "false alarms", alarms)


@pytest.mark.parametrize("policy", ALL_POLICIES)
@SWEEP
@given(seed=SEEDS)
def test_no_planning_fault(policy: str, seed: int) -> None:
    run = trial(policy, seed)
    faults = [f"{f.visit_id} {f.day} {f.worker_id} {f.kind} {f.rule_id}: {f.what}"
              for f in run.verdict.faults]
    assert not faults, explain(run, "planning faults", faults)


@pytest.mark.parametrize("policy", POLICIES)
@SWEEP
@given(seed=SEEDS)
def test_no_cover_while_the_allocated_worker_had_room(policy: str, seed: int) -> None:
    run = trial(policy, seed)
    needless = [f"{c.case_ref} {c.visit_id} {c.day}: {c.what}"
                for c in run.verdict.needless_cover]
    assert not needless, explain(run, "needless cover visits", needless)
