"""The result of a calculation: a frozen object, its JSON and CSV forms.

All figures in kg CO2e unless the key says otherwise (``per_km_g_co2e`` is grams per km).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lca.calc.engine import Calculation
from lca.calc.sources import builtin_sources, referenced_names, source_text
from lca.model.system import MATERIAL_MASS_PREFIX, STAGES

SCHEMA_VERSION = "1.0"
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


@dataclass(frozen=True)
class MeasureEffect:
    id: str
    description: str
    saving_kg_co2e: float
    saving_g_co2e_per_km: float
    counterfactual: str
    counterfactual_total_kg_co2e: float
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    name: str
    vehicle: Mapping[str, Any]
    boundary: str
    functional_unit: str
    gwp_set: str
    approach: str
    total_kg_co2e: float
    lifetime_distance_km: float
    stages_kg_co2e: Mapping[str, float]
    components_kg_co2e: Mapping[str, float]
    gases_kg: Mapping[str, float]
    gases_kg_co2e: Mapping[str, float]
    fossil_kg_co2e: float
    biogenic_kg_co2e: float
    land_use_change_kg_co2e: float
    aircraft_kg_co2e: float
    credits_kg_co2e: float
    hotspots: tuple[Hotspot, ...]
    exchanges: tuple[Mapping[str, Any], ...]
    parameters: Mapping[str, Mapping[str, Any]]
    measures: tuple[MeasureEffect, ...] = ()
    recycling_approaches: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # market-based accounting: the contracts in the inventory and, when there are any, the total
    # of the counterfactual without them (each replaced by its location's grid)
    contracts: tuple[Mapping[str, Any], ...] = ()
    location_based_total_kg_co2e: float | None = None
    # the use phase year by year (empty without a use profile)
    use_profile: tuple[Mapping[str, Any], ...] = ()

    @property
    def location_based_total(self) -> float:
        """Location-based total, kg CO2e (the total itself when no contract is declared)."""
        if self.location_based_total_kg_co2e is None:
            return self.total_kg_co2e
        return self.location_based_total_kg_co2e

    @property
    def per_km_g_co2e(self) -> float:
        return 1000.0 * self.total_kg_co2e / self.lifetime_distance_km

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "vehicle": dict(self.vehicle),
            "boundary": self.boundary,
            "functional_unit": self.functional_unit,
            "indicator": "climate change, GWP100 (kg CO2e); climate change only",
            "gwp_set": self.gwp_set,
            "end_of_life_approach": self.approach,
            "total_kg_co2e": self.total_kg_co2e,
            "per_km_g_co2e": self.per_km_g_co2e,
            "lifetime_distance_km": self.lifetime_distance_km,
            "total_basis": "market-based",
            "market_based_total_kg_co2e": self.total_kg_co2e,
            "location_based_total_kg_co2e": self.location_based_total,
            "electricity_accounting_note": (
                "total_kg_co2e is market-based: it counts the contractual instruments listed in "
                "'contracts' (certified renewable charging, supplier-specific plant electricity). "
                "location_based_total_kg_co2e is the same product system with every contract "
                "replaced by the grid of its location (computed, not estimated). Without "
                "contracts both are equal."
            ),
            "contracts": [dict(c) for c in self.contracts],
            "use_profile": [dict(u) for u in self.use_profile],
            "stages_kg_co2e": dict(self.stages_kg_co2e),
            "stages_share_percent": {
                k: (100.0 * v / self.total_kg_co2e if self.total_kg_co2e else 0.0)
                for k, v in self.stages_kg_co2e.items()
            },
            "components_kg_co2e": dict(self.components_kg_co2e),
            "gases_kg": dict(self.gases_kg),
            "gases_kg_co2e": dict(self.gases_kg_co2e),
            "fossil_kg_co2e": self.fossil_kg_co2e,
            "biogenic_kg_co2e": self.biogenic_kg_co2e,
            "land_use_change_kg_co2e": self.land_use_change_kg_co2e,
            "aircraft_kg_co2e": self.aircraft_kg_co2e,
            "credits_kg_co2e": self.credits_kg_co2e,
            "credits_note": "avoided-burden credits for recovered materials, reported "
            "separately and not included in total_kg_co2e",
            "hotspots": [h.__dict__ for h in self.hotspots],
            "measures": [
                {**{k: v for k, v in m.__dict__.items() if k != "details"}, **dict(m.details)}
                for m in self.measures
            ],
            "recycling_approaches": dict(self.recycling_approaches),
            "parameters": {k: dict(v) for k, v in self.parameters.items()},
            "exchanges": [dict(e) for e in self.exchanges],
            "warnings": list(self.warnings),
            "provenance": dict(self.provenance),
        }

    def to_json(self) -> str:
        return json.dumps(_clean(self.to_dict()), indent=2, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """Summary table: one row per figure (group, key, kg CO2e, share of the total)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["group", "key", "kg_co2e", "share_percent"])
        total = self.total_kg_co2e

        def row(group: str, key: str, value: float) -> None:
            share = 100.0 * value / total if total else 0.0
            w.writerow([group, key, _num(value), _num(share)])

        row("total", "total", total)
        w.writerow(["total", "per_km_g_co2e", _num(self.per_km_g_co2e), ""])
        row("total", "market_based", total)
        row("total", "location_based", self.location_based_total)
        for k, v in self.stages_kg_co2e.items():
            row("stage", k, v)
        for k, v in self.components_kg_co2e.items():
            row("component", k, v)
        for k, v in self.gases_kg_co2e.items():
            row("gas", k, v)
        row("origin", "fossil", self.fossil_kg_co2e)
        row("origin", "biogenic", self.biogenic_kg_co2e)
        row("origin", "land_use_change", self.land_use_change_kg_co2e)
        row("reported_separately", "aircraft", self.aircraft_kg_co2e)
        row("reported_separately", "credits", self.credits_kg_co2e)
        for m in self.measures:
            row("measure_saving", m.id, m.saving_kg_co2e)
        for k, v in self.recycling_approaches.items():
            if isinstance(v, dict) and v.get("available"):
                row("recycling_approach", k, v["total_kg_co2e"])
        return buf.getvalue()

    def inventory_csv(self) -> str:
        """The exchange table: what was counted, how much, from which record, with its formula."""
        buf = io.StringIO()
        cols = [
            "stage",
            "component",
            "label",
            "record",
            "amount",
            "unit",
            "formula",
            "kg_co2e",
            "credit",
            "key_path",
            "source",
        ]
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for e in self.exchanges:
            w.writerow({k: (_num(v) if isinstance(v, float) else v) for k, v in e.items()})
        return buf.getvalue()


