"""Fixtures shared by every test folder: the bundled policies and the England calendar."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from visitplanner.core.policy import Policy, load_policy
from visitplanner.core.workdays import WorkingCalendar

REPO_ROOT = Path(__file__).resolve().parents[1]

# On CI the property tests replay the same examples every run (a landing must not hang on
# a lucky draw); on a developer's machine they keep exploring new ones.  Loaded here,
# before the test modules build their own settings on top of the active profile.
# No shrinking on CI: a failure fails at once with its reproduce blob (print_blob) instead of
# spending minutes minimising the example; shrink it locally with @reproduce_failure.
settings.register_profile("ci", derandomize=True, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
if os.environ.get("CI"):
    settings.load_profile("ci")


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
