"""One small pure function per rule kind: given a child's visit history, when is the rule due?

A child's history is a tuple of :class:`Fact` in time order: visits that were
recorded, and (inside the planner) visits planned but not yet made, assumed to
go ahead with every required check done.  The same functions therefore answer
``visitplanner due`` (recorded history only) and drive the planner.

Dates: every deadline is a calendar date and is *inclusive*: the obligation is
met by a visit on that date.  Intervals count in the unit the rule names
(calendar days, working days, weeks, months, hours); see
:meth:`visitplanner.core.policy.model.Interval.add_to` for the counting convention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from visitplanner.core.history import CHECKS_ON_THE_CHILD, Fact, History, as_history, matches
from visitplanner.core.model import (
    LONDON,
    Child,
    Location,
    Outcome,
    PlanValue,
    RecordedVisit,
    Worker,
)
from visitplanner.core.policy import interval_of, plan_value
from visitplanner.core.policy.model import (
    STATUTORY,
    Counting,
    Interval,
    Policy,
    Rule,
    RuleKind,
    Trigger,
    Unit,
    VisitFilter,
)
from visitplanner.core.values import quick_init
from visitplanner.core.workdays import WorkingCalendar

__all__ = ["CHECKS_ON_THE_CHILD", "Context", "Deadline", "Fact", "History", "Question",
           "chosen_for", "deadlines", "deadlines_of", "facts_from_records", "matches",
           "may_ever_apply", "owed", "owed_deadline", "working_days_back"]

@quick_init
@dataclass(frozen=True, slots=True)
class Deadline:
    """When a rule next falls due for one child.

    ``due`` is the last day (inclusive) on which the obligation can be met;
    ``at_next_visit`` marks a check owed at the next counting visit whenever it
    comes (its ``due``, when set, is the visit where it was already missed).
    ``action`` is "visit", "check", "notify", "record" or "limit".
    """

    rule_id: str
    case_ref: str
    action: str
    due: date | None
    what: str
    anchor: date | None = None
    at_next_visit: bool = False
    check: str = ""

    def overdue_days(self, on: date) -> int:
        """Calendar days past ``due`` on ``on`` (0 when not overdue)."""
        return max(0, (on - self.due).days) if self.due else 0


@dataclass(frozen=True, slots=True)
class Context:
    """What rule functions need besides the child and its history.

    ``records_from``: the day from which the recorded visits are complete (the
    export's start); a deadline is never counted from before it.
    """

    policy: Policy
    calendar: WorkingCalendar
    records_from: date | None = None
    #: Interval ends counted so far (see :func:`end_of`), by what they are counted from.
    ends: dict[tuple[int, Unit, Counting, datetime, object, int], date] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    #: Working days counted back so far (see :func:`working_days_back`).
    backs: dict[tuple[date, int], date] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    #: Each rule's own words for its deadline so far (see :func:`said`), by the rule's id().
    texts: dict[int, tuple[Rule, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False)


def facts_from_records(records: Iterable[RecordedVisit],
                       workers: Mapping[str, Worker]) -> dict[str, History]:
    """Recorded visits grouped by case reference, each child's facts in time order."""
    by_child: dict[str, list[Fact]] = {}
    for record in records:
        worker = workers.get(record.worker_id)
        by_child.setdefault(record.case_ref, []).append(Fact(
            at=record.at, location=record.location, announced=record.announced,
            outcome=record.outcome, role=worker.role if worker else None,
            checks=record.checks, worker_id=record.worker_id, visit_type=record.visit_type,
            not_made=record.not_made))
    return {ref: History(sorted(facts, key=lambda f: f.at)) for ref, facts in by_child.items()}


def plan_anchor(ctx: Context, child: Child) -> datetime:
    """Where a rule counts from when no visit counts yet: the plan's start, or the day the
    records begin when that is later (nothing is known of visits before it)."""
    start = child.plan_start
    if ctx.records_from is not None and ctx.records_from > start:
        start = ctx.records_from
    return start_of(start)


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in Europe/London (an anchor with no visit time)."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def end_of(ctx: Context, rule: Rule, interval: Interval, anchor: datetime) -> date:
    """The inclusive last day of ``interval`` (resolved by the policy) counted from ``anchor``.

    Remembered in ``ctx``: a rule counts from the same last visit at every step of a plan
    until a visit moves it, and working days are counted one by one.  The anchor's zone and
    fold are part of the key: equal instants in two zones may fall on two dates, and two
    instants an hour apart in the autumn overlap compare equal in one zone.
    """
    resolved = ctx.policy.resolve(interval)
    counting = ctx.policy.counting_for(rule)
    key = (resolved.count, resolved.unit, counting, anchor, anchor.tzinfo, anchor.fold)
    end = ctx.ends.get(key)
    if end is None:
        end = ctx.ends[key] = resolved.add_to(anchor, ctx.calendar, counting)
    return end


def said(ctx: Context, rule: Rule, words: Callable[[], str]) -> str:
    """The rule's own words for its deadline, as ``words`` makes them: the same at every step
    of a plan, so made once per plan.  One text per rule: only its kind's function asks, and
    says one thing of it (a cadence's own interval, not a plan's value, which is per child).
    Held by the rule's id() with the rule, which is checked (an id is never taken for another
    rule's while the words are kept)."""
    held = ctx.texts.get(id(rule))
    if held is not None and held[0] is rule:
        return held[1]
    text = words()
    ctx.texts[id(rule)] = (rule, text)
    return text


def working_days_back(ctx: Context, day: date, count: int) -> date:
    """The ``count``-th working day before the last working day on or before ``day`` (that
    working day itself when ``count`` is 0); remembered in ``ctx``, like :func:`end_of`."""
    key = (day, count)
    back = ctx.backs.get(key)
    if back is None:
        last_working = ctx.calendar.latest_working_day_on_or_before(day)
        back = ctx.backs[key] = ctx.calendar.add_working_days(last_working, -count)
    return back


def cadence(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact]) -> Deadline | None:
    """Next visit due under a cadence: last counting visit (or plan start) plus the interval.

    A failed or not-seen visit does not count (the filter requires the child
    seen), so it never resets the clock.  A plan value (days agreed at
    conference) can only tighten: the deadline is the earlier of the
    policy's and the plan's, whatever units the policy counts in.  The plan's values
    for the rule (plan_values.csv, see :func:`_plan_value_end`) give deadlines too;
    None when there is no interval at all (a rule with no ``every`` and no plan value:
    the workspace refuses such a child).
    """
    counting = as_history(history).last(rule.counts)
    anchor = counting[-1].at if counting else plan_anchor(ctx, child)
    due: date | None = None
    what = ""
    every = rule.every
    if every is not None:
        due = end_of(ctx, rule, every, anchor)
        what = said(ctx, rule, lambda: f"visit at least every {ctx.policy.resolve(every)}")
    days = plan_value(rule, child)
    if days is not None:
        planned = end_of(ctx, rule, Interval(days, Unit.CALENDAR_DAYS), anchor)
        if due is None or planned < due:
            due, what = planned, f"visit at least every {days} calendar days (set for this child)"
    values = child.plan_values_for(rule.id)
    if values:
        due, what = _plan_value_end(ctx, rule, values, anchor, due, what)
    if due is None:
        return None
    return Deadline(rule.id, child.case_ref, "visit", due, what, anchor=anchor.date())


