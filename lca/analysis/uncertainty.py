"""Uncertainty and sensitivity analyses on top of the vectorised engine (no file output here).

- :func:`monte_carlo_report`: summary statistics of the total, per km and per stage;
- :func:`paired_comparison`: several systems sampled with common random numbers against a
  baseline (probability each is lower, distribution of the difference);
- :func:`break_even`: distribution of the break-even distance against a reference vehicle;
- :func:`oat`, :func:`sobol`, :func:`morris`: one-at-a-time, variance-based (SALib) and
  elementary-effects (SALib) sensitivity of the total.

Totals in kg CO2e, per-km figures in g CO2e/km, distances in km.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from lca.analysis.sobol import CONF_LEVEL, RESAMPLES, saltelli_design, sobol
from lca.calc.montecarlo import (
    CHUNK_BLOCKS,
    Model,
    Outputs,
    break_even_km,
    chunk_bounds,
    evaluate,
    evaluate_design,
    run,
    summary,
)
from lca.calc.sampling import (
    BLOCK,
    DESIGN_QUANTILES,
    SAMPLING,
    UncertainInput,
    deterministic_row,
    draw,
    from_unit_hypercube,
)

__all__ = ["CONF_LEVEL", "RESAMPLES", "saltelli_design", "sobol"]

log = logging.getLogger(__name__)
#: probabilities of the one-at-a-time low and high values
OAT_QUANTILES = (0.05, 0.95)


def describe_input(inp: UncertainInput) -> dict[str, Any]:
    """An input for the JSON report, in display units."""
    d: dict[str, Any] = {"key": inp.key, "label": inp.label, "distribution": inp.kind}
    if inp.target == "parameter":
        d["unit"] = inp.unit
        d["value"] = inp.deterministic * inp.to_display
        scale = inp.to_display
    else:
        d["unit"] = "multiplier" if inp.target == "record" else "choice"
        scale = 1.0
    p = inp.params
    if inp.kind == "lognormal":
        d["median"] = p[0] * scale
        d["gsd"] = float(np.exp(p[1]))
    elif inp.kind == "normal":
        d["mean"], d["sd"] = p[0] * scale, p[1] * scale
    elif inp.kind == "uniform":
        d["low"], d["high"] = p[0] * scale, p[1] * scale
    elif inp.kind == "triangular":
        d["low"], d["mode"], d["high"] = (v * scale for v in p)
    else:
        weights = np.diff((0.0, *p))
        if inp.choices:
            d["choices"] = dict(zip(inp.choices, map(float, weights), strict=True))
        else:
            d["choices"] = [
                {"value": v * scale, "weight": float(w)}
                for v, w in zip(inp.values, weights, strict=True)
            ]
    if inp.description:
        d["description"] = inp.description
    if inp.basis:
        d["basis"] = inp.basis
    return d


def report_head(model: Model, n: int, seed: int, det: Any) -> dict[str, Any]:
    """The part of a Monte Carlo report that does not depend on the samples: name, n, seed and
    the deterministic result (kg CO2e, g CO2e/km, stages) of ``det`` (``evaluate`` at the
    deterministic row). Shared by the in-memory and the streamed report."""
    return {
        "name": model.name,
        "n": n,
        "seed": seed,
        "deterministic_kg_co2e": float(det.total[0]),
        "deterministic_per_km_g_co2e": float(det.per_km[0]),
        "deterministic_stages_kg_co2e": {
            s: float(det.stages[i, 0]) for i, s in enumerate(model.stages)
        },
        "note": "the deterministic result uses each input's central value (a record's median "
        "multiplier 1, a parameter's value); skewed distributions (lognormal, asymmetric "
        "triangular) put the mean and median above or below it",
    }


def monte_carlo_report(
    model: Model,
    n: int,
    seed: int,
    *,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK_BLOCKS * BLOCK,
    samples_ready: Callable[[Outputs, float], None] | None = None,
) -> tuple[dict[str, Any], Outputs]:
    """Run ``n`` samples; return the report (JSON-ready) and the samples. ``samples_ready(out,
    deterministic_kg)`` is called as soon as the samples are drawn, before the statistics (a
    chart can start on them)."""
    t0 = time.perf_counter()
    out = run(model, n, seed, scheduler=scheduler, progress=progress, chunk=chunk)
    seconds = time.perf_counter() - t0
    det = evaluate(model, deterministic_row(model.inputs))
    if samples_ready is not None:
        samples_ready(out, float(det.total[0]))
    arrays = [out.total, out.per_km, out.distance_km, *out.stages]
    with ThreadPoolExecutor(min(len(arrays), os.cpu_count() or 1)) as pool:
        # numpy's partition releases the GIL: the percentiles of 10^6 samples take 20 ms each
        total, per_km, distance, *stages = pool.map(summary, arrays)
    report: dict[str, Any] = {
        **report_head(model, n, seed, det),
        "total_kg_co2e": total,
        "per_km_g_co2e": per_km,
        "stages_kg_co2e": dict(zip(model.stages, stages, strict=True)),
        "lifetime_distance_km": distance,
        "probability_above_deterministic": float(np.mean(out.total > det.total[0])),
        "monte_carlo_standard_error_kg_co2e": float(np.std(out.total, ddof=1) / np.sqrt(n))
        if n > 1
        else 0.0,
        "inputs": [describe_input(i) for i in model.inputs],
        "engine": {
            "seconds": seconds,
            "samples_per_second": n / seconds if seconds > 0 else None,
            "scheduler": out.computed_on,
            "sampling": SAMPLING,
        },
    }
    return report, out


def _threads(fn: Callable[[int, int], Any], n: int) -> list[Any]:
    bounds = chunk_bounds(n, CHUNK_BLOCKS * BLOCK)
    with ThreadPoolExecutor(min(len(bounds), os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda b: fn(*b), bounds))


def break_even(model: Model, reference: Model, n: int, seed: int) -> dict[str, Any]:
    """Break-even distance of ``model`` against ``reference`` (both sampled with common random
    numbers: shared inputs, such as the lifetime distance, take the same values)."""

    def part(lo: int, hi: int) -> np.ndarray:
        xa = draw(model.inputs, seed, lo, hi)
        xb = draw(reference.inputs, seed, lo, hi)
        return break_even_km(model, reference, xa, xb)

    km = np.concatenate(_threads(part, n))
    det = break_even_km(
        model, reference, deterministic_row(model.inputs), deterministic_row(reference.inputs)
    )[0]
    finite = km[np.isfinite(km)]
    dist = evaluate(model, deterministic_row(model.inputs)).distance_km[0]
    return {
        "reference": reference.name,
        "deterministic_km": float(det) if np.isfinite(det) else None,
        "distribution_km": summary(finite) if finite.size else None,
        "probability_never": float(np.mean(~np.isfinite(km))),
        "probability_within_lifetime": float(np.mean(km <= dist)),
        "lifetime_distance_km": float(dist),
        "n": n,
        "seed": seed,
    }


def paired_comparison(
    models: Mapping[str, Model], baseline: str, n: int, seed: int
) -> dict[str, Any]:
    """Sample every system with common random numbers; compare each with ``baseline``.

    Returns, per system: probability that its total (and per-km figure) is lower than the
    baseline's in the same sample, and the distribution of the difference (system - baseline).
    """
    if baseline not in models:
        raise ValueError(f"unknown baseline {baseline!r}")
    outs = {name: run(m, n, seed) for name, m in models.items()}
    base = outs[baseline]
    result: dict[str, Any] = {"baseline": baseline, "n": n, "seed": seed, "systems": {}}
    for name, o in outs.items():
        diff = o.total - base.total
        diff_km = o.per_km - base.per_km
        result["systems"][name] = {
            "total_kg_co2e": summary(o.total),
            "probability_lower_than_baseline": float(np.mean(diff < 0)),
            "probability_lower_per_km": float(np.mean(diff_km < 0)),
            "difference_kg_co2e": summary(diff),
            "difference_per_km_g_co2e": summary(diff_km),
        }
    return result


# -- sensitivity ----------------------------------------------------------------------------
def _display(inp: UncertainInput, v: float) -> Any:
    if inp.target == "choice":
        return inp.choices[int(v)]
    return v * inp.to_display if inp.target == "parameter" else v


def oat(model: Model, *, relative: float | None = None) -> dict[str, Any]:
    """One at a time: each input to its P5 and P95 (or its value -/+ ``relative``, a fraction,
    for continuous inputs), all others at their deterministic values. Ranked by swing."""
    d = len(model.inputs)
    base = deterministic_row(model.inputs)
    x = np.repeat(base, 2 * d + 1, axis=0)
    for j, inp in enumerate(model.inputs):
        if relative is not None and inp.kind != "discrete":
            lo, hi = inp.deterministic * (1 - relative), inp.deterministic * (1 + relative)
        else:
            lo, hi = inp.quantile_range(*OAT_QUANTILES)
        x[1 + 2 * j, j], x[2 + 2 * j, j] = lo, hi
    out = evaluate(model, x)
    det = float(out.total[0])
    rows = []
    for j, inp in enumerate(model.inputs):
        t_lo, t_hi = float(out.total[1 + 2 * j]), float(out.total[2 + 2 * j])
        rows.append(
            {
                "key": inp.key,
                "label": inp.label,
                "unit": inp.unit
                if inp.target == "parameter"
                else ("x" if inp.target == "record" else ""),
                "low_value": _display(inp, x[1 + 2 * j, j]),
                "high_value": _display(inp, x[2 + 2 * j, j]),
                "total_at_low_kg_co2e": t_lo,
                "total_at_high_kg_co2e": t_hi,
                "swing_kg_co2e": t_hi - t_lo,
                "swing_share_of_total": abs(t_hi - t_lo) / det if det else None,
            }
        )
    rows.sort(key=lambda r: -abs(r["swing_kg_co2e"]))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    what = (
        f"value -/+ {100 * relative:g} %"
        if relative is not None
        else f"P{100 * OAT_QUANTILES[0]:g} and P{100 * OAT_QUANTILES[1]:g}"
    )
    return {"method": "oat", "range": what, "deterministic_kg_co2e": det, "inputs": rows}


def _problem(model: Model) -> dict[str, Any]:
    d = len(model.inputs)
    return {"num_vars": d, "names": [i.key for i in model.inputs], "bounds": [[0.0, 1.0]] * d}


def morris(model: Model, n: int, seed: int, levels: int = 4) -> dict[str, Any]:
    """Morris elementary effects (SALib): ``n`` trajectories on a ``levels`` grid spanning each
    input's P1 to P99."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = _problem(model)
    u = sample.sample(problem, n, num_levels=levels, seed=seed)
    y = evaluate_design(model, from_unit_hypercube(model.inputs, u, DESIGN_QUANTILES)).total
    res = analyze.analyze(
        problem, u, y, num_levels=levels, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
    )
    rows = [
        {
            "key": inp.key,
            "label": inp.label,
            "mu_star_kg_co2e": float(res["mu_star"][j]),
            "mu_star_conf": float(res["mu_star_conf"][j]),
            "mu_kg_co2e": float(res["mu"][j]),
            "sigma_kg_co2e": float(res["sigma"][j]),
        }
        for j, inp in enumerate(model.inputs)
    ]
    rows.sort(key=lambda r: -r["mu_star_kg_co2e"])
    return {
        "method": "morris",
        "trajectories": n,
        "levels": levels,
        "runs": int(u.shape[0]),
        "seed": seed,
        "design_quantiles": list(DESIGN_QUANTILES),
        "inputs": rows,
    }
