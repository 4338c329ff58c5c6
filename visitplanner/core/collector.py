"""Pausing Python's cyclic garbage collector around work that makes many small values.

Planning an authority and publishing its calendars each make hundreds of thousands of small
values and no reference cycles; with an authority's plan in memory, every pass of the
collector walks all of it, and the passes cost more than the work (5,000 children: planning
16 s -> 12 s CPU, a publish with nothing changed 3.4 s -> 2.0 s).  Nothing is left
uncollected: values without cycles are freed as ever, and the collector runs again after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body without the cyclic garbage collector (as it was before, after)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
