"""Product system -> matrices: a ``bw_processing`` datapackage (float64) and the same matrices
as dense numpy arrays for the vectorised engine, with one registry of integer ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lca.model.system import ProductSystem

ROOT_ID = 1
CREDITS_ID = 2
METHOD_NAME = ("vehicle-lca", "climate change", "GWP100")


@dataclass(frozen=True)
class Registry:
    """Stable integer ids for processes and flows (bw_processing needs integers)."""

    records: tuple[str, ...]  # background record ids, in matrix order after the foreground
    activities: tuple[tuple[str, str | None], ...]  # (stage, component) foreground activities
    flows: tuple[str, ...]

    @property
    def record_ids(self) -> dict[str, int]:
        start = 100 + len(self.activities) + 10
        return {rid: start + i for i, rid in enumerate(self.records)}

    @property
    def activity_ids(self) -> dict[tuple[str, str | None], int]:
        return {key: 100 + i for i, key in enumerate(self.activities)}

    @property
    def flow_ids(self) -> dict[str, int]:
        return {fid: 1 + i for i, fid in enumerate(self.flows)}


def registry_for(system: ProductSystem) -> Registry:
    """Every record reachable from the exchanges (inputs included), in a deterministic order."""
    db = system.database
    seen: dict[str, None] = {}
    stack = [ex.record for ex in system.exchanges]
    while stack:
        rid = stack.pop(0)
        if rid in seen:
            continue
        seen[rid] = None
        stack.extend(inp for inp, _ in db.records[rid].inputs)
    acts: dict[tuple[str, str | None], None] = {}
    for ex in system.exchanges:
        if not ex.credit:
            acts[(ex.stage, ex.component)] = None
    return Registry(tuple(seen), tuple(acts), tuple(db.flows))


@dataclass(frozen=True)
class Entries:
    """Matrix entries in bw_processing's convention (positive data, flip marks inputs)."""

    tech_rows: np.ndarray
    tech_cols: np.ndarray
    tech_data: np.ndarray
    tech_flip: np.ndarray
    bio_rows: np.ndarray
    bio_cols: np.ndarray
    bio_data: np.ndarray
    cf_ids: np.ndarray
    cf_data: np.ndarray

    @classmethod
    def from_lists(
        cls,
        tech: tuple[list, list, list, list],
        bio: tuple[list, list, list],
        cf_ids: np.ndarray,
        cf_data: np.ndarray,
    ) -> Entries:
        """Entries from Python lists: technosphere (rows, cols, data, flip) and biosphere
        (rows, cols, data) as int64/float64/bool arrays; characterisation as given."""
        rows, cols, data, flip = tech
        b_rows, b_cols, b_data = bio
        return cls(
            np.array(rows, dtype=np.int64),
            np.array(cols, dtype=np.int64),
            np.array(data, dtype=np.float64),
            np.array(flip, dtype=bool),
            np.array(b_rows, dtype=np.int64),
            np.array(b_cols, dtype=np.int64),
            np.array(b_data, dtype=np.float64),
            cf_ids,
            cf_data,
        )


def entries(
    system: ProductSystem, reg: Registry, amounts: Sequence[float] | None = None
) -> Entries:
    """Matrix entries for ``amounts`` (default: the deterministic ones)."""
    db = system.database
    amounts = system.amounts if amounts is None else np.asarray(amounts, dtype=np.float64)
    rid, aid, fid = reg.record_ids, reg.activity_ids, reg.flow_ids
    rows, cols, data, flip = [], [], [], []

    def add(r: int, c: int, v: float, f: bool) -> None:
        rows.append(r)
        cols.append(c)
        data.append(v)
        flip.append(f)

    for node in (ROOT_ID, CREDITS_ID, *aid.values(), *rid.values()):
        add(node, node, 1.0, False)
    for act in aid.values():
        add(act, ROOT_ID, 1.0, True)
    for ex, amount in zip(system.exchanges, amounts, strict=True):
        consumer = CREDITS_ID if ex.credit else aid[(ex.stage, ex.component)]
        add(rid[ex.record], consumer, float(amount), True)
    for r in reg.records:
        for inp, amount in db.records[r].inputs:
            add(rid[inp], rid[r], float(amount), True)
    b_rows, b_cols, b_data = [], [], []
    for r in reg.records:
        for gas, kg in db.records[r].emissions.items():
            b_rows.append(fid[gas])
            b_cols.append(rid[r])
            b_data.append(float(kg))
    factors = db.gwp_sets[system.gwp_set].factors
    cf_ids = np.array([fid[f] for f in reg.flows], dtype=np.int64)
    cf_data = np.array([float(factors[f]) for f in reg.flows], dtype=np.float64)
    return Entries.from_lists((rows, cols, data, flip), (b_rows, b_cols, b_data), cf_ids, cf_data)


def indices(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    import bw_processing as bwp

    arr = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
    arr["row"] = rows
    arr["col"] = cols
    return arr


def datapackage(
    system: ProductSystem,
    reg: Registry,
    ent: Entries,
    *,
    name: str = "vehicle-lca",
    sequential: bool = False,
    metadata: dict | None = None,
    fs: Any = None,
):  # noqa: ANN201
    """An in-memory ``bw_processing`` datapackage with technosphere, biosphere and
    characterisation matrices (float64 data arrays)."""
    del system, reg  # the entries are the whole matrix content
    return entries_datapackage(ent, name=name, sequential=sequential, metadata=metadata, fs=fs)


def entries_datapackage(
    ent: Entries,
    *,
    name: str = "vehicle-lca",
    sequential: bool = False,
    metadata: dict | None = None,
    fs: Any = None,
):  # noqa: ANN201
    """The datapackage of matrix entries ``ent`` (see :func:`datapackage`)."""
    import bw_processing as bwp

    dp = bwp.create_datapackage(
        fs=fs,
        name=name,
        sequential=sequential,
        metadata=metadata or {},
        sum_intra_duplicates=True,
    )
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=indices(ent.tech_rows, ent.tech_cols),
        data_array=ent.tech_data,
        flip_array=ent.tech_flip,
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=indices(ent.bio_rows, ent.bio_cols),
        data_array=ent.bio_data,
    )
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="characterization",
        identifier=list(METHOD_NAME),
        indices_array=indices(ent.cf_ids, ent.cf_ids),
        data_array=ent.cf_data,
    )
    return dp
