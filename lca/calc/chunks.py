"""The one loop that runs chunks of rows (Monte Carlo samples, streamed samples, sweep variants)
on threads of this machine or on a Dask cluster.

``fn(data, *args, lo, hi)`` computes rows ``lo``..``hi - 1``; ``store(lo, hi, result)`` takes
each result in this thread. Locally the results arrive in chunk order with at most two chunks
per thread in flight (memory flat for any number of rows); on Dask (``scheduler`` an address or
a ``distributed.Client``) ``data`` is scattered once and results arrive as they complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lca.errors import CalculationError


def bounds_of(n: int, size: int) -> list[tuple[int, int]]:
    """Chunks ``(lo, hi)`` of ``size`` rows covering ``0..n - 1``."""
    return [(lo, min(n, lo + size)) for lo in range(0, n, size)]


def run_chunks(
    fn: Callable[..., Any],
    data: Any,
    bounds: Sequence[tuple[int, int]],
    store: Callable[[int, int, Any], None],
    *,
    args: tuple = (),
    workers: int | None = None,
    scheduler: Any = None,
) -> None:
    """``store(lo, hi, fn(data, *args, lo, hi))`` for every chunk of ``bounds`` (see the module
    docstring): threads locally (``workers``, default one per core), or Dask."""
    if scheduler is not None:
        _run_dask(fn, data, bounds, store, args, scheduler)
        return
    nthreads = workers or min(max(len(bounds), 1), os.cpu_count() or 1)
    if nthreads <= 1:
        for lo, hi in bounds:
            store(lo, hi, fn(data, *args, lo, hi))
        return
    window = 2 * nthreads  # bounded work in flight
    with ThreadPoolExecutor(nthreads) as pool:
        pending: list = []
        for lo, hi in bounds:
            pending.append((lo, hi, pool.submit(fn, data, *args, lo, hi)))
            if len(pending) >= window:
                a, b, fut = pending.pop(0)
                store(a, b, fut.result())
        for a, b, fut in pending:
            store(a, b, fut.result())


def _run_dask(fn, data, bounds, store, args, scheduler) -> None:  # noqa: ANN001
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CalculationError(
            "--scheduler needs dask.distributed: pip install 'vehicle-lca[dask]'"
        ) from None
    own = not hasattr(scheduler, "submit")
    client = Client(scheduler) if own else scheduler
    try:
        # hash=False: a unique key per call, so a second client scattering the same data
        # cannot race with the release of the first one's copy
        d = client.scatter(data, broadcast=True, hash=False)
        futures = {client.submit(fn, d, *args, lo, hi, pure=False): (lo, hi) for lo, hi in bounds}
        for fut in as_completed(futures):
            lo, hi = futures[fut]
            store(lo, hi, fut.result())
            fut.release()
    finally:
        if own:
            client.close()
