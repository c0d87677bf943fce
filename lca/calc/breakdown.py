"""The breakdowns a result reports, from a calculation: by stage and component, by gas and
origin, the hotspots, the exchange and parameter tables and the use phase by year.

All figures in kg CO2e unless the name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lca.calc.engine import Calculation
from lca.calc.sources import builtin_sources, referenced_names, source_text
from lca.model.system import MATERIAL_MASS_PREFIX, STAGES

HOTSPOT_COUNT = 10


@dataclass(frozen=True)
class Hotspot:
    label: str
    stage: str
    component: str | None
    record: str
    amount: float
    unit: str
    kg_co2e: float
    share: float


def by_stage_and_component(calc: Calculation) -> tuple[dict[str, float], dict[str, float]]:
    """kg CO2e by life-cycle stage and by component (credits apart)."""
    stages = {s: 0.0 for s in STAGES}
    components: dict[str, float] = {}
    for ex, c in zip(calc.system.exchanges, calc.contributions, strict=True):
        if ex.credit:
            continue
        stages[ex.stage] += float(c)
        if ex.component is not None:
            components[ex.component] = components.get(ex.component, 0.0) + float(c)
    return stages, components


def by_gas(calc: Calculation) -> dict[str, Any]:
    """kg of each gas and its kg CO2e, and the fossil, biogenic, land-use-change and aircraft
    shares (kg CO2e), credits apart."""
    system = calc.system
    db = system.database
    flows = calc.registry.flows
    factors = db.gwp_sets[system.gwp_set].factors
    credit = np.array([ex.credit for ex in system.exchanges], dtype=bool)
    gases_mass = calc.gases[~credit].sum(axis=0)
    gases = {f: float(m) for f, m in zip(flows, gases_mass, strict=True) if m != 0.0}
    gases_co2e = {f: float(m) * factors[f] for f, m in gases.items()}
    origin = {f: db.flows[f].origin for f in flows}
    return {
        "gases": gases,
        "gases_co2e": gases_co2e,
        "fossil": sum(v for f, v in gases_co2e.items() if origin[f] == "fossil"),
        "biogenic": sum(v for f, v in gases_co2e.items() if origin[f] == "biogenic"),
        "luc": sum(v for f, v in gases_co2e.items() if origin[f] == "land-use-change"),
        "aircraft": float(calc.aircraft[~credit].sum()),
    }


def hotspots(calc: Calculation) -> tuple[Hotspot, ...]:
    """The largest exchanges grouped by what they are (stage, component, record, label)."""
    system = calc.system
    groups: dict[tuple, list] = {}
    for ex, a, c in zip(system.exchanges, system.amounts, calc.contributions, strict=True):
        if ex.credit:
            continue
        key = (ex.stage, ex.component, ex.record, ex.label)
        g = groups.setdefault(key, [0.0, 0.0, ex.unit])
        g[0] += float(a)
        g[1] += float(c)
    total = calc.total
    ranked = sorted(groups.items(), key=lambda kv: -abs(kv[1][1]))[:HOTSPOT_COUNT]
    return tuple(
        Hotspot(
            label=k[3],
            stage=k[0],
            component=k[1],
            record=k[2],
            amount=v[0],
            unit=v[2],
            kg_co2e=v[1],
            share=(v[1] / total if total else 0.0),
        )
        for k, v in ranked
    )


def exchange_rows(calc: Calculation) -> tuple[dict[str, Any], ...]:
    system = calc.system
    db = system.database
    return tuple(
        {
            "stage": ex.stage,
            "component": ex.component,
            "label": ex.label,
            "record": ex.record,
            "amount": float(a),
            "unit": ex.unit,
            "formula": ex.amount.text,
            "kg_co2e": float(c),
            "credit": bool(ex.credit),
            "key_path": ".".join(str(p) for p in ex.path),
            "year": ex.year,
            "source": source_text(db.records[ex.record]),
        }
        for ex, a, c in zip(system.exchanges, system.amounts, calc.contributions, strict=True)
    )


def parameter_rows(system: Any) -> dict[str, dict[str, Any]]:
    """Every parameter's value, unit, expression and source (built-in material masses only
    when something refers to them)."""
    inv = system.inventory
    params = {}
    builtin = builtin_sources(system)
    used = referenced_names(system)
    for name in system.parameters.order:
        if (
            name.startswith(MATERIAL_MASS_PREFIX)
            and name not in inv.parameters
            and name not in used
        ):
            continue  # a built-in material mass nothing refers to
        q = system.parameter_values[name]
        spec = inv.parameters.get(name)
        src = spec.source if spec else builtin.get(name, "derived (built-in)")
        params[name] = {
            "value": float(np.asarray(q.magnitude)),
            "unit": f"{q.units:~P}",
            "expression": system.parameters.expressions[name].text,
            "source": src if isinstance(src, str) else src.model_dump(exclude_none=True),
        }
    return params


def use_profile(system: Any, contrib: np.ndarray) -> tuple[dict[str, Any], ...]:
    """Use phase by calendar year: km driven, kWh charged, kg CO2e and the mean intensity."""
    if not system.use_years:
        return ()
    rows = {
        y: {"year": y, "distance_km": km, "electricity_kwh": 0.0, "kg_co2e": 0.0}
        for y, km in system.use_years
    }
    for ex, a, c in zip(system.exchanges, system.amounts, contrib, strict=True):
        if ex.year is not None and ex.year in rows:
            rows[ex.year]["electricity_kwh"] += float(a)
            rows[ex.year]["kg_co2e"] += float(c)
    for r in rows.values():
        kwh = r["electricity_kwh"]
        r["intensity_g_co2e_per_kwh"] = 1000.0 * r["kg_co2e"] / kwh if kwh else 0.0
    return tuple(rows.values())
