"""A history grown one visit at a time answers every rule's question as one read from scratch."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from visitplanner.core.history import Fact, History, matches
from visitplanner.core.model import LONDON, Child, Location, Outcome, PlanType, Role
from visitplanner.core.policy.model import Condition, Rule, RuleKind, Source, VisitFilter

FILTERS = (VisitFilter(), VisitFilter(location="any", child_seen=None),
           VisitFilter(checks=frozenset({"seen_alone"})),
           VisitFilter(roles=frozenset({Role.SOCIAL_WORKER})))
FAILURES = frozenset({Outcome.NO_ACCESS, Outcome.NOT_SEEN})
CHILD = Child("C1", "H1", "Test Child", date(2020, 5, 1), PlanType.CP, date(2026, 1, 5))
KTH = Rule("kth", RuleKind.CHECK, Source("test", "4.1", "every third visit"),
           frozenset({PlanType.CP}), when=Condition(min_age=3), check="seen_alone", every_kth=3)


def random_facts(seed: int, count: int) -> list[Fact]:
    rng = random.Random(seed)
    at = datetime(2023, 1, 2, 10, tzinfo=LONDON)
    facts = []
    for _ in range(count):
        at += timedelta(days=rng.choice((0, 3, 10, 40)))
        facts.append(Fact(at, rng.choice(list(Location)), rng.random() < 0.5,
                          rng.choice(list(Outcome)), rng.choice((Role.SOCIAL_WORKER, None)),
                          frozenset(c for c in ("seen_alone", "bedroom") if rng.random() < 0.4),
                          planned=rng.random() < 0.3))
    return facts


def answers(history: History) -> tuple[object, ...]:
    return (*(history.last(f, k) for f in FILTERS for k in (1, 3)),
            *(history.last_recorded(f) for f in FILTERS),
            *(history.last_with(f, c) for f in FILTERS for c in ("seen_alone", "bedroom")),
            *(history.streak(f, FAILURES) for f in FILTERS),
            history.kth(KTH, CHILD), history.last_planned_day(), history.last_home_visit_day(),
            history.visitors())


@pytest.mark.parametrize("seed", range(40))
def test_a_history_grown_visit_by_visit_answers_as_one_read_at_once(seed: int) -> None:
    facts = random_facts(seed, 25)
    grown = History()
    for n, fact in enumerate(facts):
        if n % 4 == 0:
            answers(grown)  # asked along the way, so that answers are carried forward
        grown = grown.plus(fact)
    assert answers(grown) == answers(History(facts))


@pytest.mark.parametrize("seed", range(20))
def test_a_probe_answers_as_a_history_read_at_once(seed: int) -> None:
    facts = random_facts(seed, 12)
    base = History(facts[:-1])
    if seed % 2:  # every answer asked of the base first, or one
        answers(base)
    else:
        base.last(FILTERS[0])
    assert answers(base.plus(facts[-1], probe=True)) == answers(History(facts))


def test_the_last_visits_that_count_are_read_from_the_facts() -> None:
    facts = random_facts(7, 30)
    counted = [f for f in facts if matches(FILTERS[0], f)]
    assert History(facts).last(FILTERS[0], 3) == tuple(counted[-3:])


def test_a_visit_earlier_than_the_last_goes_in_its_place() -> None:
    facts = random_facts(3, 5)
    early = Fact(facts[-1].at - timedelta(hours=1), Location.HOME, True, Outcome.COMPLETED,
                 Role.SOCIAL_WORKER, frozenset(), planned=True)
    grown = History(facts).plus(early)
    assert list(grown) == sorted([*facts, early], key=lambda f: f.at)
    assert answers(grown) == answers(History(sorted([*facts, early], key=lambda f: f.at)))


def test_a_probe_leaves_the_history_it_grew_from_as_it_was() -> None:
    base = History(random_facts(5, 10))
    before = answers(base)
    base.plus(Fact(datetime(2030, 1, 1, 12, tzinfo=LONDON), Location.HOME, True,
                   Outcome.COMPLETED, Role.SOCIAL_WORKER, frozenset({"seen_alone"})))
    assert answers(base) == before and len(base) == 10
