"""Inventory -> product system: exchanges between the vehicle's life-cycle activities and the
background records, each tagged with its stage, component and the key path it came from.

Amounts stay expressions of the parameters, so the same system serves the deterministic run and
Monte Carlo samples. Pure: no file I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pint

from lca.errors import InputError, InputErrors, KeyPath
from lca.inputs.loader import LoadedInput
from lca.inputs.validation import validate
from lca.model.background import Database, Record, convert_record
from lca.model.expressions import Expression, parse_expression
from lca.model.parameters import ParameterSet, build_parameters
from lca.model.recycling import cff_parameters
from lca.model.units import parse_unit, registry
from lca.schema.inventory import Inventory

STAGES = (
    "materials",
    "battery",
    "manufacturing",
    "logistics",
    "use",
    "maintenance",
    "end_of_life",
)
DISTANCE_PARAMETER = "lifetime_distance"
# exchanges of the recycling approaches that lower the footprint (negative by design)
NEGATIVE_KINDS = frozenset({"recycled-content-route-removed", "cff-eol-avoided-virgin"})
# exchanges that carry the bill of materials' masses (for the mass-balance check)
MASS_KINDS = frozenset({"material-primary", "material-secondary"})
MAX_PROFILE_YEARS = 60
BUILTINS = {
    "curb_mass": "vehicle.curb_mass",
    "battery_capacity": "the sum of the battery components' capacities",
    "battery_mass": "the sum of the battery components' masses",
}
# Battery-chemistry constants become built-in parameters (so uncertainty analysis can vary them):
# field of lca.background.Chemistry -> unit of its value.
CHEMISTRY_FIELDS = {
    "cell_plant_electricity": "kWh/kWh",
    "cell_plant_heat": "MJ/kWh",
    "pack_specific_energy": "kWh/kg",
    "cell_mass_share": "",
}


MATERIAL_MASS_PREFIX = "mass_"


def material_mass_parameter(material: str) -> str:
    """Name of the built-in parameter holding the bill of materials' mass of ``material``
    (``mass_steel``, ``mass_aluminium_cn``): usable in end-of-life amounts."""
    return MATERIAL_MASS_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", material)


def chemistry_parameter(chemistry: str, field_name: str) -> str:
    """Name of the built-in parameter holding ``field_name`` of battery chemistry ``chemistry``."""
    return "chem_" + re.sub(r"[^A-Za-z0-9]", "_", chemistry) + "_" + field_name


@dataclass(frozen=True)
class Exchange:
    """``amount`` (an expression, in ``unit``) of background ``record`` used in ``stage``."""

    stage: str
    component: str | None
    record: str
    amount: Expression
    unit: str
    label: str
    path: KeyPath
    credit: bool = False
    kind: str = ""
    year: int | None = None

    def evaluate(self, values: Mapping[str, pint.Quantity]) -> np.ndarray | float:
        """Amount in the record's reference unit (scalar or array over samples)."""
        q = self.amount.evaluate(values)
        return q.to(parse_unit(self.unit)).magnitude


@dataclass(frozen=True)
class ProductSystem:
    name: str
    inventory: Inventory
    exchanges: tuple[Exchange, ...]
    parameters: ParameterSet
    database: Database
    gwp_set: str
    amounts: np.ndarray  # deterministic amounts, one per exchange (record units)
    parameter_values: Mapping[str, pint.Quantity] = field(default_factory=dict)
    use_years: tuple[tuple[int, float], ...] = ()  # (calendar year, km driven), deterministic

    @property
    def lifetime_distance_km(self) -> float:
        return float(self.parameter_values[DISTANCE_PARAMETER].to("km").magnitude)

    def evaluate_amounts(self, values: Mapping[str, pint.Quantity]) -> list:
        return [ex.evaluate(values) for ex in self.exchanges]


def _p(text: object) -> str:
    """Parenthesised expression text of a YAML amount (a quantity, number or expression)."""
    if isinstance(text, float | int) and not isinstance(text, bool):
        return f"({float(text)!r})"
    return f"({text})"