def _num(v: float) -> str:
    return repr(float(v))


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.floating | float):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def assemble(
    calc: Calculation,
    *,
    measures: tuple[MeasureEffect, ...] = (),
    recycling_approaches: Mapping[str, Any] | None = None,
    provenance: Mapping[str, Any] | None = None,
    warnings: tuple[str, ...] = (),
) -> Result:
    """Build the result from a calculation: by stage, component, gas, origin, hotspot."""
    system = calc.system
    inv = system.inventory
    stages, components = _by_stage_and_component(calc)
    gas = _by_gas(calc)
    total = calc.total
    v = inv.vehicle
    return Result(
        name=system.name,
        vehicle={k: val for k, val in v.model_dump().items() if val is not None},
        boundary="cradle-to-grave",
        functional_unit=(
            f"one {v.name} ({v.powertrain}) over its life of "
            f"{system.lifetime_distance_km:,.0f} km; results also per km"
        ),
        gwp_set=system.gwp_set,
        approach=inv.end_of_life.approach,
        total_kg_co2e=total,
        lifetime_distance_km=system.lifetime_distance_km,
        stages_kg_co2e=stages,
        components_kg_co2e=components,
        gases_kg=gas["gases"],
        gases_kg_co2e=gas["gases_co2e"],
        fossil_kg_co2e=gas["fossil"],
        biogenic_kg_co2e=gas["biogenic"],
        land_use_change_kg_co2e=gas["luc"],
        aircraft_kg_co2e=gas["aircraft"],
        credits_kg_co2e=calc.credits,
        hotspots=_hotspots(calc),
        exchanges=_exchange_rows(calc),
        parameters=_parameter_rows(system),
        measures=measures,
        recycling_approaches=dict(recycling_approaches or {}),
        provenance=dict(provenance or {}),
        warnings=warnings,
        use_profile=_use_profile(system, calc.contributions),
    )


def _by_stage_and_component(calc: Calculation) -> tuple[dict[str, float], dict[str, float]]:
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


def _by_gas(calc: Calculation) -> dict[str, Any]:
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


def _hotspots(calc: Calculation) -> tuple[Hotspot, ...]:
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


def _exchange_rows(calc: Calculation) -> tuple[dict[str, Any], ...]:
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


def _parameter_rows(system: Any) -> dict[str, dict[str, Any]]:
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


def _use_profile(system: Any, contrib: np.ndarray) -> tuple[dict[str, Any], ...]:
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
