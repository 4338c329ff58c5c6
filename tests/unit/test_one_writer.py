"""One writer at a time (issue 10): commands that change the workspace's state take its lock.

A second command waits a bounded time, then fails naming the command that holds the lock; a
command that only reads takes none; a killed holder leaves nothing locked; and two `plan` runs
at once both finish, the second planning from the first's kept plan.  The lock is held by
another process in these tests (the lock is the operating system's, per process), started by
:func:`held_by`.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from visitplanner.cli import main
from visitplanner.inputs import wslock
from visitplanner.inputs.planstore import PLAN_FILE, load_schedule
from visitplanner.inputs.wslock import HOLDER_FILE, LockHolder, busy_error, holder_from_json

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"
PLAN = ("plan", "--from", "2026-11-23", "--force", "--jobs", "1")
#: How long the tests let a command wait for the lock (the real default is 30 s).
SHORT_WAIT = 0.5
BUSY = wslock.WorkspaceBusyError.exit_code

#: Takes the workspace lock as argv[2], says so, and holds it until stdin closes.
HOLD_LOCK = """
import sys
from pathlib import Path
from visitplanner.inputs.wslock import workspace_lock
with workspace_lock(Path(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""

#: Runs the CLI with argv[2:], pausing argv[1] seconds between planning and keeping the plan:
#: it widens the window in which an unlocked second `plan` would read the old kept plan.
SLOW_KEEPING_CLI = """
import sys, time
import visitplanner.inputs.planstore as planstore
from visitplanner.cli import main
keep = planstore.save_schedule
def slow_keep(root, schedule):
    time.sleep(float(sys.argv[1]))
    keep(root, schedule)
planstore.save_schedule = slow_keep
main(sys.argv[2:])
"""


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    target = tmp_path / "camden"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return target


@pytest.fixture()
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wslock, "WAIT_SECONDS", SHORT_WAIT)


def start_holder(workspace: Path, command: str) -> subprocess.Popen[str]:
    """Another process, holding ``workspace``'s lock as ``command`` once this returns."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(workspace), command],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


@contextmanager
def held_by(workspace: Path, command: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``workspace``'s lock as ``command`` for the ``with`` block."""
    with start_holder(workspace, command) as holder:
        try:
            yield holder
        finally:
            assert holder.stdin is not None
            holder.stdin.close()  # it lets go and ends
            holder.wait(timeout=30)


def exit_of(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the real entry point in this process (as the `visitplanner` command does): exit
    code and stderr."""
    try:
        main(["-w", str(workspace), *args])
    except SystemExit as stopped:
        return int(stopped.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


# ------------------------------------------------------------ waiting, then naming the holder


@pytest.mark.usefixtures("short_wait")
def test_a_second_plan_waits_then_fails_naming_the_command_that_holds_the_lock(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with held_by(workspace, "sync") as holder:
        began = time.monotonic()
        code, err = exit_of(workspace, capsys, *PLAN)
        waited = time.monotonic() - began
    assert code == BUSY == 9
    assert waited >= SHORT_WAIT
    assert "The workspace is busy: another command is changing it" in err
    assert "`visitplanner plan` waited 0.5 s" in err
    assert re.search(rf"held by `visitplanner sync` \(pid {holder.pid}\) since "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d", err), err
    assert (f"fix: wait for it to finish, then run `visitplanner plan` again; if it is stuck, "
            f"stop it (kill {holder.pid})") in err
    assert "Traceback" not in err
    assert not (workspace / PLAN_FILE).exists()


@pytest.mark.usefixtures("short_wait")
@pytest.mark.parametrize(("command", "name"), [
    (PLAN, "plan"), (("publish",), "publish"), (("sync",), "sync"),
    (("sync", "--dry-run"), "sync"),
    (("feed-token", "rotate", "ssw.lindqvist"), "feed-token rotate"),
], ids=["plan", "publish", "sync", "sync-dry-run", "feed-token-rotate"])
def test_every_command_that_changes_the_workspace_waits_for_the_lock(
        workspace: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...],
        name: str) -> None:
    with held_by(workspace, "plan") as holder:
        code, err = exit_of(workspace, capsys, *command)
    assert code == BUSY
    assert f"held by `visitplanner plan` (pid {holder.pid})" in err
    assert f"run `visitplanner {name}` again" in err


@pytest.mark.usefixtures("short_wait")
@pytest.mark.parametrize("command", [(*PLAN, "--no-keep"), ("due", "--on", "2026-11-23")],
                         ids=["plan-no-keep", "due"])
def test_a_command_that_only_reads_takes_no_lock(
        workspace: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]) -> None:
    with held_by(workspace, "sync"):
        code, err = exit_of(workspace, capsys, *command)
    assert (code, err) == (0, "")
    assert not (workspace / PLAN_FILE).exists()


@pytest.mark.usefixtures("short_wait")
def test_a_killed_holder_leaves_the_workspace_unlocked(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with start_holder(workspace, "publish") as holder:
        holder.send_signal(signal.SIGKILL)
    assert (workspace / HOLDER_FILE).exists()  # its record is stale, not a lock
    code, _ = exit_of(workspace, capsys, *PLAN)
    assert code == 0
    assert load_schedule(workspace) is not None
    assert not (workspace / HOLDER_FILE).exists()


def test_a_command_that_fails_lets_go_of_the_lock(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = exit_of(workspace, capsys, "publish")  # nothing planned yet: exit 5
    assert code == 5 and "Nothing to publish" in err
    code, _ = exit_of(workspace, capsys, *PLAN)
    assert code == 0


def test_the_lock_file_and_the_holder_record_are_the_owners_only(workspace: Path) -> None:
    with wslock.workspace_lock(workspace, "plan") as holder:
        assert holder_from_json((workspace / HOLDER_FILE).read_text()) == holder
        assert (workspace / HOLDER_FILE).stat().st_mode & 0o777 == 0o600
    assert (workspace / wslock.LOCK_FILE).stat().st_mode & 0o777 == 0o600


def test_a_holder_that_left_no_record_is_still_reported_with_the_fix() -> None:
    error = busy_error(Path("ws"), "publish", 30, None)
    assert error.exit_code == BUSY
    assert error.render() == (
        "The workspace is busy: another command is changing it (`visitplanner publish` waited "
        "30 s) (1 problem)\n"
        "  - ws/.visitplanner/lock: held by another visitplanner command (it left no details) "
        "(fix: wait for it to finish, then run `visitplanner publish` again)")


def test_a_holder_record_reads_back_and_a_damaged_one_reads_as_none() -> None:
    holder = LockHolder(4242, "feed-token rotate", datetime(2026, 11, 23, 10, 15, 2,
                                                            tzinfo=UTC))
    assert holder_from_json(wslock.holder_to_json(holder)) == holder
    assert holder.describe() == ("`visitplanner feed-token rotate` (pid 4242) since "
                                 "2026-11-23 10:15:02+00:00")
    for damaged in ("", "{", "[]", '{"pid": "x", "command": "plan", "since": "2026"}',
                    '{"pid": 1, "command": "plan"}', '{"pid": 1, "command": "plan", "since": 5}'):
        assert holder_from_json(damaged) is None, damaged


# ------------------------------------------------------------ two plans at once


def run_plans_at_once(workspace: Path, seeds: tuple[int, int], delay: float
                      ) -> list[subprocess.CompletedProcess[str]]:
    """Start one `plan` per seed at the same moment; wait for both."""
    runs = [subprocess.Popen([sys.executable, "-c", SLOW_KEEPING_CLI, str(delay),
                              "-w", str(workspace), *PLAN, "--seed", str(seed)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for seed in seeds]
    done = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(run.args, run.returncode, out, err))
    return done


def printed(pattern: str, text: str) -> tuple[int, ...]:
    found = re.search(pattern, text)
    assert found, text
    return tuple(int(group) for group in found.groups())


def test_two_plans_at_once_both_finish_and_the_second_plans_from_the_first(
        workspace: Path) -> None:
    runs = run_plans_at_once(workspace, (11, 22), delay=0.5)
    assert [(run.returncode, run.stderr) for run in runs] == [(0, ""), (0, "")]
    compared = [run for run in runs if "compared with the kept plan" in run.stdout]
    assert len(compared) == 1, "one ran first (nothing kept yet), the other after it"
    second = compared[0]
    first = runs[1 - runs.index(second)]
    # What the first printed as kept is what the second started from: all its visits counted.
    (first_visits,) = printed(r"\): (\d+) visits to", first.stdout)
    unchanged, changed, _new, removed = printed(
        r"compared with the kept plan: (\d+) unchanged, (\d+) changed, (\d+) new, (\d+) removed",
        second.stdout)
    assert unchanged + changed + removed == first_visits
    # And the kept plan is the second's, whole.
    kept = load_schedule(workspace)
    assert kept is not None
    (seed, visits) = printed(r"\(seed (\d+)\): (\d+) visits to", second.stdout)
    assert (kept.seed, len(kept.visits)) == (seed, visits)
