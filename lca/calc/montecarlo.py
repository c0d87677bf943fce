"""Vectorised evaluation of a product system over many samples of its uncertain inputs.

The product system is compiled once into plain numpy work:

- parameter and exchange expressions are evaluated on SI base-unit magnitudes (after a one-off
  check that this reproduces pint's deterministic values), so no pint objects are touched per
  sample;
- background unit scores come from one inverse of the (fixed) record-input matrix, computed
  once: a record's uncertainty multiplies its direct emissions, so a sample's unit scores are the
  deterministic ones plus, for each uncertain record, ``(multiplier - 1) x its direct score x its
  row of the inverse``. No matrix is factorised per sample, cycles included;
- every per-sample figure is built with element-wise operations in a fixed order (no BLAS
  reductions), so a sample's result is bit for bit the same whatever the chunk it is computed in.

Units: totals and stages in kg CO2e, distances in km, per-km figures in g CO2e/km.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lca.calc.engine import unit_scores
from lca.calc.matrices import Registry, entries, registry_for
from lca.calc.sampling import BLOCK, UncertainInput, deterministic_row, draw, uncertain_inputs
from lca.errors import CalculationError
from lca.model.expressions import Expression
from lca.model.system import DISTANCE_PARAMETER, STAGES, ProductSystem
from lca.model.units import parse_unit, registry

log = logging.getLogger(__name__)
#: relative tolerance of the one-off check of the compiled expressions against pint
COMPILE_RTOL = 1e-12
#: default number of random-number blocks per chunk (chunk memory about 40 MB)
CHUNK_BLOCKS = 4


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


def compile_model(
    system: ProductSystem,
    error: Callable | None = None,
    varied: Sequence[str] = (),
    *,
    uncertain: bool = True,
) -> Model:
    """Compile ``system`` for sampling; ``error(message, key_path)`` locates input errors.

    ``varied``: parameters that :func:`evaluate` may be given as ``overrides`` (a sweep's
    axes), so the exchanges that depend on them are re-evaluated per row. ``uncertain=False``
    compiles the deterministic model only (no uncertain inputs: a sweep)."""
    from lca.errors import InputError

    def _err(message: str, kp: tuple = ()) -> InputError:
        return InputError(message, path=kp)

    inputs = uncertain_inputs(system, error or _err) if uncertain else ()
    reg0 = registry_for(system)
    extra = [r for inp in inputs for r in inp.choices if r not in reg0.records]
    records = list(reg0.records)
    stack = list(extra)
    while stack:
        rid = stack.pop(0)
        if rid in records:
            continue
        records.append(rid)
        stack.extend(i for i, _ in system.database.records[rid].inputs)
    reg = Registry(tuple(records), reg0.activities, reg0.flows)
    ent = entries(system, reg)
    us = unit_scores(system, reg, ent)
    rindex = {r: i for i, r in enumerate(records)}
    n_rec = len(records)
    # inverse of the record-input matrix A (A = I - inputs), once
    a = np.eye(n_rec)
    for r in records:
        for inp, amount in system.database.records[r].inputs:
            a[rindex[inp], rindex[r]] -= amount
    ainv = np.linalg.inv(a) if n_rec else a
    factors = system.database.gwp_sets[system.gwp_set].factors
    direct = np.array(
        [
            sum(kg * float(factors[g]) for g, kg in system.database.records[r].emissions.items())
            for r in records
        ],
        dtype=np.float64,
    )
    # parameters: SI magnitudes, with the unit names their expressions use
    pset = system.parameters
    units: dict[str, float] = {}

    def collect_units(expr: Expression, known: Mapping[str, Any]) -> None:
        for name in expr.names:
            if name not in known and name not in units:
                units[name] = _leaf_factor(name)

    param_base: dict[str, float] = {}
    for name in pset.order:
        collect_units(pset.expressions[name], pset.expressions)
        val = _evaluate(pset.expressions[name], param_base, units)
        ref = float(np.asarray(system.parameter_values[name].to_base_units().magnitude))
        if not math.isclose(float(val), ref, rel_tol=COMPILE_RTOL, abs_tol=0.0):
            raise CalculationError(
                f"parameter {name}: compiled value {val!r} differs from pint's {ref!r} (offset "
                "units such as degC are not supported in uncertainty analysis)"
            )
        param_base[name] = ref
    col_of = {inp.name: j for j, inp in enumerate(inputs) if inp.target == "parameter"}
    sampled = set(col_of)
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
    ex_factor, ex_record, ex_stage, varying = [], [], [], []
    for i, ex in enumerate(system.exchanges):
        collect_units(ex.amount, pset.expressions)
        f = _si(ex.unit)
        ex_factor.append(f)
        ex_record.append(rindex[ex.record])
        ex_stage.append(-1 if ex.credit else STAGES.index(ex.stage))
        val = float(_evaluate(ex.amount, param_base, units)) / f
        if not math.isclose(val, float(system.amounts[i]), rel_tol=COMPILE_RTOL, abs_tol=1e-300):
            raise CalculationError(
                f"exchange {ex.label}: compiled amount {val!r} differs from pint's "
                f"{system.amounts[i]!r} (offset units are not supported in uncertainty analysis)"
            )
        if ex.amount.parameters(pset.expressions) & touched:
            varying.append(i)
    choice = None
    for j, inp in enumerate(inputs):
        if inp.target == "choice":
            exs = tuple(i for i, ex in enumerate(system.exchanges) if ex.kind == "use-electricity")
            choice = (j, exs, np.array([rindex[r] for r in inp.choices], dtype=np.int64))
            varying = sorted(set(varying) | set(exs))
    weights: dict[tuple[int, int], float] = {}
    for i in range(len(system.exchanges)):
        if i in varying or ex_stage[i] < 0:
            continue
        key = (ex_stage[i], ex_record[i])
        weights[key] = weights.get(key, 0.0) + float(system.amounts[i])
    record_inputs = tuple(
        (j, rindex[inp.name]) for j, inp in enumerate(inputs) if inp.target == "record"
    )
    u_det = np.asarray(us.score, dtype=np.float64)
    # constant exchanges: stage = const + sum over uncertain records k of coef * (m_k - 1), with
    # coef = sum over records r of (amount in stage on r) * direct_k * inverse[k, r]
    stage_const = np.zeros(len(STAGES))
    for (st, r), w in sorted(weights.items()):
        stage_const[st] += w * u_det[r]
    stage_coef = []
    for j, k in record_inputs:
        for st in range(len(STAGES)):
            c = sum(w * direct[k] * ainv[k, r] for (s2, r), w in weights.items() if s2 == st)
            if c != 0.0:
                stage_coef.append((j, st, float(c)))
    # unit scores needed per sample: records of varying exchanges and supply choices
    need = sorted(
        {int(ex_record[i]) for i in varying}
        | ({int(r) for r in choice[2]} if choice is not None else set())
    )
    needed = tuple(
        (r, tuple((j, float(direct[k] * ainv[k, r])) for j, k in record_inputs if ainv[k, r]))
        for r in need
    )
    det_total = float(
        sum(
            a * us.score[rindex[ex.record]]
            for ex, a in zip(system.exchanges, system.amounts, strict=True)
            if not ex.credit
        )
    )
    model = Model(
        name=system.name,
        inputs=inputs,
        records=tuple(records),
        param_order=pset.order,
        param_exprs=dict(pset.expressions),
        param_base=param_base,
        units=units,
        ex_exprs=tuple(ex.amount for ex in system.exchanges),
        ex_factor=np.array(ex_factor),
        ex_record=np.array(ex_record, dtype=np.int64),
        ex_stage=np.array(ex_stage, dtype=np.int64),
        ex_amount=np.array(system.amounts, dtype=np.float64),
        varying=tuple(varying),
        dependent=tuple(dependent),
        stage_const=stage_const,
        stage_coef=tuple(stage_coef),
        needed=needed,
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
    check = evaluate(model, deterministic_row(inputs))
    if not math.isclose(float(check.total[0]), det_total, rel_tol=1e-9):
        raise CalculationError(
            f"compiled model gives {check.total[0]!r} kg at the deterministic point, the "
            f"matrix engine {det_total!r} kg"
        )
    return model


STAGE_DTYPE = np.float32


@dataclass(frozen=True)
class Outputs:
    """Per-sample outputs: ``total`` (kg CO2e), ``stages`` (stages x samples, kg CO2e; float32
    when collected by :func:`run`), ``distance_km`` (lifetime distance of each sample, km)."""

    total: np.ndarray
    stages: np.ndarray
    distance_km: np.ndarray

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


def evaluate(
    model: Model, x: np.ndarray, overrides: Mapping[str, np.ndarray] | None = None
) -> Outputs:
    """Outputs for input rows ``x`` (samples x inputs, as from :func:`lca.sampling.draw`).

    ``overrides`` fixes parameters (SI magnitudes), e.g. the lifetime distance for break-even.
    """
    n = x.shape[0]
    values = parameter_values(model, x, overrides)
    stages = np.repeat(model.stage_const[:, None], n, axis=1)
    dm = {j: x[:, j] - 1.0 for j, _ in model.record_inputs}
    for j, s, c in model.stage_coef:
        stages[s, :] += c * dm[j]
    # unit scores (kg CO2e per unit) of the records that varying exchanges use
    u: dict[int, Any] = {}
    for r, terms in model.needed:
        ur = np.full(n, model.u_det[r])
        for j, c in terms:
            ur += c * dm[j]
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


def _chunk(model: Model, seed: int, start: int, stop: int) -> Outputs:
    return evaluate(model, draw(model.inputs, seed, start, stop))


def chunk_bounds(n: int, chunk: int) -> list[tuple[int, int]]:
    """Chunks of ``chunk`` samples (rounded up to whole random-number blocks)."""
    size = max(BLOCK, (chunk + BLOCK - 1) // BLOCK * BLOCK)
    return [(s, min(n, s + size)) for s in range(0, n, size)]


def run(
    model: Model,
    n: int,
    seed: int,
    *,
    chunk: int = CHUNK_BLOCKS * BLOCK,
    scheduler: str | Any | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Outputs:
    """``n`` Monte Carlo samples in chunks (threads locally, or a Dask ``scheduler`` address or
    ``distributed.Client``). Sample ``i`` is identical whatever the chunk size or scheduler."""
    if n <= 0:
        raise ValueError("n must be positive")
    total = np.empty(n)
    # stage values are kept in float32 (about 1e-7 relative, far below any reported digit) so
    # that 10^7 samples fit in well under 1 GB; totals and distances stay float64
    stages = np.empty((len(model.stages), n), dtype=STAGE_DTYPE)
    distance = np.empty(n)
    bounds = chunk_bounds(n, chunk)

    def store(lo: int, hi: int, out: Outputs) -> None:
        total[lo:hi] = out.total
        stages[:, lo:hi] = out.stages
        distance[lo:hi] = out.distance_km
        if progress:
            progress(hi - lo)

    if scheduler is not None:
        _run_dask(model, seed, bounds, scheduler, store)
    else:
        nthreads = workers or min(len(bounds), os.cpu_count() or 1)
        if nthreads <= 1:
            for lo, hi in bounds:
                store(lo, hi, _chunk(model, seed, lo, hi))
        else:
            # at most two chunks per thread in flight, so memory stays flat for any n
            window = 2 * nthreads
            with ThreadPoolExecutor(nthreads) as pool:
                pending: list = []
                for lo, hi in bounds:
                    pending.append((lo, hi, pool.submit(_chunk, model, seed, lo, hi)))
                    if len(pending) >= window:
                        a, b, fut = pending.pop(0)
                        store(a, b, fut.result())
                for a, b, fut in pending:
                    store(a, b, fut.result())
    return Outputs(total, stages, distance)


def _run_dask(model: Model, seed: int, bounds, scheduler, store) -> None:  # noqa: ANN001
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CalculationError(
            "--scheduler needs dask.distributed: pip install 'vehicle-lca[dask]'"
        ) from None
    own = not hasattr(scheduler, "submit")
    client = Client(scheduler) if own else scheduler
    try:
        # hash=False: a unique key per call, so a second client scattering the same model
        # cannot race with the release of the first one's copy
        m = client.scatter(model, broadcast=True, hash=False)
        futures = {
            client.submit(_chunk, m, seed, lo, hi, pure=False): (lo, hi) for lo, hi in bounds
        }
        for fut in as_completed(futures):
            lo, hi = futures[fut]
            store(lo, hi, fut.result())
            fut.release()
    finally:
        if own:
            client.close()


def evaluate_design(model: Model, x: np.ndarray, chunk: int = CHUNK_BLOCKS * BLOCK) -> Outputs:
    """Outputs for a given design (rows of input values), in chunks, threads locally."""
    n = x.shape[0]
    bounds = [(s, min(n, s + chunk)) for s in range(0, n, chunk)]
    with ThreadPoolExecutor(min(len(bounds), os.cpu_count() or 1)) as pool:
        parts = list(pool.map(lambda b: evaluate(model, x[b[0] : b[1]]), bounds))
    return Outputs(
        np.concatenate([p.total for p in parts]),
        np.concatenate([p.stages for p in parts], axis=1),
        np.concatenate([p.distance_km for p in parts]),
    )


def input_index(model: Model) -> dict[str, int]:
    return {inp.key: j for j, inp in enumerate(model.inputs)}


def align(model: Model, other: Model, x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` (inputs of ``model``) mapped onto ``other``'s inputs: shared keys take the
    same values (used for the break-even and paired comparisons on a fixed design)."""
    idx = input_index(model)
    out = np.repeat(deterministic_row(other.inputs), x.shape[0], axis=0)
    for j, inp in enumerate(other.inputs):
        if inp.key in idx:
            out[:, j] = x[:, idx[inp.key]]
    return out


