"""Fixtures shared by every test folder: the bundled policies and the England calendar."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


#: Folders of the checkout that tests read and must never write: the bundled examples (the
#: README's main job runs on them), the policies, and the package itself.
LEFT_AS_THEY_ARE = ("examples", "config", "visitplanner")


def _files_under(folders: tuple[str, ...]) -> frozenset[str]:
    return frozenset(str(path.relative_to(REPO_ROOT)) for folder in folders
                     for path in (REPO_ROOT / folder).rglob("*")
                     if "__pycache__" not in path.parts)


@pytest.fixture(scope="session", autouse=True)
def checkout_left_as_it_was() -> Iterator[None]:
    """No test leaves a file in the examples, the policies or the package (a command that
    only reads, run on the bundled example, once kept a cache in it unnoticed)."""
    before = _files_under(LEFT_AS_THEY_ARE)
    yield
    added = sorted(_files_under(LEFT_AS_THEY_ARE) - before)
    assert added == [], f"tests left files in the checkout: {added}"
