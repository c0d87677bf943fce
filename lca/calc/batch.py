"""A sweep's batches on the compiled engine: rows of a variants grid in product order, every
structurally distinct system's rows evaluated at once with the parameter axes as overrides.

Plain data in and out (picklable for Dask workers). kg CO2e, km.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lca.calc import montecarlo as mc
from lca.calc.chunks import bounds_of, run_chunks
from lca.calc.sampling import deterministic_row
from lca.model.exchanges import DISTANCE_PARAMETER, STAGES


def grid_index(shape: Sequence[int], lo: int, hi: int) -> np.ndarray:
    """Axis indices (rows lo..hi-1 x axes) of the product order, last axis fastest."""
    flat = np.arange(lo, hi, dtype=np.int64)
    out = np.empty((hi - lo, len(shape)), dtype=np.int32)
    for k in range(len(shape) - 1, -1, -1):
        out[:, k] = flat % shape[k]
        flat //= shape[k]
    return out


@dataclass(frozen=True)
class Plan:
    """What a batch needs (plain data, picklable for Dask workers)."""

    shape: tuple[int, ...]
    parameters: tuple[tuple[int, str, np.ndarray], ...]  # (axis, parameter, SI values)
    structural: tuple[int, ...]  # axes that select the group
    groups: dict[tuple[int, ...], tuple[mc.Model, mc.Model | None, np.ndarray]]


@dataclass(frozen=True)
class Batch:
    lo: int
    hi: int
    total: np.ndarray
    stages: np.ndarray
    distance_km: np.ndarray
    location_total: np.ndarray
    flagged: np.ndarray  # row numbers (absolute) that failed the vectorised checks


def evaluate_batch(plan: Plan, lo: int, hi: int) -> Batch:
    """Variants ``lo``..``hi - 1``: every group present evaluated on its rows at once."""
    idx = grid_index(plan.shape, lo, hi)
    n = hi - lo
    total = np.full(n, np.nan)
    stages = np.full((len(STAGES), n), np.nan)
    distance = np.full(n, np.nan)
    location = np.full(n, np.nan)
    flagged: list[np.ndarray] = []
    if plan.structural:
        keys = idx[:, list(plan.structural)]
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        uniq, inverse = np.zeros((1, 0), dtype=np.int32), np.zeros(n, dtype=np.int64)
    for g, key in enumerate(uniq):
        rows = np.flatnonzero(inverse == g)
        model, loc_model, check = plan.groups[tuple(int(k) for k in key)]
        overrides = {name: si[idx[rows, k]] for k, name, si in plan.parameters}
        x = np.repeat(deterministic_row(model.inputs), rows.size, axis=0)
        bad = _flag(model, x, overrides, check)
        good = rows[~bad]
        flagged.append(rows[bad] + lo)
        if good.size == 0:
            continue
        ov = {k: v[~bad] for k, v in overrides.items()}
        out = mc.evaluate(model, x[~bad], ov)
        total[good] = out.total
        stages[:, good] = out.stages
        distance[good] = out.distance_km
        if loc_model is None:
            location[good] = out.total
        else:
            xl = np.repeat(deterministic_row(loc_model.inputs), good.size, axis=0)
            location[good] = mc.evaluate(loc_model, xl, ov).total
    return Batch(lo, hi, total, stages, distance, location, np.concatenate(flagged))


def _flag(model: mc.Model, x: np.ndarray, overrides: dict, check: np.ndarray) -> np.ndarray:
    """Rows that a single run would reject or that the engine cannot give: a negative amount,
    a lifetime distance that is not positive, a non-finite amount."""
    values = mc.parameter_values(model, x, overrides)
    life = np.broadcast_to(np.asarray(values[DISTANCE_PARAMETER], dtype=np.float64), (x.shape[0],))
    bad = ~(life > 0.0) | ~np.isfinite(life)
    with np.errstate(all="ignore"):
        for i in check:
            a = mc._evaluate(model.ex_exprs[i], values, model.units) / model.ex_factor[i]
            a = np.broadcast_to(np.asarray(a, dtype=np.float64), (x.shape[0],))
            bad |= ~np.isfinite(a) | (a < 0.0)
    return bad


def run_batches(
    plan: Plan,
    n: int,
    chunk: int,
    store: Callable[[Batch], None],
    *,
    workers: int | None = None,
    scheduler: Any = None,
) -> None:
    """Every batch of ``chunk`` rows of ``n``, handed to ``store`` (threads locally, in order,
    or a Dask ``scheduler`` address or client, as they complete)."""
    run_chunks(
        evaluate_batch,
        plan,
        bounds_of(n, chunk),
        lambda lo, hi, b: store(b),
        workers=workers,
        scheduler=scheduler,
    )
