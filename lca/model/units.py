"""The one place quantities are parsed and converted (pint).

Unit definitions beyond pint's defaults live in ``lca/data/units.txt``. pint is imported here
first (``lca.model`` imports this module), without the optional packages it probes for on import
(dask, Babel, SciPy: arrays, locales and nothing in pint itself; the tool uses none of them
through pint), and its registry is built from pint's definition cache in the tool's cache folder
(:mod:`lca.model.background_cache`), rebuilt from the definition files if the cache is stale,
corrupt or unwritable.
"""

from __future__ import annotations

import math
import re
import sys
import tokenize
from functools import lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Any

# pint probes these on import (pint.compat); importing them costs ~0.1 s of every start-up and
# pint needs none of them for what this tool does (scalar and numpy quantities, no locales)
_PINT_EXTRAS = ("dask", "babel", "scipy")


def _import_pint():  # noqa: ANN202
    """``import pint`` with its optional extras held back (unless already imported: then pint
    sees them as usual). The extras import normally afterwards."""
    held = [m for m in _PINT_EXTRAS if m not in sys.modules]
    for m in held:
        sys.modules[m] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import pint as module
    finally:
        for m in held:
            if m in sys.modules and sys.modules[m] is None:
                del sys.modules[m]
    return module


pint = _import_pint()

from lca.errors import InputError  # noqa: E402

# What a quantity, a unit and an exponent may be. Every string that reaches pint passes
# through this module (units) or lca.model.expressions (quantities and expressions), which
# applies the same limits: pint's own parser does integer powers exactly (9**9**9 never ends)
# and is quadratic in the length of its input.
MAX_TEXT_LENGTH = 500  # characters of a quantity or an expression
MAX_UNIT_LENGTH = 100  # characters of a unit
MAX_EXPONENT = 10.0  # largest power in a unit or an expression

_PER_NUMBER = re.compile(r"/\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([A-Za-z_][A-Za-z_0-9]*)")


PINT_CACHE = "pint-1"  # subfolder of the cache folder for pint's parsed definitions


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The project's unit registry (pint defaults plus ``lca/data/units.txt``).

    pint keys its cache by its version and the definition files' content (a changed file is a
    new entry). An entry that fails to load, or a registry that fails the check below, clears
    the cache folder and the registry is built from the files."""
    from lca.model import background_cache

    base = background_cache.folder()
    if base is not None:
        cache = base / PINT_CACHE
        try:
            ureg = _new_registry(cache)
            if _sound(ureg):
                return ureg
        except Exception:  # noqa: BLE001, S110 - a corrupt or foreign cache entry: rebuild
            pass
        _clear(cache)
    return _new_registry(None)


def _new_registry(cache: Path | None) -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(
        autoconvert_offset_to_baseunit=False, non_int_type=float, cache_folder=cache
    )
    with resources.as_file(resources.files("lca").joinpath("data/units.txt")) as path:
        ureg.load_definitions(path)
    return ureg


def _sound(ureg: pint.UnitRegistry) -> bool:
    """A few conversions that any intact registry gets right (pint's and ours)."""
    try:
        return (
            abs(ureg.Quantity(1.0, "kWh").to("MJ").magnitude - 3.6) < 1e-12
            and abs(ureg.Quantity(1.0, "tkm").to("kg*km").magnitude - 1000.0) < 1e-9
            and abs(ureg.Quantity(30.0, "percent").to("").magnitude - 0.3) < 1e-12
        )
    except Exception:  # noqa: BLE001
        return False


def _clear(cache: Path) -> None:
    """Remove pint's cache entries (best effort: another run may be using the folder)."""
    import shutil

    shutil.rmtree(cache, ignore_errors=True)


def normalise(text: str) -> str:
    """Make ``kWh/100km`` mean kWh per (100 km), as every reader of a car brochure expects.

    pint alone reads ``kWh/100km`` as ``kWh / 100 * km``. ``30 %`` means 30 percent.
    """
    text = text.replace("%", " percent ")
    return _PER_NUMBER.sub(lambda m: f"/({m.group(1)} {m.group(2)})", text)


@lru_cache(maxsize=8192)
def unit_named(name: str) -> pint.Unit | None:
    """The unit called ``name`` (``kg``, ``kWh``), or ``None``; remembered (pint does not cache
    failed look-ups, and every parameter name and expression name is looked up)."""
    if not name.isidentifier() or len(name) > MAX_UNIT_LENGTH:
        return None
    try:
        return registry().parse_units(name)
    except Exception:
        return None


def is_unit_name(name: str) -> bool:
    """True when ``name`` is a unit pint knows (parameter names must not shadow units).

    Only identifiers can be written in an expression, so only those are looked up.
    """
    return unit_named(name) is not None


def finite_float(value: Any, *, what: str = "number") -> float:
    """``value`` (an int or a float, not a bool) as a finite float, or an :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a {what}, got {type(value).__name__}")
    try:
        x = float(value)
    except OverflowError:
        digits = len(str(abs(value))) if abs(value) < 10**4000 else "thousands of"
        raise InputError(
            f"{what}: a {digits}-digit integer is too large (beyond ±{sys.float_info.max:.3g}, "
            "the range of a floating-point number)"
        ) from None
    if not math.isfinite(x):
        raise InputError(f"{what} {value!r} is not a finite number")
    return x


def check_powers(text: str, *, what: str = "unit") -> None:
    """Refuse an exponent that is not a plain number up to ``MAX_EXPONENT`` (``m**9**9``).

    Run before pint parses ``text``: pint computes integer powers exactly, so a tower of powers
    would never finish.
    """
    try:
        toks = [
            t
            for t in tokenize.tokenize(BytesIO(text.encode("utf-8")).readline)
            if t.type not in (tokenize.ENCODING, tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError):
        raise InputError(
            f"cannot read {short_text(text)!r} as a {what}: unbalanced brackets"
        ) from None
    for i, tok in enumerate(toks):
        if tok.string not in ("**", "^"):
            continue
        j = i + 1
        if j < len(toks) and toks[j].string in ("+", "-"):
            j += 1
        ok = j < len(toks) and toks[j].type == tokenize.NUMBER
        if ok:
            try:
                ok = abs(float(toks[j].string)) <= MAX_EXPONENT
            except ValueError:
                ok = False
        if ok and j + 1 < len(toks) and toks[j + 1].string in ("**", "^"):
            ok = False
        if not ok:
            raise InputError(
                f"cannot read {short_text(text)!r} as a {what}: an exponent must be a plain number "
                f"between -{MAX_EXPONENT:g} and {MAX_EXPONENT:g}"
            )


@lru_cache(maxsize=4096)
def units_of(text: str) -> pint.Unit:
    """pint's parse of a (normalised) unit text, memoised: units are immutable and parsing is
    the costliest step of building a product system. Errors are pint's, not cached."""
    return registry().parse_units(text)


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit name such as ``kWh`` or ``t*km``."""
    if not isinstance(text, str):
        raise InputError(f"expected a unit such as 'kg', got {type(text).__name__}")
    if len(text) > MAX_UNIT_LENGTH:
        raise InputError(f"a unit is at most {MAX_UNIT_LENGTH} characters, got {len(text):,}")
    return _parse_unit(text)


@lru_cache(maxsize=4096)
def _parse_unit(text: str) -> pint.Unit:
    norm = normalise(text)
    check_powers(norm)
    try:
        return units_of(norm)
    except Exception as exc:
        raise InputError(f"unknown unit {text!r}: {_pint_reason(exc)}") from None


def short_text(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:40]}...{text[-12:]}"


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
