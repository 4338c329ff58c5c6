"""Two `feed-token rotate` at once never lose a token (issue 10: 6 of 20 rounds did).

Two processes rotate a token each, round after round, released together by a barrier.  Each
rotation reads the token store, adds its hash and saves it; the processes slow the read down
(:data:`READ_DELAY`), so that without the lock both would read the same store and the second
save would drop the first's token: a URL printed as valid, dead.  The planted check runs the
same race with the lock taken out and must find such a dead token.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from visitplanner.publish import feeds

ROUNDS = 20
#: Seconds between reading the token store and saving it, in both processes.
READ_DELAY = 0.02
WORKERS = 2


def _no_lock(root: Path, command: str) -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


def _rotate_in_rounds(root: str, worker: int, rounds: int, barrier: Barrier,
                      results: Any, locked: bool) -> None:
    """One process of the race: rotate ``w-<round>-<worker>`` each round, report the tokens."""
    read = feeds.load_tokens

    def slow_read(where: Path) -> feeds.TokenStore:
        store = read(where)
        time.sleep(READ_DELAY)
        return store

    feeds.load_tokens = slow_read  # type: ignore[assignment]
    if not locked:
        feeds.workspace_lock = _no_lock  # type: ignore[attr-defined,assignment]
    rotated = []
    for round_ in range(rounds):
        barrier.wait()
        calendar = f"w-{round_}-{worker}"
        rotated.append((calendar, feeds.rotate_token(Path(root), calendar)))
    results.put(rotated)


def race(root: Path, rounds: int, locked: bool) -> list[tuple[str, str]]:
    """Run the race in fresh processes; every (calendar, token) a rotation returned."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS, timeout=60)
    results = context.Queue()
    processes = [context.Process(target=_rotate_in_rounds,
                                 args=(str(root), worker, rounds, barrier, results, locked))
                 for worker in range(WORKERS)]
    for process in processes:
        process.start()
    rotated = [pair for _ in processes for pair in results.get(timeout=120)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    results.close()
    results.join_thread()
    return rotated


def dead_tokens(root: Path, rotated: list[tuple[str, str]]) -> list[str]:
    """The calendars whose returned token the saved store does not know."""
    store = feeds.load_tokens(root)
    return [calendar for calendar, token in rotated if store.calendar_for(token) != calendar]


def test_two_rotations_at_once_never_lose_a_token(tmp_path: Path) -> None:
    rotated = race(tmp_path, ROUNDS, locked=True)
    assert len(rotated) == ROUNDS * WORKERS
    assert dead_tokens(tmp_path, rotated) == []
    assert len(feeds.load_tokens(tmp_path).hashes) == ROUNDS * WORKERS


def test_the_race_finds_lost_tokens_when_the_lock_is_taken_out(tmp_path: Path) -> None:
    # The planted violation: the same race without the lock loses tokens.
    rotated = race(tmp_path, 5, locked=False)
    assert dead_tokens(tmp_path, rotated) != []
