"""Errors the user can fix, each with an exit code and *every* problem found.

Like click's and todoman's exceptions, each kind of error carries its own exit
code so that scripts can tell "bad input" from "server unreachable".  A user
error never shows a traceback: the CLI prints :meth:`VisitplannerError.render`
and exits with :attr:`exit_code`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem: where it is, what is wrong, and how to fix it.

    ``where`` names the file and, when known, the row/column or TOML key,
    e.g. ``"children.csv, row 4, column date_of_birth"``.
    """

    where: str
    what: str
    fix: str = ""

    def render(self) -> str:
        text = f"{self.where}: {self.what}"
        return f"{text} (fix: {self.fix})" if self.fix else text


class VisitplannerError(Exception):
    """Base class: a message, an exit code and the list of problems."""

    exit_code = 1

    def __init__(self, message: str, problems: tuple[Problem, ...] | list[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    def render(self) -> str:
        lines = [self.message]
        if self.problems:
            count = len(self.problems)
            lines[0] += f" ({count} problem{'s' if count != 1 else ''})"
            lines.extend(f"  - {p.render()}" for p in self.problems)
        return "\n".join(lines)


class PolicyError(VisitplannerError):
    """The policy file is malformed or inconsistent."""

    exit_code = 3


class InputError(VisitplannerError):
    """The workspace (settings or CSV files) is malformed or inconsistent."""

    exit_code = 4


class PlanError(VisitplannerError):
    """The plan could not be made or breaks the policy."""

    exit_code = 5


class PublishError(VisitplannerError):
    """Calendars could not be written or served."""

    exit_code = 6


class SyncError(VisitplannerError):
    """A CalDAV sync failed (for every calendar, or could not start)."""

    exit_code = 7


class PartialSyncError(SyncError):
    """Some calendars synced and some failed."""

    exit_code = 8
