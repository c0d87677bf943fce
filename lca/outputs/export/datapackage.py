"""Export a product system as a ``bw_processing`` datapackage (zip) for Brightway users.

Technosphere, biosphere and characterisation matrices with float64 data. With ``n`` samples the
technosphere and biosphere are presampled arrays (one column per sample, in sample order, the
datapackage created with ``sequential=True``), so ``bw2calc.LCA(demand, data_objs=[dp],
use_arrays=True)`` followed by ``next(lca)`` iterates over exactly the samples of ``vlca
uncertainty`` with the same ``--seed`` and ``-n``. The demand and the method go in the metadata
under ``vehicle_lca`` (JSON keys are strings: ``{"1": 1.0}`` is node 1).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from lca.calc.matrices import (
    CREDITS_ID,
    METHOD_NAME,
    ROOT_ID,
    Registry,
    datapackage,
    entries,
    indices,
    registry_for,
)
from lca.calc.montecarlo import Model, amounts, compile_model
from lca.calc.sampling import draw
from lca.model.system import ProductSystem
from lca.outputs.palette import STAGE_LABELS


def labels(system: ProductSystem, reg: Registry) -> dict[str, Any]:
    """What each integer id of the matrices is: name, unit, kind (root, credits, foreground,
    background), stage and component, or the flow's name, unit and origin (JSON keys)."""
    db, inv = system.database, system.inventory
    comps = {c.id: c.description or c.id for c in inv.components}
    nodes: dict[str, dict[str, Any]] = {
        str(ROOT_ID): {"name": f"{inv.vehicle.name}, cradle to grave", "unit": "unit",
                       "kind": "root"},
        str(CREDITS_ID): {"name": "end-of-life recycling credits (outside the total)",
                          "unit": "unit", "kind": "credits", "stage": "end_of_life"},
    }  # fmt: skip
    for (stage, comp), i in reg.activity_ids.items():
        nodes[str(i)] = {
            "name": STAGE_LABELS.get(stage, stage) + (f": {comps.get(comp, comp)}" if comp else ""),
            "unit": "unit",
            "kind": "foreground",
            "stage": stage,
            "component": comp,
        }
    for rid, i in reg.record_ids.items():
        rec = db.records[rid]
        nodes[str(i)] = {"name": rec.name, "unit": rec.unit, "kind": "background",
                         "record": rid, "location": rec.geography}  # fmt: skip
    flows = {
        str(i): {"name": db.flows[f].name, "unit": "kg", "origin": db.flows[f].origin, "id": f}
        for f, i in reg.flow_ids.items()
    }
    return {"nodes": nodes, "flows": flows}


def metadata(
    system: ProductSystem, n: int | None, seed: int | None, reg: Registry | None = None
) -> dict[str, Any]:
    """The ``vehicle_lca`` metadata block, with the labels of every id."""
    return {
        "vehicle_lca": {
            "name": system.name,
            "demand": {str(ROOT_ID): 1.0},
            "method": list(METHOD_NAME),
            "unit": "kg CO2e",
            "gwp_set": system.gwp_set,
            "samples": n,
            "seed": seed,
            "note": "score of the demand = total cradle-to-grave kg CO2e of one vehicle; "
            "recycling credits are on node 2, outside the total",
            "labels": labels(system, reg or registry_for(system)),
        }
    }