class _Builder:
    def __init__(self, loaded: LoadedInput, inv: Inventory, db: Database) -> None:
        self.loaded = loaded
        self.inv = inv
        self.db = db
        self.err = loaded.sources.error
        self.exchanges: list[tuple[Exchange, KeyPath]] = []
        self.values: Mapping[str, pint.Quantity] = {}
        self.use_years: list[tuple[int, float]] = []

    def record(self, rid: str, kp: KeyPath, unit_dim: str | None = None) -> Record:
        try:
            rec = self.db.record(rid)
        except InputError as exc:
            raise self.err(exc.message, kp) from None
        if unit_dim is not None:
            ok = registry().get_dimensionality(
                parse_unit(rec.unit)
            ) == registry().get_dimensionality(parse_unit(unit_dim))
            if not ok:
                raise self.err(
                    f"record {rid!r} is per {rec.unit}; expected a record per {unit_dim}", kp
                )
        return rec

    def raw(self, text: object, kp: KeyPath) -> str:
        """A YAML amount checked on its own (syntax, finiteness), parenthesised for formulas."""
        try:
            parse_expression(text)
        except InputError as exc:
            raise self.err(exc.message, kp) from None
        return _p(text)

    def add(
        self,
        stage: str,
        component: str | None,
        rid: str,
        amount: str,
        label: str,
        kp: KeyPath,
        *,
        credit: bool = False,
        kind: str = "",
        rec_kp: KeyPath | None = None,
        year: int | None = None,
    ) -> None:
        rec = self.record(rid, rec_kp or kp)
        try:
            expr = parse_expression(amount)
        except InputError as exc:
            raise self.err(exc.message, kp) from None
        ex = Exchange(stage, component, rid, expr, rec.unit, label, kp, credit, kind, year)
        self.exchanges.append((ex, kp))

    # -- sections ------------------------------------------------------------------------
    def components(self) -> None:
        for ci, comp in enumerate(self.inv.components):
            base = ("components", ci)
            self.processing(ci, comp)
            if comp.chemistry is not None:
                self.battery(ci, comp)
                continue
            for mi, mat in enumerate(comp.materials):
                kp = (*base, "materials", mi)
                fam = self.db.materials.get(mat.material)
                if fam is None and mat.material not in self.db.records:
                    known = sorted(self.db.materials)
                    raise self.err(
                        f"unknown material {mat.material!r}; material families: "
                        f"{', '.join(known)} (or a record id with unit kg)",
                        (*kp, "material"),
                    )
                primary = mat.primary or (fam.primary if fam else mat.material)
                secondary = mat.secondary or (fam.secondary if fam else None)
                self.record(primary, (*kp, "primary" if mat.primary else "material"), "kg")
                name = fam.name if fam else self.db.records[mat.material].name
                self.raw(mat.mass, (*kp, "mass"))
                if mat.recycled_mass is not None:
                    self.raw(mat.recycled_mass, (*kp, "recycled_mass"))
                    self.check_recycled(mat.mass, mat.recycled_mass, kp)
                    if secondary is None:
                        raise self.err(
                            f"material {mat.material!r} has no secondary (recycled) "
                            "record; name one with 'secondary'",
                            (*kp, "recycled_mass"),
                        )
                    self.record(secondary, (*kp, "secondary"), "kg")
                    self.add(
                        "materials",
                        comp.id,
                        primary,
                        f"{_p(mat.mass)} - {_p(mat.recycled_mass)}",
                        f"{comp.id}: {name}, primary",
                        (*kp, "mass"),
                        kind="material-primary",
                        rec_kp=(*kp, "material"),
                    )
                    self.add(
                        "materials",
                        comp.id,
                        secondary,
                        _p(mat.recycled_mass),
                        f"{comp.id}: {name}, recycled",
                        (*kp, "recycled_mass"),
                        kind="material-secondary",
                        rec_kp=(*kp, "material"),
                    )
                    self.recycled_content(comp.id, mat, primary, secondary, name, kp)
                else:
                    self.add(
                        "materials",
                        comp.id,
                        primary,
                        _p(mat.mass),
                        f"{comp.id}: {name}",
                        (*kp, "mass"),
                        kind="material-primary",
                        rec_kp=(*kp, "material"),
                    )

    def processing(self, ci: int, comp) -> None:  # noqa: ANN001
        """Supplier processing of a component's parts (forming, finishing): its stage is the
        component's (battery or materials); not part of the mass balance."""
        stage = "battery" if comp.chemistry is not None else "materials"
        for pi, item in enumerate(comp.processing):
            kp = ("components", ci, "processing", pi)
            self.add(
                stage,
                comp.id,
                item.record,
                self.raw(item.amount, (*kp, "amount")),
                f"{comp.id}: {item.description or item.id}",
                (*kp, "amount"),
                kind="processing",
                rec_kp=(*kp, "record"),
            )

    def cff(self, family: str, kp: KeyPath):  # noqa: ANN201
        """CFF parameters of ``family`` (error at ``kp`` when there are none)."""
        params = cff_parameters(family, self.inv.end_of_life.cff)
        if params is None:
            raise self.err(
                f"no circular-footprint-formula parameters for material {family!r}: add them "
                f"under end_of_life.cff.{family} (a, qsin_qp, qsout_qp, source)",
                kp,
            )
        return params

    def recycled_content(self, comp_id, mat, primary, secondary, name, kp) -> None:  # noqa: ANN001
        """Recycled content under avoided burden or the CFF, as two adjustments to the cut-off
        exchanges (so the material lines keep their masses): the recycled mass is charged
        A x Erec + (1 - A) x Qsin/Qp x Ev instead of Erec (avoided burden: A = 0)."""
        approach = self.inv.end_of_life.approach
        if approach == "cut-off":
            return
        params = self.cff(mat.material, (*kp, "material"))
        a = 0.0 if approach == "avoided-burden" else params.a
        if a == 1.0:
            return
        tag = "avoided burden" if approach == "avoided-burden" else f"CFF, A = {a:g}"
        self.add(
            "materials",
            comp_id,
            primary,
            f"{_p(mat.recycled_mass)} * {1.0 - a!r} * {params.qsin_qp!r}",
            f"{comp_id}: {name}, recycled content at virgin burden x (1 - A) x Qsin/Qp ({tag})",
            (*kp, "recycled_mass"),
            kind="recycled-content-virgin",
            rec_kp=(*kp, "material"),
        )
        self.add(
            "materials",
            comp_id,
            secondary,
            f"-1 * {_p(mat.recycled_mass)} * {1.0 - a!r}",
            f"{comp_id}: {name}, recycled content, less (1 - A) of the recycling route ({tag})",
            (*kp, "recycled_mass"),
            kind="recycled-content-route-removed",
            rec_kp=(*kp, "material"),
        )

    def check_recycled(self, mass: object, recycled: object, kp: KeyPath) -> None:
        """Recycled mass must not exceed the material's mass (both evaluated now)."""
        values = self.values
        try:
            m = parse_expression(mass).evaluate(values)
            r = parse_expression(recycled).evaluate(values)
            over = bool(r.to(m.units).magnitude > m.magnitude)
        except (InputError, pint.DimensionalityError):
            return  # reported with the exchange amounts, located there
        if over:
            raise self.err(
                f"recycled_mass ({recycled}) is more than the material's mass ({mass})",
                (*kp, "recycled_mass"),
            )

    def battery_mass_text(self, comp) -> str:  # noqa: ANN001
        chem = self.db.chemistries[comp.chemistry]
        if comp.mass is not None:
            return _p(comp.mass)
        return f"{_p(comp.capacity)} / {chemistry_parameter(chem.id, 'pack_specific_energy')}"

    def battery(self, ci: int, comp) -> None:  # noqa: ANN001
        base = ("components", ci)
        chem = self.db.chemistries.get(comp.chemistry)
        if chem is None:
            raise self.err(
                f"unknown battery chemistry {comp.chemistry!r}; known: "
                f"{', '.join(sorted(self.db.chemistries))}",
                (*base, "chemistry"),
            )
        cap = _p(comp.capacity)
        self.add(
            "battery",
            comp.id,
            chem.cell_materials,
            cap,
            f"{comp.id}: cells, materials and processing ({chem.id})",
            (*base, "capacity"),
            kind="battery-cells",
        )
        self.record(comp.cell_plant_electricity, (*base, "cell_plant_electricity"), "kWh")
        if comp.cell_plant_location_based_supply is not None:
            self.record(
                comp.cell_plant_location_based_supply,
                (*base, "cell_plant_location_based_supply"),
                "kWh",
            )
        self.add(
            "battery",
            comp.id,
            comp.cell_plant_electricity,
            f"{cap} * {chemistry_parameter(chem.id, 'cell_plant_electricity')}",
            f"{comp.id}: cell plant electricity ({comp.cell_plant_electricity})",
            (*base, "cell_plant_electricity"),
            kind="battery-cell-plant-electricity",
        )
        heat = comp.cell_plant_heat or "heat:natural-gas"
        self.record(heat, (*base, "cell_plant_heat"), "MJ")
        self.add(
            "battery",
            comp.id,
            heat,
            f"{cap} * {chemistry_parameter(chem.id, 'cell_plant_heat')}",
            f"{comp.id}: cell plant heat ({heat})",
            (*base, "cell_plant_heat"),
            kind="battery-cell-plant-heat",
        )
        mass = self.battery_mass_text(comp)
        self.add(
            "battery",
            comp.id,
            chem.pack_components,
            f"({mass}) * (1 - {chemistry_parameter(chem.id, 'cell_mass_share')})",
            f"{comp.id}: pack housing, BMS, cooling and wiring",
            (*base, "mass") if comp.mass is not None else (*base, "capacity"),
            kind="battery-pack",
        )

    def manufacturing(self) -> None:
        m = self.inv.manufacturing
        if m is None:
            return
        base = ("manufacturing",)
        self.record(m.supply, (*base, "supply"), "kWh")
        if m.location_based_supply is not None:
            self.record(m.location_based_supply, (*base, "location_based_supply"), "kWh")
        self.add(
            "manufacturing",
            None,
            m.supply,
            _p(m.electricity),
            f"vehicle assembly: electricity ({m.supply})",
            (*base, "electricity"),
            kind="assembly-electricity",
            rec_kp=(*base, "supply"),
        )
        if m.heat is not None:
            self.record(m.heat_supply, (*base, "heat_supply"), "MJ")
            self.add(
                "manufacturing",
                None,
                m.heat_supply,
                _p(m.heat),
                f"vehicle assembly: heat ({m.heat_supply})",
                (*base, "heat"),
                kind="assembly-heat",
                rec_kp=(*base, "heat_supply"),
            )

    def logistics(self) -> None:
        for i, leg in enumerate(self.inv.logistics):
            kp = ("logistics", i)
            rid = leg.record or f"transport:{leg.mode}"
            rkp = (*kp, "record" if leg.record else "mode")
            self.record(rid, rkp, "t*km")
            load = "curb_mass" if str(leg.load).strip() == "vehicle" else _p(leg.load)
            what = leg.description or f"{leg.mode or rid}"
            self.add(
                "logistics",
                None,
                rid,
                f"({load}) * {_p(leg.distance)}",
                f"delivery: {what}",
                (*kp, "distance"),
                kind="transport",
                rec_kp=rkp,
            )

    def use(self) -> None:
        use = self.inv.use
        if use.electricity is not None:
            self.use_electricity()
        if use.fuel is not None:
            f = use.fuel
            fuel = self.db.fuels.get(f.fuel)
            if fuel is None:
                raise self.err(
                    f"unknown fuel {f.fuel!r}; known: {', '.join(sorted(self.db.fuels))}",
                    ("use", "fuel", "fuel"),
                )
            kp = ("use", "fuel", "amount")
            self.add(
                "use",
                None,
                fuel.upstream,
                _p(f.amount),
                f"use: {fuel.name}, well to tank",
                kp,
                kind="use-fuel-upstream",
            )
            self.add(
                "use",
                None,
                fuel.combustion,
                _p(f.amount),
                f"use: {fuel.name}, combustion (tailpipe)",
                kp,
                kind="use-fuel-combustion",
            )

    def use_years_split(self) -> list[tuple[int, str, float]]:
        """(year, share-of-lifetime expression, km) of each year of the use profile.

        Full years take ``annual_distance / lifetime_distance`` and the last year the rest, so the
        shares stay expressions of the parameters and always sum to one.
        """
        e = self.inv.use.electricity
        prof = e.profile if e is not None else None
        if prof is None:
            return []
        kp = ("use", "electricity", "profile")
        life = float(self.values[DISTANCE_PARAMETER].to("km").magnitude)
        if prof.years is not None:
            n = prof.years
            return [(prof.start_year + i, f"(1 / {n})", life / n) for i in range(n)]
        try:
            q = parse_expression(prof.annual_distance).evaluate(self.values)
            annual = float(q.to("km").magnitude)
        except InputError as exc:
            raise self.err(exc.message, (*kp, "annual_distance")) from None
        except pint.DimensionalityError:
            raise self.err(
                f"annual_distance must be a distance (got {q.units:~P})", (*kp, "annual_distance")
            ) from None
        if annual <= 0:
            raise self.err("annual_distance must be greater than zero", (*kp, "annual_distance"))
        n = max(1, math.ceil(life / annual - 1e-9))
        if n > MAX_PROFILE_YEARS:
            raise self.err(
                f"the lifetime takes {n} years at this annual distance (at most "
                f"{MAX_PROFILE_YEARS})",
                (*kp, "annual_distance"),
            )
        a = _p(prof.annual_distance)
        out = [(prof.start_year + i, f"({a} / {DISTANCE_PARAMETER})", annual) for i in range(n - 1)]
        out.append(
            (
                prof.start_year + n - 1,
                f"(1 - {n - 1} * {a} / {DISTANCE_PARAMETER})",
                life - (n - 1) * annual,
            )
        )
        return out

    def year_record(self, supply: str, trajectory_id: str, year: int) -> str:
        """The derived record ``<supply>@<year>`` holding the trajectory's value of ``year``."""
        from dataclasses import replace

        traj = self.db.trajectories[trajectory_id]
        rid = f"{supply}@{year}"
        if rid not in self.db.records:
            base = self.db.record(supply)
            rec = replace(
                base,
                id=rid,
                name=f"{base.name}, {year} ({traj.name})",
                emissions={"co2e": traj.value(year)},
                reference_year=year,
                source=traj.source,
                estimate=base.estimate or traj.estimate,
                note=f"trajectory {traj.id}: {traj.basis(year)}",
            )
            self.db = self.db.with_records([rec])
        return rid

    def use_electricity(self) -> None:
        e = self.inv.use.electricity
        base = ("use", "electricity")
        self.record(e.supply, (*base, "supply"), "kWh")
        share_text = None
        if e.renewable_share is not None:
            self.record(e.renewable_supply, (*base, "renewable_supply"), "kWh")
            kp = (*base, "renewable_share")
            try:
                q = parse_expression(e.renewable_share).evaluate(self.values)
                share = float(q.to("").magnitude)
            except InputError as exc:
                raise self.err(exc.message, kp) from None
            except pint.DimensionalityError:
                raise self.err("renewable_share must be a plain number from 0 to 1", kp) from None
            if not 0.0 <= share <= 1.0:
                raise self.err(f"renewable_share must be from 0 to 1 (got {share:g})", kp)
            share_text = _p(e.renewable_share)
        prof = e.profile
        traj = None
        if prof is not None and prof.trajectory is not None:
            traj = self.db.trajectories.get(prof.trajectory)
            tkp = (*base, "profile", "trajectory")
            if traj is None:
                raise self.err(
                    f"unknown trajectory {prof.trajectory!r}; known: "
                    f"{', '.join(sorted(self.db.trajectories)) or 'none'}",
                    tkp,
                )
            if traj.record != e.supply:
                raise self.err(
                    f"trajectory {traj.id!r} is for {traj.record}, but the supply is {e.supply}",
                    tkp,
                )
        years = self.use_years_split()
        self.use_years = [(y, km) for y, _, km in years]
        chunks = [(None, "", "")] if not years else [(y, f" * {f}", f" {y}") for y, f, _ in years]
        for year, frac, when in chunks:
            rid = (
                e.supply
                if traj is None or year is None
                else self.year_record(e.supply, traj.id, year)
            )
            grid_amount = f"{_p(e.amount)}{frac}"
            if share_text is not None:
                grid_amount += f" * (1 - {share_text})"
            self.add(
                "use",
                None,
                rid,
                grid_amount,
                f"use: electricity{when} ({rid})",
                (*base, "amount"),
                kind="use-electricity",
                rec_kp=(*base, "supply"),
                year=year,
            )
            if share_text is not None:
                self.add(
                    "use",
                    None,
                    e.renewable_supply,
                    f"{_p(e.amount)}{frac} * {share_text}",
                    f"use: electricity{when}, certified renewable ({e.renewable_supply})",
                    (*base, "renewable_share"),
                    kind="use-electricity",
                    rec_kp=(*base, "renewable_supply"),
                    year=year,
                )

    def maintenance(self) -> None:
        for i, item in enumerate(self.inv.maintenance):
            kp = ("maintenance", i)
            self.add(
                "maintenance",
                None,
                item.record,
                _p(item.amount),
                f"maintenance: {item.description or item.id}",
                (*kp, "amount"),
                kind="maintenance",
                rec_kp=(*kp, "record"),
            )

    def end_of_life(self) -> None:
        eol = self.inv.end_of_life
        for i, item in enumerate(eol.treatments):
            kp = ("end_of_life", "treatments", i)
            self.add(
                "end_of_life",
                None,
                item.record,
                _p(item.amount),
                f"end of life: {item.description or item.id}",
                (*kp, "amount"),
                kind="eol-treatment",
                rec_kp=(*kp, "record"),
            )
        for i, rec in enumerate(eol.recovered):
            kp = ("end_of_life", "recovered", i)
            fam = self.db.materials.get(rec.material)
            if fam is None or fam.secondary is None:
                raise self.err(
                    f"recovered material {rec.material!r} needs a material family "
                    "with a primary and a secondary record",
                    (*kp, "material"),
                )
            if eol.approach == "cff":
                # CFF end-of-life term (1 - A) R2 (ErecEoL - E*v Qsout/Qp), inside the total
                params = self.cff(rec.material, (*kp, "material"))
                share = 1.0 - params.a
                if share == 0.0:
                    continue
                self.add(
                    "end_of_life",
                    None,
                    fam.secondary,
                    f"{_p(rec.mass)} * {share!r}",
                    f"end of life: {fam.name} recovered, (1 - A) x recycling route (CFF)",
                    (*kp, "mass"),
                    kind="cff-eol-recycling",
                )
                self.add(
                    "end_of_life",
                    None,
                    fam.primary,
                    f"-1 * {_p(rec.mass)} * {share!r} * {params.qsout_qp!r}",
                    f"end of life: {fam.name} recovered, (1 - A) x Qsout/Qp x avoided primary "
                    "(CFF)",
                    (*kp, "mass"),
                    kind="cff-eol-avoided-virgin",
                )
                continue
            # avoided burden: recovered scrap displaces primary material; the recycling route's
            # own burden is charged against it. Reported apart from the total, never netted.
            # Under cut-off the same credit is shown as information (like EN 15804 module D).
            q = ""
            if eol.approach == "avoided-burden":
                q = f" * {self.cff(rec.material, (*kp, 'material')).qsout_qp!r}"
            self.add(
                "end_of_life",
                None,
                fam.primary,
                f"-1 * {_p(rec.mass)}{q}",
                f"credit: {fam.name} recovered, avoided primary",
                (*kp, "mass"),
                credit=True,
                kind="credit-avoided-primary",
            )
            self.add(
                "end_of_life",
                None,
                fam.secondary,
                _p(rec.mass),
                f"credit: {fam.name} recovered, recycling route",
                (*kp, "mass"),
                credit=True,
                kind="credit-recycling-route",
            )


