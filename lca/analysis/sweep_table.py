"""A sweep's variants as comparison rows (columns of arrays): differences to the baseline,
break-even against the combustion reference, the influence of each axis and a summary.

Same columns and conventions as :func:`lca.analysis.compare.comparison_csv`; kg CO2e per vehicle,
km, g CO2e/km.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lca.analysis.compare import BREAK_EVEN_LIMIT_KM, ELECTRIC, Curve, break_even_km
from lca.analysis.sweep import SweepResult
from lca.calc.breakeven import break_even, line_parts
from lca.model.exchanges import STAGES

#: at most this many variants are listed one by one in comparison.json (all are in the tables)
JSON_ROWS = 1_000


@dataclass(frozen=True)
class SweepTable:
    """Per-variant columns of one sweep."""

    sweep: SweepResult
    difference: np.ndarray  # kg CO2e, to the baseline
    difference_percent: np.ndarray  # %, NaN if the baseline total is zero
    break_even_km: np.ndarray  # km, NaN without a reference or for non-electric variants

    def powertrains(self) -> np.ndarray:
        return np.asarray(self.sweep.powertrain, dtype=object)[self.sweep.group_of]


def table(sweep: SweepResult, baseline: Mapping[str, Any], reference: Curve | None) -> SweepTable:
    """Columns of ``sweep`` against ``baseline`` (a comparison row or result dictionary) and
    the break-even against ``reference`` (a curve, or None)."""
    base_total = float(baseline["total_kg_co2e"])
    diff = sweep.total - base_total
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * diff / base_total if base_total else np.full_like(diff, np.nan)
    be = np.full(sweep.count, np.nan)
    electric = np.isin(np.asarray(sweep.powertrain, dtype=object)[sweep.group_of], ELECTRIC)
    if reference is not None and electric.any():
        be = _break_even(sweep, reference, electric)
    return SweepTable(sweep, diff, np.asarray(pct, dtype=np.float64), be)


def _break_even(sweep: SweepResult, reference: Curve, electric: np.ndarray) -> np.ndarray:
    mine = line_parts(sweep.stages, STAGES, sweep.distance_km)
    if len(reference.segments) == 1:
        seg = reference.segments[0]
        ref = (
            reference.production_kg,
            seg.kg_per_km,
            reference.end_of_life_kg,
            reference.lifetime_km,
        )
        km = break_even(mine, ref, BREAK_EVEN_LIMIT_KM)
    else:  # a reference with a use profile: piece by piece, per variant
        from lca.analysis.compare import Segment

        km = np.empty(sweep.count)
        for i in range(sweep.count):
            p, r, e, life = (float(np.asarray(v)[i]) for v in mine)
            own = Curve("", p, e, life, (Segment(0.0, life, r),))
            got = break_even_km(own, reference, BREAK_EVEN_LIMIT_KM)
            km[i] = np.inf if got is None else got
    km = np.where(np.isfinite(km), km, np.nan)  # none within the limit
    return np.where(electric, km, np.nan)


def influence(sweep: SweepResult) -> list[dict[str, Any]]:
    """Each axis's main effect on g CO2e/km: the range and standard deviation of the mean over
    the variants sharing each of its values, largest first."""
    y = sweep.per_km
    out = []
    for k, ax in enumerate(sweep.axes):
        sums = np.bincount(sweep.index[:, k], weights=y, minlength=len(ax))
        counts = np.bincount(sweep.index[:, k], minlength=len(ax))
        means = sums / np.maximum(counts, 1)
        out.append(
            {
                "axis": ax.dotted,
                "values": len(ax),
                "kind": "parameter" if ax.parameter else "structural",
                "range_g_co2e_per_km": float(means.max() - means.min()),
                "sd_of_means_g_co2e_per_km": float(np.std(means)),
            }
        )
    return sorted(out, key=lambda d: -d["sd_of_means_g_co2e_per_km"])


def summary(t: SweepTable) -> dict[str, Any]:
    """What comparison.json says about a sweep (the full table is in the CSV/Parquet)."""
    s = t.sweep
    y = s.per_km
    lo, hi = int(np.argmin(y)), int(np.argmax(y))
    q = np.percentile(y, [5, 50, 95])
    out: dict[str, Any] = {
        "name": s.grid.name,
        "file": str(s.grid.path),
        "variants": s.count,
        "axes": [
            {
                "path": ax.dotted,
                "labels": list(ax.labels),
                "kind": "parameter" if ax.parameter else "structural",
            }
            for ax in s.axes
        ],
        "structurally_distinct_systems": s.structures,
        "evaluation": "compiled engine, one column per variant; each structurally distinct "
        "system solved once by bw2calc",
        "per_km_g_co2e": {
            "min": float(y[lo]),
            "p5": float(q[0]),
            "p50": float(q[1]),
            "p95": float(q[2]),
            "max": float(y[hi]),
        },
        "lowest": s.name(lo),
        "highest": s.name(hi),
        "influence": influence(s),
    }
    be = t.break_even_km
    if np.isfinite(be).any():
        b = be[np.isfinite(be)]
        out["break_even_km"] = {
            "min": float(b.min()),
            "p50": float(np.median(b)),
            "max": float(b.max()),
            "variants_without_break_even": int(np.isnan(be).sum()),
        }
    return out


def rows(
    t: SweepTable, baseline: Mapping[str, Any], reference: str | None
) -> tuple[list[dict], list[dict]]:
    """comparison.json rows and break-even entries of every variant (small sweeps)."""
    base_stages = baseline["stages_kg_co2e"]
    s = t.sweep
    names = s.names()
    pt = t.powertrains()
    desc = np.asarray(s.descriptions, dtype=object)[s.group_of]
    out, breaks = [], []
    for i, name in enumerate(names):
        st = {x: float(s.stages[k, i]) for k, x in enumerate(STAGES)}
        out.append(
            {
                "name": name,
                "description": desc[i],
                "powertrain": pt[i],
                "lifetime_distance_km": float(s.distance_km[i]),
                "total_kg_co2e": float(s.total[i]),
                "per_km_g_co2e": float(s.per_km[i]),
                "stages_kg_co2e": st,
                "market_based_total_kg_co2e": float(s.total[i]),
                "location_based_total_kg_co2e": float(s.location_total[i]),
                "difference_to_baseline_kg_co2e": float(t.difference[i]),
                "difference_to_baseline_percent": (
                    None if np.isnan(t.difference_percent[i]) else float(t.difference_percent[i])
                ),
                "stages_difference_kg_co2e": {
                    x: st[x] - float(base_stages.get(x, 0.0)) for x in STAGES
                },
            }
        )
        if reference is not None and pt[i] in ELECTRIC:
            km = t.break_even_km[i]
            breaks.append(
                {
                    "scenario": name,
                    "reference": reference,
                    "distance_km": None if np.isnan(km) else float(km),
                    "year": None,
                    "year_by_year": False,
                }
            )
    return out, breaks


def sweep_comparison(
    results: list[Mapping[str, Any]],
    sweeps: list[SweepResult],
    *,
    baseline: str | None = None,
    reference: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None, list[SweepTable]]:
    """The comparison of ``results`` (result dictionaries) and ``sweeps``: comparison.json's
    structure with a ``sweeps`` section (variants listed one by one up to ``JSON_ROWS``), the
    comparison of the plain results alone (for their charts; None if there are none) and each
    sweep's table. Raises ValueError on unknown names, as :func:`compare` does."""
    from lca.analysis.compare import BREAK_EVEN_LIMIT_KM as LIMIT
    from lca.analysis.compare import CONVENTION, SCHEMA_VERSION, compare, curve

    names = {str(d["name"]) for d in results}
    base_row = None
    if baseline is not None and baseline not in names:
        base_row = _variant_row(sweeps, baseline)
    if base_row is None and not results:
        base_row = _variant_row(sweeps, sweeps[0].name(0))
    plain = None
    if results:
        plain = compare(results, baseline=None if base_row else baseline, reference=reference)
        comparison = copy_comparison(plain)
        if base_row is not None:
            _rebase(comparison, base_row)
    else:
        if reference is not None:
            raise ValueError(f"reference {reference!r} is not among the scenarios")
        comparison = {
            "schema_version": SCHEMA_VERSION,
            "baseline": base_row["name"],
            "reference": None,
            "unit": "kg CO2e per vehicle over its lifetime; per_km in g CO2e/km",
            "scenarios": [],
            "break_even": [],
            "break_even_limit_km": LIMIT,
            "break_even_convention": CONVENTION,
        }
    by_name = {str(d["name"]): d for d in results}
    base = base_row or by_name[comparison["baseline"]]
    ref = comparison["reference"]
    ref_curve = curve(by_name[ref]) if ref is not None else None
    tables = [table(s, base, ref_curve) for s in sweeps]
    comparison["sweeps"] = []
    for t in tables:
        entry = summary(t)
        if t.sweep.count <= JSON_ROWS:
            r, b = rows(t, base, ref)
            comparison["scenarios"].extend(r)
            comparison["break_even"].extend(b)
            entry["listed_in_scenarios"] = True
        else:
            entry["listed_in_scenarios"] = False
        entry["table"] = f"sweeps/{t.sweep.grid.name}.parquet"
        comparison["sweeps"].append(entry)
    return comparison, plain, tables


def copy_comparison(c: Mapping[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(dict(c))


def _variant_row(sweeps: list[SweepResult], name: str) -> dict[str, Any]:
    for s in sweeps:
        prefix = s.grid.name + "-"
        if not name.startswith(prefix):
            continue
        names = s.names()
        if name in names:
            i = names.index(name)
            return {
                "name": name,
                "total_kg_co2e": float(s.total[i]),
                "stages_kg_co2e": {x: float(s.stages[k, i]) for k, x in enumerate(STAGES)},
            }
    raise ValueError(f"baseline {name!r} is not among the scenarios or sweep variants")


def _rebase(comparison: dict[str, Any], base: Mapping[str, Any]) -> None:
    """Differences of the plain rows taken against a sweep variant instead."""
    total = float(base["total_kg_co2e"])
    comparison["baseline"] = base["name"]
    for r in comparison["scenarios"]:
        diff = r["total_kg_co2e"] - total
        r["difference_to_baseline_kg_co2e"] = diff
        r["difference_to_baseline_percent"] = 100.0 * diff / total if total else None
        r["stages_difference_kg_co2e"] = {
            x: r["stages_kg_co2e"][x] - float(base["stages_kg_co2e"].get(x, 0.0)) for x in STAGES
        }