def sample_arrays(
    system: ProductSystem, model: Model, x: np.ndarray
) -> tuple[Registry, dict[str, np.ndarray]]:
    """Matrix entries with one data column per sample row of ``x`` (inputs of ``model``)."""
    base = registry_for(system)
    reg = Registry(model.records, base.activities, base.flows)
    ent = entries(system, reg)
    n = x.shape[0]
    n_act = len(reg.activities)
    first_ex = 2 + n_act + len(reg.records) + n_act  # diagonal, then activity -> root links
    amt = amounts(model, x)  # exchanges x samples
    tech = np.repeat(ent.tech_data[:, None], n, axis=1)
    tech[first_ex : first_ex + amt.shape[0], :] = amt
    rows, cols, flip = list(ent.tech_rows), list(ent.tech_cols), list(ent.tech_flip)
    extra = []
    if model.choice is not None:
        j, exs, rec_idx = model.choice
        pick = x[:, j].astype(np.int64)
        rid = reg.record_ids
        for e in exs:
            pos = first_ex + e
            consumer = ent.tech_cols[pos]
            own = model.ex_record[e]
            for k, r in enumerate(rec_idx):
                data = amt[e, :] * (pick == k)
                if r == own:
                    tech[pos, :] = data
                else:
                    rows.append(rid[model.records[r]])
                    cols.append(consumer)
                    flip.append(True)
                    extra.append(data)
    if extra:
        tech = np.vstack([tech, np.array(extra)])
    mult = np.ones((len(reg.records), n))
    for j, r in model.record_inputs:
        mult[r, :] = x[:, j]
    offset = min(reg.record_ids.values())
    bio = ent.bio_data[:, None] * mult[ent.bio_cols - offset, :]
    return reg, {
        "tech_rows": np.array(rows, dtype=np.int64),
        "tech_cols": np.array(cols, dtype=np.int64),
        "tech_flip": np.array(flip, dtype=bool),
        "tech_data": np.ascontiguousarray(tech, dtype=np.float64),
        "bio_rows": ent.bio_rows,
        "bio_cols": ent.bio_cols,
        "bio_data": np.ascontiguousarray(bio, dtype=np.float64),
        "cf_ids": ent.cf_ids,
        "cf_data": ent.cf_data,
    }


def build(system: ProductSystem, n: int | None = None, seed: int = 0, fs: Any = None):  # noqa: ANN201
    """The datapackage (in memory, or on the fsspec filesystem ``fs``)."""
    import bw_processing as bwp

    if not n:
        reg = registry_for(system)
        ent = entries(system, reg)
        if fs is None:
            return datapackage(system, reg, ent, metadata=metadata(system, None, None, reg))
    model = compile_model(system)
    x = draw(model.inputs, seed, 0, n)
    reg, arr = sample_arrays(system, model, x)
    meta = metadata(system, n, seed if n else None, reg)
    dp = bwp.create_datapackage(
        fs=fs, name="vehicle-lca", sequential=True, metadata=meta, sum_intra_duplicates=True
    )
    dp.add_persistent_array(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=indices(arr["tech_rows"], arr["tech_cols"]),
        data_array=arr["tech_data"],
        flip_array=arr["tech_flip"],
    )
    dp.add_persistent_array(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=indices(arr["bio_rows"], arr["bio_cols"]),
        data_array=arr["bio_data"],
    )
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="characterization",
        identifier=list(METHOD_NAME),
        indices_array=indices(arr["cf_ids"], arr["cf_ids"]),
        data_array=arr["cf_data"],
    )
    return dp


def _deterministic_to_fs(system: ProductSystem, fs: Any):  # noqa: ANN202
    reg = registry_for(system)
    return datapackage(
        system, reg, entries(system, reg), metadata=metadata(system, None, None, reg), fs=fs
    )


def zip_bytes(system: ProductSystem, n: int | None, seed: int) -> bytes:
    """The datapackage as the bytes of a zip file."""
    from bw_processing.io_helpers import generic_zipfile_filesystem

    with tempfile.TemporaryDirectory() as tmp:
        fs = generic_zipfile_filesystem(dirpath=Path(tmp), filename="dp.zip")
        dp = build(system, n, seed, fs=fs) if n else _deterministic_to_fs(system, fs)
        dp.finalize_serialization()
        return (Path(tmp) / "dp.zip").read_bytes()


def export_datapackage(run: Any, request: Any) -> dict[Path, bytes]:
    """``vlca export --format datapackage [-n N --seed S]``: the zip, deterministic or with N
    presampled columns (the same samples, in the same order, as ``vlca uncertainty``)."""
    from lca.outputs.export import target

    n = request.options.get("n")
    seed = int(request.options.get("seed") or 0)
    return {target(request, run, "datapackage"): zip_bytes(run.system, n, seed)}
