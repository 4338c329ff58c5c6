"""An independent oracle: a second implementation of the visiting rules.

The planner's own checker calls the planner's rule functions, so it shares their
mistakes.  This package shares nothing with the planner's logic: it reads the policy's
data (rule fields only), counts working days with its own calendar on top of the
``holidays`` package, and judges a schedule against the semantics written in the
module docstrings:

- :mod:`oracle.calendar`: working days (Mon-Fri, not a bank holiday, not a closure).
- :mod:`oracle.intervals`: the last day (inclusive) of an interval from an anchor.
- :mod:`oracle.facts`: a child's history (recorded and planned visits), which visits
  count toward a rule, ages and when a rule applies.
- :mod:`oracle.obligations`: one function per rule kind, each giving the lapses.
- :mod:`oracle.faults`: planning faults and needless cover.
- :mod:`oracle.judge`: the entry point, :func:`oracle.judge.judge`.
- :mod:`oracle.caseloads`: random, seeded caseloads; :mod:`oracle.trial` plans one with
  the real planner and judges it (the only module here that imports the planner).

The oracle itself (everything but ``caseloads`` and ``trial``) never imports
``visitplanner.core.planning``, ``rules``, ``workdays`` or any other module with rule logic.
"""
