"""Checks of a product system as it is built: deterministic amounts (dimension, sign), the
primary-data declarations, measure units and the bill of materials' mass balance."""

from __future__ import annotations

import numpy as np
import pint

from lca.errors import InputError, InputErrors
from lca.model.exchanges import MASS_KINDS, NEGATIVE_KINDS, Exchange
from lca.model.expressions import parse_expression
from lca.model.supplier import replaced_bom_kg
from lca.model.units import parse_unit
from lca.schema.inventory import Inventory


def evaluate_amounts(exchanges: tuple[Exchange, ...], values, err) -> np.ndarray:  # noqa: ANN001
    """Deterministic amounts in each record's unit; every dimension or sign problem reported."""
    amounts = []
    errors: list[InputError] = []
    for ex in exchanges:
        try:
            q = ex.amount.evaluate(values)
        except InputError as exc:
            errors.append(err(exc.message, ex.path))
            continue
        try:
            value = float(q.to(parse_unit(ex.unit)).magnitude)
        except pint.DimensionalityError:
            errors.append(
                err(
                    f"amount {ex.amount.text!r} is {unit_text(q)}; {ex.record} is per "
                    f"{ex.unit}, so the amount needs a unit like {ex.unit}",
                    ex.path,
                )
            )
            continue
        kind = ex.kind.removeprefix("replacement:")
        if not ex.credit and value < 0 and kind not in NEGATIVE_KINDS:
            errors.append(
                err(f"amount {ex.amount.text!r} is negative ({value:g} {ex.unit})", ex.path)
            )
        amounts.append(value)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return np.array(amounts, dtype=np.float64)


PRIMARY_DATA_SECTIONS = ("manufacturing", "logistics", "use", "maintenance", "end_of_life")


def check_primary_data(inv: Inventory, err) -> None:  # noqa: ANN001
    ids = {c.id for c in inv.components}
    for i, entry in enumerate(inv.primary_data):
        if entry in PRIMARY_DATA_SECTIONS or entry == "components":
            continue
        if entry.startswith("components.") and entry.split(".", 1)[1] in ids:
            continue
        raise err(
            f"primary_data entry {entry!r} names no part of the inventory; use one of "
            f"{', '.join(PRIMARY_DATA_SECTIONS)}, components or components.<id> "
            f"(ids: {', '.join(sorted(ids))})",
            ("primary_data", i),
        )


def check_measure_units(inv: Inventory, values, err) -> None:  # noqa: ANN001
    for i, m in enumerate(inv.use.measures):
        if m.saves is None or m.applies_to is None:
            continue
        kp = ("use", "measures", i, "saves")
        try:
            saves = parse_expression(m.saves).evaluate(values)
        except InputError as exc:
            raise err(exc.message, kp) from None
        target = values[m.applies_to]
        if saves.dimensionality != target.dimensionality:
            raise err(
                f"saves {m.saves!r} is {unit_text(saves)} but {m.applies_to} is "
                f"{unit_text(target)}",
                kp,
            )


def unit_text(q: pint.Quantity) -> str:
    if q.dimensionless:
        return "a plain number without unit"
    return f"in {q.units:~P} ({str(q.dimensionality)})"


def check_mass_balance(inv: Inventory, values, exchanges, amounts, loaded) -> None:  # noqa: ANN001
    import logging

    curb = float(values["curb_mass"].to("kg").magnitude)
    bom = float(values["battery_mass"].to("kg").magnitude)
    for ex, a in zip(exchanges, amounts, strict=True):
        if ex.stage == "materials" and not ex.credit and ex.kind in MASS_KINDS:
            bom += a
    bom += replaced_bom_kg(inv, values)  # lines whose footprint a supplier declared
    dev = (bom - curb) / curb
    if abs(dev) > 0.05:
        path, line = loaded.sources.locate(("components",))
        logging.getLogger("lca").warning(
            "%s:%s: the bill of materials (%.0f kg incl. battery) is %+.1f %% off the curb mass "
            "(%.0f kg)",
            path,
            line or "",
            bom,
            100 * dev,
            curb,
        )
