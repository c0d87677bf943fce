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
    """Import bw2calc quietly (it warns about pypardiso on import).

    With bw2data installed, bw2calc imports it only to resolve bw2data nodes as demands, which
    the engine never uses (its demands are integer ids of an in-memory datapackage); bw2data's
    import (project folders, a database layer, a log line on stdout) is most of bw2calc's
    start-up, so it is held back while bw2calc loads, unless something imported it already
    (then bw2calc sees it as usual). ``import bw2data`` works normally afterwards."""
    import contextlib
    import io
    import sys

    if "bw2calc" in sys.modules:
        return sys.modules["bw2calc"]
    hold = "bw2data" not in sys.modules
    if hold:
        sys.modules["bw2data"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            import bw2calc as bc
    finally:
        if hold and sys.modules.get("bw2data", 0) is None:
            del sys.modules["bw2data"]
    return bc


def brightway_score(
    system: ProductSystem, reg: Registry, ent: Entries, node: int = ROOT_ID
) -> float:
    """The LCIA score of ``node`` computed by bw2calc from an in-memory datapackage."""
    return brightway_scores(system, reg, ent, (node,))[0]


def brightway_scores(
    system: ProductSystem, reg: Registry, ent: Entries, nodes: tuple[int, ...]
) -> list[float]:
    """bw2calc's LCIA scores of each of ``nodes``: one technosphere matrix, factorised once
    (the demands differ, the system does not)."""
    bc = bw2calc()
    dp = datapackage(system, reg, ent)
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA({nodes[0]: 1.0}, data_objs=[dp])
        lca.lci(factorize=len(nodes) > 1)
        lca.lcia()
        scores.append(float(lca.score))
        for node in nodes[1:]:
            lca.lcia(demand={node: 1.0})
            scores.append(float(lca.score))
    return scores


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
    has_credits = any(ex.credit for ex in system.exchanges)
    scores = brightway_scores(
        system, reg, ent, (ROOT_ID, CREDITS_ID) if has_credits else (ROOT_ID,)
    )
    total = scores[0]
    credits = scores[1] if has_credits else 0.0
    us = unit_scores(system, reg, ent)
    idx = np.array([reg.records.index(ex.record) for ex in system.exchanges], dtype=np.int64)
    amounts = system.amounts
    contributions = amounts * us.score[idx]
    gases = amounts[:, None] * us.inventory[idx, :]
    aircraft = amounts * us.aircraft[idx]
    credit_mask = np.array([ex.credit for ex in system.exchanges], dtype=bool)
    ours = float(contributions[~credit_mask].sum())
    ours_credits = float(contributions[credit_mask].sum())
    for label, a, b, mask in (
        ("total", total, ours, ~credit_mask),
        ("credits", credits, ours_credits, credit_mask),
    ):
        check_agreement(system, label, a, b, contributions[mask], np.flatnonzero(mask))
    log.debug("bw2calc %.6f kg, numpy %.6f kg", total, ours)
    return Calculation(system, reg, total, credits, contributions, gases, aircraft)


def agreement_tolerance(parts: np.ndarray) -> float:
    """Absolute tolerance (kg CO2e) of the engine cross-check for a sum of ``parts``: 1e-9 of
    the largest magnitude involved (the sum of absolute contributions), so large or cancelling
    amounts are compared at the precision the sum can carry, and a zero sum at 1e-9 kg."""
    scale = float(np.sum(np.abs(parts))) if parts.size else 0.0
    return AGREEMENT_RTOL * max(scale, 1.0)


def check_agreement(
    system: ProductSystem,
    label: str,
    theirs: float,
    ours: float,
    parts: np.ndarray,
    rows: np.ndarray,
) -> None:
    """bw2calc's ``theirs`` must equal the numpy engine's ``ours`` within
    :func:`agreement_tolerance`; otherwise a CalculationError naming the largest exchange."""
    if abs(theirs - ours) <= agreement_tolerance(parts) and np.isfinite(theirs):
        return
    where = ""
    if rows.size:
        k = int(rows[int(np.argmax(np.abs(parts)))])
        ex = system.exchanges[k]
        path = ".".join(str(p) for p in ex.path)
        where = (
            f"; the largest exchange is {ex.label!r} ({path}: {system.amounts[k]:g} {ex.unit} "
            f"of {ex.record})"
        )
    raise CalculationError(
        f"bw2calc and the numpy engine disagree on the {label}: {theirs!r} vs {ours!r} kg "
        f"CO2e{where}"
    )


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
