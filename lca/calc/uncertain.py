"""Uncertain inputs of a product system: what varies and how (see :mod:`lca.calc.sampling`
for the kinds of input and how they are drawn). Values of parameters are SI base magnitudes,
records' are emission multipliers, supply choices' are indices."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lca.errors import InputError, KeyPath
from lca.model.expressions import parse_quantity
from lca.model.system import CHEMISTRY_FIELDS, ProductSystem, chemistry_parameter
from lca.model.units import parse_unit, registry
from lca.schema.common import Distribution


def ndtri(u: np.ndarray) -> np.ndarray:
    """The standard normal quantile function (``scipy.special.ndtri``, imported on first use:
    Monte Carlo draws normals directly and never needs it)."""
    from scipy.special import ndtri as _ndtri

    return _ndtri(u)


#: the kinds of input drawn through :func:`standard_normals`
NORMAL_KINDS = ("normal", "lognormal")
#: largest |z| :func:`standard_normals` can return: sqrt(-2 ln 2^-24), from the smallest
#: non-zero single-precision uniform (a true normal exceeds it with probability 7.9e-9)
NORMAL_LIMIT = math.sqrt(-2.0 * math.log(2.0**-24))


def standard_normals(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` standard normal deviates (float32) by the Box-Muller transform of ``rng``'s
    single-precision uniforms (see :func:`box_muller`)."""
    half = (size + 1) // 2
    return box_muller(rng.random(2 * half, dtype=np.float32))[:size]


