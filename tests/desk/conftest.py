"""The Camden example planned and published as on its day (2026-11-23), copied per test,
and the desk's app on it with three accounts: a manager and a viewer of camden-west, and a
manager of another team."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from visitplanner.decisions.store import Store
from visitplanner.desk.app import DeskConfig, create_app
from visitplanner.jobs import PlanOrder, plan_workspace
from visitplanner.publish.feeds import feed_app
from visitplanner.publish.job import publish_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"
DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
TEAM = "camden-west"
PASSWORD = "a long enough password"
MANAGER, VIEWER, OTHER = "mgr.west", "view.west", "mgr.east"


@pytest.fixture(scope="session")
def planned_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("camden") / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    plan_workspace(root, PlanOrder(DAY), [])
    publish_workspace(root)
    return root


@pytest.fixture
def workspace(planned_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(planned_template, root)
    return root


def desk_config(root: Path, secure: bool = False) -> DeskConfig:
    return DeskConfig(root=root, store_url=f"sqlite:///{root}/.visitplanner/desk.sqlite",
                      secret_key=b"test-secret-key-0123456789", today=lambda: DAY,
                      now=lambda: NOW, secure_cookies=secure,
                      feeds=feed_app(root, root / "calendars"))


@pytest.fixture
def app(workspace: Path) -> Flask:
    config = desk_config(workspace)
    store = Store(config.store_url)
    store.add_user(MANAGER, PASSWORD, "manager", [TEAM], NOW)
    store.add_user(VIEWER, PASSWORD, "viewer", [TEAM], NOW)
    store.add_user(OTHER, PASSWORD, "manager", ["camden-east"], NOW)
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client
