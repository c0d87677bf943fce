"""The primary-data share of a footprint: how much of it rests on primary (company- or
supplier-specific) data, by stage and by supplier.

Each exchange (credits excluded) counts with its absolute contribution. Its primary fraction is
1 when the inventory declares its amount measured (``primary_data: [...]``, ``measured: true``)
or its record is the inventory's own; a supplier's PACT footprint counts with the supplier's own
``primaryDataShare`` (0 when the file gives none). Share = sum(fraction x |contribution|) /
sum(|contribution|), the PACT methodology's "share of primary data in the PCF" applied to the
whole life cycle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lca.model.exchanges import Exchange, ProductSystem, primary_activity


def primary_fraction(system: ProductSystem, ex: Exchange) -> float:
    """0..1: the part of exchange ``ex``'s contribution that rests on primary data."""
    if primary_activity(system.inventory, ex):
        return 1.0
    rec = system.database.records[ex.record]
    return float(rec.primary_share) if rec.primary_data else 0.0


def primary_data(system: ProductSystem, contributions: np.ndarray) -> dict[str, Any]:
    """``share`` (0..1), ``by_stage`` and ``suppliers`` (with their own share and DQIs)."""
    total = 0.0
    primary = 0.0
    stages: dict[str, list[float]] = {}
    suppliers: dict[str, dict[str, Any]] = {}
    measured = 0.0
    for ex, c in zip(system.exchanges, contributions, strict=True):
        if ex.credit:
            continue
        w = abs(float(c))
        f = primary_fraction(system, ex)
        total += w
        primary += f * w
        st = stages.setdefault(ex.stage, [0.0, 0.0])
        st[0] += w
        st[1] += f * w
        rec = system.database.records[ex.record]
        if primary_activity(system.inventory, ex):
            measured += w
        if rec.supplier is not None:
            s = suppliers.setdefault(
                ex.record, {**dict(rec.supplier), "stage": ex.stage, "kg_co2e": 0.0}
            )
            s["kg_co2e"] += float(c)
    for s in suppliers.values():
        s["share_of_total"] = abs(s["kg_co2e"]) / total if total else 0.0
        own = s.get("primary_data_share") or 0.0
        s["primary_kg_co2e"] = abs(s["kg_co2e"]) * own
    return {
        "share": primary / total if total else 0.0,
        "basis": "sum of |contribution| over all exchanges but credits, kg CO2e",
        "basis_kg_co2e": total,
        "primary_kg_co2e": primary,
        "measured_activity_kg_co2e": measured,
        "by_stage": {
            k: {"share": (v[1] / v[0] if v[0] else 0.0), "primary_kg_co2e": v[1]}
            for k, v in stages.items()
        },
        "suppliers": list(suppliers.values()),
    }


PACT_DQI = {
    "technologicalDQR": "technological",
    "geographicalDQR": "geographical",
    "temporalDQR": "temporal",
}


def combined_dqi(
    system: ProductSystem,
    contributions: np.ndarray,
    keep,  # noqa: ANN001 - Callable[[Exchange], bool] | None
    background_dqi: dict[str, float],
    scored_share: float,
) -> dict[str, float]:
    """PACT DQRs (1..5) weighted by contribution over the scored background records (their
    weighted pedigree ``background_dqi``, weight ``scored_share`` of the absolute total) and the
    suppliers' footprints with a ``dqi`` (their own ratings)."""
    total = 0.0
    sup: list[tuple[float, dict[str, float]]] = []
    for ex, c in zip(system.exchanges, contributions, strict=True):
        if ex.credit or (keep is not None and not keep(ex)):
            continue
        total += abs(float(c))
        s = system.database.records[ex.record].supplier
        if s is not None and s.get("dqi"):
            sup.append((abs(float(c)), s["dqi"]))
    if not sup or not total:
        return dict(background_dqi)
    out = {}
    for key, name in PACT_DQI.items():
        num = scored_share * background_dqi[key] if scored_share else 0.0
        den = scored_share
        for w, dqi in sup:
            num += w / total * dqi[name]
            den += w / total
        out[key] = num / den
    return out
