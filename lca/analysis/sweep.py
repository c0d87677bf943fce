"""Sweeps: a variants grid (up to 10^6 combinations) evaluated as batches on the compiled engine.

Axes that set a parameter to a constant (``parameters.lifetime_distance: {150k: 150000 km}``) are
columns of one evaluation; every other axis (another grid or inverter record, say) is a
structural choice: each combination of structural values is built, checked by bw2calc and
compiled once. A variant's figures are the compiled model at its parameter values, which equals
a single ``vlca run`` of the same overrides (the one-off checks of :func:`compile_model`).

A variant that the vectorised checks flag (a negative amount, a non-positive lifetime, a
non-finite total) is built on its own, so its error is the one ``vlca run`` gives.
Units: kg CO2e per vehicle, km, g CO2e/km.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lca.calc import montecarlo as mc
from lca.calc.engine import calculate
from lca.calc.sampling import deterministic_row
from lca.errors import CalculationError, InputError
from lca.inputs.loader import LoadedInput, VariantGrid
from lca.model.background import Database
from lca.model.contracts import location_based_data
from lca.model.exchanges import DISTANCE_PARAMETER, NEGATIVE_KINDS, STAGES
from lca.model.expressions import parse_expression
from lca.model.system import build_system

PARAMETER_PATH = re.compile(r"^parameters\.([A-Za-z_][A-Za-z0-9_]*)(\.value)?$")
CHUNK = 16_384  # variants per batch (about 20 MB of work arrays)


@dataclass(frozen=True)
class Axis:
    """One variant axis: its key path, labels and values; ``parameter`` and ``si`` (SI base
    magnitudes) when it sets a parameter to constants, else None (a structural axis)."""

    dotted: str
    labels: tuple[str, ...]
    values: tuple[Any, ...]
    parameter: str | None = None
    si: np.ndarray | None = None
    dimensionality: Any = None

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Group:
    """A structurally distinct system of the sweep: compiled market- and location-based."""

    key: tuple[int, ...]  # index of each structural axis
    loaded: LoadedInput
    model: mc.Model
    location: mc.Model | None
    powertrain: str | None
    description: str | None
    check: Any = None  # (exchange rows that must not be negative, as an index array)


@dataclass
class SweepResult:
    """Every variant of a grid in product order (the last axis fastest)."""

    grid: VariantGrid
    axes: tuple[Axis, ...]
    index: np.ndarray  # variants x axes, int32
    total: np.ndarray  # kg CO2e
    stages: np.ndarray  # stages x variants, kg CO2e
    distance_km: np.ndarray
    location_total: np.ndarray
    powertrain: tuple[str | None, ...]  # by variant group (see group_of)
    group_of: np.ndarray  # variants, int32: index into powertrain/descriptions
    descriptions: tuple[str | None, ...] = ()
    rebuilt: int = 0  # variants flagged by the vectorised checks and built on their own
    structures: int = 0  # structurally distinct systems (each bw2calc-checked once)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(self.total.shape[0])

    @property
    def per_km(self) -> np.ndarray:
        return 1000.0 * self.total / self.distance_km

    def name(self, i: int) -> str:
        return self.grid.variant_name(
            tuple(ax.labels[int(j)] for ax, j in zip(self.axes, self.index[i], strict=True))
        )

    def names(self) -> list[str]:
        """Every variant's scenario name, in order."""
        joined = np.full(self.count, self.grid.name, dtype=object)
        for k, ax in enumerate(self.axes):
            joined = joined + "-" + np.asarray(ax.labels, dtype=object)[self.index[:, k]]
        return list(joined)


def _constant(value: Any) -> Any:
    """The pint quantity of a constant variant value (a number or quantity), else None (an
    expression of parameters or a mapping: the axis is then structural)."""
    if isinstance(value, bool) or isinstance(value, dict | list):
        return None
    try:
        q = parse_expression(value).evaluate({})
        mag = float(q.to_base_units().magnitude)
    except Exception:  # noqa: BLE001 - any failure (names, units, pint): not a constant
        return None
    return q if math.isfinite(mag) else None


