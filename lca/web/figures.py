"""What the workbench page shows of an evaluated what-if: figures, hotspots, cumulative lines,
break-even distances and Monte Carlo bands. Units: kg CO2e (t CO2e where named), km, g CO2e/km.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lca.calc import montecarlo as mc
from lca.calc.breakeven import break_even, line_parts

HOTSPOTS = 8  # exchanges listed


@dataclass(frozen=True)
class Compiled:
    """A built, bw2calc-checked and compiled structure."""

    model: mc.Model
    labels: tuple[str, ...]  # exchange labels
    check: np.ndarray  # exchanges that a run rejects when negative
    parameters: frozenset[str]


def figures(comp: Compiled, out: mc.Outputs, contrib: np.ndarray) -> dict[str, Any]:
    model = comp.model
    total = float(out.total[0])
    dist = float(out.distance_km[0])
    stages = {s: float(out.stages[i, 0]) for i, s in enumerate(model.stages)}
    order = [i for i in np.argsort(-np.abs(contrib)) if model.ex_stage[i] >= 0][:HOTSPOTS]
    hotspots = [
        {"label": comp.labels[i], "stage": model.stages[model.ex_stage[i]],
         "kg": float(contrib[i]), "share": float(contrib[i] / total) if total else 0.0}
        for i in order
    ]
    return {
        "total_kg": total,
        "total_t": total / 1000.0,
        "per_km": 1000.0 * total / dist,
        "distance_km": dist,
        "stages": stages,
        "hotspots": hotspots,
        "line": [
            float(np.asarray(v).reshape(-1)[0])
            for v in line_parts(out.stages, model.stages, out.distance_km)
        ],
    }


def break_even_km(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    """Distance (km) at which ``a`` has emitted as much as ``b`` (None: not within the limit)."""
    be = float(break_even(tuple(a["line"]), tuple(b["line"]))[()])
    return be if math.isfinite(be) else None


def band(lines: tuple, until_km: float, points: int = 51) -> list[dict[str, float]]:
    """The 2.5 and 97.5 percentiles (t CO2e) of cumulative emissions over samples' lines
    (production, rate, end of life, lifetime: arrays), at ``points`` distances to ``until_km``."""
    prod, rate, eol, life = (np.asarray(v, dtype=np.float64) for v in lines)
    out = []
    for km in np.linspace(0.0, until_km, points):
        cum = prod + rate * km + np.where(km >= life, eol, 0.0)
        lo, hi = np.percentile(cum, [2.5, 97.5]) / 1000.0
        out.append({"km": float(km), "lo": float(lo), "hi": float(hi)})
    return out


def break_even_samples(a: tuple, b: tuple) -> dict[str, Any]:
    """Percentiles of the paired break-even distances (km) and the share of samples without
    one within the search limit."""
    be = break_even(a, b)
    finite = be[np.isfinite(be)]
    q = np.percentile(finite, [2.5, 50, 97.5]) if finite.size else [None] * 3
    return {"p2_5": _num(q[0]), "p50": _num(q[1]), "p97_5": _num(q[2]),
            "share_none": float(1.0 - finite.size / be.size)}


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def cumulative(fig: dict[str, Any], until_km: float) -> list[dict[str, float]]:
    """Points of the cumulative-emission line (t CO2e): production at 0, linear in distance,
    the end-of-life step at the lifetime."""
    prod, rate, eol, life = fig["line"]
    pts = [(0.0, prod)]
    if life <= until_km:
        pts += [(life, prod + rate * life), (life, prod + rate * life + eol)]
    end = prod + rate * until_km + (eol if until_km >= life else 0.0)
    pts.append((until_km, end))
    return [{"km": k, "t": v / 1000.0} for k, v in pts]
