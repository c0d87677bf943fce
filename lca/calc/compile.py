"""Product system -> compiled model (:class:`lca.calc.compiled.Model`), once per structure.

Background unit scores come from one inverse of the (fixed) record-input matrix: a record's
uncertainty multiplies its direct emissions, so a row's unit scores are the deterministic ones
plus, for each uncertain record, ``(multiplier - 1) x its direct score x its row of the
inverse``. No matrix is factorised per row, cycles included. Exchanges whose amounts depend on
nothing that varies are summed per stage once. Every compiled value is checked against pint's
deterministic value and the whole model against the matrix engine at the deterministic point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from lca.calc.compiled import COMPILE_RTOL, Model, _evaluate, _leaf_factor, _si, evaluate
from lca.calc.engine import unit_scores
from lca.calc.matrices import Registry, entries, registry_for
from lca.calc.sampling import UncertainInput, deterministic_row, uncertain_inputs
from lca.errors import CalculationError, InputError
from lca.model.expressions import Expression
from lca.model.system import DISTANCE_PARAMETER, STAGES, ProductSystem
from lca.model.units import registry


def compile_model(
    system: ProductSystem,
    error: Callable | None = None,
    varied: Sequence[str] = (),
    *,
    uncertain: bool = True,
) -> Model:
    """Compile ``system``; ``error(message, key_path)`` locates input errors.

    ``varied``: parameters that :func:`evaluate` may be given as ``overrides`` (a sweep's
    axes), so the exchanges that depend on them are re-evaluated per row. ``uncertain=False``
    compiles the deterministic model only (no uncertain inputs: a sweep).

    The steps: the uncertain inputs and the records they reach; the records' unit scores
    (kg CO2e per unit) and the inverse of their input matrix; the parameters' SI values and
    the exchanges' amounts, each checked against pint; which exchanges vary; the constant part
    of each stage; then the model, checked against the matrix engine's total."""

    def _err(message: str, kp: tuple = ()) -> InputError:
        return InputError(message, path=kp)

    inputs = uncertain_inputs(system, error or _err) if uncertain else ()
    records = _records(system, inputs)
    rindex = {r: i for i, r in enumerate(records)}
    u_det, ainv, direct = _record_scores(system, records)
    units: dict[str, float] = {}
    param_base = _parameter_base(system, units)
    dependent, touched = _touched(system, inputs, varied)
    ex = _exchanges(system, param_base, units, rindex, touched)
    choice = _supply_choice(system, inputs, rindex, ex)
    record_inputs = tuple(
        (j, rindex[inp.name]) for j, inp in enumerate(inputs) if inp.target == "record"
    )
    stage_const, stage_coef = _constant_stages(system, ex, u_det, ainv, direct, record_inputs)
    det_total = _deterministic_total(system, u_det, rindex)
    pset = system.parameters
    model = Model(
        name=system.name,
        inputs=inputs,
        records=tuple(records),
        param_order=pset.order,
        param_exprs=dict(pset.expressions),
        param_base=param_base,
        units=units,
        ex_exprs=tuple(e.amount for e in system.exchanges),
        ex_factor=np.array(ex["factor"]),
        ex_record=np.array(ex["record"], dtype=np.int64),
        ex_stage=np.array(ex["stage"], dtype=np.int64),
        ex_amount=np.array(system.amounts, dtype=np.float64),
        varying=tuple(ex["varying"]),
        dependent=tuple(dependent),
        stage_const=stage_const,
        stage_coef=tuple(stage_coef),
        needed=_needed(ex, choice, direct, ainv, record_inputs),
        direct=direct,
        u_det=u_det,
        record_inputs=record_inputs,
        param_inputs=tuple(
            (j, inp.name) for j, inp in enumerate(inputs) if inp.target == "parameter"
        ),
        choice=choice,
        distance_km_per_si=float(registry().Quantity(1.0, "m").to("km").magnitude),
        deterministic_total=det_total,
        labels=tuple(inp.label for inp in inputs),
    )
    _check(model, det_total)
    return model


