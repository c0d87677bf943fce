"""The compiled model: a product system as plain numpy work, and its evaluation.

Parameter and exchange expressions are evaluated on SI base-unit magnitudes (after a one-off
check against pint at compile time, :mod:`lca.calc.compile`), so no pint objects are touched per
row; background unit scores come from one inverse of the record-input matrix; every per-row
figure is built with element-wise operations in a fixed order (no BLAS reductions), so a row's
result is bit for bit the same whatever the batch it is computed in. A row is a Monte Carlo
sample, a sweep variant or the deterministic point.

Units: totals and stages in kg CO2e, distances in km, per-km figures in g CO2e/km.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lca.calc.sampling import UncertainInput
from lca.errors import CalculationError
from lca.model.expressions import Expression
from lca.model.system import DISTANCE_PARAMETER, STAGES
from lca.model.units import parse_unit, registry

#: relative tolerance of the one-off check of the compiled expressions against pint
COMPILE_RTOL = 1e-12


def _si(unit_text: str) -> float:
    """SI base-unit magnitude of one ``unit_text``."""
    return float(registry().Quantity(1.0, parse_unit(unit_text)).to_base_units().magnitude)


def _leaf_factor(name: str) -> float:
    return float(registry().Quantity(1.0, registry().parse_units(name)).to_base_units().magnitude)


def _evaluate(expr: Expression, values: Mapping[str, Any], units: Mapping[str, float]) -> Any:
    """Evaluate ``expr`` on SI magnitudes (numbers or arrays); names are parameters or units."""
    import operator

    def leaf(tok):  # noqa: ANN001, ANN202
        if tok.type == 2:  # tokenize.NUMBER
            return float(tok.string)
        name = tok.string
        if name in values:
            return values[name]
        return units[name]

    bin_ops = {
        "+": operator.add,
        "-": operator.sub,
        "*": operator.mul,
        "": operator.mul,
        "/": operator.truediv,
        "**": operator.pow,
        "^": operator.pow,
    }
    un_ops = {"+": lambda a: a, "-": operator.neg}
    return expr.tree.evaluate(leaf, bin_ops, un_ops)


@dataclass(frozen=True)
class Model:
    """A product system compiled for sampling (plain data: picklable for Dask workers)."""

    name: str
    inputs: tuple[UncertainInput, ...]
    records: tuple[str, ...]
    param_order: tuple[str, ...]
    param_exprs: Mapping[str, Expression]
    param_base: Mapping[str, float]  # deterministic values, SI magnitudes
    units: Mapping[str, float]  # unit name -> SI magnitude, for every unit an expression uses
    ex_exprs: tuple[Expression, ...]
    ex_factor: np.ndarray  # SI magnitude of each exchange's record unit
    ex_record: np.ndarray  # record index of each exchange
    ex_stage: np.ndarray  # stage index of each exchange (-1: credit, not in the total)
    ex_amount: np.ndarray  # deterministic amounts (record units)
    varying: tuple[int, ...]  # exchanges whose amount depends on a sampled parameter
    dependent: tuple[str, ...]  # parameters to re-evaluate per sample, in order
    stage_const: np.ndarray  # kg CO2e of the constant exchanges per stage (deterministic)
    stage_coef: tuple[tuple[int, int, float], ...]  # (input column, stage, kg per unit of m-1)
    needed: tuple[tuple[int, tuple[tuple[int, float], ...]], ...]  # (record, ((col, kg/unit)))
    direct: np.ndarray  # direct kg CO2e per unit of each record
    u_det: np.ndarray  # cumulative kg CO2e per unit of each record (deterministic)
    record_inputs: tuple[tuple[int, int], ...]  # (input column, record index)
    param_inputs: tuple[tuple[int, str], ...]  # (input column, parameter name)
    choice: tuple[int, tuple[int, ...], np.ndarray] | None  # (column, exchanges, record idx)
    distance_km_per_si: float
    deterministic_total: float
    stages: tuple[str, ...] = STAGES
    labels: tuple[str, ...] = field(default=())


STAGE_DTYPE = np.float32


@dataclass(frozen=True)
class Outputs:
    """Per-sample outputs: ``total`` (kg CO2e), ``stages`` (stages x samples, kg CO2e; float32
    when collected by :func:`run`), ``distance_km`` (lifetime distance of each sample, km);
    ``computed_on``: where the samples were computed (as result files state it), if known."""

    total: np.ndarray
    stages: np.ndarray
    distance_km: np.ndarray
    computed_on: str = ""

    @property
    def per_km(self) -> np.ndarray:
        """g CO2e per km."""
        return 1000.0 * self.total / self.distance_km


def parameter_values(
    model: Model, x: np.ndarray, overrides: Mapping[str, np.ndarray] | None = None
) -> dict[str, Any]:
    """Parameter values (SI magnitudes; arrays for sampled ones) for input rows ``x``."""
    values: dict[str, Any] = dict(model.param_base)
    for j, name in model.param_inputs:
        values[name] = x[:, j]
    for name in model.dependent:
        values[name] = _evaluate(model.param_exprs[name], values, model.units)
    if overrides:
        for name, v in overrides.items():
            values[name] = v
        for name in model.param_order:
            if name in overrides:
                continue
            if model.param_exprs[name].parameters(model.param_exprs) & set(overrides):
                values[name] = _evaluate(model.param_exprs[name], values, model.units)
    return values


def amounts(model: Model, x: np.ndarray, overrides=None) -> np.ndarray:  # noqa: ANN001
    """Exchange amounts (exchanges x samples, record units) for input rows ``x``."""
    n = x.shape[0]
    values = parameter_values(model, x, overrides)
    out = np.repeat(model.ex_amount[:, None], n, axis=1)
    for i in model.varying:
        out[i, :] = _evaluate(model.ex_exprs[i], values, model.units) / model.ex_factor[i]
    return out


class _MultiplierChanges:
    """``x[:, j] - 1`` of the record inputs, computed when first asked for and dropped after
    its last use: one or two such columns are alive at a time instead of all of them (40 of
    them would be 5 MB a 16,384-row block, beyond the processor's cache; keeping them cost half
    the evaluation's time). The same numbers, in the same order, as computing them all first."""

    def __init__(self, model: Model, x: np.ndarray) -> None:
        self.x = x
        self.uses = Counter(j for j, _, _ in model.stage_coef)
        self.uses.update(j for _, terms in model.needed for j, _ in terms)
        self.alive: dict[int, np.ndarray] = {}

    def __call__(self, j: int) -> np.ndarray:
        d = self.alive.get(j)
        if d is None:
            d = self.x[:, j] - 1.0
        self.uses[j] -= 1
        if self.uses[j]:
            self.alive[j] = d
        else:
            self.alive.pop(j, None)
        return d


def evaluate(
    model: Model, x: np.ndarray, overrides: Mapping[str, np.ndarray] | None = None
) -> Outputs:
    """Outputs for input rows ``x`` (samples x inputs, as from :func:`lca.sampling.draw`).

    ``overrides`` fixes parameters (SI magnitudes), e.g. the lifetime distance for break-even.
    """
    n = x.shape[0]
    values = parameter_values(model, x, overrides)
    stages = np.repeat(model.stage_const[:, None], n, axis=1)
    dm = _MultiplierChanges(model, x)
    for j, s, c in model.stage_coef:
        stages[s, :] += c * dm(j)
    # unit scores (kg CO2e per unit) of the records that varying exchanges use
    u: dict[int, Any] = {}
    for r, terms in model.needed:
        ur = np.full(n, model.u_det[r])
        for j, c in terms:
            ur += c * dm(j)
        u[r] = ur
    choice_cols: dict[int, np.ndarray] = {}
    if model.choice is not None:
        j, exs, rec_idx = model.choice
        stacked = np.stack([u[int(r)] for r in rec_idx])
        chosen = stacked[x[:, j].astype(np.int64), np.arange(n)]
        for e in exs:
            choice_cols[e] = chosen
    for i in model.varying:
        s = model.ex_stage[i]
        if s < 0:
            continue
        a = _evaluate(model.ex_exprs[i], values, model.units) / model.ex_factor[i]
        score = choice_cols.get(i)
        stages[s, :] += a * (u[int(model.ex_record[i])] if score is None else score)
    total = stages[0, :].copy()
    for s in range(1, len(model.stages)):
        total += stages[s, :]
    dist = values[DISTANCE_PARAMETER]
    distance = np.broadcast_to(np.asarray(dist, dtype=np.float64), (n,)) * model.distance_km_per_si
    if not np.all(np.isfinite(total)):
        raise CalculationError(
            "a sample gives a non-finite footprint (a parameter sampled to zero in a division?)"
        )
    return Outputs(total, stages, np.array(distance))