def classify(grid: VariantGrid, base: LoadedInput) -> tuple[Axis, ...]:
    """The grid's axes, parameter axes recognised (see the module docstring)."""
    data = base.data
    params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    use = data.get("use") if isinstance(data.get("use"), dict) else {}
    elec = use.get("electricity") if isinstance(use.get("electricity"), dict) else {}
    measured = {
        m.get("applies_to")
        for m in (use.get("measures") or [])
        if isinstance(m, dict) and not m.get("already_included", False)
    }
    profile = elec.get("profile") is not None
    axes = []
    for ax in grid.axes:
        dotted = ax[0][0]
        labels = tuple(lab for _, lab, _ in ax)
        values = tuple(v for _, _, v in ax)
        m = PARAMETER_PATH.match(dotted)
        name = m.group(1) if m else None
        qs = [_constant(v) for v in values] if name else []
        if (
            name
            and name in params
            and name not in measured
            and not profile
            and all(q is not None for q in qs)
        ):
            dims = {str(q.dimensionality) for q in qs}
            si = np.array([float(q.to_base_units().magnitude) for q in qs], dtype=np.float64)
            if len(dims) == 1:
                axes.append(Axis(dotted, labels, values, name, si, qs[0].dimensionality))
                continue
        axes.append(Axis(dotted, labels, values))
    return tuple(axes)


def _combination(axes: Sequence[Axis], idx: Sequence[int]) -> dict[str, tuple[str, Any]]:
    return {ax.dotted: (ax.labels[j], ax.values[j]) for ax, j in zip(axes, idx, strict=True)}


def _build_group(
    grid: VariantGrid, axes: Sequence[Axis], key: tuple[int, ...], db: Database, gwp: str | None
) -> Group:
    """Load, build (bw2calc check included) and compile the system of structural ``key`` at the
    first value of each parameter axis."""
    it = iter(key)
    idx = [next(it) if ax.parameter is None else 0 for ax in axes]
    loaded = grid.load(_combination(axes, idx))
    varied = tuple(ax.parameter for ax in axes if ax.parameter)
    system = build_system(loaded, db, gwp)
    calculate(system)  # the independent check, once per structure
    for ax in axes:
        if ax.parameter and system.parameter_values[ax.parameter].dimensionality != (
            ax.dimensionality
        ):
            raise _variant_error(grid, axes, idx, db, gwp)
    model = mc.compile_model(system, loaded.sources.error, varied, uncertain=False)
    location = None
    data = location_based_data(loaded.data, system.inventory)
    if data is not None:
        from dataclasses import replace

        alt = build_system(replace(loaded, data=data), db, gwp)
        calculate(alt)
        location = mc.compile_model(alt, loaded.sources.error, varied, uncertain=False)
    rows = np.array(
        [
            i
            for i, ex in enumerate(system.exchanges)
            if not ex.credit and ex.kind not in NEGATIVE_KINDS and i in set(model.varying)
        ],
        dtype=np.int64,
    )
    return Group(
        key,
        loaded,
        model,
        location,
        system.inventory.vehicle.powertrain,
        loaded.description,
        rows,
    )


def _variant_error(grid, axes, idx, db, gwp) -> Exception:  # noqa: ANN001
    """The error a single run of variant ``idx`` gives (or a CalculationError if none)."""
    try:
        loaded = grid.load(_combination(axes, idx))
        calculate(build_system(loaded, db, gwp))
    except (InputError, CalculationError) as exc:
        return exc
    name = grid.variant_name(tuple(ax.labels[j] for ax, j in zip(axes, idx, strict=True)))
    return CalculationError(f"variant {name}: the vectorised checks fail but a single run passes")


