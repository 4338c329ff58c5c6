"""Where the desk's database lives: light enough for `plan` to ask without importing the
database libraries (SQLAlchemy and Alembic cost about 0.25 s to import)."""

from __future__ import annotations

from pathlib import Path

#: The workspace's own SQLite file, used when no database URL is configured.
DEFAULT_DATABASE = Path(".visitplanner") / "desk.sqlite"


def database_url(root: Path, configured: str | None) -> str:
    """The configured URL, else the workspace's SQLite file."""
    if configured:
        return configured
    return f"sqlite:///{(root / DEFAULT_DATABASE).resolve()}"
