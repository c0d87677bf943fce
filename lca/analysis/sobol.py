"""Variance-based (Sobol) sensitivity of the total: the radial design of Saltelli et al. (2010),
evaluated chunk by chunk, and first- and total-order indices with bootstrap confidence intervals.

The estimators and the bootstrap are those of ``SALib.analyze.sobol.analyze`` (SALib 1.x,
``calc_second_order=False``: Saltelli 2010 first order, Jansen total order, both normalised by
the variance of A and B; the same resample indices from ``default_rng(seed)``, also for seed 0,
where SALib draws unseeded), computed with
the loop invariants hoisted and the inputs on threads: the same numbers, bit for bit (a test
compares both). Totals in kg CO2e; indices are fractions of the variance.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from lca.calc.chunks import bounds_of, fill_chunks, shared_empty
from lca.calc.montecarlo import Model, evaluate
from lca.calc.sampling import BLOCK, UncertainInput

#: SALib bootstrap resamples for confidence intervals, and their level
RESAMPLES = 100
CONF_LEVEL = 0.95
#: model rows evaluated per chunk (about 40 MB of work arrays)
CHUNK_ROWS = 4 * BLOCK


def sobol_base(d: int, n: int, seed: int) -> np.ndarray:
    """``n`` points of a scrambled Sobol sequence in 2d dimensions (``scipy.stats.qmc``): the
    first d columns are the A matrix of the design, the last d the B matrix."""
    from scipy.stats import qmc

    return qmc.Sobol(2 * d, scramble=True, seed=seed).random(n)


def saltelli_design(d: int, n: int, seed: int) -> np.ndarray:
    """The radial design of Saltelli et al. (2010) that ``SALib.analyze.sobol`` expects (first and
    total order): for each of ``n`` base points, rows A, AB_1 .. AB_d, B (n (d + 2) rows on
    [0, 1]^d). Same layout as ``SALib.sample.sobol.sample(calc_second_order=False)``."""
    base = sobol_base(d, n, seed)
    return _radial(base[:, :d], base[:, d:])


def _radial(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows A, AB_1 .. AB_d, B for each row of ``a`` and ``b`` (n x d each)."""
    n, d = a.shape
    out = np.repeat(a[:, None, :], d + 2, axis=1)
    idx = np.arange(d)
    out[:, 1 + idx, idx] = b
    out[:, d + 1, :] = b
    return out.reshape(n * (d + 2), d)


def _values(inputs: Sequence[UncertainInput], u: np.ndarray) -> np.ndarray:
    """Input values at probabilities ``u`` (kept off exactly 0 and 1, as
    :func:`lca.calc.sampling.from_unit_hypercube` does): element-wise, so mapping the n base
    points of A and B and then laying out the design gives the values of mapping the design."""
    tiny = np.finfo(np.float64).eps
    u = np.clip(u, tiny, 1.0 - tiny)
    return np.column_stack([inp.ppf(u[:, j]) for j, inp in enumerate(inputs)])


