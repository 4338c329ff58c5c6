"""Atomic, private writes and file names that cannot leave their folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from visitplanner.inputs.fsutil import safe_filename, write_atomic, write_if_changed


def test_write_atomic_writes_the_bytes_with_mode_0600_whatever_the_umask(tmp_path: Path):
    old = os.umask(0)
    try:
        write_atomic(tmp_path / "sub" / "f.ics", b"data")
    finally:
        os.umask(old)
    path = tmp_path / "sub" / "f.ics"
    assert path.read_bytes() == b"data"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path: Path):
    path = tmp_path / "f"
    write_atomic(path, b"old")
    write_atomic(path, b"new", mode=0o640)
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path):
    path = tmp_path / "f"
    write_atomic(path, b"old")
    with pytest.raises(TypeError):
        write_atomic(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_write_if_changed_leaves_identical_files_untouched_but_fixes_their_mode(tmp_path: Path):
    path = tmp_path / "f"
    assert write_if_changed(path, b"same") is True
    path.chmod(0o644)
    os.utime(path, ns=(5, 5))
    assert write_if_changed(path, b"same") is False
    assert path.stat().st_mtime_ns == 5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert write_if_changed(path, b"different") is True
    assert path.read_bytes() == b"different"


@pytest.mark.parametrize("name", ["w-0012", "sw.adebayo", "team-camden_west", "A.b-c_1"])
def test_safe_names_are_kept_as_they_are(name: str):
    assert safe_filename(name) == name


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("../../etc/passwd", "_.._.._etc_passwd-h"),
        ("a/b", "a_b-h"),
        (".hidden", "_.hidden-h"),
        ("", "_-h"),
        ("..", "_..-h"),
        ("-rf", "_-rf-h"),
        ("a\x00b", "a_b-h"),
        ("é", "_-h"),
    ],
)
def test_unsafe_names_are_cleaned_and_marked_with_a_hash(name: str, start: str):
    result = safe_filename(name)
    assert result.startswith(start)
    assert len(result) == len(start) + 16


def test_a_name_that_looks_like_a_cleaned_one_is_not_kept_so_it_cannot_collide():
    cleaned = safe_filename("a/b")
    assert safe_filename(cleaned) != cleaned


@given(st.text(max_size=300))
def test_any_name_gives_a_plain_file_name_inside_the_folder(name: str):
    result = safe_filename(name)
    assert result and result[0] not in ".-" and len(result.encode()) <= 255
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in result)
    folder = Path("/out")
    assert (folder / result).parent == folder
    assert result not in (".", "..")


@given(st.text(max_size=40), st.text(max_size=40))
def test_two_different_names_never_share_a_file_name(first: str, second: str):
    if first != second:
        assert safe_filename(first) != safe_filename(second)
