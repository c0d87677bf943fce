"""Choices as a sensitivity analysis (ISO 14067, 6.4.5 and 7): the same inventory re-run with
each other grid mix for the use stage and with the low and high lifetime distance. Nothing here
changes the CFP; the report shows these next to it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lca.analysis.pipeline import Run
from lca.calc.engine import calculate
from lca.errors import InputError
from lca.inputs.overrides import apply_overrides
from lca.model.system import build_system

LIFETIME_SPAN = 0.25  # -/+ 25 % when the lifetime distance has no stated range


def _total(run: Run, overrides: dict[str, Any]) -> float | None:
    """Total (kg CO2e) of the run's inventory with ``overrides``; None if they do not apply."""
    try:
        data = apply_overrides(run.loaded.data, overrides)
        system = build_system(
            replace(run.loaded, data=data), run.system.database, run.system.gwp_set
        )
        return float(calculate(system).total)
    except InputError:
        return None


def grid_alternatives(run: Run) -> list[dict[str, Any]]:
    """The total with the use-stage electricity from each grid mix of the background data
    (location-based consumption mixes), lowest first; empty for a car without a charging
    supply. Each row: ``record``, ``name``, ``geography``, ``g_per_kwh``, ``total``,
    ``delta`` (fraction of the CFP), ``selected``."""
    elec = run.system.inventory.use.electricity
    if elec is None:
        return []
    db = run.system.database
    base = run.result.total_kg_co2e
    rows = []
    for rid, rec in db.records.items():
        if not rid.startswith("grid:") or rec.category != "electricity":
            continue
        total = base if rid == elec.supply else _total(run, {"use.electricity.supply": rid})
        if total is None:
            continue
        rows.append(
            {
                "record": rid,
                "name": rec.name,
                "geography": rec.geography,
                "total": total,
                "per_km": 1000.0 * total / run.result.lifetime_distance_km,
                "delta": (total - base) / base if base else 0.0,
                "selected": rid == elec.supply,
            }
        )
    return sorted(rows, key=lambda r: r["total"])


def lifetime_alternatives(run: Run) -> list[dict[str, Any]]:
    """The total and per-km value at a low and a high lifetime distance (the parameter's stated
    range, else -/+ 25 %), with the selected one between them."""
    inv = run.system.inventory
    km = run.result.lifetime_distance_km
    spec = inv.parameters.get("lifetime_distance")
    if spec is None:
        return []
    u = spec.uncertainty
    lo_hi = None
    if u is not None and getattr(u, "low", None) and getattr(u, "high", None):
        lo_hi = (str(u.low), str(u.high))
    if lo_hi is None:
        lo_hi = (f"{km * (1 - LIFETIME_SPAN):.0f} km", f"{km * (1 + LIFETIME_SPAN):.0f} km")
    rows = []
    for text in (lo_hi[0], None, lo_hi[1]):
        if text is None:
            total, dist = run.result.total_kg_co2e, km
        else:
            total = _total(run, {"parameters.lifetime_distance": text})
            if total is None:
                continue
            dist = float(text.split()[0])
        rows.append(
            {
                "km": dist,
                "total": total,
                "per_km": 1000.0 * total / dist if dist else float("nan"),
                "delta": (total - run.result.total_kg_co2e) / run.result.total_kg_co2e,
                "selected": text is None,
            }
        )
    return rows