def design_totals(model: Model, n: int, seed: int) -> np.ndarray:
    """Totals (kg CO2e) of the n (d + 2) runs of the design, in design order: the base points
    of A and B are mapped to input values once (2 n d quantiles, not n d (d + 2)) and the rows
    built and evaluated chunk by chunk on all cores (memory flat in n)."""
    d = len(model.inputs)
    base = sobol_base(d, n, seed)
    va, vb = _values(model.inputs, base[:, :d]), _values(model.inputs, base[:, d:])
    per = max(1, CHUNK_ROWS // (d + 2))
    bounds = bounds_of(n, per)
    y = shared_empty(n * (d + 2), np.float64)

    def part(lo: int, hi: int) -> None:
        x = np.asfortranarray(_radial(va[lo:hi], vb[lo:hi]))
        y[lo * (d + 2) : hi * (d + 2)] = evaluate(model, x).total

    fill_chunks(part, bounds)  # forked workers or threads (lca.calc.chunks)
    return y


def sobol_indices(
    y: np.ndarray,
    d: int,
    num_resamples: int = RESAMPLES,
    conf_level: float = CONF_LEVEL,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """S1, S1_conf, ST, ST_conf of ``SALib.analyze.sobol.analyze(calc_second_order=False)`` for
    outputs ``y`` of :func:`saltelli_design` (same estimators, resamples and numbers)."""
    from scipy.special import ndtri  # scipy.stats.norm.ppf is ndtri

    if not 0 < conf_level < 1:
        raise ValueError("confidence level must be between 0 and 1")
    step = d + 2
    if y.size % step:
        raise ValueError(f"{y.size} outputs are not a whole number of {step}-row groups")
    n = y.size // step
    # SALib falls back to the global numpy generator for seed 0 (so its intervals at the
    # default seed changed from run to run); here every seed, 0 included, seeds default_rng
    rng = np.random.default_rng(seed).integers
    y = (y - y.mean()) / y.std()
    a, b = y[0 : y.size : step], y[step - 1 : y.size : step]
    ab = np.zeros((n, d))
    for j in range(d):
        ab[:, j] = y[j + 1 : y.size : step]
    r = rng(n, size=(n, num_resamples))
    z = ndtri(0.5 + conf_level / 2)
    ar, br = a[r], b[r]
    eps = np.finfo(float).eps
    const = np.ptp(np.r_[a, b]) <= eps
    const_r = np.ptp(np.r_[ar, br]) <= eps
    var, var_r = np.var(np.r_[a, b], axis=0), np.var(np.r_[ar, br], axis=0)
    var_diff = np.ptp(np.r_[ar, br])

    def ratio(num: np.ndarray, v: np.ndarray, constant: bool) -> np.ndarray:
        if constant:
            return np.zeros(np.shape(v), dtype=np.float64)
        return np.divide(num, v, out=np.zeros_like(v, dtype=np.float64), where=v > eps)

    def one(j: int) -> tuple[float, float, float, float]:
        abj, abr = ab[:, j], ab[r, j]
        s1 = ratio(np.mean(b * (abj - a), axis=0), var, const)
        s1_r = ratio(np.mean(br * (abr - ar), axis=0), var_r, const_r)
        st = ratio(0.5 * np.mean((a - abj) ** 2, axis=0), var, const)
        st_r = ratio(0.5 * np.mean((ar - abr) ** 2, axis=0), var_r, const_r)
        if var_diff == 0.0:
            return float(s1), 0.0, float(st), 0.0
        return float(s1), z * s1_r.std(ddof=1), float(st), z * st_r.std(ddof=1)

    with ThreadPoolExecutor(min(d, os.cpu_count() or 1) or 1) as pool:
        rows = list(pool.map(one, range(d)))
    s1, s1c, st, stc = (np.array(col, dtype=np.float64) for col in zip(*rows, strict=True))
    return {"S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc}


def sobol(model: Model, n: int, seed: int) -> dict[str, Any]:
    """First-order and total Sobol indices of the total: :func:`design_totals` (n (d + 2)
    runs), analysed by :func:`sobol_indices` (Saltelli 2010 first-order and Jansen total-order
    estimators, bootstrap confidence intervals, as SALib computes them)."""
    d = len(model.inputs)
    t0 = time.perf_counter()
    y = design_totals(model, n, seed)
    t_eval = time.perf_counter() - t0
    res = sobol_indices(y, d, RESAMPLES, CONF_LEVEL, seed)
    rows = [
        {
            "key": inp.key,
            "label": inp.label,
            "S1": float(res["S1"][j]),
            "S1_conf": float(res["S1_conf"][j]),
            "ST": float(res["ST"][j]),
            "ST_conf": float(res["ST_conf"][j]),
        }
        for j, inp in enumerate(model.inputs)
    ]
    rows.sort(key=lambda r: -r["ST"])
    return {
        "method": "sobol",
        "n": n,
        "runs": n * (d + 2),
        "seed": seed,
        "confidence_level": CONF_LEVEL,
        "seconds": time.perf_counter() - t0,
        "seconds_sampling_and_model": t_eval,
        "sum_S1": float(np.sum(res["S1"])),
        "inputs": rows,
    }