def _plan_value_end(ctx: Context, rule: Rule, values: Sequence[PlanValue], anchor: datetime,
                    due: date | None, what: str) -> tuple[date | None, str]:
    """The deadline (inclusive) with the plan's values for the rule, oldest first.

    The value in force on the anchor's day (the latest ``start`` on or before it) counts
    from the anchor; each later value from 00:00 on its ``start``.  The deadline is the
    earliest of these and of ``due`` (the rule's own, and visit_frequency_days), except
    that an approved relaxation in force on the anchor's day (the rule has ``relax`` and
    the value carries approvers) replaces the rule's own interval.
    """
    in_force = [v for v in values if v.start <= anchor.date()]
    current = in_force[-1] if in_force else None
    if current is not None and rule.relax is not None and current.approved_by:
        due, what = None, ""
    for value in ([current] if current else []) + [v for v in values if v.start > anchor.date()]:
        start = anchor if value is current else start_of(value.start)
        interval = interval_of(value)
        end = end_of(ctx, rule, interval, start)
        if due is None or end < due:
            due = end
            what = f"visit at least every {ctx.policy.resolve(interval)} (set for this child" + \
                (f" by {value.set_by}" if value.set_by else "") + \
                f" from {value.start.isoformat()})"
    return due, what


def first_visit(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact]) -> Deadline | None:
    """A counting visit due within the rule's interval of the event; None once made (or no
    event).  An event that comes again (each review conference, each placement) owes a visit
    after each: the first occurrence after the last counting visit sets the deadline, from
    00:00 on its day, with the event's day as the anchor (a visit before it does not count)."""
    last = as_history(history).last(rule.counts)
    # Met when the last visit that counts is on or after the event's day.
    event = next((day for day in child.occurrences(rule.event)
                  if not last or day > last[-1].day), None)
    if event is None:
        return None
    within = rule.within
    assert within is not None
    due = end_of(ctx, rule, within, start_of(event))
    return Deadline(rule.id, child.case_ref, "visit", due, said(
        ctx, rule, lambda: f"first visit within {ctx.policy.resolve(within)} of {rule.event}"),
                    anchor=event)


