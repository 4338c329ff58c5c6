"""The sync state files are written like every other state file (issue 10): the worker-edits
file through ``fsutil.write_atomic`` (flushed to disk, 0600), the status database 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from visitplanner.publish import syncstatus
from visitplanner.publish.syncstatus import (
    SyncStatus,
    WorkerEdit,
    load_worker_edits,
    record_worker_edits,
    worker_edits_path,
)

EDIT = WorkerEdit("sw1", "v-1@visitplanner", "moved", "2026-01-05T10:00:00",
                  "2026-01-05T11:00:00", "2026-01-04T18:00:00Z")


def test_worker_edits_are_flushed_to_disk_before_they_replace_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    record_worker_edits(tmp_path, [EDIT])
    assert len(synced) >= 2  # the file, then its folder (the rename)
    assert load_worker_edits(tmp_path) == [EDIT]


def test_worker_edits_file_is_private_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        record_worker_edits(tmp_path, [EDIT])
        record_worker_edits(tmp_path, [], resolved=[(EDIT.calendar, EDIT.uid)])
    finally:
        os.umask(old)
    path = worker_edits_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert load_worker_edits(tmp_path) == []


def test_the_sync_status_database_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        SyncStatus.open(tmp_path).close()
    finally:
        os.umask(old)
    path = tmp_path / syncstatus.STATE_DIR / syncstatus.STATUS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_status_database_is_made_private_and_keeps_its_contents(
        tmp_path: Path) -> None:
    status = SyncStatus.open(tmp_path)
    status.store_token("sw1", "token-1")
    status.close()
    path = tmp_path / syncstatus.STATE_DIR / syncstatus.STATUS_FILE
    path.chmod(0o644)
    reopened = SyncStatus.open(tmp_path)
    assert reopened.token("sw1") == "token-1"
    reopened.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
