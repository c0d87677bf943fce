"""The loops that run chunks of rows (Monte Carlo samples, streamed samples, sweep variants)
on this machine's cores or on a Dask cluster.

:func:`run_chunks`: ``fn(data, *args, lo, hi)`` computes rows ``lo``..``hi - 1``;
``store(lo, hi, result)`` takes each result in this thread. Locally the results arrive in chunk
order with at most two chunks per thread in flight (memory flat for any number of rows); on Dask
(``scheduler`` an address or a ``distributed.Client``) ``data`` is scattered once and results
arrive as they complete.

:func:`fill_chunks`: ``work(lo, hi)`` writes rows ``lo``..``hi - 1`` into arrays the caller
made with :func:`shared_empty`; in forked worker processes where that is safe
(:mod:`lca.calc.processes`), else on threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lca.calc.processes import can_fork, fill_forked, shared_empty
from lca.errors import CalculationError

__all__ = ["bounds_of", "fill_chunks", "local_mode", "run_chunks", "shared_empty"]


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


FORKED, THREADS, SERIAL = "forked worker processes", "threads", "this process"


def local_mode(chunks: int, workers: int | None = None) -> tuple[str, int]:
    """How :func:`fill_chunks` runs ``chunks`` chunks here (:data:`FORKED`, :data:`THREADS` or
    :data:`SERIAL`) and on how many workers."""
    nworkers = workers or min(max(chunks, 1), os.cpu_count() or 1)
    if nworkers <= 1:
        return SERIAL, 1
    return (FORKED if can_fork(chunks) else THREADS), nworkers


def fill_chunks(
    work: Callable[[int, int], None],
    bounds: Sequence[tuple[int, int]],
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> str:
    """``work(lo, hi)`` for every chunk of ``bounds`` (see the module docstring), on ``workers``
    cores (default all); ``progress(rows)`` is called in this thread as chunks finish. Returns
    how the chunks ran (:func:`local_mode`)."""
    how, nworkers = local_mode(len(bounds), workers)
    if how == FORKED:
        fill_forked(work, bounds, nworkers, progress)
    elif how == SERIAL:
        for lo, hi in bounds:
            work(lo, hi)
            if progress:
                progress(hi - lo)
    else:
        with ThreadPoolExecutor(nworkers) as pool:
            futures = [(hi - lo, pool.submit(work, lo, hi)) for lo, hi in bounds]
            for rows, fut in futures:
                fut.result()
                if progress:
                    progress(rows)
    return how


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
