"""Monte Carlo in constant memory: statistics and percentiles accumulated chunk by chunk.

For runs too large to keep (10^8 samples), each chunk's outputs are folded into accumulators and
dropped: count, mean and variance by the parallel (Chan) update, exact minimum and maximum, and a
fine fixed-width histogram whose range comes from a pilot chunk (widened by the pilot's span on
each side). Percentiles are read from the histogram with linear interpolation inside a bin, so
their resolution is one bin width (reported); values outside the range are counted and the
percentile falls back to the exact minimum or maximum. The first ``keep`` samples (a random
sample themselves: samples are independent) are kept for charts. Sample ``i`` is the same as in
:func:`lca.calc.montecarlo.run`. Units as there: kg CO2e, km, g CO2e/km.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lca.calc.chunks import run_chunks
from lca.calc.montecarlo import CHUNK_BLOCKS, Model, Outputs, _chunk, chunk_bounds
from lca.calc.sampling import BLOCK

PERCENTILES = (2.5, 5, 25, 50, 75, 95, 97.5)
KEYS = ("p2_5", "p5", "p25", "p50", "p75", "p95", "p97_5")
BINS = 1 << 18  # bins per quantity (2 MB of counts)


class Accumulator:
    """Running statistics of one quantity over chunks (see the module docstring)."""

    def __init__(self, pilot: np.ndarray, bins: int = BINS) -> None:
        lo, hi = float(np.min(pilot)), float(np.max(pilot))
        span = hi - lo if hi > lo else max(abs(lo), 1.0) * 1e-6
        self.lo, self.hi = lo - span, hi + span
        self.width = (self.hi - self.lo) / bins
        self.bins = bins
        self.counts = np.zeros(bins, dtype=np.int64)
        self.under = self.over = 0
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min, self.max = np.inf, -np.inf

    def add(self, v: np.ndarray) -> None:
        v = np.asarray(v, dtype=np.float64)
        k = v.size
        if k == 0:
            return
        mean_b = float(np.mean(v))
        m2_b = float(np.sum((v - mean_b) ** 2))
        delta = mean_b - self.mean
        tot = self.n + k
        self.mean += delta * k / tot
        self.m2 += m2_b + delta * delta * self.n * k / tot
        self.n = tot
        self.min = min(self.min, float(np.min(v)))
        self.max = max(self.max, float(np.max(v)))
        idx = np.floor((v - self.lo) / self.width).astype(np.int64)
        low, high = idx < 0, idx >= self.bins
        self.under += int(low.sum())
        self.over += int(high.sum())
        inside = idx[~(low | high)]
        self.counts += np.bincount(inside, minlength=self.bins)

    def percentile(self, q: float) -> float:
        """The ``q`` percentile (numpy's linear definition), each order statistic to one bin
        width."""
        rank = q / 100.0 * (self.n - 1)  # 0-based position among the sorted samples
        j = int(np.floor(rank))
        frac = rank - j
        cum = np.cumsum(self.counts)
        low = self._order_statistic(j, cum)
        if frac == 0.0 or j + 1 >= self.n:
            return low
        return low + frac * (self._order_statistic(j + 1, cum) - low)

    def _order_statistic(self, j: int, cum: np.ndarray) -> float:
        """Estimate of the ``j``-th smallest sample: within its bin, the bin's samples spread
        evenly; below or above the histogram's range, the exact minimum or maximum."""
        if j < self.under:
            return self.min
        target = j - self.under
        if target >= cum[-1]:
            return self.max
        b = int(np.searchsorted(cum, target, side="right"))
        before = cum[b - 1] if b else 0
        frac = (target - before + 0.5) / self.counts[b]
        return float(min(max(self.lo + (b + frac) * self.width, self.min), self.max))

    def summary(self) -> dict[str, float]:
        """The keys of :func:`lca.calc.montecarlo.summary`."""
        out = {
            "mean": self.mean,
            "sd": float(np.sqrt(self.m2 / (self.n - 1))) if self.n > 1 else 0.0,
        }
        out.update({k: self.percentile(q) for k, q in zip(KEYS, PERCENTILES, strict=True)})
        return out


@dataclass
class Streamed:
    """Accumulated statistics of a streamed run and the first ``kept`` samples."""

    n: int
    total: Accumulator
    per_km: Accumulator
    stages: list[Accumulator]
    distance_km: Accumulator
    above: int  # samples above the deterministic total
    kept: Outputs

    def resolution(self) -> dict[str, float]:
        return {"total_kg_co2e": self.total.width, "per_km_g_co2e": self.per_km.width}


def stream(
    model: Model,
    n: int,
    seed: int,
    deterministic_total: float,
    *,
    keep: int = 1_000_000,
    chunk: int = CHUNK_BLOCKS * BLOCK,
    workers: int | None = None,
    samples_out: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Streamed:
    """``n`` samples folded chunk by chunk; ``samples_out``: also write every total (kg CO2e)
    to that ``.npy`` file (written beside it and renamed when complete)."""
    bounds = chunk_bounds(n, chunk)
    first = _chunk(model, seed, *bounds[0])
    acc = _accumulators(first)
    keep = min(keep, n)
    kept = Outputs(np.empty(keep), np.empty((len(model.stages), keep), np.float32), np.empty(keep))
    tmp = samples_out.with_name(samples_out.name + ".part") if samples_out else None
    mm = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float64, shape=(n,)) if tmp else None
    state = {"above": 0}

    def fold(lo: int, hi: int, out: Outputs) -> None:
        acc["total"].add(out.total)
        acc["per_km"].add(out.per_km)
        acc["distance"].add(out.distance_km)
        for i, a in enumerate(acc["stages"]):
            a.add(out.stages[i])
        state["above"] += int(np.sum(out.total > deterministic_total))
        if lo < keep:
            m = min(hi, keep) - lo
            kept.total[lo : lo + m] = out.total[:m]
            kept.stages[:, lo : lo + m] = out.stages[:, :m]
            kept.distance_km[lo : lo + m] = out.distance_km[:m]
        if mm is not None:
            mm[lo:hi] = out.total
        if progress:
            progress(hi - lo)

    try:
        fold(*bounds[0], first)
        _run_rest(model, seed, bounds[1:], fold, workers)
        if mm is not None:
            mm.flush()
            del mm
            os.replace(tmp, samples_out)
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return Streamed(
        n, acc["total"], acc["per_km"], acc["stages"], acc["distance"], state["above"], kept
    )


def _accumulators(first: Outputs) -> dict[str, Any]:
    return {
        "total": Accumulator(first.total),
        "per_km": Accumulator(first.per_km),
        "distance": Accumulator(first.distance_km),
        "stages": [
            Accumulator(first.stages[i], bins=1 << 14) for i in range(first.stages.shape[0])
        ],
    }


def _run_rest(model: Model, seed: int, bounds: list, fold: Callable, workers: int | None) -> None:
    run_chunks(_chunk, model, bounds, fold, args=(seed,), workers=workers)
