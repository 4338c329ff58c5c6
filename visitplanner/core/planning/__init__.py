"""plan(): a forward schedule of household visits that meets every rule, assigned to workers.

The package's files name the steps: :mod:`.state` (the request and working values),
:mod:`.needs` (each household's next need and its deadlines), :mod:`.reconcile` (the
previous plan's visits kept where they still fit), :mod:`.placement` (the day and worker,
cover), :mod:`.visits` (checks, ids, facts), :mod:`.finish` (unannounced tags, times,
shortfalls) and :mod:`.engine` (the loop).

The algorithm, in words:

1. Each household's next *need* is the earliest visit deadline among its
   children (cadence, first visit, re-visit), computed by :mod:`visitplanner.core.rules`
   from recorded visits plus the visits planned so far.  Its *target* is the
   deadline less the rule's safety margin, so that a failed visit can still be
   re-done before the deadline.
2. Needs are served earliest deadline first across all households, so the
   most urgent (overdue first) get capacity first.
3. A visit goes on the latest day that is safe: the previous plan's day when it
   still fits (re-planning changes as little as possible), else the allocated
   worker's latest free day up to the target -- which moves it earlier, before
   an absence, but no further than halfway since the last visit (its window:
   earlier would visit the family twice in a few days) -- else a colleague's
   (cover), else the team manager's, else the allocated worker earlier still;
   then the margin is used up to the deadline; then the earliest day after it,
   which is a shortfall reported with its cause.  Never silently late.
4. The planned visit is added to each child's history as if it went ahead, with
   the checks it was planned to make, and the household's next need follows.
5. Unannounced visits and times of day are placed last (:mod:`visitplanner.core.tags`).

Pure and deterministic: ``today`` and ``seed`` are inputs; nothing reads the
clock, the environment or an unordered collection's iteration order.
"""

from visitplanner.core.planning.engine import plan
from visitplanner.core.planning.needs import MAX_MARGIN_SHARE
from visitplanner.core.planning.state import PlanRequest
from visitplanner.core.planning.visits import NO_CADENCE_HORIZON, counting_checks, visit_id_for

__all__ = ["MAX_MARGIN_SHARE", "NO_CADENCE_HORIZON", "PlanRequest", "counting_checks", "plan",
           "visit_id_for"]
