"""One calculation end to end: file -> product system -> engines -> result (no writing)."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import platform
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# Importing the model, its schemas, pint and numpy creates some 10^5 objects that live as long as
# the process (modules, classes, functions, validators) and next to no garbage; the cyclic
# collector would walk them again and again (15% of the import time, 0.04 s of every run). It is
# paused for the imports below, and what exists then is moved out of its reach (gc.freeze: the
# collector never walks it again), and it is resumed as it was.
_GC_WAS_ON = gc.isenabled()
gc.disable()
try:
    import numpy as np

    from lca import __version__
    from lca.analysis.alternatives import (
        DETERMINISTIC,
        Plan,
        approach_entry,
        cff_table,
        measure_effect,
        plan,
    )
    from lca.calc.check_cache import versions
    from lca.calc.engine import Calculation, calculate, evaluate
    from lca.calc.results import Result, assemble
    from lca.inputs.loader import LoadedInput, load_input
    from lca.model.background import Database, load_background
    from lca.model.contracts import contracts, location_based_data
    from lca.model.recycling import APPROACHES
    from lca.model.system import ProductSystem, build_system
finally:
    gc.freeze()
    if _GC_WAS_ON:
        gc.enable()

__all__ = ["Run", "analyse_file", "analyse_loaded", "cff_table", "run_file", "run_loaded"]

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
    """The run of ``loaded`` with its alternatives (measures' counterfactuals, the other
    recycling approaches, the location-based system) calculated as one evaluation."""
    db = background or load_background()
    collector = _Collect()
    # a library's logging.config (uvicorn's, for one) disables loggers that exist before it:
    # the run's warnings are part of its result, so they are always collected
    logging.getLogger("lca").disabled = False
    logging.getLogger("lca").addHandler(collector)
    try:
        system = build_system(loaded, db, gwp)
        logging.getLogger("lca").disabled = True  # counterfactual builds repeat the warnings
        try:
            alts = plan(loaded, system, db, gwp, measures=measures)
        finally:
            logging.getLogger("lca").disabled = False
        calcs = evaluate_plan(alts)
    finally:
        logging.getLogger("lca").removeHandler(collector)
    calc = calcs[DETERMINISTIC]
    effects = tuple(
        measure_effect(cf, system, calc.total, calcs[label]) for cf, label in alts.measures
    )
    approaches: dict[str, Any] = {}
    if measures:
        approaches["selected"] = system.inventory.end_of_life.approach
        for approach in APPROACHES:
            if approach in alts.unavailable:
                approaches[approach] = {"available": False, "reason": alts.unavailable[approach]}
            else:
                approaches[approach] = approach_entry(approach, calcs[alts.approaches[approach]])
    location_total = calcs[alts.location].total if alts.location else None
    result = assemble(
        calc,
        measures=effects,
        recycling_approaches=approaches,
        provenance=provenance(loaded, system, tuple(calcs.values())),
        warnings=tuple(dict.fromkeys(collector.messages)),
    )
    result = replace(
        result,
        contracts=tuple(c.as_dict() for c in contracts(system.inventory)),
        location_based_total_kg_co2e=location_total,
    )
    return Run(loaded, system, calc, result)


def evaluate_plan(alts: Plan) -> dict[str, Calculation]:
    """Every alternative's calculation by label: the distinct systems as one evaluation."""
    distinct: dict[int, str] = {}
    for label, system in alts.systems.items():
        distinct.setdefault(id(system), label)
    calcs = evaluate([(label, alts.systems[label]) for label in distinct.values()])
    by_system = {id(c.system): c for c in calcs}
    return {label: by_system[id(system)] for label, system in alts.systems.items()}


def location_based_total(
    loaded: LoadedInput, system: ProductSystem, db: Database, gwp: str | None
) -> float | None:
    """Total (kg CO2e) of the counterfactual without contractual instruments; None if none."""
    data = location_based_data(loaded.data, system.inventory)
    if data is None:
        return None
    alt = build_system(replace(loaded, data=data), db, gwp)
    return calculate(alt).total


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(
    loaded: LoadedInput, system: ProductSystem, calcs: tuple[Calculation, ...] = ()
) -> dict[str, Any]:
    """Where the result came from: inputs and their hashes, datasets, engines (versions from
    the installed packages' metadata) and how bw2calc checked the numpy engine."""
    v = versions()
    checks = list(dict.fromkeys(c.check for c in calcs if c.check is not None))
    n_alt = len({id(c.system) for c in calcs}) - 1
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
            "bw2calc": v["bw2calc"],
            "bw_processing": v["bw_processing"],
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "check": "bw2calc total equals the numpy engine's sum of exchange contributions "
        "(relative tolerance 1e-9)"
        + (
            f", for the result and each of its {n_alt} alternative product systems (measures' "
            "counterfactuals, recycling approaches, location-based), each a root node of one "
            "datapackage"
            if n_alt > 0
            else ""
        ),
    }
    if checks:
        out["check_computation"] = "; ".join(c.describe() for c in checks)
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