def summary(values: np.ndarray) -> dict[str, float]:
    """Mean, sd and percentiles of ``values``."""
    q = np.percentile(values, [2.5, 5, 25, 50, 75, 95, 97.5])
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if values.size > 1 else 0.0,
        "p2_5": float(q[0]),
        "p5": float(q[1]),
        "p25": float(q[2]),
        "p50": float(q[3]),
        "p75": float(q[4]),
        "p95": float(q[5]),
        "p97_5": float(q[6]),
    }


def break_even_km(a: Model, b: Model, xa: np.ndarray, xb: np.ndarray) -> np.ndarray:
    """Distance (km) at which system ``a`` (e.g. electric) has emitted as much as ``b`` (the
    combustion reference), per sample; ``inf`` where it does not within the search limit.

    Same convention as ``lca.compare`` (so the deterministic figure is the one ``vlca compare``
    prints): production stages at km 0, use and maintenance spread evenly over the lifetime
    distance (and continuing at that rate beyond it), end of life a step at the lifetime.
    A use profile's year-by-year rates are averaged here.
    """
    from lca.calc.breakeven import break_even, line_parts

    oa, ob = evaluate(a, xa), evaluate(b, xb)
    return break_even(
        line_parts(oa.stages, a.stages, oa.distance_km),
        line_parts(ob.stages, b.stages, ob.distance_km),
    )


def draw_for(models: Sequence[Model], seed: int, start: int, stop: int) -> list[np.ndarray]:
    """Samples of several models with common random numbers (shared input keys, same values)."""
    return [draw(m.inputs, seed, start, stop) for m in models]