def _single(grid, axes, idx, db, gwp) -> tuple[float, np.ndarray, float, float]:  # noqa: ANN001
    """Total, stages, distance and location-based total of one variant by a full run."""
    from lca.analysis.pipeline import location_based_total

    loaded = grid.load(_combination(axes, idx))
    system = build_system(loaded, db, gwp)
    calc = calculate(system)
    stages = np.zeros(len(STAGES))
    for ex, c in zip(system.exchanges, calc.contributions, strict=True):
        if not ex.credit:
            stages[STAGES.index(ex.stage)] += c
    loc = location_based_total(loaded, system, db, gwp)
    return calc.total, stages, system.lifetime_distance_km, calc.total if loc is None else loc


def grid_index(shape: Sequence[int], lo: int, hi: int) -> np.ndarray:
    """Axis indices (rows lo..hi-1 x axes) of the product order, last axis fastest."""
    flat = np.arange(lo, hi, dtype=np.int64)
    out = np.empty((hi - lo, len(shape)), dtype=np.int32)
    for k in range(len(shape) - 1, -1, -1):
        out[:, k] = flat % shape[k]
        flat //= shape[k]
    return out


@dataclass(frozen=True)
class Plan:
    """What a batch needs (plain data, picklable for Dask workers)."""

    shape: tuple[int, ...]
    parameters: tuple[tuple[int, str, np.ndarray], ...]  # (axis, parameter, SI values)
    structural: tuple[int, ...]  # axes that select the group
    groups: dict[tuple[int, ...], tuple[mc.Model, mc.Model | None, np.ndarray]]


@dataclass(frozen=True)
class Batch:
    lo: int
    hi: int
    total: np.ndarray
    stages: np.ndarray
    distance_km: np.ndarray
    location_total: np.ndarray
    flagged: np.ndarray  # row numbers (absolute) that failed the vectorised checks


def evaluate_batch(plan: Plan, lo: int, hi: int) -> Batch:
    """Variants ``lo``..``hi - 1``: every group present evaluated on its rows at once."""
    idx = grid_index(plan.shape, lo, hi)
    n = hi - lo
    total = np.full(n, np.nan)
    stages = np.full((len(STAGES), n), np.nan)
    distance = np.full(n, np.nan)
    location = np.full(n, np.nan)
    flagged: list[np.ndarray] = []
    if plan.structural:
        keys = idx[:, list(plan.structural)]
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        uniq, inverse = np.zeros((1, 0), dtype=np.int32), np.zeros(n, dtype=np.int64)
    for g, key in enumerate(uniq):
        rows = np.flatnonzero(inverse == g)
        model, loc_model, check = plan.groups[tuple(int(k) for k in key)]
        overrides = {name: si[idx[rows, k]] for k, name, si in plan.parameters}
        x = np.repeat(deterministic_row(model.inputs), rows.size, axis=0)
        bad = _flag(model, x, overrides, check)
        good = rows[~bad]
        flagged.append(rows[bad] + lo)
        if good.size == 0:
            continue
        ov = {k: v[~bad] for k, v in overrides.items()}
        out = mc.evaluate(model, x[~bad], ov)
        total[good] = out.total
        stages[:, good] = out.stages
        distance[good] = out.distance_km
        if loc_model is None:
            location[good] = out.total
        else:
            xl = np.repeat(deterministic_row(loc_model.inputs), good.size, axis=0)
            location[good] = mc.evaluate(loc_model, xl, ov).total
    return Batch(lo, hi, total, stages, distance, location, np.concatenate(flagged))


def _flag(model: mc.Model, x: np.ndarray, overrides: dict, check: np.ndarray) -> np.ndarray:
    """Rows that a single run would reject or that the engine cannot give: a negative amount,
    a lifetime distance that is not positive, a non-finite amount."""
    values = mc.parameter_values(model, x, overrides)
    life = np.broadcast_to(np.asarray(values[DISTANCE_PARAMETER], dtype=np.float64), (x.shape[0],))
    bad = ~(life > 0.0) | ~np.isfinite(life)
    with np.errstate(all="ignore"):
        for i in check:
            a = mc._evaluate(model.ex_exprs[i], values, model.units) / model.ex_factor[i]
            a = np.broadcast_to(np.asarray(a, dtype=np.float64), (x.shape[0],))
            bad |= ~np.isfinite(a) | (a < 0.0)
    return bad