def quota(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
          on: date) -> Deadline | None:
    """Rolling-window quota.

    ``at_least`` K: the next qualifying visit is due by the window's end
    counted from the K-th most recent qualifying visit (or from the plan start).
    ``at_most`` K: a "limit" deadline when the window ending on ``on`` already
    holds K qualifying visits (no more until the oldest leaves the window).
    """
    assert rule.window is not None
    if rule.at_least:
        counting = as_history(history).last(rule.counts, rule.at_least)
        anchor = counting[0].at if len(counting) == rule.at_least else plan_anchor(ctx, child)
        owed = Deadline(rule.id, child.case_ref, "visit", end_of(ctx, rule, rule.window, anchor),
                        f"at least {rule.at_least} such visit(s) in any "
                        f"{ctx.policy.resolve(rule.window)}", anchor=anchor.date())
        return owed  # judged on its own date by owed_deadline
    if not rule.at_most:
        return None
    # The window ending on ``on`` is full when the K-th most recent visit is still in it
    # (windows end later for later visits): none is allowed until that one leaves.
    counting = as_history(history).last(rule.counts, rule.at_most)
    if len(counting) == rule.at_most and \
            (leaves := end_of(ctx, rule, rule.window, counting[0].at)) >= on:
        free_from = leaves + timedelta(days=1)
        return Deadline(rule.id, child.case_ref, "limit", free_from,
                        f"no more than {rule.at_most} in any {ctx.policy.resolve(rule.window)}: "
                        f"next allowed from {free_from.isoformat()}")
    return None


def check(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
          on: date) -> Deadline | None:
    """When the rule's check is next owed: at the next visit, by a date, or before a conference.

    Checks on the child themself (seen alone, seen awake, injuries) are not owed
    before the child is born: a pre-birth visit is to the expectant parent.  An unborn
    child is treated as born from its expected due date (see
    :meth:`~visitplanner.core.model.Child.treated_as_born_on`).
    """
    if rule.check in CHECKS_ON_THE_CHILD and not child.treated_as_born_on(on):
        return None
    if rule.every_kth:
        return _every_kth(rule, child, as_history(history))
    done = as_history(history).last_with(rule.counts, rule.check)
    within = rule.within
    if within:
        anchor = done.at if done else _first_owed(ctx, rule, child)
        # Judged on its own date by owed_deadline, like every dated deadline.
        return Deadline(
            rule.id, child.case_ref, "check", end_of(ctx, rule, within, anchor),
            said(ctx, rule, lambda: f"{rule.check} at least every {ctx.policy.resolve(within)}"),
            anchor=anchor.date(), check=rule.check)
    between = _between_conferences(rule, child, done, on)
    return between if between is None or still_applies(rule, child, between) else None


def _every_kth(rule: Rule, child: Child, history: History) -> Deadline | None:
    """A check owed on every k-th counting visit: owed at the next visit when the k-1 visits
    since the last one with it lacked it (or it was never made).  When the k-th visit since
    also lacked it, the check was missed: ``due`` is that visit's day (the lapse stays open,
    and the check owed, until a visit makes it).  Only visits on which the rule applied
    count (a child under 3 owes no seen-alone check)."""
    assert rule.every_kth is not None
    count = history.kth(rule, child)
    if count.done and count.since < rule.every_kth - 1:
        return None
    missed = count.first[rule.every_kth - 1].day if count.since >= rule.every_kth else None
    what = f"{rule.check} at the next visit" + (
        f" (missed at the visit on {missed.isoformat()})" if missed else "")
    return Deadline(rule.id, child.case_ref, "check", missed, what, at_next_visit=True,
                    check=rule.check)


