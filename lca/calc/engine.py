"""Engines: bw2calc (Brightway 2.5) for the reference score, and a vectorised numpy path that
gives every exchange's contribution. Every run checks that the two agree.

A run's alternatives (the deterministic system, measures' counterfactuals, recycling
approaches, the location-based system) are columns of one evaluation (:func:`evaluate`): one
union of their background records (:mod:`lca.calc.union`), one unit-score solve, every
alternative's contributions as slices of one array, and for the check one datapackage in which
each alternative is a root node of its own, factorised once by bw2calc (or, for matrices bw2calc
solved before, its remembered scores: :mod:`lca.calc.check_cache`).

The only module that imports bw2calc.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, replace

import numpy as np

from lca.calc import check_cache
from lca.calc.check_cache import Check
from lca.calc.matrices import (  # noqa: F401 - CREDITS_ID, datapackage, entries: for callers
    CREDITS_ID,
    ROOT_ID,
    Entries,
    Registry,
    datapackage,
    entries,
    entries_datapackage,
    registry_for,
)
from lca.calc.union import Union, build_union, dense, groups, layout, union_entries
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
    del system, reg  # the entries are the matrices
    return bw2calc_scores(ent, nodes)


def bw2calc_scores(ent: Entries, nodes: tuple[int, ...]) -> list[float]:
    """bw2calc's LCIA score (kg CO2e) of one unit of each of ``nodes`` of the matrices ``ent``:
    factorised once, each further node by ``lca.lcia(demand=...)``."""
    bc = bw2calc()
    dp = entries_datapackage(ent)
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
    b = np.zeros((len(reg.flows), n))
    np.add.at(b, (ent.bio_rows - 1, ent.bio_cols - offset), ent.bio_data)
    cf = np.zeros(len(reg.flows))
    cf[ent.cf_ids - 1] = ent.cf_data
    air = np.array([system.database.records[r].aircraft for r in reg.records], dtype=float)
    return solve_unit_scores(a, b, cf, air)


def solve_unit_scores(a: np.ndarray, b: np.ndarray, cf: np.ndarray, air: np.ndarray) -> UnitScores:
    """Unit scores from dense technosphere ``a`` (records x records), biosphere ``b`` (flows x
    records, kg per unit), factors ``cf`` (kg CO2e per kg) and the aircraft mask ``air``."""
    inv = np.linalg.solve(a.T, b.T)  # records x flows, cumulative kg per unit
    score = inv @ cf
    direct = (b.T @ cf) * air
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
    check: Check | None = None  # how bw2calc's scores were obtained


def calculate(system: ProductSystem) -> Calculation:
    """Run bw2calc and the numpy path, check they agree, return the exchange-level detail."""
    return evaluate([("deterministic", system)])[0]


def evaluate(alternatives: list[tuple[str, ProductSystem]]) -> tuple[Calculation, ...]:
    """Calculations of labelled product systems as one evaluation (one per group of systems
    with the same characterisation factors, in practice one): see the module docstring. The
    label names an alternative in the error when bw2calc and the numpy engine disagree."""
    labels = [label for label, _ in alternatives]
    systems = [system for _, system in alternatives]
    out: list[Calculation | None] = [None] * len(systems)
    for members in groups(systems):
        union = build_union([labels[i] for i in members], [systems[i] for i in members])
        for i, calc in zip(members, _evaluate_union(union), strict=True):
            out[i] = calc
    return tuple(c for c in out if c is not None)


def _evaluate_union(union: Union) -> list[Calculation]:
    lay = layout(union)
    ent = union_entries(union, lay)
    credited = [any(ex.credit for ex in s.exchanges) for s in union.systems]
    demands: list[int] = []
    for k, has in enumerate(credited):
        demands += [lay.roots[k], lay.credits[k]] if has else [lay.roots[k]]
    k_hash = check_cache.key(ent, demands)
    hit = check_cache.read(k_hash, len(demands))
    if hit is None:
        scores, check = bw2calc_scores(ent, tuple(demands)), None
    else:
        scores, when = hit
        check = Check(k_hash, when, cached=True, nodes=len(demands))
    us = solve_unit_scores(*_dense_inputs(union))
    # every alternative's exchanges as slices of one array
    idx = np.concatenate(union.exchange_nodes)
    amounts = np.concatenate([s.amounts for s in union.systems]).astype(np.float64)
    contributions = amounts * us.score[idx]
    gases = amounts[:, None] * us.inventory[idx, :]
    aircraft = amounts * us.aircraft[idx]
    ends = np.cumsum([len(s.exchanges) for s in union.systems])
    calcs = []
    pos = 0
    for k, system in enumerate(union.systems):
        total = scores[pos]
        credits = scores[pos + 1] if credited[k] else 0.0
        pos += 2 if credited[k] else 1
        part = slice(int(ends[k] - len(system.exchanges)), int(ends[k]))
        reg = registry_for(system)
        cols = [union.flows.index(f) for f in reg.flows]
        calc = Calculation(
            system,
            reg,
            total,
            credits,
            contributions[part],
            gases[part][:, cols],
            aircraft[part],
        )
        _check(calc, union.labels[k])
        calcs.append(calc)
    if check is None:
        check = Check(k_hash, check_cache.now_utc(), cached=False, nodes=len(demands))
        check_cache.write(k_hash, scores, check.computed_utc)  # only scores that passed
    return [replace(c, check=check) for c in calcs]


def _dense_inputs(union: Union) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a, b, air = dense(union)
    return a, b, union.factors, air


def _check(calc: Calculation, alternative: str) -> None:
    """bw2calc's total and credits of one alternative against the numpy engine's sums."""
    system, contributions = calc.system, calc.contributions
    credit_mask = np.array([ex.credit for ex in system.exchanges], dtype=bool)
    ours = float(contributions[~credit_mask].sum())
    ours_credits = float(contributions[credit_mask].sum())
    of = "" if alternative == "deterministic" else f" of {alternative}"
    for label, a, b, mask in (
        ("total", calc.total, ours, ~credit_mask),
        ("credits", calc.credits, ours_credits, credit_mask),
    ):
        check_agreement(system, label + of, a, b, contributions[mask], np.flatnonzero(mask))
    log.debug("%s: bw2calc %.6f kg, numpy %.6f kg", alternative, calc.total, ours)


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
