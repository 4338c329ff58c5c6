"""Plan random caseloads and judge every schedule with the independent oracle (tests/oracle).

Run from the repository root:

    .venv/bin/python bench/oracle_sweep.py [--n 200] [--policy camden|walsall|shapes|all]
                                           [--seed0 0]

For each policy it plans caseloads ``seed0`` .. ``seed0 + n - 1``
(:func:`oracle.caseloads.random_caseload`), judges each schedule (:func:`oracle.judge.judge`)
and prints a table: plans, visits, lapses, open lapses, shortfalls, then silent breaches
(open lapses not reported), false alarms (shortfalls with no open lapse), planning faults
and needless cover, each broken down by rule or fault kind, with up to 10 examples of each
(caseload, case ref, rule, deadline, what).  The last line is the total:

    N plans, V visits, silent breaches S, false alarms F, faults P, needless cover C

Exit status 1 when any of S, F, P, C is not zero.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from oracle.caseloads import random_caseload
from oracle.trial import POLICY_FILES, Trial, policy_named, run_trial

EXAMPLES = 10
CATEGORIES = ("silent breaches", "false alarms", "faults", "needless cover")


@dataclass
class Tally:
    """Counts and examples for one policy."""

    plans: int = 0
    visits: int = 0
    lapses: int = 0
    open_lapses: int = 0
    shortfalls: int = 0
    by_kind: dict[str, Counter[str]] = field(
        default_factory=lambda: {c: Counter() for c in CATEGORIES})
    examples: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})

    def total(self, category: str) -> int:
        return sum(self.by_kind[category].values())

    def add(self, trial: Trial) -> None:
        verdict, label = trial.verdict, trial.caseload.label
        self.plans += 1
        self.visits += len(trial.schedule.visits)
        self.lapses += len(verdict.lapses)
        self.open_lapses += len(verdict.open_lapses)
        self.shortfalls += len(trial.schedule.shortfalls)
        for la in verdict.silent_breaches:
            self.note("silent breaches", la.rule_id,
                      f"{label} {la.case_ref} {la.rule_id} {la.deadline}: {la.what}")
        for s in verdict.false_alarms:
            self.note("false alarms", s.rule_id,
                      f"{label} {s.case_ref} {s.rule_id} {s.deadline}: {s.reason}")
        for f in verdict.faults:
            self.note("faults", f.kind, f"{label} {f.case_ref} {f.visit_id} {f.day} "
                      f"{f.worker_id} {f.kind} {f.rule_id}: {f.what}")
        for c in verdict.needless_cover:
            kind = "room on the cover day" if c.room_on == c.day else "room on an earlier day"
            self.note("needless cover", kind,
                      f"{label} {c.case_ref} {c.visit_id} {c.day}: {c.what}")

    def note(self, category: str, kind: str, example: str) -> None:
        self.by_kind[category][kind] += 1
        if len(self.examples[category]) < EXAMPLES:
            self.examples[category].append(example)


def sweep(policy: str, n: int, seed0: int) -> Tally:
    """Plan and judge ``n`` random caseloads of ``policy`` from seed ``seed0``."""
    tally = Tally()
    for seed in range(seed0, seed0 + n):
        tally.add(run_trial(random_caseload(policy_named(policy), seed)))
    return tally


def summary(tally: Tally) -> str:
    return (f"{tally.plans} plans, {tally.visits} visits, "
            f"silent breaches {tally.total('silent breaches')}, "
            f"false alarms {tally.total('false alarms')}, faults {tally.total('faults')}, "
            f"needless cover {tally.total('needless cover')}")


def report(policy: str, tally: Tally) -> None:
    print(f"== {policy}")
    print(f"  plans {tally.plans}  visits {tally.visits}  lapses {tally.lapses}  "
          f"open lapses {tally.open_lapses}  shortfalls reported {tally.shortfalls}")
    for category in CATEGORIES:
        print(f"  {category:<16} {tally.total(category):>6}")
        for kind, count in tally.by_kind[category].most_common():
            print(f"    {kind:<40} {count:>6}")
    for category in CATEGORIES:
        if tally.examples[category]:
            print(f"  examples of {category}:")
            for line in tally.examples[category]:
                print(f"    {line}")
    print(f"  {summary(tally)}")


def combined(tallies: list[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.plans += t.plans
        total.visits += t.visits
        for category in CATEGORIES:
            total.by_kind[category].update(t.by_kind[category])
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="caseloads per policy")
    parser.add_argument("--policy", default="all", choices=[*POLICY_FILES, "all"])
    parser.add_argument("--seed0", type=int, default=0, help="first caseload seed")
    args = parser.parse_args(argv)
    policies = list(POLICY_FILES) if args.policy == "all" else [args.policy]
    tallies = []
    for policy in policies:
        tally = sweep(policy, args.n, args.seed0)
        report(policy, tally)
        tallies.append(tally)
    total = combined(tallies)
    print(summary(total))
    return 1 if any(total.total(c) for c in CATEGORIES) else 0


if __name__ == "__main__":
    sys.exit(main())