def build_system(loaded: LoadedInput, db: Database, gwp: str | None = None) -> ProductSystem:
    """Validate ``loaded`` against the inventory format and build its product system."""
    err = loaded.sources.error
    inv = validate(Inventory, loaded.sources, loaded.data)
    db = _with_inventory_records(loaded, inv, db)
    b = _Builder(loaded, inv, db)
    params = build_parameters(_parameter_texts(inv, db, b, err), err)
    values = params.evaluate()
    b.values = values
    _check_measure_units(inv, values, err)
    _check_builtin_values(params, values, err)
    gwp_set = gwp or inv.method.gwp or db.default_gwp_set
    if gwp_set not in db.gwp_sets:
        raise err(
            f"unknown GWP set {gwp_set!r}; known: {', '.join(sorted(db.gwp_sets))}",
            ("method", "gwp"),
        )
    _check_primary_data(inv, err)
    for step in (b.components, b.manufacturing, b.logistics, b.use, b.maintenance, b.end_of_life):
        step()
    exchanges = tuple(ex for ex, _ in b.exchanges)
    amounts = _evaluate_amounts(exchanges, values, err)
    _check_mass_balance(inv, values, exchanges, amounts, loaded)
    return ProductSystem(
        name=loaded.name,
        inventory=inv,
        exchanges=exchanges,
        parameters=params,
        database=b.db,  # with the derived per-year records of a use profile
        gwp_set=gwp_set,
        amounts=amounts,
        parameter_values=values,
        use_years=tuple(b.use_years),
    )


