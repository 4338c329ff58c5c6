"""A child's visit history with the few facts each rule reads, kept up to date as visits are added.

Rules never need a child's whole history: a cadence reads the last visit that counts, a quota
the last K, a dated check the last visit that made it, a re-visit the failures since the last
visit that counts, an every-k-th check a small counter.  :class:`History` holds the facts in
time order and remembers each such answer once asked; :meth:`History.plus` returns the history
with one more visit, carrying every remembered answer forward in O(1) each instead of reading
the facts again.  The planner adds a planned visit this way at every step, so a rule's cost no
longer grows with the history.

Immutable: a history is a value (``plus`` returns a new one), so a probe ("what if this
visit goes ahead?") never disturbs the history it was made from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, overload

from visitplanner.core.model import FAILED_OUTCOMES, Child, Location, Outcome, Role
from visitplanner.core.policy.model import STATUTORY, Rule, VisitFilter
from visitplanner.core.values import quick_init

T = TypeVar("T")

#: A filter's location that counts visits wherever they took place.
ANY_LOCATION = "any"

#: Checks that need the child to have been born (the others concern the home and household).
CHECKS_ON_THE_CHILD = frozenset({"seen_alone", "seen_awake", "injuries"})

#: What an answer that depends on no rule is held with (see ``History._answer``).
_ITSELF = object()

#: No answer remembered yet (see ``History._remembered``).
_UNKNOWN = object()

#: Enum members the questions below test every fact against, looked up once: on Python 3.11 a
#: member's lookup through its class costs several times a module name's.
_COMPLETED = Outcome.COMPLETED
_HOME = Location.HOME


@quick_init
@dataclass(frozen=True, slots=True)
class Fact:
    """One child's part in one visit, recorded or planned."""

    at: datetime
    location: Location
    announced: bool
    outcome: Outcome
    role: Role | None
    checks: frozenset[str]
    planned: bool = False
    worker_id: str = ""
    visit_type: str = STATUTORY
    #: Checks tried but not made (not seen alone, bedroom refused: visits.csv checks_not_made).
    not_made: frozenset[str] = frozenset()
    #: The calendar day of ``at`` (in its own zone), found once: rules ask it of every fact
    #: at every step.
    day: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "day", self.at.date())


def matches(visits: VisitFilter, fact: Fact) -> bool:
    """True when ``fact`` is a visit of the kind the filter counts.

    A failed visit (no access, cancelled) never counts toward any rule: it did not take
    place, whatever the filter says of the child being seen ("any" means seen or not seen
    at a visit that happened).  Failures are counted by revisit and escalation rules, from
    their ``after`` outcomes, not through this filter.
    """
    if fact.outcome in FAILED_OUTCOMES:
        return False
    # Locations are string enums: compared with the filter's string as they are.
    if visits.location != ANY_LOCATION and fact.location != visits.location:
        return False
    if visits.child_seen is not None and (fact.outcome is _COMPLETED) != visits.child_seen:
        return False
    if visits.announced is not None and fact.announced != visits.announced:
        return False
    if visits.roles and fact.role not in visits.roles:
        return False
    if fact.visit_type not in visits.types:
        return False
    return visits.checks <= fact.checks


@quick_init
@dataclass(frozen=True, slots=True)
class KthCount:
    """Where an every-k-th-visit check stands: made at some visit yet (``done``); the visits
    since the last that made it (``since``, counted), and the first k of them (``first``)."""

    done: bool
    since: int
    first: tuple[Fact, ...]


