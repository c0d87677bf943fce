"""EU Battery Regulation (2023/1542, Art. 7, Annex II) carbon-footprint declaration of each
traction battery: kg CO2e per kWh of total energy delivered over the service life, by the
regulation's life-cycle stages, with the functional-unit formula and its inputs.

Conventions and sources: ``lca/data/battery-declaration.yaml``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.datafiles import data_file
from lca.inputs.yamlio import load_yaml
from lca.outputs.export import ExportRequest, target
from lca.outputs.export.footprint import battery_components

RULES_FILE = data_file("battery-declaration.yaml")


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """The declaration rules (functional unit, stage mapping) with their sources."""
    return load_yaml(RULES_FILE).data


def _kwh(run: Run, text: object, kp: tuple) -> float:
    from lca.model.expressions import parse_expression

    try:
        q = parse_expression(
            f"({float(text)!r})" if isinstance(text, int | float) else text
        ).evaluate(run.system.parameter_values)
        return float(q.to("kWh").magnitude)
    except Exception as exc:  # noqa: BLE001 - any unit or expression problem is an input error
        raise run.loaded.sources.error(f"must be an energy such as '62 kWh' ({exc})", kp) from None


def declaration(run: Run, comp_index: int) -> dict[str, Any]:
    """The declaration of battery component ``comp_index`` (index in ``components``)."""
    sys = run.system
    inv = sys.inventory
    comp = inv.components[comp_index]
    r = rules()
    fu = r["functional_unit"]
    usable, gross = _capacities(run, comp_index)
    cycles = float(fu["full_equivalent_cycles_per_year"])
    years = float(comp.warranty_years)
    energy = usable * cycles * years
    pack_mass = _pack_mass(run, comp)
    stages = _stages(run, comp, r["stages"], energy, pack_mass)
    total = sum(s["kg_co2e"] for s in stages)
    for s in stages:
        s["share_percent"] = 100.0 * s["kg_co2e"] / total if total else 0.0
    chem = sys.database.chemistries[comp.chemistry]
    supply = comp.cell_plant_electricity
    country = inv.vehicle.production_country
    national = bool(country) and supply == f"grid:{country}"
    return {
        "regulation": r["regulation"],
        "battery": {
            "component": comp.id,
            "description": comp.description,
            "chemistry": f"{chem.id} ({chem.name})",
            "manufacturer": inv.vehicle.manufacturer,
            "vehicle": inv.vehicle.name,
            "plant_location": comp.battery_plant or country,
            "capacity_kwh": gross,
            "usable_capacity_kwh": usable,
            "pack_mass_kg": pack_mass,
        },
        "functional_unit": {
            "text": fu["text"],
            "formula": fu["formula"],
            "inputs": {
                "usable_capacity_kwh": usable,
                "full_equivalent_cycles_per_year": cycles,
                "service_life_years": years,
                "service_life_basis": fu["service_life"],
            },
            "total_energy_kwh": energy,
            "calculation": f"{usable:g} kWh x {cycles:g} cycles/year x {years:g} years "
            f"= {energy:,.0f} kWh",
            "source": " ".join(str(fu["source"]).split()),
            "confirmed": bool(fu["confirmed"]),
        },
        "kg_co2e_per_kwh": total / energy,
        "total_kg_co2e": total,
        "stages": stages,
        "excluded_stages": r["excluded_stages"],
        "electricity": {
            "cell_plant_supply": supply,
            "national_consumption_mix_of_the_plant_country": national,
            "rule": " ".join(str(r["electricity_rule"]).split()),
        },
        "gwp_set": sys.gwp_set,
        "indicator": "climate change, GWP100, kg CO2e",
        "recycling_approach": inv.end_of_life.approach,
        "provenance": dict(run.result.provenance),
    }


def _capacities(run: Run, comp_index: int) -> tuple[float, float]:
    """(usable, gross) capacity in kWh of a battery component, checked: the usable capacity
    and the warranty years are given, 0 < usable <= gross."""
    comp = run.system.inventory.components[comp_index]
    kp = ("components", comp_index)
    err = run.loaded.sources.error
    if comp.usable_capacity is None:
        raise err(
            "the battery declaration needs the usable capacity at beginning of life "
            "(usable_capacity, for example 62 kWh)",
            (*kp, "usable_capacity"),
        )
    if comp.warranty_years is None:
        raise err(
            "the battery declaration needs the warranty period in years (warranty_years), "
            "the service life of the functional unit",
            (*kp, "warranty_years"),
        )
    usable = _kwh(run, comp.usable_capacity, (*kp, "usable_capacity"))
    gross = _kwh(run, comp.capacity, (*kp, "capacity"))
    if usable <= 0 or usable > gross:
        raise err(
            f"usable capacity ({usable:g} kWh) must be above 0 and at most the capacity "
            f"({gross:g} kWh)",
            (*kp, "usable_capacity"),
        )
    return usable, gross


def _pack_mass(run: Run, comp: Any) -> float:
    """Mass of the battery pack (kg): its non-cell part over one minus the cell mass share."""
    sys = run.system
    pack_mass = 0.0
    for ex, a in zip(sys.exchanges, sys.amounts, strict=True):
        if ex.component == comp.id and ex.kind == "battery-pack":
            share = sys.database.chemistries[comp.chemistry].cell_mass_share.value
            pack_mass = float(a) / (1.0 - share)
    return pack_mass


def _stages(
    run: Run, comp: Any, rule_stages: dict, energy: float, pack_mass: float
) -> list[dict[str, Any]]:
    """The declaration's stages (kg CO2e, kg CO2e/kWh of ``energy``) with their exchanges:
    the battery's own, shared ones allocated by pack mass over curb mass, battery treatments
    at end of life split over the car's batteries."""
    sys = run.system
    curb = float(sys.parameter_values["curb_mass"].to("kg").magnitude)
    n_batteries = len(battery_components(run))
    stages = []
    for sid, st in rule_stages.items():
        kg = 0.0
        parts = []
        for ex, a, c in zip(sys.exchanges, sys.amounts, run.calculation.contributions, strict=True):
            if ex.credit or ex.kind not in st["kinds"]:
                continue
            if ex.stage == "battery":
                if ex.component != comp.id:
                    continue
                factor = 1.0
            elif st.get("allocation") == "mass":
                factor = pack_mass / curb
            elif st.get("battery_treatments"):
                rec = sys.database.records[ex.record]
                if not re.search("battery", f"{ex.record} {rec.name}", re.I):
                    continue
                factor = 1.0 / n_batteries
            else:
                continue
            kg += factor * float(c)
            parts.append(
                {
                    "label": ex.label,
                    "record": ex.record,
                    "amount": float(a) * factor,
                    "unit": ex.unit,
                    "allocated_share": factor,
                    "kg_co2e": factor * float(c),
                }
            )
        stages.append(
            {
                "id": sid,
                "name": st["name"],
                "kg_co2e": kg,
                "kg_co2e_per_kwh": kg / energy,
                "note": " ".join(str(st["note"]).split()),
                "exchanges": parts,
            }
        )
    return stages


def export_battery_declaration(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    inv = run.system.inventory
    idx = [i for i, c in enumerate(inv.components) if c.chemistry is not None]
    if not idx:
        raise run.loaded.sources.error(
            "the inventory has no traction battery (a component with 'chemistry')", ("components",)
        )
    decls = [declaration(run, i) for i in idx]
    data: Any = decls[0] if len(decls) == 1 else {"batteries": decls}
    out = target(request, run, "battery-declaration")
    return {out: json.dumps(data, indent=2, ensure_ascii=False) + "\n"}