def _with_inventory_records(loaded: LoadedInput, inv: Inventory, db: Database) -> Database:
    """Inventory-specific (supplier-specific, primary) records join the background."""
    extra = []
    for i, spec in enumerate(inv.records):
        file = str(loaded.sources.locate(("records", i))[0])
        rec, raw_inputs = convert_record(spec, loaded.sources, ("records", i), "inventory", file)
        if raw_inputs:
            raise loaded.sources.error(
                "inventory records cannot have inputs; model them as exchanges",
                ("records", i, "inputs"),
            )
        for gas in rec.emissions:
            if gas not in db.flows:
                raise loaded.sources.error(
                    f"unknown gas {gas!r}; known: {', '.join(sorted(db.flows))}",
                    ("records", i, "emissions", gas),
                )
        extra.append(_primary(rec))
    return db.with_records(extra) if extra else db


def _parameter_texts(inv: Inventory, db: Database, b: _Builder, err) -> dict:  # noqa: ANN001
    """Parameter expressions by name (with their key paths): the inventory's, adjusted for
    measures not already included, plus the built-in names."""
    texts: dict[str, tuple[object, KeyPath]] = {
        name: (p.value, ("parameters", name, "value")) for name, p in inv.parameters.items()
    }
    if DISTANCE_PARAMETER not in inv.parameters:
        raise err(
            f"parameters must define '{DISTANCE_PARAMETER}' (for example 200000 km): "
            "results per km need it",
            ("parameters",),
        )
    for i, m in enumerate(inv.use.measures):
        if m.applies_to is None:
            continue
        if m.applies_to not in inv.parameters:
            known = ", ".join(sorted(inv.parameters)) or "none"
            raise err(
                f"measure {m.id!r} applies to {m.applies_to!r}, which is not a parameter "
                f"(parameters: {known})",
                ("use", "measures", i, "applies_to"),
            )
        if not m.already_included:
            # the declared value is without the measure: the actual case subtracts the saving
            value, pkp = texts[m.applies_to]
            texts[m.applies_to] = (f"{_p(value)} - {_p(m.saves)}", pkp)
    for name in BUILTINS:
        if name in texts:
            raise err(
                f"'{name}' is a built-in name ({BUILTINS[name]}); choose another name",
                ("parameters", name),
            )
    texts["curb_mass"] = (inv.vehicle.curb_mass, ("vehicle", "curb_mass"))
    _material_mass_texts(inv, texts, err)
    batteries = [(i, c) for i, c in enumerate(inv.components) if c.chemistry is not None]
    for i, c in batteries:
        if c.chemistry not in db.chemistries:
            raise err(
                f"unknown battery chemistry {c.chemistry!r}; known: "
                f"{', '.join(sorted(db.chemistries))}",
                ("components", i, "chemistry"),
            )
    for i, c in batteries:
        chem = db.chemistries[c.chemistry]
        for fname, unit in CHEMISTRY_FIELDS.items():
            pname = chemistry_parameter(chem.id, fname)
            if pname in texts and texts[pname][1][0] == "parameters":
                raise err(
                    f"'{pname}' is a built-in name (battery chemistry {chem.id} {fname}); "
                    "choose another name",
                    ("parameters", pname),
                )
            value = getattr(chem, fname).value
            texts[pname] = (f"{value!r} {unit}".strip(), ("components", i, "chemistry"))
    texts["battery_capacity"] = (
        " + ".join(_p(c.capacity) for _, c in batteries) if batteries else "0 kWh",
        ("components", batteries[0][0], "capacity") if batteries else ("components",),
    )
    texts["battery_mass"] = (
        " + ".join(f"({b.battery_mass_text(c)})" for _, c in batteries) if batteries else "0 kg",
        ("components", batteries[0][0]) if batteries else ("components",),
    )
    return texts


