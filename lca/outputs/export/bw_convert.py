"""What a Brightway (bw2data) user expects of our data, as plain dictionaries: Brightway unit
names and location codes, formulas in plain numbers (Brightway parameters carry no units),
``stats_arrays`` uncertainty, and the IPCC method name bw2io gives ecoinvent's methods.

No bw2data import here (pure functions); :mod:`lca.outputs.export.bw2data` writes the project.
"""

from __future__ import annotations

import math
import tokenize
from typing import Any

import pint

from lca.model.expressions import Expression, parse_expression
from lca.model.units import parse_unit, registry
from lca.schema.common import Distribution

# our unit -> Brightway/ecoinvent unit name (bw2io.units normalisation)
UNITS = {
    "kg": "kilogram",
    "t*km": "ton kilometer",
    "kWh": "kilowatt hour",
    "MJ": "megajoule",
    "L": "litre",
    "km": "kilometer",
    "unit": "unit",
}
# our geography -> ecoinvent/Brightway location code (ISO country codes stay as they are)
LOCATIONS = {"EU-27": "RER", "EU": "RER", "Europe": "RER", "World": "GLO"}
# bw2io names of ecoinvent's IPCC methods (bw2io 0.9 data/lcia/lcia_39_ecoinvent.zip)
METHODS = {
    "AR6": ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
    "AR5": ("IPCC 2013", "climate change", "global warming potential (GWP100)"),
}
METHOD_UNIT = "kg CO2-Eq"
# stats_arrays uncertainty type ids
NO_UNCERTAINTY, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 0, 2, 3, 4, 5


def unit_name(unit: str) -> str:
    """Brightway's name for our ``unit`` (the unit itself if Brightway has no other name)."""
    return UNITS.get(unit, unit)


def location(geography: str | None) -> str:
    return LOCATIONS.get(geography or "GLO", geography or "GLO")


def method_name(gwp_set: str) -> tuple[str, ...]:
    return METHODS.get(gwp_set, ("vehicle-lca", gwp_set, "climate change", "GWP100"))


def base_magnitude(unit: str) -> float:
    """Size of one ``unit`` in SI base units (1 kWh -> 3.6e6 J)."""
    return float(registry().Quantity(1.0, parse_unit(unit)).to_base_units().magnitude)


def si_value(q: pint.Quantity) -> float:
    """A parameter value as a plain number in SI base units (what the formulas expect)."""
    return float(q.to_base_units().magnitude)


def si_unit(q: pint.Quantity) -> str:
    return f"{q.to_base_units().units:~}" or "dimensionless"


def formula(expr: Expression, parameters: set[str]) -> str:
    """``expr`` as a Brightway formula over parameters in SI base units: unit names become
    their base-unit size, every operation is parenthesised (so ``kWh/100km`` keeps pint's
    reading). The value is in SI base units."""

    def leaf(tok: Any) -> str:
        if tok.type == tokenize.NUMBER:
            return repr(float(tok.string))
        if tok.string in parameters:
            return tok.string
        return repr(float(registry().Quantity(1.0, registry().parse_units(tok.string))
                          .to_base_units().magnitude))  # fmt: skip

    def op(symbol: str):  # noqa: ANN202
        return lambda a, b: f"({a} {symbol} {b})"

    bin_ops = {"+": op("+"), "-": op("-"), "*": op("*"), "": op("*"), "/": op("/"),
               "**": op("**"), "^": op("**")}  # fmt: skip
    un_ops = {"+": lambda a: a, "-": lambda a: f"(-{a})"}
    return str(expr.tree.evaluate(leaf, bin_ops, un_ops))


def exchange_formula(expr: Expression, unit: str, parameters: set[str]) -> str | None:
    """The formula of an exchange amount in ``unit`` (None when it uses no parameter)."""
    if not expr.parameters({p: None for p in parameters}):
        return None
    scale = base_magnitude(unit)
    body = formula(expr, parameters)
    return body if scale == 1.0 else f"{body} / {scale!r}"


def parameter_uncertainty(d: Distribution | None, value: pint.Quantity) -> dict[str, Any]:
    """stats_arrays fields of a parameter's distribution, in SI base units."""
    if d is None or d.distribution == "discrete":
        return {"uncertainty type": NO_UNCERTAINTY}
    base = value.to_base_units().units

    def si(text: Any) -> float:
        q = parse_expression(text).evaluate({})
        return float(q.to(base).magnitude) if not q.dimensionless else float(q.magnitude)

    amount = si_value(value)
    if d.distribution == "lognormal":
        return {"uncertainty type": LOGNORMAL, "loc": math.log(abs(amount)),
                "scale": math.log(d.gsd), "negative": amount < 0}  # fmt: skip
    if d.distribution == "normal":
        return {"uncertainty type": NORMAL, "loc": amount, "scale": si(d.sd)}
    if d.distribution == "uniform":
        return {"uncertainty type": UNIFORM, "minimum": si(d.low), "maximum": si(d.high)}
    return {"uncertainty type": TRIANGULAR, "loc": si(d.mode), "minimum": si(d.low),
            "maximum": si(d.high)}  # fmt: skip


def record_uncertainty(d: Distribution | None, amount: float) -> dict[str, Any]:
    """stats_arrays fields for one exchange of a background record whose distribution is a
    multiplier of its emissions (median or mean 1), for ``amount``."""
    if d is None or amount == 0 or d.distribution == "discrete":
        return {"uncertainty type": NO_UNCERTAINTY}

    def m(text: Any) -> float:
        return float(parse_expression(text).evaluate({}).to("").magnitude)

    if d.distribution == "lognormal":
        return {"uncertainty type": LOGNORMAL, "loc": math.log(abs(amount)),
                "scale": math.log(d.gsd), "negative": amount < 0}  # fmt: skip
    if d.distribution == "normal":
        return {"uncertainty type": NORMAL, "loc": amount, "scale": abs(m(d.sd) * amount)}
    lo, hi = sorted((m(d.low) * amount, m(d.high) * amount))
    if d.distribution == "uniform":
        return {"uncertainty type": UNIFORM, "minimum": lo, "maximum": hi}
    return {"uncertainty type": TRIANGULAR, "loc": m(d.mode) * amount, "minimum": lo,
            "maximum": hi}  # fmt: skip
