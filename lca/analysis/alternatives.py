"""A run's alternatives: the product systems of measures' counterfactuals, of the other
recycling approaches and of the location-based accounting, and what the result reports of them.

Each alternative whose inventory differs is built as a product system of its own (its structure
may differ: another record, another exchange); one whose inventory is the run's own, or another
alternative's, reuses that system. All of them are then calculated together, as columns of one
evaluation (:func:`lca.calc.engine.evaluate`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from lca.analysis.measures import Counterfactual, counterfactuals
from lca.calc.engine import Calculation
from lca.calc.results import MeasureEffect
from lca.errors import InputError
from lca.inputs.loader import LoadedInput
from lca.model.background import Database
from lca.model.contracts import location_based_data
from lca.model.expressions import parse_expression
from lca.model.recycling import APPROACH_LABELS, APPROACHES, cff_parameters
from lca.model.system import ProductSystem, build_system

DETERMINISTIC = "deterministic"


@dataclass
class Plan:
    """The alternatives of one run, by label (the deterministic system first)."""

    systems: dict[str, ProductSystem] = field(default_factory=dict)
    measures: list[tuple[Counterfactual, str]] = field(default_factory=list)  # and its label
    approaches: dict[str, str] = field(default_factory=dict)  # approach: label
    unavailable: dict[str, str] = field(default_factory=dict)  # approach: reason
    location: str | None = None  # label of the location-based system
    _built: list[tuple[dict[str, Any], ProductSystem]] = field(default_factory=list)

    def build(self, label: str, loaded: LoadedInput, data: dict, make: Callable) -> None:
        """The system of ``data`` under ``label``: an earlier alternative's when the inventory is
        the same, else ``make(loaded with data)``."""
        for known, system in self._built:
            if known == data:
                self.systems[label] = system
                return
        system = make(replace(loaded, data=data))
        self._built.append((data, system))
        self.systems[label] = system


def plan(
    loaded: LoadedInput,
    system: ProductSystem,
    db: Database,
    gwp: str | None,
    *,
    measures: bool = True,
) -> Plan:
    """Build the product system of every alternative of the run of ``loaded`` (its own system
    is ``system``). A counterfactual that is not a valid inventory is an error naming its
    measure; a recycling approach the inventory cannot use is reported as unavailable."""
    out = Plan()
    out.systems[DETERMINISTIC] = system
    out._built.append((loaded.data, system))

    def make(alt: LoadedInput) -> ProductSystem:
        return build_system(alt, db, gwp)

    if measures:
        families = {
            m: db.materials[m].name if m in db.materials else m
            for c in system.inventory.components
            for m in (x.material for x in c.materials)
        }
        for cf in counterfactuals(loaded, system.inventory, families):
            label = f"the counterfactual of measure {cf.id!r}"
            try:
                out.build(label, loaded, cf.data, make)
            except InputError as exc:
                raise InputError(
                    f"measure {cf.id!r}: its counterfactual is not a valid inventory: "
                    f"{exc.message}",
                    file=exc.file,
                    path=exc.path,
                    line=exc.line,
                ) from None
            out.measures.append((cf, label))
        _plan_approaches(out, loaded, system, make)
    data = location_based_data(loaded.data, system.inventory)
    if data is not None:
        out.location = "the location-based system"
        out.build(out.location, loaded, data, make)
    return out


def _plan_approaches(out: Plan, loaded: LoadedInput, system: ProductSystem, make: Callable) -> None:
    selected = system.inventory.end_of_life.approach
    for approach in APPROACHES:
        if approach == selected:
            out.approaches[approach] = DETERMINISTIC
            continue
        data = copy.deepcopy(loaded.data)
        eol = data.get("end_of_life")
        if not isinstance(eol, dict):
            eol = data["end_of_life"] = {}
        eol["approach"] = approach
        label = f"recycling approach {approach!r}"
        try:
            out.build(label, loaded, data, make)
        except InputError as exc:
            out.unavailable[approach] = exc.message
            continue
        out.approaches[approach] = label


def measure_effect(
    cf: Counterfactual, system: ProductSystem, total: float, alt: Calculation
) -> MeasureEffect:
    """The effect of one measure: its counterfactual's total minus the run's (kg CO2e)."""
    details: dict[str, Any] = {}
    if cf.kind == "recycled-content":
        details["recycled_mass_kg"] = float(
            sum(
                a
                for ex, a in zip(system.exchanges, system.amounts, strict=True)
                if ex.kind == "material-secondary" and material_of(system, ex) == cf.family
            )
        )
    for kind, key, unit in (
        ("use-electricity", "use_electricity_saved_kwh", "kWh"),
        ("use-fuel-combustion", "use_fuel_saved_l", "L"),
        ("use-fuel-combustion", "use_fuel_saved_kg", "kg"),  # hydrogen
    ):
        now = sum_kind(system, kind, unit)
        before = sum_kind(alt.system, kind, unit)
        if now is not None and before is not None and before != now:
            details[key] = before - now
    saving = alt.total - total
    return MeasureEffect(
        id=cf.id,
        description=cf.description,
        saving_kg_co2e=saving,
        saving_g_co2e_per_km=1000.0 * saving / system.lifetime_distance_km,
        counterfactual=cf.counterfactual,
        counterfactual_total_kg_co2e=alt.total,
        details=details,
    )


def approach_entry(approach: str, calc: Calculation) -> dict[str, Any]:
    """The footprint under one recycling approach (kg CO2e), as result.json reports it."""
    alt = calc.system
    entry: dict[str, Any] = {
        "available": True,
        "label": APPROACH_LABELS[approach],
        "total_kg_co2e": calc.total,
        "per_km_g_co2e": 1000.0 * calc.total / alt.lifetime_distance_km,
        "materials_kg_co2e": stage_sum(calc, "materials"),
        "end_of_life_kg_co2e": stage_sum(calc, "end_of_life"),
        "credits_kg_co2e": calc.credits if approach != "cff" else 0.0,
    }
    if approach == "cff":
        entry["parameters"] = cff_table(alt)
    return entry


def cff_table(system: ProductSystem) -> dict[str, dict[str, Any]]:
    """CFF parameters per material family used by ``system``: A, Qsin/Qp, Qsout/Qp (data) and
    R1 (recycled mass / mass) and R2 (recovered mass / bill-of-materials mass of the families
    that share its secondary material), all dimensionless; masses in kg."""
    inv = system.inventory
    mass: dict[str, float] = {}
    recycled: dict[str, float] = {}
    for ex, a in zip(system.exchanges, system.amounts, strict=True):
        fam = material_of(system, ex)
        if fam is None or ex.kind not in ("material-primary", "material-secondary"):
            continue
        mass[fam] = mass.get(fam, 0.0) + float(a)
        if ex.kind == "material-secondary":
            recycled[fam] = recycled.get(fam, 0.0) + float(a)
    recovered: dict[str, float] = {}
    for rec in inv.end_of_life.recovered:
        q = parse_expression(_amount_text(rec.mass)).evaluate(system.parameter_values)
        recovered[rec.material] = recovered.get(rec.material, 0.0) + float(q.to("kg").magnitude)
    out: dict[str, dict[str, Any]] = {}
    for fam in sorted(set(recycled) | set(recovered)):
        params = cff_parameters(fam, inv.end_of_life.cff)
        if params is None:
            continue
        src = params.source
        bom = mass.get(fam, 0.0)
        # R2 against the mass of every family recycled into the same secondary material
        # (e.g. recovered 'aluminium' from the 'aluminium-cn' lines)
        mats = system.database.materials
        sec = mats[fam].secondary if fam in mats else None
        bom_r2 = sum(
            m
            for f, m in mass.items()
            if f == fam or (sec and f in mats and mats[f].secondary == sec)
        )
        out[fam] = {
            "A": params.a,
            "Qsin_Qp": params.qsin_qp,
            "Qsout_Qp": params.qsout_qp,
            "R1": (recycled.get(fam, 0.0) / bom) if bom else None,
            "R2": (recovered[fam] / bom_r2) if fam in recovered and bom_r2 else None,
            "mass_kg": bom,
            "recycled_mass_kg": recycled.get(fam, 0.0),
            "recovered_mass_kg": recovered.get(fam, 0.0),
            "source": src if isinstance(src, str) else src.title,
            "confirmed": params.confirmed,
            "from_inventory": fam in inv.end_of_life.cff,
        }
    return out


def _amount_text(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"({float(value)!r})"
    return str(value)


def stage_sum(calc: Calculation, stage: str) -> float:
    """kg CO2e of one life-cycle stage (credits apart)."""
    return float(
        sum(
            c
            for ex, c in zip(calc.system.exchanges, calc.contributions, strict=True)
            if ex.stage == stage and not ex.credit
        )
    )


def material_of(system: ProductSystem, ex) -> str | None:  # noqa: ANN001
    """The material of a component's material exchange (None for other exchanges)."""
    p = ex.path
    if len(p) >= 4 and p[0] == "components" and p[2] == "materials":
        return system.inventory.components[p[1]].materials[p[3]].material
    return None


def sum_kind(system: ProductSystem, kind: str, unit: str) -> float | None:
    """Sum of the amounts of exchanges of ``kind`` in ``unit`` (None if there are none, or
    if one cannot be expressed in ``unit``)."""
    from lca.model.units import parse_unit

    vals = [
        (a, ex.unit)
        for ex, a in zip(system.exchanges, system.amounts, strict=True)
        if ex.kind == kind
    ]
    if not vals:
        return None
    total = 0.0
    for a, u in vals:
        q = a * parse_unit(u)
        if q.dimensionality != parse_unit(unit).dimensionality:
            return None  # fuel in kg (hydrogen) has no litres to report, and the other way
        total += float(q.to(unit).magnitude)
    return total
