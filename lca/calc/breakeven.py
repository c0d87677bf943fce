"""Break-even distance of arrays of cumulative-emission lines (vectorised; Monte Carlo samples
and sweep variants). The convention is the one of :mod:`lca.analysis.compare`: production
stages at km 0, use and maintenance linear in distance (continuing beyond the lifetime), end of
life a step at the lifetime distance. Distances in km, emissions in kg CO2e."""

from __future__ import annotations

import numpy as np

BREAK_EVEN_LIMIT_KM = 500_000.0  # the search range (km)
PRODUCTION_STAGES = ("materials", "battery", "manufacturing", "logistics")
DISTANCE_STAGES = ("use", "maintenance")
END_OF_LIFE_STAGE = "end_of_life"


def line_parts(stages: np.ndarray, names: tuple[str, ...], life_km: np.ndarray) -> tuple:
    """(production kg, kg per km, end of life kg, lifetime km) of stage rows ``stages``."""
    idx = {s: i for i, s in enumerate(names)}
    stages = np.asarray(stages, dtype=np.float64)
    production = sum(stages[idx[s]] for s in PRODUCTION_STAGES)
    rate = sum(stages[idx[s]] for s in DISTANCE_STAGES) / life_km
    return production, rate, stages[idx[END_OF_LIFE_STAGE]], life_km


def break_even(a: tuple, b: tuple, limit_km: float = BREAK_EVEN_LIMIT_KM) -> np.ndarray:
    """First distance (km) at which line ``a`` (production, rate, end of life, lifetime; arrays
    or scalars) is at or below line ``b``; ``inf`` where not within ``limit_km``."""
    pa, ra, ea, la = (np.asarray(v, dtype=np.float64) for v in a)
    pb, rb, eb, lb = (np.asarray(v, dtype=np.float64) for v in b)
    shape = np.broadcast_shapes(pa.shape, ra.shape, la.shape, pb.shape, rb.shape, lb.shape)
    la, lb = np.broadcast_to(la, shape), np.broadcast_to(lb, shape)
    limit = np.full(shape, limit_km)

    def diff(x: np.ndarray) -> np.ndarray:
        return (pa + ra * x + np.where(x >= la, ea, 0.0)) - (
            pb + rb * x + np.where(x >= lb, eb, 0.0)
        )

    points = [
        np.zeros(shape),
        np.minimum(np.minimum(la, lb), limit),
        np.minimum(np.maximum(la, lb), limit),
        limit,
    ]
    result = np.full(shape, np.inf)
    slope = np.broadcast_to(ra - rb, shape)
    for s, e in zip(points, points[1:], strict=False):
        open_ = ~np.isfinite(result) & (e > s)
        ds = diff(s)
        hit_start = open_ & (ds <= 0.0)
        result = np.where(hit_start, s, result)
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = s + ds / -slope
        hit_inside = open_ & ~hit_start & (slope < 0.0) & (crossing < e)
        result = np.where(hit_inside, crossing, result)
    at_limit = ~np.isfinite(result) & (diff(limit) <= 0.0)
    return np.where(at_limit, limit, result)