def _first_owed(ctx: Context, rule: Rule, child: Child) -> datetime:
    """Where a dated check counts from before it was ever made: the plan anchor, or the
    (expected) birth when later for a check on the child (seen awake within 6 weeks of it)."""
    anchor = plan_anchor(ctx, child)
    born = child.assumed_birth_date
    if rule.check in CHECKS_ON_THE_CHILD and born is not None and start_of(born) > anchor:
        return start_of(born)
    return anchor


def still_applies(rule: Rule, child: Child, deadline: Deadline) -> bool:
    """False when the rule's condition no longer holds on its own deadline (a child who turns 3
    before a "seen awake, under 3" deadline owes it no more): such a deadline lapses."""
    return deadline.due is None or rule.when.holds(child, deadline.due)


def next_conference(child: Child, on: date) -> date | None:
    """The child's first conference after ``on`` (calendar days, ``on`` excluded) that ends a
    period between conferences: a conference on (or before) the plan's first day opens the
    plan, it ends no period."""
    return next((d for d in child.conference_dates if d > on and d > child.plan_start), None)


def _between_conferences(rule: Rule, child: Child, done: Fact | None,
                         on: date) -> Deadline | None:
    past = [d for d in child.conference_dates if d <= on]
    since = past[-1] if past else child.plan_start
    if done is not None and done.day >= since:
        return None
    following = next_conference(child, on)
    due = following - timedelta(days=1) if following else None
    what = f"{rule.check} before the next conference" if following else \
        f"{rule.check} (no next conference booked: at the next visit)"
    return Deadline(rule.id, child.case_ref, "check", due, what, anchor=since,
                    at_next_visit=following is None, check=rule.check)


def failure_streak(rule: Rule, history: Sequence[Fact]) -> list[Fact]:
    """The failed home visits (outcome in ``rule.after``) since the last visit that counts
    toward the rule (by default a home visit where the child was seen).

    Any other visit neither fails nor ends the streak: a visit away from home, or a
    cancelled visit where the rule does not count cancellations as failures (it did not
    take place, so it is no re-visit either).
    """
    return list(as_history(history).streak(rule.counts, rule.after, rule.missed))


def revisit_deadlines(ctx: Context, rule: Rule, child: Child,
                      history: Sequence[Fact]) -> tuple[Deadline, ...]:
    """Every re-visit deadline the current streak of failures has set, earliest first: one
    for each run of ``failures`` failures in a row (each failed visit had to be re-done in
    time; the last run sets the deadline still to meet)."""
    streak = failure_streak(rule, history)
    if len(streak) < rule.failures or rule.within is None:
        return ()
    # Each run of ``failures`` failures in a row sets a deadline, counted from its first
    # or its last failure: three not seen in a row are two runs of two.
    first = rule.anchor == "first_failed_visit"
    runs = [streak[end - rule.failures + 1:end + 1] for end in range(rule.failures - 1,
                                                                      len(streak))]
    anchors = [run[0] if first else run[-1] for run in runs]
    return tuple(Deadline(rule.id, child.case_ref, "visit",
                          end_of(ctx, rule, rule.within, anchor.at),
                          f"re-visit within {ctx.policy.resolve(rule.within)} of the "
                          f"{_failed(rule, anchor)}", anchor=anchor.day)
                 for anchor in anchors)


def _failed(rule: Rule, fact: Fact) -> str:
    """The visit a re-visit answers, as its reason says it."""
    if fact.outcome is Outcome.COMPLETED:  # seen, but a missed check not made
        return f"visit on {fact.day.isoformat()} ({not_made_text(rule, fact)})"
    return f"failed visit on {fact.day.isoformat()}"


#: The visits a ratio is of when its ``of`` says nothing: every visit where the child was
#: seen, wherever it took place.
EVERY_VISIT = VisitFilter(location="any")


