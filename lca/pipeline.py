"""One calculation end to end: file -> product system -> engines -> result (no writing)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import platform
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .background import Database, load_background
from .contracts import contracts, location_based_data
from .engine import calculate
from .errors import InputError
from .inputs import LoadedInput, load_input
from .measures import counterfactuals
from .results import MeasureEffect, Result, assemble
from .system import ProductSystem, build_system

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


def run_loaded(
    loaded: LoadedInput,
    *,
    background: Database | None = None,
    gwp: str | None = None,
    measures: bool = True,
) -> Result:
    db = background or load_background()
    collector = _Collect()
    logging.getLogger("lca").addHandler(collector)
    try:
        system = build_system(loaded, db, gwp)
        calc = calculate(system)
        logging.getLogger("lca").disabled = True  # counterfactual runs repeat the warnings
        try:
            effects = measure_effects(loaded, system, calc.total, db, gwp) if measures else ()
            location_total = location_based_total(loaded, system, db, gwp)
        finally:
            logging.getLogger("lca").disabled = False
    finally:
        logging.getLogger("lca").removeHandler(collector)
    result = assemble(
        calc,
        measures=effects,
        provenance=provenance(loaded, system),
        warnings=tuple(dict.fromkeys(collector.messages)),
    )
    return replace(
        result,
        contracts=tuple(c.as_dict() for c in contracts(system.inventory)),
        location_based_total_kg_co2e=location_total,
    )


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


def _material_of(system: ProductSystem, ex) -> str | None:  # noqa: ANN001
    p = ex.path
    if len(p) >= 4 and p[0] == "components" and p[2] == "materials":
        return system.inventory.components[p[1]].materials[p[3]].material
    return None


def _sum_kind(system: ProductSystem, kind: str, unit: str) -> float | None:
    from .units import parse_unit

    vals = [
        (a, ex.unit)
        for ex, a in zip(system.exchanges, system.amounts, strict=True)
        if ex.kind == kind
    ]
    if not vals:
        return None
    total = 0.0
    for a, u in vals:
        total += float((a * parse_unit(u)).to(unit).magnitude)
    return total


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(loaded: LoadedInput, system: ProductSystem) -> dict[str, Any]:
    import bw_processing

    from .engine import bw2calc as _bc

    return {
        "tool": "vehicle-lca",
        "tool_version": __version__,
        "timestamp_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "inputs": [{"file": str(p), "sha256": sha256(p)} for p in loaded.files],
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