def _material_mass_texts(inv: Inventory, texts: dict, err) -> None:  # noqa: ANN001
    """Built-in ``mass_<material>``: the sum of the bill-of-materials lines of each material."""
    lines: dict[str, list[tuple[object, KeyPath]]] = {}
    for ci, comp in enumerate(inv.components):
        for mi, mat in enumerate(comp.materials):
            lines.setdefault(mat.material, []).append(
                (mat.mass, ("components", ci, "materials", mi, "mass"))
            )
    for material, items in lines.items():
        name = material_mass_parameter(material)
        if name in texts:
            raise err(
                f"'{name}' is a built-in name (the mass of {material} in the bill of "
                "materials); choose another name",
                ("parameters", name),
            )
        texts[name] = (" + ".join(_p(m) for m, _ in items), items[0][1])


BUILTIN_UNITS = {
    "curb_mass": "kg",
    "battery_capacity": "kWh",
    "battery_mass": "kg",
    DISTANCE_PARAMETER: "km",
}
MUST_BE_POSITIVE = ("curb_mass", DISTANCE_PARAMETER)


def _check_builtin_values(params: ParameterSet, values, err) -> None:  # noqa: ANN001
    """Built-in names and the lifetime distance have the right dimension and sign."""
    for name, unit in BUILTIN_UNITS.items():
        q = values[name]
        kp = params.paths[name]
        if q.dimensionality != registry().get_dimensionality(parse_unit(unit)):
            got = f"{q.units:~P}" if not q.dimensionless else "a plain number without unit"
            raise err(f"{name} must be in {unit} (got {got})", kp)
        magnitude = q.to(unit).magnitude
        if magnitude < 0 or (name in MUST_BE_POSITIVE and magnitude <= 0):
            raise err(f"{name} must be greater than zero", kp)