def ratio_window(ctx: Context, rule: Rule, facts: Sequence[Fact], at: Fact) -> list[Fact]:
    """The visits ``of`` a ratio is judged over at the visit ``at`` (one of ``facts``, which are
    in time order): those up to and including it in the ``window`` ending on its day (each
    counted from its own day, as a quota counts), or its ``last`` ones."""
    of = rule.of or EVERY_VISIT
    upto = [f for f in facts[:facts.index(at) + 1] if matches(of, f)]
    if rule.last is not None:
        return upto[-rule.last:]
    assert rule.window is not None
    return [f for f in upto if end_of(ctx, rule, rule.window, f.at) >= at.day]


def ratio_share(rule: Rule, window: Sequence[Fact]) -> Fraction:
    """The share of ``window`` that the ratio's ``counts`` counts (1 for no visits)."""
    if not window:
        return Fraction(1)
    return Fraction(sum(1 for f in window if matches(rule.counts, f)), len(window))


def ratio(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
          on: date) -> Deadline | None:
    """A ratio short at the last visit ``of`` on or before ``on`` (None while it holds): the
    next visits must be ones ``counts`` counts until the share is back."""
    of = rule.of or EVERY_VISIT
    facts = [f for f in history if f.day <= on]
    last = next((f for f in reversed(facts) if matches(of, f)), None)
    if last is None or rule.share is None:
        return None
    share = ratio_share(rule, ratio_window(ctx, rule, facts, last))
    if share >= rule.share:
        return None
    return Deadline(rule.id, child.case_ref, "ratio", on,
                    f"only {share} of the visits are as the rule counts them (at least "
                    f"{rule.share}) at the visit on {last.day.isoformat()}", at_next_visit=True)


def task(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
         on: date) -> Deadline | None:
    """When the task rule's next meeting or task is due for ``child`` (tasks.csv says which were
    done); the visit history plays no part.

    ``before``: ``within`` before the first coming occurrence (on or after ``on``) of the
    event with no task done since the occurrence before it.  ``event``: ``within`` from the
    first occurrence after the last done one (each occurrence owes the task), else ``every``
    from the last done.  ``every`` alone: from the last done, or the plan's start.
    """
    done = child.done_days(rule.id)
    last = done[-1] if done else None
    if rule.before:
        return _task_before(ctx, rule, child, done, on)
    if rule.event:
        event = next((d for d in child.occurrences(rule.event) if last is None or d > last), None)
        if event is not None and rule.within is not None:
            return _task_deadline(rule, child, end_of(ctx, rule, rule.within, start_of(event)),
                                  f"within {ctx.policy.resolve(rule.within)} of {rule.event} "
                                  f"on {event.isoformat()}", event)
        if last is None or rule.every is None:
            return None
    if rule.every is None:
        return None
    anchor = start_of(last) if last is not None else plan_anchor(ctx, child)
    return _task_deadline(rule, child, end_of(ctx, rule, rule.every, anchor),
                          f"at least every {ctx.policy.resolve(rule.every)}", anchor.date())


def _task_before(ctx: Context, rule: Rule, child: Child, done: Sequence[date],
                 on: date) -> Deadline | None:
    """The task due ``within`` (working days counted back) before a coming occurrence."""
    assert rule.within is not None
    previous: date | None = None
    for event in child.occurrences(rule.before):
        made = any((previous is None or d > previous) and d <= event for d in done)
        if event >= on and not made:
            count = ctx.policy.resolve(rule.within)
            due = working_days_back(ctx, event, count.count) \
                if count.unit is Unit.WORKING_DAYS else event - (
                    end_of(ctx, rule, rule.within, start_of(event)) - event)
            return _task_deadline(rule, child, due, f"{count} before {rule.before} on "
                                  f"{event.isoformat()}", event)
        previous = event
    return None


def _task_deadline(rule: Rule, child: Child, due: date, when: str, anchor: date) -> Deadline:
    return Deadline(rule.id, child.case_ref, "task", due, f"{rule.task} ({when})",
                    anchor=anchor)


def planned_visits_can_meet(rule: Rule) -> bool:
    """True when a planned visit (a statutory home visit) can count toward the rule."""
    return STATUTORY in rule.counts.types and rule.counts.location != Location.ELSEWHERE.value


