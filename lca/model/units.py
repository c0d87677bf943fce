"""The one place quantities are parsed and converted (pint).

Unit definitions beyond pint's defaults live in ``lca/data/units.txt``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import pint

from lca.errors import InputError

_PER_NUMBER = re.compile(r"/\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([A-Za-z_][A-Za-z_0-9]*)")


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The project's unit registry (pint defaults plus ``lca/data/units.txt``)."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=False, non_int_type=float)
    with resources.as_file(resources.files("lca").joinpath("data/units.txt")) as path:
        ureg.load_definitions(path)
    return ureg


def normalise(text: str) -> str:
    """Make ``kWh/100km`` mean kWh per (100 km), as every reader of a car brochure expects.

    pint alone reads ``kWh/100km`` as ``kWh / 100 * km``. ``30 %`` means 30 percent.
    """
    text = text.replace("%", " percent ")
    return _PER_NUMBER.sub(lambda m: f"/({m.group(1)} {m.group(2)})", text)


def is_unit_name(name: str) -> bool:
    """True when ``name`` is a unit pint knows (parameter names must not shadow units)."""
    try:
        registry().parse_units(name)
    except Exception:
        return False
    return True


def parse_quantity(value: Any, *, what: str = "quantity") -> pint.Quantity:
    """Parse ``"130 kg"``, ``"0.6 kWh/100km"`` or a bare number (dimensionless)."""
    ureg = registry()
    if isinstance(value, bool):
        raise InputError(f"expected a {what} with its unit, got the boolean {value!r}")
    if isinstance(value, int | float):
        q = ureg.Quantity(float(value), "")
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise InputError(f"expected a {what} with its unit, got an empty string")
        try:
            q = ureg.Quantity(normalise(text))
        except Exception as exc:  # pint raises several error types
            raise InputError(f"cannot read {text!r} as a {what}: {_pint_reason(exc)}") from None
        if not isinstance(q, pint.Quantity):
            q = ureg.Quantity(float(q), "")
        q = ureg.Quantity(float(q.magnitude), q.units)
    else:
        raise InputError(f"expected a {what} such as '130 kg', got {type(value).__name__}")
    if not math.isfinite(q.magnitude):
        raise InputError(f"{what} {value!r} is not a finite number")
    return q


@lru_cache(maxsize=4096)
def units_of(text: str) -> pint.Unit:
    """pint's parse of a (normalised) unit text, memoised: units are immutable and parsing is
    the costliest step of building a product system. Errors are pint's, not cached."""
    return registry().parse_units(text)


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit name such as ``kWh`` or ``t*km``."""
    try:
        return units_of(normalise(text))
    except Exception as exc:
        raise InputError(f"unknown unit {text!r}: {_pint_reason(exc)}") from None


def convert(q: pint.Quantity, unit: str | pint.Unit, *, what: str = "quantity") -> float:
    """Magnitude of ``q`` in ``unit``; a quantity of another dimension is an error."""
    target = parse_unit(unit) if isinstance(unit, str) else unit
    try:
        return float(q.to(target).magnitude)
    except pint.DimensionalityError:
        raise InputError(
            f"{what} {format_quantity(q)} has the wrong dimension: expected "
            f"{describe_unit(target)}, got {q.dimensionality}"
        ) from None


def describe_unit(unit: pint.Unit) -> str:
    """Readable unit with its dimension, for error messages."""
    dim = registry().get_dimensionality(unit)
    return f"'{unit:~P}' ({dim})" if str(dim) != "dimensionless" else "a dimensionless number"


def format_quantity(q: pint.Quantity) -> str:
    """Short human form of a quantity for messages."""
    return f"{q.magnitude:g} {q.units:~P}".strip()


def _pint_reason(exc: Exception) -> str:
    if isinstance(exc, pint.UndefinedUnitError):
        return f"unknown unit or name {', '.join(map(repr, exc.unit_names))}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