def _evaluate_amounts(exchanges: tuple[Exchange, ...], values, err) -> np.ndarray:  # noqa: ANN001
    """Deterministic amounts in each record's unit; every dimension or sign problem reported."""
    amounts = []
    errors: list[InputError] = []
    for ex in exchanges:
        try:
            q = ex.amount.evaluate(values)
        except InputError as exc:
            errors.append(err(exc.message, ex.path))
            continue
        try:
            value = float(q.to(parse_unit(ex.unit)).magnitude)
        except pint.DimensionalityError:
            errors.append(
                err(
                    f"amount {ex.amount.text!r} is {_unit_text(q)}; {ex.record} is per "
                    f"{ex.unit}, so the amount needs a unit like {ex.unit}",
                    ex.path,
                )
            )
            continue
        if not ex.credit and value < 0 and ex.kind not in NEGATIVE_KINDS:
            errors.append(
                err(f"amount {ex.amount.text!r} is negative ({value:g} {ex.unit})", ex.path)
            )
        amounts.append(value)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return np.array(amounts, dtype=np.float64)


PRIMARY_DATA_SECTIONS = ("manufacturing", "logistics", "use", "maintenance", "end_of_life")


def _check_primary_data(inv: Inventory, err) -> None:  # noqa: ANN001
    ids = {c.id for c in inv.components}
    for i, entry in enumerate(inv.primary_data):
        if entry in PRIMARY_DATA_SECTIONS or entry == "components":
            continue
        if entry.startswith("components.") and entry.split(".", 1)[1] in ids:
            continue
        raise err(
            f"primary_data entry {entry!r} names no part of the inventory; use one of "
            f"{', '.join(PRIMARY_DATA_SECTIONS)}, components or components.<id> "
            f"(ids: {', '.join(sorted(ids))})",
            ("primary_data", i),
        )


