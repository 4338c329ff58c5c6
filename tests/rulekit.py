"""Builders shared by the rule tests: synthetic children, visits, deadlines, policy texts.

Dates are ISO strings (``"2026-11-02"``) so that a test reads like the worked
example beside it; every visit is at home, announced, completed and made by a
social worker unless the test says otherwise.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from visitplanner.core.model import LONDON, Child, Location, Outcome, PlanType, Role
from visitplanner.core.policy import Policy, RuleKind
from visitplanner.core.rules import Context, Deadline, Fact, deadlines
from visitplanner.core.workdays import WorkingCalendar

D = date.fromisoformat

#: Rule kinds that put a visit, a check or a notification into a schedule.
SCHEDULE_KINDS = frozenset({RuleKind.CADENCE, RuleKind.FIRST_VISIT, RuleKind.QUOTA,
                            RuleKind.CHECK, RuleKind.REVISIT, RuleKind.ESCALATION})

# The two source policies, kept word for word beside the docs (copies of shared/seeds).
SOURCES = Path(__file__).resolve().parents[1] / "docs" / "sources"
SEED_FILES = {"000": "camden-visits-policy.txt", "003": "walsall-cp-visits.txt"}


def visit(day: str, outcome: Outcome = Outcome.COMPLETED, *checks: str,
          role: Role = Role.SOCIAL_WORKER, announced: bool = True,
          location: Location = Location.HOME, clock: str = "10:00") -> Fact:
    """A visit made on ``day`` at ``clock`` (London time) in which ``checks`` were made."""
    when = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=LONDON)
    return Fact(at=when, location=location, announced=announced, outcome=outcome, role=role,
                checks=frozenset(checks))


def child(prefix: str, plan: PlanType, *, born: str = "2016-05-10",
          plan_start: str = "2026-11-02", **extra: object) -> Child:
    """Synthetic child ``{prefix}-T001`` of household ``{prefix}-HT01``; ``extra``: Child fields."""
    return Child(case_ref=f"{prefix}-T001", household=f"{prefix}-HT01", name="Test Child",
                 birth_date=D(born), plan_type=plan, plan_start=D(plan_start),
                 **extra)  # type: ignore[arg-type]


def due(policy: Policy, calendar: WorkingCalendar, rule_id: str, kid: Child,
        history: list[Fact], on: str) -> Deadline | None:
    """The rule's deadline for the child as seen on ``on`` (None when the rule sets none)."""
    found = [d for d in deadlines(Context(policy, calendar), kid, tuple(history), D(on))
             if d.rule_id == rule_id]
    assert len(found) <= 1
    return found[0] if found else None


def due_date(policy: Policy, calendar: WorkingCalendar, rule_id: str, kid: Child,
             history: list[Fact], on: str) -> date | None:
    """The date of the rule's deadline, which the rule must set (None: owed at the next visit)."""
    found = due(policy, calendar, rule_id, kid, history, on)
    assert found is not None, f"rule {rule_id} set no deadline"
    return found.due


def schedule_rule_ids(policy: Policy) -> list[str]:
    """The ids of the policy's rules with a schedule effect, in policy order."""
    return [rule.id for rule in policy.rules if rule.kind in SCHEDULE_KINDS]


def ids_not_quoted_in(test_file: str, rule_ids: list[str]) -> list[str]:
    """The rule ids that ``test_file`` never writes as a quoted string: rules no test names."""
    source = Path(test_file).read_text(encoding="utf-8")
    return [rule_id for rule_id in rule_ids if f'"{rule_id}"' not in source]


def normalised(text: str) -> str:
    """Whitespace collapsed and markdown emphasis (** and *) removed."""
    return " ".join(re.sub(r"\*\*?", "", text).split())


def seed_text(prefix: str) -> str:
    """The source policy numbered ``prefix`` in shared/seeds, normalised."""
    return normalised((SOURCES / SEED_FILES[prefix]).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- policy texts

POLICY_HEADER = """
[policy]
id = "testshire"
name = "Testshire visits"

[policy.documents]
manual = "Testshire visiting manual"
"""

#: Four problems: a misspelt key (so a required key is missing), an interval with a bad
#: unit, and a quote citing a document the policy does not list.
MALFORMED_POLICY = POLICY_HEADER + """
[[rules]]
id = "cin-cadence"
kind = "cadence"
evry = "10 days"
source = { document = "manual", section = "2", quote = "Visit every 10 days." }

[[rules]]
id = "cin-revisit"
kind = "revisit"
after = ["no_access"]
within = "10 dayz"
source = { document = "nowhere", section = "2", quote = "Re-visit within 10 days." }
"""

#: MALFORMED_POLICY with its four mistakes put right.
CORRECTED_POLICY = (MALFORMED_POLICY.replace("evry", "every").replace("dayz", "days")
                    .replace('"nowhere"', '"manual"'))
