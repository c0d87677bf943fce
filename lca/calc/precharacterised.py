"""Which background records carry the pre-characterised part of a footprint.

A record that gives only an already characterised figure (flow ``co2e``) is not changed by the
GWP set. :func:`precharacterised_records` attributes the ``co2e`` flow of a calculation to the
records that emit it: each record's own ``co2e`` (kg per reference unit) times the amount of it
the product system needs, its suppliers' needs included (credits excluded, as in the total).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lca.calc.engine import Calculation

FLOW = "co2e"


@dataclass(frozen=True)
class Precharacterised:
    record: str
    name: str
    kg_co2e: float  # the record's own co2e over the life, kg
    share: float  # of the total footprint, 0..1


def _supply(calc: Calculation) -> dict[str, float]:
    """Amount of each background record the system needs (reference units), credits excluded:
    solve (I - inputs) x = direct demand."""
    system = calc.system
    records = calc.registry.records
    index = {r: i for i, r in enumerate(records)}
    a = np.eye(len(records))
    for r in records:
        for inp, amount in system.database.records[r].inputs:
            a[index[inp], index[r]] -= amount
    demand = np.zeros(len(records))
    for ex, amount in zip(system.exchanges, system.amounts, strict=True):
        if not ex.credit:
            demand[index[ex.record]] += amount
    x = np.linalg.solve(a, demand) if len(records) else demand
    return {r: float(x[index[r]]) for r in records}


def precharacterised_records(calc: Calculation, top: int | None = None) -> list[Precharacterised]:
    """Records with a ``co2e`` emission, largest contribution first (kg CO2e over the life and
    share of the total); ``top`` keeps the first ones."""
    db = calc.system.database
    total = calc.total
    rows = []
    for rid, amount in _supply(calc).items():
        own = db.records[rid].emissions.get(FLOW, 0.0)
        if own and amount:
            kg = own * amount
            rows.append(
                Precharacterised(rid, db.records[rid].name, kg, kg / total if total else 0.0)
            )
    rows.sort(key=lambda p: -abs(p.kg_co2e))
    return rows[:top] if top is not None else rows