class History(Sequence[Fact]):
    """One child's facts in time order, with the answers rules read remembered (see module).

    :meth:`plus` carries each remembered answer past the fact it adds (one step each, with
    the step the answer was found with): the planner asks the same questions of a child at
    every step, so each is answered in O(1) from then on, and a history never needs the one
    it grew from.  A probe (``plus(fact, probe=True)``: "what if this visit goes ahead?",
    asked a few questions) carries an answer only when it is asked.
    """

    __slots__ = ("_facts", "_memo", "_probed")

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        self._facts: tuple[Fact, ...] = tuple(facts)
        #: What was asked -> (the object asked about, the answer, its step past one more fact).
        self._memo: dict[tuple[Any, ...], tuple[object, Any, Callable[[Any, Fact], Any]]] = {}
        #: The history a probe was made from (its answers carried when asked), else None.
        self._probed: History | None = None

    @overload
    def __getitem__(self, index: int) -> Fact: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Fact]: ...

    def __getitem__(self, index: int | slice) -> Fact | Sequence[Fact]:
        return self._facts[index]

    def __len__(self) -> int:
        return len(self._facts)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._facts)

    def __repr__(self) -> str:
        return f"History({self._facts!r})"

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self._facts

    def plus(self, fact: Fact, *, probe: bool = False) -> History:
        """This history with ``fact`` added in time order (after any fact at the same time);
        ``probe``: to be asked only a few questions (see the class)."""
        if self._facts and fact.at < self._facts[-1].at:
            # Earlier than the last fact (a planned visit this morning before one recorded this
            # afternoon): the answers are found again from the facts.
            return History(sorted((*self._facts, fact), key=lambda f: f.at))
        grown = History()
        grown._facts = (*self._facts, fact)
        if probe:
            grown._probed = self
        else:
            grown._memo = {key: (asked, advance(answer, fact), advance)
                           for key, (asked, answer, advance) in self._memo.items()}
        return grown

    # ------------------------------------------------------------------ what rules read

    def last(self, visits: VisitFilter, count: int = 1) -> tuple[Fact, ...]:
        """The last ``count`` facts (fewer when there are fewer) that the filter counts."""
        key = ("last", id(visits), count)
        if (held := self._remembered(key, visits)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
            return tuple(f for f in facts if matches(visits, f))[-count:]

        def advance(value: tuple[Fact, ...], fact: Fact) -> tuple[Fact, ...]:
            return (*value, fact)[-count:] if matches(visits, fact) else value
        return self._answer(key, visits, find, advance)

    def last_recorded(self, visits: VisitFilter) -> Fact | None:
        """The last recorded (not planned) fact that the filter counts."""
        key = ("recorded", id(visits))
        if (held := self._remembered(key, visits)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> Fact | None:
            return next((f for f in reversed(facts) if not f.planned and matches(visits, f)),
                        None)

        def advance(value: Fact | None, fact: Fact) -> Fact | None:
            return fact if not fact.planned and matches(visits, fact) else value
        return self._answer(key, visits, find, advance)

    def last_with(self, visits: VisitFilter, check: str) -> Fact | None:
        """The last fact that the filter counts and that made ``check``."""
        key = ("with", id(visits), check)
        if (held := self._remembered(key, visits)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> Fact | None:
            return next((f for f in reversed(facts) if check in f.checks and matches(visits, f)),
                        None)

        def advance(value: Fact | None, fact: Fact) -> Fact | None:
            return fact if check in fact.checks and matches(visits, fact) else value
        return self._answer(key, visits, find, advance)

    def streak(self, visits: VisitFilter, failures: frozenset[Outcome],
               missed: frozenset[str] = frozenset()) -> tuple[Fact, ...]:
        """The failed home visits (outcome in ``failures``, or the child seen but a check of
        ``missed`` not made) since the last fact the filter counts; other facts neither fail
        nor end the streak."""
        key = ("streak", id(visits), failures, missed)
        if (held := self._remembered(key, visits)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
            streak: tuple[Fact, ...] = ()
            for fact in facts:
                streak = advance(streak, fact)
            return streak

        def advance(streak: tuple[Fact, ...], fact: Fact) -> tuple[Fact, ...]:
            if matches(visits, fact):
                return ()
            if fact.location is _HOME and (fact.outcome in failures or (
                    fact.outcome is _COMPLETED and not missed.isdisjoint(fact.not_made))):
                return (*streak, fact)
            return streak
        return self._answer(key, visits, find, advance)

    def last_planned_day(self) -> date | None:
        """The latest day of a planned (not recorded) fact."""
        return self._latest_day(_is_planned)

    def last_home_visit_day(self) -> date | None:
        """The latest day of a home visit that took place (recorded or planned; a failed one
        did not)."""
        return self._latest_day(_took_place_at_home)

    def _latest_day(self, counted: Callable[[Fact], bool]) -> date | None:
        """The latest day of the facts ``counted`` (the greatest, whatever their order)."""
        key = ("latest", counted)
        if (held := self._remembered(key, counted)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> date | None:
            return max((f.day for f in facts if counted(f)), default=None)

        def advance(value: date | None, fact: Fact) -> date | None:
            if not counted(fact):
                return value
            return fact.day if value is None or fact.day > value else value
        return self._answer(key, counted, find, advance)

    def visitors(self) -> frozenset[str]:
        """The workers of every fact (recorded or planned), "" for a record with none."""
        key = ("visitors",)
        if (held := self._remembered(key, _ITSELF)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> frozenset[str]:
            return frozenset(f.worker_id for f in facts)

        def advance(value: frozenset[str], fact: Fact) -> frozenset[str]:
            return value if fact.worker_id in value else value | {fact.worker_id}
        return self._answer(key, _ITSELF, find, advance)

    def kth(self, rule: Rule, child: Child) -> KthCount:
        """Where the rule's every-k-th check stands for ``child`` (see :class:`KthCount`)."""
        # A history is one child's, and its children outlive the plan: the rule is checked.
        key = ("kth", id(rule), id(child))
        if (held := self._remembered(key, rule)) is not _UNKNOWN:
            return held  # type: ignore[no-any-return]

        def find(facts: tuple[Fact, ...]) -> KthCount:
            count = KthCount(False, 0, ())
            for fact in facts:
                count = _kth_after(rule, child, count, fact)
            return count

        def advance(count: KthCount, fact: Fact) -> KthCount:
            return _kth_after(rule, child, count, fact)
        return self._answer(key, rule, find, advance)

    def _remembered(self, key: tuple[Any, ...], asked: object) -> Any:
        """The answer remembered for ``key`` (asked of ``asked``), else :data:`_UNKNOWN`:
        looked up before the question's ``find`` and ``advance`` are made."""
        held = self._memo.get(key)
        return held[1] if held is not None and held[0] is asked else _UNKNOWN

    def _answer(self, key: tuple[Any, ...], asked: object,
                find: Callable[[tuple[Fact, ...]], T], advance: Callable[[T, Fact], T]) -> T:
        """The answer for ``key``, none being remembered (each question asks
        :meth:`_remembered` first, before making ``find`` and ``advance``): for a probe, the
        answer of the history it was made from carried past its fact; else the answer found
        from the facts.  It is remembered, with ``advance`` to carry it past the next fact added.

        Keys name what was asked by identity (hashing a filter's value on every question
        cost more than the answer): ``asked`` is held with the answer, so an id is never
        taken for another object's while the answer is kept, and is checked on each use.
        """
        probed = self._probed._memo.get(key) if self._probed is not None else None
        if probed is not None and probed[0] is asked:
            found = advance(probed[1], self._facts[-1])
        else:
            found = find(self._facts)
        self._memo[key] = (asked, found, advance)
        return found


def _is_planned(fact: Fact) -> bool:
    return fact.planned


def _took_place_at_home(fact: Fact) -> bool:
    return fact.location is _HOME and not fact.outcome.failed


def as_history(history: Sequence[Fact]) -> History:
    """``history`` as a :class:`History` (itself when it is one)."""
    return history if isinstance(history, History) else History(history)


#: An every-k-th check made at the last visit that counts (one value: made at every step).
_MADE_JUST_NOW = KthCount(True, 0, ())


def _kth_after(rule: Rule, child: Child, count: KthCount, fact: Fact) -> KthCount:
    """The count after one more fact: only visits that count, on a day the rule applied to the
    child (a child under 3 owes no seen-alone check), move it."""
    if not matches(rule.counts, fact) or not rule.when.holds(child, fact.day):
        return count
    if rule.check in CHECKS_ON_THE_CHILD and not child.treated_as_born_on(fact.day):
        return count
    if rule.check in fact.checks:
        return _MADE_JUST_NOW
    k = rule.every_kth or 1
    first = count.first if len(count.first) >= k else (*count.first, fact)
    return KthCount(count.done, count.since + 1, first)