Choice = tuple[int, tuple[int, ...], np.ndarray]
"""A supply choice: its input's column, the exchanges it supplies (charging electricity) and
the record index of each choice."""


def _supply_choice(
    system: ProductSystem,
    inputs: Sequence[UncertainInput],
    rindex: Mapping[str, int],
    ex: dict[str, list],
) -> Choice | None:
    """The supply choice among ``inputs`` (the last one, if any); its exchanges are made
    varying in ``ex``."""
    choice = None
    for j, inp in enumerate(inputs):
        if inp.target == "choice":
            exs = tuple(i for i, e in enumerate(system.exchanges) if e.kind == "use-electricity")
            choice = (j, exs, np.array([rindex[r] for r in inp.choices], dtype=np.int64))
            ex["varying"] = sorted(set(ex["varying"]) | set(exs))
    return choice


def _needed(
    ex: Mapping[str, list],
    choice: Choice | None,
    direct: np.ndarray,
    ainv: np.ndarray,
    record_inputs: tuple[tuple[int, int], ...],
) -> tuple[tuple[int, tuple[tuple[int, float], ...]], ...]:
    """The records whose unit scores varying exchanges (and the supply choice) use, each with
    its terms ``(input column, direct_k x inverse[k, r])`` over the uncertain records k."""
    need = sorted(
        {int(ex["record"][i]) for i in ex["varying"]}
        | ({int(r) for r in choice[2]} if choice is not None else set())
    )
    return tuple(
        (r, tuple((j, float(direct[k] * ainv[k, r])) for j, k in record_inputs if ainv[k, r]))
        for r in need
    )


def _deterministic_total(
    system: ProductSystem, u_det: np.ndarray, rindex: Mapping[str, int]
) -> float:
    """kg CO2e of the system at its deterministic point from the matrix engine's unit scores
    (credit exchanges, stage -1 in the compiled model, are not in the total)."""
    return float(
        sum(
            a * u_det[rindex[e.record]]
            for e, a in zip(system.exchanges, system.amounts, strict=True)
            if not e.credit
        )
    )


def _records(system: ProductSystem, inputs: Sequence[UncertainInput]) -> list[str]:
    """The system's records, plus every supply choice's (with their inputs), in matrix order."""
    reg0 = registry_for(system)
    records = list(reg0.records)
    stack = [r for inp in inputs for r in inp.choices if r not in reg0.records]
    while stack:
        rid = stack.pop(0)
        if rid in records:
            continue
        records.append(rid)
        stack.extend(i for i, _ in system.database.records[rid].inputs)
    return records


def _record_scores(system: ProductSystem, records: list[str]) -> tuple[np.ndarray, ...]:
    """Cumulative unit scores (kg CO2e per unit), the inverse of the record-input matrix and
    the direct kg CO2e per unit of each record."""
    reg0 = registry_for(system)
    reg = Registry(tuple(records), reg0.activities, reg0.flows)
    us = unit_scores(system, reg, entries(system, reg))
    rindex = {r: i for i, r in enumerate(records)}
    a = np.eye(len(records))
    for r in records:
        for inp, amount in system.database.records[r].inputs:
            a[rindex[inp], rindex[r]] -= amount
    ainv = np.linalg.inv(a) if records else a
    factors = system.database.gwp_sets[system.gwp_set].factors
    direct = np.array(
        [
            sum(kg * float(factors[g]) for g, kg in system.database.records[r].emissions.items())
            for r in records
        ],
        dtype=np.float64,
    )
    return np.asarray(us.score, dtype=np.float64), ainv, direct


def _collect_units(expr: Expression, known: Mapping[str, Any], units: dict[str, float]) -> None:
    for name in expr.names:
        if name not in known and name not in units:
            units[name] = _leaf_factor(name)


def _parameter_base(system: ProductSystem, units: dict[str, float]) -> dict[str, float]:
    """Deterministic parameter values as SI magnitudes, each checked against pint's."""
    pset = system.parameters
    param_base: dict[str, float] = {}
    for name in pset.order:
        _collect_units(pset.expressions[name], pset.expressions, units)
        val = _evaluate(pset.expressions[name], param_base, units)
        ref = float(np.asarray(system.parameter_values[name].to_base_units().magnitude))
        if not math.isclose(float(val), ref, rel_tol=COMPILE_RTOL, abs_tol=0.0):
            raise CalculationError(
                f"parameter {name}: compiled value {val!r} differs from pint's {ref!r} (offset "
                "units such as degC are not supported in uncertainty analysis)"
            )
        param_base[name] = ref
    return param_base