def run_sweep(
    grid: VariantGrid,
    db: Database,
    gwp: str | None = None,
    *,
    chunk: int = CHUNK,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Every variant of ``grid`` (threads over batches; a Dask ``scheduler`` address or client
    for bigger grids)."""
    first = grid.load(_combination(_plain_axes(grid), [0] * len(grid.axes)))
    axes = classify(grid, first)
    structural = tuple(k for k, ax in enumerate(axes) if ax.parameter is None)
    import itertools

    groups: dict[tuple[int, ...], Group] = {}
    for key in itertools.product(*(range(len(axes[k])) for k in structural)):
        groups[key] = _build_group(grid, axes, key, db, gwp)
    plan = Plan(
        tuple(len(ax) for ax in axes),
        tuple((k, ax.parameter, ax.si) for k, ax in enumerate(axes) if ax.parameter),
        structural,
        {k: (g.model, g.location, g.check) for k, g in groups.items()},
    )
    n = grid.count
    bounds = [(lo, min(n, lo + chunk)) for lo in range(0, n, chunk)]
    total = np.empty(n)
    stages = np.empty((len(STAGES), n))
    distance = np.empty(n)
    location = np.empty(n)
    flagged: list[np.ndarray] = []

    def store(b: Batch) -> None:
        total[b.lo : b.hi] = b.total
        stages[:, b.lo : b.hi] = b.stages
        distance[b.lo : b.hi] = b.distance_km
        location[b.lo : b.hi] = b.location_total
        flagged.append(b.flagged)
        if progress:
            progress(b.hi - b.lo)

    if scheduler is not None:
        _run_dask(plan, bounds, scheduler, store)
    else:
        nthreads = workers or min(len(bounds), os.cpu_count() or 1)
        if nthreads <= 1:
            for lo, hi in bounds:
                store(evaluate_batch(plan, lo, hi))
        else:
            with ThreadPoolExecutor(nthreads) as pool:
                for b in pool.map(lambda lh: evaluate_batch(plan, *lh), bounds):
                    store(b)
    index = grid_index(plan.shape, 0, n)
    bad = np.concatenate(flagged) if flagged else np.zeros(0, dtype=np.int64)
    for i in bad:
        # a single run gives the error (raised here) or, if it passes, the figures
        try:
            t, st, d, loc = _single(grid, axes, [int(j) for j in index[i]], db, gwp)
        except (InputError, CalculationError):
            raise
        total[i], stages[:, i], distance[i], location[i] = t, st, d, loc
    keys = list(groups)
    if structural:
        lookup = {k: g for g, k in enumerate(keys)}
        group_of = (
            np.array(
                [lookup[tuple(int(v) for v in row)] for row in index[:, list(structural)]],
                dtype=np.int32,
            )
            if len(keys) > 1
            else np.zeros(n, dtype=np.int32)
        )
    else:
        group_of = np.zeros(n, dtype=np.int32)
    return SweepResult(
        grid,
        axes,
        index,
        total,
        stages,
        distance,
        location,
        tuple(groups[k].powertrain for k in keys),
        group_of,
        tuple(groups[k].description for k in keys),
        rebuilt=int(bad.size),
        structures=len(keys),
    )


def _plain_axes(grid: VariantGrid) -> tuple[Axis, ...]:
    return tuple(
        Axis(ax[0][0], tuple(lab for _, lab, _ in ax), tuple(v for _, _, v in ax))
        for ax in grid.axes
    )


def _run_dask(plan: Plan, bounds, scheduler, store) -> None:  # noqa: ANN001
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CalculationError(
            "--scheduler needs dask.distributed: pip install 'vehicle-lca[dask]'"
        ) from None
    own = not hasattr(scheduler, "submit")
    client = Client(scheduler) if own else scheduler
    try:
        p = client.scatter(plan, broadcast=True, hash=False)
        futures = [client.submit(evaluate_batch, p, lo, hi, pure=False) for lo, hi in bounds]
        for fut in as_completed(futures):
            store(fut.result())
            fut.release()
    finally:
        if own:
            client.close()
