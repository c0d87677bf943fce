"""Engines: bw2calc (Brightway 2.5) for the reference score, and a vectorised numpy path that
gives every exchange's contribution. Every run checks that the two agree.

The only module that imports bw2calc.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np

from lca.calc.matrices import (
    CREDITS_ID,
    ROOT_ID,
    Entries,
    Registry,
    datapackage,
    entries,
    registry_for,
)
from lca.errors import CalculationError
from lca.model.system import ProductSystem

log = logging.getLogger(__name__)
AGREEMENT_RTOL = 1e-9


def bw2calc():  # noqa: ANN201
    """Import bw2calc quietly (it warns about pypardiso on import; with bw2data installed it
    imports bw2data, whose structlog prints an info line to stdout)."""
    import contextlib
    import io

    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        import bw2calc as bc
    return bc


def brightway_score(
    system: ProductSystem, reg: Registry, ent: Entries, node: int = ROOT_ID
) -> float:
    """The LCIA score of ``node`` computed by bw2calc from an in-memory datapackage."""
    bc = bw2calc()
    dp = datapackage(system, reg, ent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA({node: 1.0}, data_objs=[dp])
        lca.lci()
        lca.lcia()
    return float(lca.score)


@dataclass(frozen=True)
class UnitScores:
    """Per reference unit of each background record (matrix order of ``Registry.records``)."""

    score: np.ndarray  # kg CO2e per unit, cumulative (inputs included)
    inventory: np.ndarray  # kg of each gas per unit, cumulative: records x flows
    aircraft: np.ndarray  # kg CO2e per unit from aircraft records


def unit_scores(system: ProductSystem, reg: Registry, ent: Entries) -> UnitScores:
    """Cumulative scores of the background records: solve A^T u = B^T c (dense; small)."""
    n = len(reg.records)
    rid = reg.record_ids
    offset = min(rid.values()) if rid else 0
    a = np.eye(n)
    for r in reg.records:
        for inp, amount in system.database.records[r].inputs:
            a[rid[inp] - offset, rid[r] - offset] -= amount
    fid = reg.flow_ids
    b = np.zeros((len(reg.flows), n))
    np.add.at(b, (ent.bio_rows - 1, ent.bio_cols - offset), ent.bio_data)
    cf = np.zeros(len(reg.flows))
    cf[ent.cf_ids - 1] = ent.cf_data
    del fid
    inv = np.linalg.solve(a.T, b.T)  # records x flows, cumulative kg per unit
    score = inv @ cf
    air_mask = np.array([system.database.records[r].aircraft for r in reg.records], dtype=float)
    direct = (b.T @ cf) * air_mask
    aircraft = np.linalg.solve(a.T, direct)
    return UnitScores(score=score, inventory=inv, aircraft=aircraft)


@dataclass(frozen=True)
class Calculation:
    """Everything the result is assembled from (deterministic run)."""

    system: ProductSystem
    registry: Registry
    total: float  # kg CO2e, bw2calc
    credits: float  # kg CO2e, bw2calc, reported apart
    contributions: np.ndarray  # kg CO2e per exchange (numpy path)
    gases: np.ndarray  # kg of each flow per exchange: exchanges x flows
    aircraft: np.ndarray  # kg CO2e per exchange from air transport


def calculate(system: ProductSystem) -> Calculation:
    """Run bw2calc and the numpy path, check they agree, return the exchange-level detail."""
    reg = registry_for(system)
    ent = entries(system, reg)
    total = brightway_score(system, reg, ent, ROOT_ID)
    has_credits = any(ex.credit for ex in system.exchanges)
    credits = brightway_score(system, reg, ent, CREDITS_ID) if has_credits else 0.0
    us = unit_scores(system, reg, ent)
    idx = np.array([reg.records.index(ex.record) for ex in system.exchanges], dtype=np.int64)
    amounts = system.amounts
    contributions = amounts * us.score[idx]
    gases = amounts[:, None] * us.inventory[idx, :]
    aircraft = amounts * us.aircraft[idx]
    credit_mask = np.array([ex.credit for ex in system.exchanges], dtype=bool)
    ours = float(contributions[~credit_mask].sum())
    ours_credits = float(contributions[credit_mask].sum())
    for label, a, b in (("total", total, ours), ("credits", credits, ours_credits)):
        if not np.isclose(a, b, rtol=AGREEMENT_RTOL, atol=1e-9):
            raise CalculationError(
                f"bw2calc and the numpy engine disagree on the {label}: {a!r} vs {b!r}"
            )
    log.debug("bw2calc %.6f kg, numpy %.6f kg", total, ours)
    return Calculation(system, reg, total, credits, contributions, gases, aircraft)


def load_datapackage_zip(path):  # noqa: ANN001, ANN201
    """Read a datapackage zip written by ``vlca export --format datapackage``."""
    from pathlib import Path

    import bw_processing as bwp
    from bw_processing.io_helpers import generic_zipfile_filesystem

    p = Path(path)
    fs = generic_zipfile_filesystem(dirpath=p.parent, filename=p.name, write=False)
    return bwp.load_datapackage(fs)


def brightway_sample_scores(dp, n: int, node: int = ROOT_ID) -> np.ndarray:  # noqa: ANN001
    """bw2calc's score of ``node`` for each of the first ``n`` presampled columns of ``dp``
    (``use_arrays=True``; the datapackage must be ``sequential``). kg CO2e per sample."""
    bc = bw2calc()
    out = np.empty(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA({node: 1.0}, data_objs=[dp], use_arrays=True)
        lca.lci()
        lca.lcia()
        out[0] = lca.score
        for i in range(1, n):
            next(lca)
            out[i] = lca.score
    return out


def brightway_monte_carlo(dp, n: int, seed: int, node: int = ROOT_ID) -> np.ndarray:  # noqa: ANN001
    """bw2calc's own Monte Carlo (``use_distributions=True``) over ``dp``: ``n`` scores."""
    bc = bw2calc()
    out = np.empty(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA({node: 1.0}, data_objs=[dp], use_distributions=True, seed_override=seed)
        lca.lci()
        lca.lcia()
        out[0] = lca.score
        for i in range(1, n):
            next(lca)
            out[i] = lca.score
    return out