def _touched(
    system: ProductSystem, inputs: Sequence[UncertainInput], varied: Sequence[str]
) -> tuple[list[str], set[str]]:
    """Parameters re-evaluated per row (in order) and every name whose value may vary."""
    pset = system.parameters
    sampled = {inp.name for inp in inputs if inp.target == "parameter"}
    dependent: list[str] = []
    touched = set(sampled)
    for name in pset.order:
        if name in sampled:
            continue
        if pset.expressions[name].parameters(pset.expressions) & touched:
            dependent.append(name)
            touched.add(name)
    touched.add(DISTANCE_PARAMETER)  # break-even analysis overrides the distance
    if varied:  # and a sweep's parameters, with whatever depends on them
        touched |= set(varied)
        for name in pset.order:
            if pset.expressions[name].parameters(pset.expressions) & touched:
                touched.add(name)
    return dependent, touched


def _exchanges(
    system: ProductSystem,
    param_base: Mapping[str, float],
    units: dict[str, float],
    rindex: Mapping[str, int],
    touched: set[str],
) -> dict[str, list]:
    """Per exchange: SI factor of its unit, record index, stage index (-1: credit), and the
    exchanges that vary; every compiled amount checked against pint's."""
    pset = system.parameters
    out: dict[str, list] = {"factor": [], "record": [], "stage": [], "varying": []}
    for i, ex in enumerate(system.exchanges):
        _collect_units(ex.amount, pset.expressions, units)
        f = _si(ex.unit)
        out["factor"].append(f)
        out["record"].append(rindex[ex.record])
        out["stage"].append(-1 if ex.credit else STAGES.index(ex.stage))
        val = float(_evaluate(ex.amount, param_base, units)) / f
        if not math.isclose(val, float(system.amounts[i]), rel_tol=COMPILE_RTOL, abs_tol=1e-300):
            raise CalculationError(
                f"exchange {ex.label}: compiled amount {val!r} differs from pint's "
                f"{system.amounts[i]!r} (offset units are not supported in uncertainty analysis)"
            )
        if ex.amount.parameters(pset.expressions) & touched:
            out["varying"].append(i)
    return out


def _constant_stages(
    system: ProductSystem,
    ex: Mapping[str, list],
    u_det: np.ndarray,
    ainv: np.ndarray,
    direct: np.ndarray,
    record_inputs: tuple[tuple[int, int], ...],
) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
    """Constant exchanges: stage = const + sum over uncertain records k of coef * (m_k - 1),
    coef = sum over records r of (amount in the stage on r) * direct_k * inverse[k, r]."""
    varying = set(ex["varying"])
    weights: dict[tuple[int, int], float] = {}
    for i in range(len(system.exchanges)):
        if i in varying or ex["stage"][i] < 0:
            continue
        key = (ex["stage"][i], ex["record"][i])
        weights[key] = weights.get(key, 0.0) + float(system.amounts[i])
    stage_const = np.zeros(len(STAGES))
    for (st, r), w in sorted(weights.items()):
        stage_const[st] += w * u_det[r]
    stage_coef = []
    for j, k in record_inputs:
        for st in range(len(STAGES)):
            c = sum(w * direct[k] * ainv[k, r] for (s2, r), w in weights.items() if s2 == st)
            if c != 0.0:
                stage_coef.append((j, st, float(c)))
    return stage_const, stage_coef


def _check(model: Model, det_total: float) -> None:
    check = evaluate(model, deterministic_row(model.inputs))
    if not math.isclose(float(check.total[0]), det_total, rel_tol=1e-9):
        raise CalculationError(
            f"compiled model gives {check.total[0]!r} kg at the deterministic point, the "
            f"matrix engine {det_total!r} kg"
        )
