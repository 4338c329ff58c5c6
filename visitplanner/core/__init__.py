"""The pure core: the plan and every answer about it, from values to values.

Nothing here reads the clock or the environment (the policy loader reads the one policy file
it is named), and nothing imports the edges
(``visitplanner.inputs``, ``visitplanner.publish``, the desk, the CLI): ``today``, seeds and
every input are passed in, so the same inputs give the same plan
(``tests/unit/test_architecture.py`` holds this).

- ``model``: the frozen values (children, workers, visits, the schedule); ``values``: a
  quicker ``__init__`` for those the planner makes by the hundred thousand;
  ``policy/``: an authority's rules as data (format, loading, description);
  ``workdays``: the working-day calendar.
- ``rules`` and ``history``: each rule kind's next deadline for a child, from the facts it reads;
  ``outcomes``, ``shortfalls``: failed visits, escalations, deadlines the plan cannot meet.
- ``planning/`` (one file per step), ``partition`` (an authority as per-team parts),
  ``cover``, ``tags``, ``timeslots``: making the schedule.
- ``verify``, ``due``, ``explain``, ``compare``, ``guards``: what is owed, why a visit is where
  it is, how a plan differs from the kept one, and the refusals that protect calendars.
"""
