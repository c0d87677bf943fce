"""Monte Carlo on the compiled model (:mod:`lca.calc.compiled`, built by :mod:`lca.calc.compile`):
chunks of samples on this machine's cores (:func:`lca.calc.chunks.fill_chunks`: forked worker
processes or threads) or a Dask cluster, summaries, common random numbers and break-even.
Sample ``i`` depends only on the seed, ``i`` and the input (see :mod:`lca.calc.sampling`).

Units: totals and stages in kg CO2e, distances in km, per-km figures in g CO2e/km.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lca.calc.chunks import bounds_of, fill_chunks, run_chunks, shared_empty
from lca.calc.compile import compile_model
from lca.calc.compiled import (
    COMPILE_RTOL,
    STAGE_DTYPE,
    Model,
    Outputs,
    _evaluate,
    amounts,
    evaluate,
    parameter_values,
)
from lca.calc.sampling import BLOCK, deterministic_row, draw, draw_block

__all__ = [
    "COMPILE_RTOL",
    "STAGE_DTYPE",
    "Model",
    "Outputs",
    "_evaluate",
    "amounts",
    "compile_model",
    "evaluate",
    "parameter_values",
]

log = logging.getLogger(__name__)
#: default number of random-number blocks per chunk (chunk memory about 40 MB)
CHUNK_BLOCKS = 4


def _chunk(model: Model, seed: int, start: int, stop: int) -> Outputs:
    return evaluate(model, draw(model.inputs, seed, start, stop))


def _write_rows(into: Outputs, lo: int, hi: int, out: Outputs) -> None:
    """Rows ``lo``..``hi - 1`` of ``into`` from ``out``."""
    into.total[lo:hi] = out.total
    into.stages[:, lo:hi] = out.stages
    into.distance_km[lo:hi] = out.distance_km


def _fill(model: Model, seed: int, lo: int, hi: int, into: Outputs) -> None:
    """Samples ``lo`` to ``hi`` evaluated block by block, each straight from
    :func:`draw_block` (its temporaries small enough for the processor's cache), into rows
    ``lo``..``hi - 1`` of ``into``."""
    a = lo
    while a < hi:
        block = a // BLOCK
        b = min(hi, (block + 1) * BLOCK)  # to the end of a's block
        # no name holds the drawn block: it is freed before the next one is drawn, so that
        # memory is reused (fresh pages cost more than the evaluation on some machines)
        rows = slice(a - block * BLOCK, b - block * BLOCK)
        _write_rows(into, a, b, evaluate(model, draw_block(model.inputs, seed, block)[rows]))
        a = b


def chunk_bounds(n: int, chunk: int) -> list[tuple[int, int]]:
    """Chunks of ``chunk`` samples (rounded up to whole random-number blocks)."""
    return bounds_of(n, max(BLOCK, (chunk + BLOCK - 1) // BLOCK * BLOCK))


def run(
    model: Model,
    n: int,
    seed: int,
    *,
    chunk: int = CHUNK_BLOCKS * BLOCK,
    scheduler: str | Any | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Outputs:
    """``n`` Monte Carlo samples in chunks (locally on ``workers`` cores, by default all, in
    forked processes or threads, see :func:`lca.calc.chunks.fill_chunks`; or on a Dask
    ``scheduler`` address or ``distributed.Client``). Sample ``i`` is identical whatever the
    chunk size, workers or scheduler. Locally the arrays returned live in shared memory."""
    if n <= 0:
        raise ValueError("n must be positive")
    bounds = chunk_bounds(n, chunk)
    # stage values are kept in float32 (about 1e-7 relative, far below any reported digit) so
    # that 10^7 samples fit in well under 1 GB; totals and distances stay float64
    if scheduler is None:  # local: worker processes or threads write straight into the result
        into = Outputs(
            shared_empty(n, np.float64),
            shared_empty((len(model.stages), n), STAGE_DTYPE),
            shared_empty(n, np.float64),
        )
        how = fill_chunks(
            lambda lo, hi: _fill(model, seed, lo, hi, into),
            bounds,
            workers=workers,
            progress=progress,
        )
        return dataclasses.replace(into, computed_on=f"this machine: {how}")
    total = np.empty(n)
    stages = np.empty((len(model.stages), n), dtype=STAGE_DTYPE)
    distance = np.empty(n)

    into = Outputs(total, stages, distance, computed_on=str(scheduler))

    def store(lo: int, hi: int, out: Outputs) -> None:
        _write_rows(into, lo, hi, out)
        if progress:
            progress(hi - lo)

    run_chunks(_chunk, model, bounds, store, args=(seed,), scheduler=scheduler)
    return into


def evaluate_design(model: Model, x: np.ndarray, chunk: int = CHUNK_BLOCKS * BLOCK) -> Outputs:
    """Outputs for a given design (rows of input values), in chunks on all cores (forked
    workers or threads, :func:`lca.calc.chunks.fill_chunks`); stages in float64."""
    n = x.shape[0]
    into = Outputs(
        shared_empty(n, np.float64),
        shared_empty((len(model.stages), n), np.float64),
        shared_empty(n, np.float64),
    )

    fill_chunks(
        lambda lo, hi: _write_rows(into, lo, hi, evaluate(model, x[lo:hi])), bounds_of(n, chunk)
    )
    return into


def input_index(model: Model) -> dict[str, int]:
    return {inp.key: j for j, inp in enumerate(model.inputs)}


def align(model: Model, other: Model, x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` (inputs of ``model``) mapped onto ``other``'s inputs: shared keys take the
    same values (used for the break-even and paired comparisons on a fixed design)."""
    idx = input_index(model)
    out = np.repeat(deterministic_row(other.inputs), x.shape[0], axis=0)
    for j, inp in enumerate(other.inputs):
        if inp.key in idx:
            out[:, j] = x[:, idx[inp.key]]
    return out


def summary(values: np.ndarray) -> dict[str, float]:
    """Mean, sd and percentiles of ``values``."""
    q = np.percentile(values, [2.5, 5, 25, 50, 75, 95, 97.5])
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if values.size > 1 else 0.0,
        "p2_5": float(q[0]),
        "p5": float(q[1]),
        "p25": float(q[2]),
        "p50": float(q[3]),
        "p75": float(q[4]),
        "p95": float(q[5]),
        "p97_5": float(q[6]),
    }


def break_even_km(a: Model, b: Model, xa: np.ndarray, xb: np.ndarray) -> np.ndarray:
    """Distance (km) at which system ``a`` (e.g. electric) has emitted as much as ``b`` (the
    combustion reference), per sample; ``inf`` where it does not within the search limit.

    Same convention as ``lca.compare`` (so the deterministic figure is the one ``vlca compare``
    prints): production stages at km 0, use and maintenance spread evenly over the lifetime
    distance (and continuing at that rate beyond it), end of life a step at the lifetime.
    A use profile's year-by-year rates are averaged here.
    """
    from lca.calc.breakeven import break_even, line_parts

    oa, ob = evaluate(a, xa), evaluate(b, xb)
    return break_even(
        line_parts(oa.stages, a.stages, oa.distance_km),
        line_parts(ob.stages, b.stages, ob.distance_km),
    )


def draw_for(models: Sequence[Model], seed: int, start: int, stop: int) -> list[np.ndarray]:
    """Samples of several models with common random numbers (shared input keys, same values)."""
    return [draw(m.inputs, seed, start, stop) for m in models]