def box_muller(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from single-precision uniforms ``u`` (the last axis of even
    length 2h, changed in place): ``r = sqrt(-2 ln(1 - u1))`` with ``u1`` the first h, ``z = r
    cos(2 pi u2)`` for the first half and ``r sin(2 pi u2)`` for the second (``u2`` the last h).

    Single precision (24-bit uniforms, relative resolution 6e-8) is far finer than any Monte
    Carlo percentile can resolve, and numpy evaluates these functions with SIMD: about 4 ns a
    deviate against 10 ns for its double-precision ziggurat. The price is a tail cut at
    :data:`NORMAL_LIMIT` (5.77 sd), which a true normal passes with probability 7.9e-9. Each
    element's value depends only on its two uniforms, so a row of a batch equals the same row
    drawn alone, bit for bit.
    """
    half = u.shape[-1] // 2
    r = np.log1p(-u[..., :half])
    r *= np.float32(-2.0)
    np.sqrt(r, out=r)
    angle = u[..., half:]
    angle *= np.float32(2.0 * math.pi)
    z = np.empty(u.shape, dtype=np.float32)
    np.multiply(r, np.cos(angle), out=z[..., :half])
    np.multiply(r, np.sin(angle), out=z[..., half:])
    return z


def _triangular_ppf(u: np.ndarray, a: float, c: float, b: float) -> np.ndarray:
    if b == a:
        return np.full_like(u, a)
    fc = (c - a) / (b - a)
    left = a + np.sqrt(u * (b - a) * (c - a))
    right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
    return np.where(u < fc, left, right)


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input.

    ``target`` is ``"parameter"`` (``name`` is a parameter; values are SI base magnitudes),
    ``"record"`` (``name`` is a record id; values are emission multipliers) or ``"choice"``
    (``name`` is the key path of a supply; values are indices into ``choices``).
    ``params``: lognormal (median, sigma = ln gsd); normal (mean, sd); uniform (low, high);
    triangular (low, mode, high); discrete (cumulative weights, normalised to 1).
    ``values``: for discrete inputs the value of each choice (SI magnitudes or indices).
    """

    key: str
    label: str
    target: str
    name: str
    kind: str
    params: tuple[float, ...]
    deterministic: float
    unit: str = ""  # display unit of a parameter (its value's unit)
    to_display: float = 1.0  # multiply an SI magnitude by this to get the display unit
    values: tuple[float, ...] = ()
    choices: tuple[str, ...] = ()
    basis: str | None = None
    description: str | None = None

    @cached_property
    def stream(self) -> int:
        """A stable 63-bit number naming this input's random stream."""
        return int.from_bytes(hashlib.sha256(self.key.encode()).digest()[:8], "little") >> 1

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function: values at probabilities ``u`` (0 < u < 1)."""
        u = np.asarray(u, dtype=np.float64)
        p = self.params
        if self.kind == "normal":
            return p[0] + p[1] * ndtri(u)
        if self.kind == "lognormal":
            return p[0] * np.exp(p[1] * ndtri(u))
        if self.kind == "uniform":
            return p[0] + (p[1] - p[0]) * u
        if self.kind == "triangular":
            return _triangular_ppf(u, *p)
        idx = np.searchsorted(np.asarray(p), u, side="right")
        idx = np.minimum(idx, len(self.values) - 1)
        return np.asarray(self.values, dtype=np.float64)[idx]

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` random values from ``rng`` (normal and lognormal through
        :func:`standard_normals`; the others through the quantile function of uniforms)."""
        if self.kind in NORMAL_KINDS:
            return self.from_standard_normal(standard_normals(rng, size))
        return self.ppf(rng.random(size))

    def from_standard_normal(self, z: np.ndarray) -> np.ndarray:
        """Values (float64) of a normal or lognormal input from standard normal deviates ``z``
        (float32, changed in place for a lognormal: scaled and exponentiated in single
        precision, the median applied in double)."""
        p = self.params
        if self.kind == "normal":
            return p[0] + p[1] * z.astype(np.float64)
        z *= np.float32(p[1])
        np.exp(z, out=z)
        out = z.astype(np.float64)
        if p[0] != 1.0:
            out *= p[0]
        return out

    def quantile_range(self, low: float, high: float) -> tuple[float, float]:
        """Values at probabilities ``low`` and ``high`` (for one-at-a-time sensitivity)."""
        lo, hi = self.ppf(np.array([low, high]))
        return float(lo), float(hi)


def _number(text: object, what: str) -> float:
    """A plain number (multipliers on records and chemistry constants)."""
    q = parse_quantity(text, what=what)
    if not q.dimensionless:
        raise InputError(f"{what} must be a plain number (a multiplier), got {text!r}")
    return float(q.to("").magnitude)


def multiplier_params(dist: Distribution, what: str) -> tuple[str, tuple[float, ...]]:
    """A record or constant's multiplier distribution (median or mean 1) as numbers."""
    kind = dist.distribution
    if kind == "lognormal":
        return kind, (1.0, math.log(float(dist.gsd)))
    if kind == "normal":
        sd = _number(dist.sd, f"{what} sd")
        if sd <= 0:
            raise InputError(f"{what}: sd must be greater than zero")
        return kind, (1.0, sd)
    if kind == "uniform":
        lo, hi = _number(dist.low, f"{what} low"), _number(dist.high, f"{what} high")
        if not lo < hi:
            raise InputError(f"{what}: low must be below high")
        return kind, (lo, hi)
    if kind == "triangular":
        lo, mo, hi = (_number(getattr(dist, k), f"{what} {k}") for k in ("low", "mode", "high"))
        if not (lo <= mo <= hi and lo < hi):
            raise InputError(f"{what}: needs low <= mode <= high and low < high")
        return kind, (lo, mo, hi)
    raise InputError(f"{what}: a discrete distribution needs choices of records or values")


def _cumulative(weights: Sequence[float] | None, n: int) -> tuple[float, ...]:
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    cum = np.cumsum(w) / w.sum()
    cum[-1] = 1.0
    return tuple(float(x) for x in cum)


def _parameter_input(name: str, dist: Distribution, value, kp: KeyPath, error) -> UncertainInput:  # noqa: ANN001
    """A parameter's distribution in SI base magnitudes, dimension-checked against ``value``."""
    ureg = registry()
    base = value.to_base_units()
    det = float(np.asarray(base.magnitude))
    unit = f"{value.units:~P}"
    to_display = float(np.asarray(value.magnitude)) / det if det != 0 else 1.0
    if det == 0:
        to_display = float(ureg.Quantity(1.0, base.units).to(value.units).magnitude)

    def q(field: str, text: object, relative: bool = False) -> float:
        try:
            x = parse_quantity(text, what=f"uncertainty {field}")
        except InputError as exc:
            raise error(exc.message, (*kp, "uncertainty", field)) from None
        if x.dimensionality != value.dimensionality:
            raise error(
                f"uncertainty {field} {text!r} is {x.units:~P} ({x.dimensionality}); the "
                f"parameter is {unit or 'a plain number'} ({value.dimensionality})",
                (*kp, "uncertainty", field),
            )
        return float(x.to_base_units().magnitude)

    kind = dist.distribution
    loc = (*kp, "uncertainty")
    values: tuple[float, ...] = ()
    if kind == "lognormal":
        if det <= 0:
            raise error("a lognormal distribution needs a value greater than zero", loc)
        params: tuple[float, ...] = (det, math.log(float(dist.gsd)))
    elif kind == "normal":
        sd = q("sd", dist.sd)
        if sd <= 0:
            raise error("sd must be greater than zero", (*loc, "sd"))
        params = (det, sd)
    elif kind == "uniform":
        params = (q("low", dist.low), q("high", dist.high))
        if not params[0] < params[1]:
            raise error("low must be below high", loc)
    elif kind == "triangular":
        params = (q("low", dist.low), q("mode", dist.mode), q("high", dist.high))
        if not (params[0] <= params[1] <= params[2] and params[0] < params[2]):
            raise error("a triangular distribution needs low <= mode <= high, low < high", loc)
    else:
        values = tuple(q(f"choices.{i}", c) for i, c in enumerate(dist.choices or ()))
        params = _cumulative(dist.weights, len(values))
    if kind in ("uniform", "triangular"):
        lo, hi = params[0], params[-1]
        if not lo <= det <= hi:
            raise error(
                f"the value ({float(np.asarray(value.magnitude)):g} {unit}) lies outside the "
                f"distribution's low-high range",
                loc,
            )
    return UncertainInput(
        key=f"parameter:{name}",
        label=f"parameter {name}",
        target="parameter",
        name=name,
        kind=kind,
        params=params,
        deterministic=det,
        unit=unit,
        to_display=to_display,
        values=values,
        basis=dist.basis,
    )


def uncertain_inputs(system: ProductSystem, error) -> tuple[UncertainInput, ...]:  # noqa: ANN001
    """Every uncertain input of ``system``, in a stable order (parameters, chemistry constants,
    supply choices, records). ``error(message, key_path)`` builds a located InputError."""
    out: list[UncertainInput] = []
    inv = system.inventory
    values = system.parameter_values
    for name, spec in inv.parameters.items():
        if spec.uncertainty is not None:
            kp = ("parameters", name)
            out.append(_parameter_input(name, spec.uncertainty, values[name], kp, error))
    out.extend(_chemistry_inputs(system, error))
    choice = _supply_choice(system, error)
    if choice is not None:
        out.append(choice)
    out.extend(_record_inputs(system, out))
    return tuple(out)


def _chemistry_inputs(system: ProductSystem, error) -> list[UncertainInput]:  # noqa: ANN001
    """Battery-chemistry constants with a background uncertainty (multipliers of the value)."""
    out: list[UncertainInput] = []
    inv = system.inventory
    values = system.parameter_values
    seen_chem: set[str] = set()
    for i, comp in enumerate(inv.components):
        if comp.chemistry is None or comp.chemistry in seen_chem:
            continue
        seen_chem.add(comp.chemistry)
        chem = system.database.chemistries[comp.chemistry]
        for fname, unit in CHEMISTRY_FIELDS.items():
            sq = getattr(chem, fname)
            if sq.uncertainty is None:
                continue
            pname = chemistry_parameter(chem.id, fname)
            what = f"battery chemistry {chem.id} {fname} uncertainty"
            try:
                kind, mult = multiplier_params(sq.uncertainty, what)
            except InputError as exc:
                raise error(exc.message, ("components", i, "chemistry")) from None
            q = values[pname]
            si = float(q.to_base_units().magnitude)
            if kind == "lognormal":
                params = (si * mult[0], mult[1])
            else:  # mean and sd, or bounds: all scale with the constant
                params = tuple(si * m for m in mult)
            out.append(
                UncertainInput(
                    key=f"chemistry:{chem.id}:{fname}",
                    label=f"{chem.id} {fname.replace('_', ' ')}",
                    target="parameter",
                    name=pname,
                    kind=kind,
                    params=params,
                    deterministic=si,
                    unit=unit,
                    to_display=float(q.magnitude) / si,
                    basis=sq.uncertainty.basis,
                )
            )
    return out


def _supply_choice(system: ProductSystem, error) -> UncertainInput | None:  # noqa: ANN001
    """The use-phase supply as a discrete choice of kWh records, if the inventory gives one."""
    inv = system.inventory
    elec = inv.use.electricity
    choice_dist = getattr(elec, "uncertainty", None) if elec is not None else None
    if choice_dist is not None:
        kp = ("use", "electricity", "uncertainty")
        if choice_dist.distribution != "discrete":
            raise error(
                "the supply's uncertainty must be a discrete choice of records "
                "(distribution: discrete, choices: [grid:EU-27, ...])",
                (*kp, "distribution"),
            )
        choices = tuple(choice_dist.choices or ())
        if elec.supply not in choices:
            raise error(
                f"the choices must include the deterministic supply {elec.supply!r}",
                (*kp, "choices"),
            )
        kwh = registry().get_dimensionality(parse_unit("kWh"))
        for j, rid in enumerate(choices):
            rec = system.database.records.get(rid)
            if rec is None:
                raise error(f"unknown record {rid!r}", (*kp, "choices", j))
            if registry().get_dimensionality(parse_unit(rec.unit)) != kwh:
                raise error(
                    f"record {rid!r} is per {rec.unit}; expected per kWh", (*kp, "choices", j)
                )
        return UncertainInput(
            key="choice:use.electricity.supply",
            label="use-phase electricity supply",
            target="choice",
            name="use.electricity.supply",
            kind="discrete",
            params=_cumulative(choice_dist.weights, len(choices)),
            deterministic=float(choices.index(elec.supply)),
            values=tuple(float(k) for k in range(len(choices))),
            choices=choices,
            basis=choice_dist.basis,
        )
    return None


def _record_inputs(system: ProductSystem, before: list[UncertainInput]) -> list[UncertainInput]:
    """Records (reachable from the exchanges and supply choices) with an uncertainty."""
    out: list[UncertainInput] = []
    for rid in _records_used(system, before):
        rec = system.database.records[rid]
        if rec.uncertainty is None:
            continue
        try:
            kind, params = multiplier_params(rec.uncertainty, f"record {rid} uncertainty")
        except InputError as exc:
            raise InputError(exc.message, file=rec.file) from None
        out.append(
            UncertainInput(
                key=f"record:{rid}",
                label=f"{rid} (emissions)",
                description=rec.name,
                target="record",
                name=rid,
                kind=kind,
                params=params,
                deterministic=1.0,
                basis=rec.uncertainty.basis,
            )
        )
    return out


def _records_used(system: ProductSystem, inputs: Sequence[UncertainInput]) -> list[str]:
    """Records reachable from the exchanges and supply choices (inputs included), in order."""
    db = system.database
    stack = [ex.record for ex in system.exchanges]
    for inp in inputs:
        stack.extend(inp.choices)
    seen: dict[str, None] = {}
    while stack:
        rid = stack.pop(0)
        if rid in seen:
            continue
        seen[rid] = None
        stack.extend(i for i, _ in db.records[rid].inputs)
    return list(seen)
