"""One calculation end to end: file -> product system -> engines -> result (no writing)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import logging
import platform
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from lca import __version__
from lca.analysis.measures import counterfactuals
from lca.calc.engine import Calculation, calculate
from lca.calc.results import MeasureEffect, Result, assemble
from lca.errors import InputError
from lca.inputs.loader import LoadedInput, load_input
from lca.model.background import Database, load_background
from lca.model.contracts import contracts, location_based_data
from lca.model.expressions import parse_expression
from lca.model.recycling import APPROACH_LABELS, APPROACHES, cff_parameters
from lca.model.system import ProductSystem, build_system

log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_file(
    path: str | Path,
    *,
    background: Database | None = None,
    gwp: str | None = None,
    measures: bool = True,
) -> Result:
    """Calculate the footprint of an inventory or scenario file."""
    loaded = load_input(path)
    return run_loaded(loaded, background=background, gwp=gwp, measures=measures)


@dataclass(frozen=True)
class Run:
    """A calculation with what it was made from: the input, product system and engine detail
    (for reports and exports that need more than the result)."""

    loaded: LoadedInput
    system: ProductSystem
    calculation: Calculation
    result: Result


def run_loaded(
    loaded: LoadedInput,
    *,
    background: Database | None = None,
    gwp: str | None = None,
    measures: bool = True,
) -> Result:
    return analyse_loaded(loaded, background=background, gwp=gwp, measures=measures).result


def analyse_file(
    path: str | Path,
    *,
    background: Database | None = None,
    gwp: str | None = None,
    measures: bool = True,
) -> Run:
    """Like :func:`run_file`, keeping the product system and engine detail."""
    return analyse_loaded(load_input(path), background=background, gwp=gwp, measures=measures)


def analyse_loaded(
    loaded: LoadedInput,
    *,
    background: Database | None = None,
    gwp: str | None = None,
    measures: bool = True,
) -> Run:
    db = background or load_background()
    collector = _Collect()
    # a library's logging.config (uvicorn's, for one) disables loggers that exist before it:
    # the run's warnings are part of its result, so they are always collected
    logging.getLogger("lca").disabled = False
    logging.getLogger("lca").addHandler(collector)
    try:
        system = build_system(loaded, db, gwp)
        calc = calculate(system)
        logging.getLogger("lca").disabled = True  # counterfactual runs repeat the warnings
        try:
            effects = measure_effects(loaded, system, calc.total, db, gwp) if measures else ()
            approaches = recycling_approaches(loaded, system, calc, db, gwp) if measures else {}
            location_total = location_based_total(loaded, system, db, gwp)
        finally:
            logging.getLogger("lca").disabled = False
    finally:
        logging.getLogger("lca").removeHandler(collector)
    result = assemble(
        calc,
        measures=effects,
        recycling_approaches=approaches,
        provenance=provenance(loaded, system),
        warnings=tuple(dict.fromkeys(collector.messages)),
    )
    result = replace(
        result,
        contracts=tuple(c.as_dict() for c in contracts(system.inventory)),
        location_based_total_kg_co2e=location_total,
    )
    return Run(loaded, system, calc, result)


def location_based_total(
    loaded: LoadedInput, system: ProductSystem, db: Database, gwp: str | None
) -> float | None:
    """Total (kg CO2e) of the counterfactual without contractual instruments; None if none."""
    data = location_based_data(loaded.data, system.inventory)
    if data is None:
        return None
    alt = build_system(replace(loaded, data=data), db, gwp)
    return calculate(alt).total


def measure_effects(
    loaded: LoadedInput, system: ProductSystem, total: float, db: Database, gwp: str | None
) -> tuple[MeasureEffect, ...]:
    families = {
        m: db.materials[m].name if m in db.materials else m
        for c in system.inventory.components
        for m in (x.material for x in c.materials)
    }
    out = []
    km = system.lifetime_distance_km
    for cf in counterfactuals(loaded, system.inventory, families):
        alt_loaded = replace(loaded, data=cf.data)
        try:
            alt = build_system(alt_loaded, db, gwp)
        except InputError as exc:
            raise InputError(
                f"measure {cf.id!r}: its counterfactual is not a valid inventory: {exc.message}",
                file=exc.file,
                path=exc.path,
                line=exc.line,
            ) from None
        alt_total = calculate(alt).total
        details: dict[str, Any] = {}
        if cf.kind == "recycled-content":
            details["recycled_mass_kg"] = float(
                sum(
                    a
                    for ex, a in zip(system.exchanges, system.amounts, strict=True)
                    if ex.kind == "material-secondary" and _material_of(system, ex) == cf.family
                )
            )
        for kind, key, unit in (
            ("use-electricity", "use_electricity_saved_kwh", "kWh"),
            ("use-fuel-combustion", "use_fuel_saved_l", "L"),
            ("use-fuel-combustion", "use_fuel_saved_kg", "kg"),  # hydrogen
        ):
            now = _sum_kind(system, kind, unit)
            before = _sum_kind(alt, kind, unit)
            if now is not None and before is not None and before != now:
                details[key] = before - now
        saving = alt_total - total
        out.append(
            MeasureEffect(
                id=cf.id,
                description=cf.description,
                saving_kg_co2e=saving,
                saving_g_co2e_per_km=1000.0 * saving / km,
                counterfactual=cf.counterfactual,
                counterfactual_total_kg_co2e=alt_total,
                details=details,
            )
        )
    return tuple(out)


def recycling_approaches(
    loaded: LoadedInput, system: ProductSystem, calc: Calculation, db: Database, gwp: str | None
) -> dict[str, Any]:
    """The footprint under each recycling approach (kg CO2e), the selected one from ``calc``
    and the others by re-running the inventory with ``end_of_life.approach`` switched."""
    selected = system.inventory.end_of_life.approach
    out: dict[str, Any] = {"selected": selected}
    for approach in APPROACHES:
        if approach == selected:
            alt, alt_calc = system, calc
        else:
            data = copy.deepcopy(loaded.data)
            eol = data.get("end_of_life")
            if not isinstance(eol, dict):
                eol = data["end_of_life"] = {}
            eol["approach"] = approach
            try:
                alt = build_system(replace(loaded, data=data), db, gwp)
            except InputError as exc:
                out[approach] = {"available": False, "reason": exc.message}
                continue
            alt_calc = calculate(alt)
        entry: dict[str, Any] = {
            "available": True,
            "label": APPROACH_LABELS[approach],
            "total_kg_co2e": alt_calc.total,
            "per_km_g_co2e": 1000.0 * alt_calc.total / alt.lifetime_distance_km,
            "materials_kg_co2e": _stage_sum(alt, alt_calc, "materials"),
            "end_of_life_kg_co2e": _stage_sum(alt, alt_calc, "end_of_life"),
            "credits_kg_co2e": alt_calc.credits if approach != "cff" else 0.0,
        }
        if approach == "cff":
            entry["parameters"] = cff_table(alt)
        out[approach] = entry
    return out


def _stage_sum(system: ProductSystem, calc: Calculation, stage: str) -> float:
    return float(
        sum(
            c
            for ex, c in zip(system.exchanges, calc.contributions, strict=True)
            if ex.stage == stage and not ex.credit
        )
    )


def cff_table(system: ProductSystem) -> dict[str, dict[str, Any]]:
    """CFF parameters per material family used by ``system``: A, Qsin/Qp, Qsout/Qp (data) and
    R1 (recycled mass / mass) and R2 (recovered mass / bill-of-materials mass of the families
    that share its secondary material), all dimensionless; masses in kg."""
    inv = system.inventory
    mass: dict[str, float] = {}
    recycled: dict[str, float] = {}
    for ex, a in zip(system.exchanges, system.amounts, strict=True):
        fam = _material_of(system, ex)
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


def _material_of(system: ProductSystem, ex) -> str | None:  # noqa: ANN001
    p = ex.path
    if len(p) >= 4 and p[0] == "components" and p[2] == "materials":
        return system.inventory.components[p[1]].materials[p[3]].material
    return None


def _sum_kind(system: ProductSystem, kind: str, unit: str) -> float | None:
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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(loaded: LoadedInput, system: ProductSystem) -> dict[str, Any]:
    import bw_processing

    from lca.calc.engine import bw2calc as _bc

    out = {
        "tool": "vehicle-lca",
        "tool_version": __version__,
        "timestamp_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        # relative to the folder of the file that was run, normalised (not the working folder)
        "inputs": [
            {"file": rel, "sha256": sha256(p)}
            for p, rel in zip(loaded.files, loaded.relative_files(), strict=True)
        ],
        "scenario_chain": list(loaded.chain),
        "datasets": [d.__dict__ for d in system.database.datasets],
        "gwp_set": system.gwp_set,
        "gwp_source": system.database.gwp_sets[system.gwp_set].source.title,
        "engine": {
            "bw2calc": _bc().__version__ if hasattr(_bc(), "__version__") else "unknown",
            "bw_processing": getattr(bw_processing, "__version__", "unknown"),
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "check": "bw2calc total equals the numpy engine's sum of exchange contributions "
        "(relative tolerance 1e-9)",
    }
    out.update(_part_provenance(system))
    return out


def _part_provenance(system: ProductSystem) -> dict[str, Any]:
    """Replaced components (count and basis) and the scale factors on material masses; only
    when the inventory has any, so other results keep their keys."""
    from lca.model.stages.builder import scale_factor

    out: dict[str, Any] = {}
    if system.replacements:
        out["replacements"] = [
            {"component": r.component, "count": r.count, "basis": r.basis}
            for r in system.replacements
        ]
    inv = system.inventory
    scales = {c.id: scale_factor(inv, c) for c in inv.components if c.materials}
    if any(f != 1.0 for f in scales.values()):
        out["scale"] = {cid: f for cid, f in scales.items() if f != 1.0}
    return out
