"""Fixtures shared by every test folder: the bundled policies and the England calendar."""

from __future__ import annotations

from pathlib import Path

import pytest

from visitplanner.policy import Policy, load_policy
from visitplanner.workdays import WorkingCalendar

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def camden() -> Policy:
    return load_policy("camden", REPO_ROOT)


@pytest.fixture(scope="session")
def walsall() -> Policy:
    return load_policy("walsall", REPO_ROOT)


@pytest.fixture(scope="session")
def england() -> WorkingCalendar:
    """England's bank holidays, no closure days (closures belong to a workspace)."""
    return WorkingCalendar("ENG")
