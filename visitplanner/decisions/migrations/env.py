"""Alembic's environment for the desk's database: the connection is handed in by
:func:`visitplanner.decisions.store.upgrade` (``config.attributes["connection"]``)."""

from alembic import context

from visitplanner.decisions.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