def not_made_text(rule: Rule, fact: Fact) -> str:
    """The missed checks of ``rule`` not made at ``fact``, e.g. "seen_alone not made"."""
    return " and ".join(sorted(rule.missed & fact.not_made)) + " not made"


def revisit(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact]) -> Deadline | None:
    """A re-visit due within ``within`` of the last failed visit, once the streak is long enough."""
    found = revisit_deadlines(ctx, rule, child, history)
    return found[-1] if found else None


def escalation(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
               on: date) -> Deadline | None:
    """Who must be told, by when; None while the trigger has not fired.

    ``consecutive_failures``: fires on the day of the N-th failure in a row.
    ``not_seen_for`` / ``not_seen_alone_for``: fires the day after the period
    since the last qualifying visit (or plan start) runs out; reported from the
    moment it is due so the manager sees it coming.
    """
    tell = " and ".join(n.replace("_", " ") for n in rule.notify)
    if rule.trigger in (Trigger.CONSECUTIVE_FAILURES, Trigger.MISSED_CHECK):
        streak = failure_streak(rule, history)
        if len(streak) < rule.failures:
            return None
        fired = streak[-1].at
        what = f"tell the {tell}: {len(streak)} failed visit(s) in a row" \
            if rule.trigger is Trigger.CONSECUTIVE_FAILURES else \
            f"tell the {tell}: {not_made_text(rule, streak[-1])} at the visit on " \
            f"{streak[-1].day.isoformat()}"
    else:
        assert rule.period is not None
        seen = as_history(history).last_recorded(rule.counts)
        anchor = seen.at if seen else plan_anchor(ctx, child)
        fired = start_of(end_of(ctx, rule, rule.period, anchor) + timedelta(days=1))
        if fired.date() > on:
            return None
        alone = " alone" if rule.trigger is Trigger.NOT_SEEN_ALONE_FOR else ""
        what = f"tell the {tell}: not seen{alone} since {anchor.date().isoformat()}"
    due = end_of(ctx, rule, rule.within, fired) if rule.within else fired.date()
    return Deadline(rule.id, child.case_ref, "notify", due, what, anchor=fired.date())


def deadlines(ctx: Context, child: Child, history: Sequence[Fact], on: date,
              among: Sequence[Rule] | None = None) -> tuple[Deadline, ...]:
    """Every rule's next deadline for ``child`` as seen on ``on``, in policy order; only those
    of the rules ``among`` (in their order) when given.

    Recording, cover, preference and guidance rules set no deadline here: a
    recording deadline belongs to a planned visit (see the planner).
    """
    rules = ctx.policy.rules if among is None else among
    return deadlines_of(ctx, child, history, on,
                        [Question.of(rule) for rule in rules if may_ever_apply(rule, child)])


def deadlines_of(ctx: Context, child: Child, history: Sequence[Fact], on: date,
                 chosen: Sequence[Question]) -> tuple[Deadline, ...]:
    """:func:`deadlines` of the questions ``chosen`` for the child by :func:`chosen_for` (not
    chosen again: the planner asks the same child at every step)."""
    out: list[Deadline] = []
    known = as_history(history)  # each answer found once, whichever rules ask it
    for question in chosen:
        found = owed(ctx, question, child, known, on)
        if found is not None:
            out.append(found)
    return tuple(out)


#: A rule kind's function as :func:`owed` calls it: the day ``on`` is given to all, read by some.
KindFunction = Callable[[Context, Rule, Child, Sequence[Fact], date], Deadline | None]


@quick_init
@dataclass(frozen=True, slots=True)
class Question:
    """A rule as asked at every step of a plan, with what judging its answer needs found once:
    whether its deadline is dated (see :func:`owed_deadline`) and its kind's function."""

    rule: Rule
    dated: bool
    of_kind: KindFunction

    @classmethod
    def of(cls, rule: Rule) -> Question:
        return cls(rule, _is_dated(rule), _KIND_FUNCTIONS.get(rule.kind, _no_deadline))


def chosen_for(child: Child, questions: Iterable[Question]) -> tuple[Question, ...]:
    """The questions (in their order) whose rules may apply to the child on some day (see
    :func:`may_ever_apply`)."""
    return tuple(q for q in questions if may_ever_apply(q.rule, child))


