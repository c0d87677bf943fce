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

from lca.calc.breakdown import (
    HOTSPOT_COUNT,
    Hotspot,
    by_gas,
    by_stage_and_component,
    exchange_rows,
    hotspots,
    parameter_rows,
    use_profile,
)
from lca.calc.engine import Calculation
from lca.calc.primary import primary_data
from lca.errors import CalculationError, format_path
from lca.model.brightway_background import background_summary
from lca.numbers import csv_number

__all__ = ["HOTSPOT_COUNT", "SCHEMA_VERSION", "Hotspot", "MeasureEffect", "Result", "assemble"]

SCHEMA_VERSION = "1.0"


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
    primary_data: Mapping[str, Any] = field(default_factory=dict)  # lca.calc.primary
    background: Mapping[str, Any] | None = None  # a Brightway background's records, fallbacks

    @property
    def location_based_total(self) -> float:
        """Location-based total, kg CO2e (the total itself when no contract is declared)."""
        if self.location_based_total_kg_co2e is None:
            return self.total_kg_co2e
        return self.location_based_total_kg_co2e

    @property
    def precharacterised_co2e_share(self) -> float:
        """Share of the total given only as CO2e (flow ``co2e``): no GWP set changes it."""
        total = self.total_kg_co2e
        return self.gases_kg_co2e.get("co2e", 0.0) / total if total else 0.0

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
            "precharacterised_co2e_share": self.precharacterised_co2e_share,
            "primary_data_share": self.primary_data.get("share", 0.0),
            "primary_data": dict(self.primary_data),
            "background": dict(self.background) if self.background else None,
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
        data = _clean(self.to_dict())
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

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
    """A table cell without float noise (10 significant digits: exact enough to re-add)."""
    return csv_number(v, 10)


def _clean(obj: Any, path: tuple = ()) -> Any:
    """Plain JSON data; a non-finite number is an error naming its key path (never null)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v, (*path, str(k))) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v, (*path, i)) for i, v in enumerate(obj)]
    if isinstance(obj, np.floating | float):
        f = float(obj)
        if not math.isfinite(f):
            raise CalculationError(
                f"result.json: the value at '{format_path(path)}' is {f} (not a finite "
                "number); nothing was written"
            )
        return f
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
    stages, components = by_stage_and_component(calc)
    gas = by_gas(calc)
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
        hotspots=hotspots(calc),
        exchanges=exchange_rows(calc),
        parameters=parameter_rows(system),
        measures=measures,
        recycling_approaches=dict(recycling_approaches or {}),
        provenance=dict(provenance or {}),
        warnings=warnings,
        use_profile=use_profile(system, calc.contributions),
        primary_data=primary_data(system, calc.contributions),
        background=background_summary(system),
    )
