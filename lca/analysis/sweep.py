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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lca.calc import montecarlo as mc
from lca.calc.batch import Batch, Plan, grid_index, run_batches
from lca.calc.engine import calculate
from lca.errors import CalculationError, InputError
from lca.inputs.loader import LoadedInput, VariantGrid
from lca.model.background import Database
from lca.model.contracts import location_based_data
from lca.model.exchanges import NEGATIVE_KINDS, STAGES
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
    axes, structural, groups, plan = _plan(grid, db, gwp)
    n = grid.count
    total, distance, location = np.empty(n), np.empty(n), np.empty(n)
    stages = np.empty((len(STAGES), n))
    flagged: list[np.ndarray] = []

    def store(b: Batch) -> None:
        total[b.lo : b.hi] = b.total
        stages[:, b.lo : b.hi] = b.stages
        distance[b.lo : b.hi] = b.distance_km
        location[b.lo : b.hi] = b.location_total
        flagged.append(b.flagged)
        if progress:
            progress(b.hi - b.lo)

    run_batches(plan, n, chunk, store, workers=workers, scheduler=scheduler)
    index = grid_index(plan.shape, 0, n)
    bad = np.concatenate(flagged) if flagged else np.zeros(0, dtype=np.int64)
    for i in bad:  # a single run raises its error or, if it passes, gives the figures
        row = [int(j) for j in index[i]]
        total[i], stages[:, i], distance[i], location[i] = _single(grid, axes, row, db, gwp)
    if structural:
        dims = tuple(len(axes[k]) for k in structural)
        group_of = np.ravel_multi_index(index[:, list(structural)].T, dims).astype(np.int32)
    else:
        group_of = np.zeros(n, dtype=np.int32)
    keys = list(groups)  # product order, as ravel_multi_index
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


def _plan(grid: VariantGrid, db: Database, gwp: str | None) -> tuple:
    """Axes, structural axes, every structurally distinct system (built, bw2calc-checked and
    compiled once) and the batch plan."""
    import itertools

    first = grid.load(_combination(_plain_axes(grid), [0] * len(grid.axes)))
    axes = classify(grid, first)
    structural = tuple(k for k, ax in enumerate(axes) if ax.parameter is None)
    groups: dict[tuple[int, ...], Group] = {}
    for key in itertools.product(*(range(len(axes[k])) for k in structural)):
        groups[key] = _build_group(grid, axes, key, db, gwp)
    plan = Plan(
        tuple(len(ax) for ax in axes),
        tuple((k, ax.parameter, ax.si) for k, ax in enumerate(axes) if ax.parameter),
        structural,
        {k: (g.model, g.location, g.check) for k, g in groups.items()},
    )
    return axes, structural, groups, plan


def _plain_axes(grid: VariantGrid) -> tuple[Axis, ...]:
    return tuple(
        Axis(ax[0][0], tuple(lab for _, lab, _ in ax), tuple(v for _, _, v in ax))
        for ax in grid.axes
    )
