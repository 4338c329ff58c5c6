"""A manager's decisions: absences, reassignments, handovers and pins.

:mod:`~visitplanner.decisions.model` holds the values, :mod:`~visitplanner.decisions.overlay`
lays the applied decisions over a workspace (pure), :mod:`~visitplanner.decisions.preview`
says per worker what a decision changes (pure), :mod:`~visitplanner.decisions.store` keeps
decisions and desk accounts in a database (SQLAlchemy; SQLite by default, PostgreSQL for a
shared desk) and :mod:`~visitplanner.decisions.act` carries a decision out: store it,
re-plan, publish.
"""
