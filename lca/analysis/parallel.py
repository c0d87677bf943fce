"""Independent calculations (one per scenario of ``vlca compare``) on forked worker processes.

The workers are forked from the calling process, so they start with everything it has loaded
(the background database, the parsed inputs, the imported modules) and only results travel
back (pickled). Results come back in input order and are the ones a serial run gives: each item
is the same function on the same data. An item whose worker fails (an input error, a failed
check, a result that cannot be pickled) is computed again in the calling process, so the error
raised is the one a serial run raises, with its traceback and exit code.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: below this many items the work stays in this process (forking costs about 10 ms a worker)
MIN_ITEMS = 2
_task: Callable[[int], Any] | None = None  # the function the forked workers call


def _call(i: int) -> tuple[bool, Any]:
    assert _task is not None  # set before the workers are forked
    try:
        return True, _task(i)
    except BaseException:  # noqa: BLE001 - recomputed (and so reported) by the caller
        return False, None


def workers_for(n_items: int, workers: int | None = None) -> int:
    """Worker processes for ``n_items`` items: at most one per core; 1 (no fork) when there
    are fewer than :data:`MIN_ITEMS` items or the platform cannot fork."""
    if n_items < MIN_ITEMS or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(n_items, workers or os.cpu_count() or 1))


def fork_map(
    fn: Callable[[int], T],
    n_items: int,
    *,
    workers: int | None = None,
    done: Callable[[int], None] | None = None,
) -> list[T]:
    """``[fn(0), ..., fn(n_items - 1)]``, on forked worker processes where that helps.

    The first item is computed here, before forking: the workers then start with its imports
    and caches instead of each paying for them (on a busy machine that is CPU saved twice).
    ``done(i)`` is called in this process as each item's result arrives, in order."""
    global _task
    results: list[T] = []
    k = workers_for(n_items - 1, workers)
    first = n_items if k <= 1 else 1
    for i in range(min(first, n_items)):
        results.append(fn(i))
        if done:
            done(i)
    if first >= n_items:
        return results
    _task = fn
    try:
        with ProcessPoolExecutor(k, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_call, i) for i in range(first, n_items)]
            try:
                for i, fut in enumerate(futures, first):
                    try:
                        ok, value = fut.result()
                    except Exception:  # noqa: BLE001 - a worker died or its result did not pickle
                        ok, value = False, None
                    results.append(value if ok else fn(i))
                    if done:
                        done(i)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        _task = None
    return results
