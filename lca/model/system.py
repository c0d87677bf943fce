"""Inventory -> product system: exchanges between the vehicle's life-cycle activities and the
background records, each tagged with its stage, component and the key path it came from.

Each life-cycle stage is built by its module in :mod:`lca.model.stages`; this module validates
the inventory, evaluates the parameters, runs the stages in order and checks the result.
Amounts stay expressions of the parameters, so the same system serves the deterministic run and
Monte Carlo samples. Pure: no file I/O.
"""

from __future__ import annotations

from dataclasses import replace

from lca.inputs.loader import LoadedInput
from lca.inputs.validation import validate
from lca.model.background import Database, Record, convert_record
from lca.model.brightway_background import inventory_background
from lca.model.builtins import (
    BUILTIN_UNITS,
    MUST_BE_POSITIVE,
    check_builtin_values,
    parameter_texts,
)
from lca.model.checks import (
    PRIMARY_DATA_SECTIONS,
    check_mass_balance,
    check_measure_units,
    check_primary_data,
    evaluate_amounts,
)
from lca.model.exchanges import (
    BUILTINS,
    CHEMISTRY_FIELDS,
    DISTANCE_PARAMETER,
    MASS_KINDS,
    MATERIAL_MASS_PREFIX,
    MAX_PROFILE_YEARS,
    NEGATIVE_KINDS,
    STAGES,
    Exchange,
    ProductSystem,
    chemistry_parameter,
    material_mass_parameter,
    primary_activity,
)
from lca.model.fuels import check_powertrain
from lca.model.parameters import build_parameters
from lca.model.record_specs import convert_trajectory
from lca.model.stages import STAGE_STEPS
from lca.model.stages.builder import Builder
from lca.model.supplier import with_supplier_records
from lca.schema.inventory import Inventory

__all__ = [
    "BUILTINS",
    "BUILTIN_UNITS",
    "CHEMISTRY_FIELDS",
    "DISTANCE_PARAMETER",
    "MASS_KINDS",
    "MATERIAL_MASS_PREFIX",
    "MAX_PROFILE_YEARS",
    "MUST_BE_POSITIVE",
    "NEGATIVE_KINDS",
    "PRIMARY_DATA_SECTIONS",
    "STAGES",
    "Exchange",
    "ProductSystem",
    "build_system",
    "chemistry_parameter",
    "material_mass_parameter",
    "primary_activity",
]


def build_system(loaded: LoadedInput, db: Database, gwp: str | None = None) -> ProductSystem:
    """Validate ``loaded`` against the inventory format and build its product system."""
    err = loaded.sources.error
    inv = validate(Inventory, loaded.sources, loaded.data)
    db = inventory_background(loaded, inv, db)  # background: brightway:PROJECT/DATABASE
    db = _with_inventory_records(loaded, inv, db)
    db = with_supplier_records(loaded, inv, db, gwp)  # suppliers' PACT footprints (files read)
    db = _with_inventory_trajectories(loaded, inv, db)
    check_powertrain(inv, db, err)
    b = Builder(loaded, inv, db)
    params = build_parameters(parameter_texts(inv, db, err), err)
    values = params.evaluate()
    b.values = values
    check_measure_units(inv, values, err)
    check_builtin_values(params, values, err)
    gwp_set = gwp or inv.method.gwp or db.default_gwp_set
    if gwp_set not in db.gwp_sets:
        raise err(
            f"unknown GWP set {gwp_set!r}; known: {', '.join(sorted(db.gwp_sets))}",
            ("method", "gwp"),
        )
    check_primary_data(inv, err)
    for step in STAGE_STEPS:
        step(b)
    exchanges = tuple(ex for ex, _ in b.exchanges)
    amounts = evaluate_amounts(exchanges, values, err)
    check_mass_balance(inv, values, exchanges, amounts, loaded)
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
        replacements=tuple(b.replacements),
    )


def _with_inventory_trajectories(loaded: LoadedInput, inv: Inventory, db: Database) -> Database:
    """The inventory's (or scenario's) own trajectories join the background's; one with the id
    of a background trajectory replaces it."""
    if not inv.trajectories:
        return db
    extra = dict(db.trajectories)
    for i, spec in enumerate(inv.trajectories):
        extra[spec.id] = convert_trajectory(spec, db.records, loaded.sources, ("trajectories", i))
    return replace(db, trajectories=extra)


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


def _primary(rec: Record) -> Record:
    return replace(rec, primary_data=True)
