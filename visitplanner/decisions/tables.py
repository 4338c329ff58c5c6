"""The desk's database tables (SQLAlchemy 2 typed models).  Changed only through a new
Alembic migration in ``migrations/versions`` (see docs/desk.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    """A desk account: a manager changes their teams' plans, a viewer only looks."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    #: The teams the account sees, separated by commas.
    teams: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime]


class DecisionRow(Base):
    """A decision: its kind, its change as JSON, and its status (see model.DecisionStatus)."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    change: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    team: Mapped[str] = mapped_column(String(80))
    made_by: Mapped[str] = mapped_column(String(80))
    made_at: Mapped[datetime]
    why: Mapped[str] = mapped_column(Text, default="")


class AuditRow(Base):
    """One entry of the audit log: a decision drafted, applied, discarded or withdrawn."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    action: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")


class LoginFailureRow(Base):
    """A wrong password, kept to slow down guessing (see store.MAX_FAILURES)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_login_failures_name_at", "name", "at"),)