def primary_activity(inv: Inventory, ex: Exchange) -> bool:
    """Whether the inventory declares ``ex``'s amount as primary (measured) activity data."""
    declared = set(inv.primary_data)
    section = str(ex.path[0]) if ex.path else ""
    if section in declared:
        return True
    return section == "components" and f"components.{ex.component}" in declared


def _check_measure_units(inv: Inventory, values, err) -> None:  # noqa: ANN001
    for i, m in enumerate(inv.use.measures):
        if m.saves is None or m.applies_to is None:
            continue
        kp = ("use", "measures", i, "saves")
        try:
            saves = parse_expression(m.saves).evaluate(values)
        except InputError as exc:
            raise err(exc.message, kp) from None
        target = values[m.applies_to]
        if saves.dimensionality != target.dimensionality:
            raise err(
                f"saves {m.saves!r} is {_unit_text(saves)} but {m.applies_to} is "
                f"{_unit_text(target)}",
                kp,
            )


def _unit_text(q: pint.Quantity) -> str:
    if q.dimensionless:
        return "a plain number without unit"
    return f"in {q.units:~P} ({str(q.dimensionality)})"


def _primary(rec: Record) -> Record:
    from dataclasses import replace

    return replace(rec, primary_data=True)


def _check_mass_balance(inv: Inventory, values, exchanges, amounts, loaded) -> None:  # noqa: ANN001
    import logging

    curb = float(values["curb_mass"].to("kg").magnitude)
    bom = float(values["battery_mass"].to("kg").magnitude)
    for ex, a in zip(exchanges, amounts, strict=True):
        if ex.stage == "materials" and not ex.credit and ex.kind in MASS_KINDS:
            bom += a
    dev = (bom - curb) / curb
    if abs(dev) > 0.05:
        path, line = loaded.sources.locate(("components",))
        logging.getLogger("lca").warning(
            "%s:%s: the bill of materials (%.0f kg incl. battery) is %+.1f %% off the curb mass "
            "(%.0f kg)",
            path,
            line or "",
            bom,
            100 * dev,
            curb,
        )
