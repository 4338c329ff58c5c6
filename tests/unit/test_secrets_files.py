"""Every file the tool writes is the owner's only, and a killed write's leftovers go (issue 10).

A write that is killed (SIGKILL, power loss) leaves its temporary file,
``.NAME.XXXXXXXX.tmp``, holding the full content; the next write of ``NAME`` removes it,
unless a live write still holds it (locked) or it is too new to tell.
"""

from __future__ import annotations

import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from visitplanner.inputs.fsutil import (
    LEFTOVER_MIN_AGE_SECONDS,
    remove_leftover_temporaries,
    write_atomic,
    write_if_changed,
)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def leftover(folder: Path, name: str, age_seconds: float = 3600) -> Path:
    """A temporary file as a killed write leaves it: full content, mode 0600, some time ago."""
    path = folder / name
    path.write_bytes(b"BEGIN:VCALENDAR\r\nSUMMARY:a child's name\r\n")
    path.chmod(0o600)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.usefixtures("open_umask")
def test_every_file_written_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    write_atomic(tmp_path / "plan.json", b"{}")
    write_if_changed(tmp_path / "w-0012.ics", b"BEGIN:VCALENDAR\r\n")
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_killed_writes_temporary_file_is_removed_when_the_file_is_next_written(
        tmp_path: Path) -> None:
    left = leftover(tmp_path, ".w-0012.ics.k3x_9a2b.tmp")
    write_atomic(tmp_path / "w-0012.ics", b"new")
    assert not left.exists()
    assert names(tmp_path) == ["w-0012.ics"]


def test_an_unchanged_file_still_loses_its_leftover_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "w-0012.ics"
    write_atomic(target, b"same")
    leftover(tmp_path, ".w-0012.ics.k3x_9a2b.tmp")
    assert write_if_changed(target, b"same") is False
    assert names(tmp_path) == ["w-0012.ics"]


def test_a_temporary_file_that_a_live_write_holds_is_kept(tmp_path: Path) -> None:
    busy = leftover(tmp_path, ".w-0012.ics.live1234.tmp")
    with busy.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as write_atomic holds its own
        write_atomic(tmp_path / "w-0012.ics", b"new")
        assert busy.exists()
    assert remove_leftover_temporaries(tmp_path / "w-0012.ics") == [busy]


def test_a_temporary_file_too_new_to_judge_is_kept(tmp_path: Path) -> None:
    fresh = leftover(tmp_path, ".w-0012.ics.fresh123.tmp", age_seconds=0)
    write_atomic(tmp_path / "w-0012.ics", b"new")
    assert fresh.exists()
    old = time.time() - LEFTOVER_MIN_AGE_SECONDS - 1
    os.utime(fresh, (old, old))
    assert remove_leftover_temporaries(tmp_path / "w-0012.ics") == [fresh]


def test_only_the_written_files_own_temporary_files_are_removed(tmp_path: Path) -> None:
    others = [leftover(tmp_path, name) for name in (
        ".w-0012.ics.bak.k3x_9a2b.tmp",  # a temporary file of "w-0012.ics.bak"
        ".w-0012.icsx.k3x_9a2b.tmp",      # ... of "w-0012.icsx"
        "w-0012.ics.k3x_9a2b.tmp",        # not hidden: not ours
        ".w-0012.ics.k3x_9a2b.tmp.keep",  # does not end in .tmp
    )]
    write_atomic(tmp_path / "w-0012.ics", b"new")
    assert all(path.exists() for path in others)


def test_a_write_never_leaves_its_own_temporary_file(tmp_path: Path) -> None:
    for round_ in range(3):
        write_atomic(tmp_path / "w-0012.ics", f"v{round_}".encode())
    assert names(tmp_path) == ["w-0012.ics"]