def may_ever_apply(rule: Rule, child: Child) -> bool:
    """True when the rule may apply to the child on some day: it is of the child's plan type
    and its condition holds on what never changes for the child (see ``_may_apply``)."""
    return child.plan_type in rule.plans and _may_apply(rule, child)


def _may_apply(rule: Rule, child: Child) -> bool:
    """False when the rule's condition fails on what never changes for the child (its
    categories, education and service): no day can be owed, so nothing is computed."""
    when = rule.when
    if when.categories and not (when.categories & child.categories):
        return False
    if when.services and child.service not in when.services:
        return False
    return not (when.education and child.education not in when.education)


def _is_dated(rule: Rule) -> bool:
    """Rules whose deadline is a date counted from the last qualifying visit."""
    return rule.kind in (RuleKind.CADENCE, RuleKind.FIRST_VISIT) or \
        (rule.kind is RuleKind.QUOTA and bool(rule.at_least)) or \
        (rule.kind is RuleKind.CHECK and rule.within is not None)


def owed_deadline(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
                  on: date) -> Deadline | None:
    """The rule's next deadline for ``child`` as seen on ``on``.  A dated rule (cadence,
    first visit, at-least quota, check within an interval) is judged on its own date,
    whatever ``on`` is: owed then if the rule applies then; else owed on the first later
    day it applies (from the 3rd birthday for "seen alone, from 3"); else it lapses (the
    child is 4 by then: the rule for over-4s owns the day).  Other rules apply or not on
    ``on``.  Call this, not the rule functions, from outside this module."""
    return owed(ctx, Question.of(rule), child, history, on)


def owed(ctx: Context, question: Question, child: Child, history: Sequence[Fact],
         on: date) -> Deadline | None:
    """:func:`owed_deadline` of the question's rule."""
    rule = question.rule
    # ``rule.switch`` is tested first: most rules have none, and this runs at every step.
    if not question.dated and (not rule.when.holds(child, on) or (
            rule.switch is not None and rule.is_switched_off(child, on))):
        return None
    found = question.of_kind(ctx, rule, child, history, on)
    if not question.dated or found is None or found.due is None:
        return found
    starts = first_day_applying(rule, child, found.due)
    if starts is not None and rule.switch is not None and rule.is_switched_off(child, starts):
        starts = first_day_switched_on(rule, child, starts)
    if starts is None or starts == found.due:
        return found if starts is not None else None
    return replace(found, due=starts)


def first_day_switched_on(rule: Rule, child: Child, day: date) -> date | None:
    """For a dated rule switched off for the child on its deadline ``day``: owed from the day
    the plan switches it back on, when the condition holds then (None: not owed)."""
    back = child.switched_on_after(rule.id, day)
    return back if back is not None and rule.when.holds(child, back) else None


def first_day_applying(rule: Rule, child: Child, day: date) -> date | None:
    """``day`` when the rule's condition holds on it, else the birthday of ``min_age`` when
    that is later and the condition holds then, else None.  Exact because only ages change
    over time, and an age condition holds over one run of days: once ``under_age`` fails it
    never holds again."""
    if rule.when.holds(child, day):
        return day
    born = child.assumed_birth_date
    if born is None or rule.when.min_age is None:
        return None
    birthday: date = born + relativedelta(years=rule.when.min_age)
    return birthday if birthday > day and rule.when.holds(child, birthday) else None


#: Each rule kind's function (kinds with none set no deadline, see :func:`deadlines`).
_KIND_FUNCTIONS: dict[RuleKind, KindFunction] = {
    RuleKind.CADENCE: lambda ctx, rule, child, history, _: cadence(ctx, rule, child, history),
    RuleKind.FIRST_VISIT:
        lambda ctx, rule, child, history, _: first_visit(ctx, rule, child, history),
    RuleKind.QUOTA: quota,
    RuleKind.CHECK: check,
    RuleKind.REVISIT: lambda ctx, rule, child, history, _: revisit(ctx, rule, child, history),
    RuleKind.ESCALATION: escalation,
    RuleKind.RATIO: ratio,
    RuleKind.TASK: task,
}


def _no_deadline(ctx: Context, rule: Rule, child: Child, history: Sequence[Fact],
                 on: date) -> Deadline | None:
    return None
