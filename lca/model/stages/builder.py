"""Shared pieces of the stage modules: the builder that checks records and amounts and collects
the exchanges, and the parenthesising of YAML amounts into formula text."""

from __future__ import annotations

from collections.abc import Mapping

import pint

from lca.errors import InputError, KeyPath
from lca.inputs.loader import LoadedInput
from lca.model.background import Database, Record
from lca.model.exchanges import Exchange
from lca.model.expressions import (
    paren,  # noqa: F401 - re-exported for the stage modules
    parse_expression,
)
from lca.model.recycling import cff_parameters
from lca.model.units import parse_unit, registry
from lca.schema.inventory import Inventory


def scale_factor(inv: Inventory, comp) -> float:  # noqa: ANN001
    """The factor on a component's material masses: its ``scale`` times the inventory's."""
    return (comp.scale or 1.0) * (inv.scale or 1.0)


def scaled(inv: Inventory, comp, mass: object) -> str:  # noqa: ANN001
    """Formula text of a bill-of-materials mass times its scale (the text as is without one)."""
    factor = scale_factor(inv, comp)
    return paren(mass) if factor == 1.0 else f"{paren(mass)} * {factor!r}"


class Builder:
    """The validated inventory, the background (which may gain derived records), the
    deterministic parameter values, and the exchanges collected so far (in order)."""

    def __init__(self, loaded: LoadedInput, inv: Inventory, db: Database) -> None:
        self.loaded = loaded
        self.inv = inv
        self.db = db
        self.err = loaded.sources.error
        self.exchanges: list[tuple[Exchange, KeyPath]] = []
        self.values: Mapping[str, pint.Quantity] = {}
        self.use_years: list[tuple[int, float]] = []
        self.replacements: list = []  # lca.model.stages.replacements.Replacement, in order

    def record(self, rid: str, kp: KeyPath, unit_dim: str | None = None) -> Record:
        """Background record ``rid`` (error at ``kp`` if unknown or not per ``unit_dim``)."""
        try:
            rec = self.db.record(rid)
        except InputError as exc:
            raise self.err(exc.message, kp) from None
        if unit_dim is not None:
            ok = registry().get_dimensionality(
                parse_unit(rec.unit)
            ) == registry().get_dimensionality(parse_unit(unit_dim))
            if not ok:
                raise self.err(
                    f"record {rid!r} is per {rec.unit}; expected a record per {unit_dim}", kp
                )
        return rec

    def raw(self, text: object, kp: KeyPath) -> str:
        """A YAML amount checked on its own (syntax, finiteness), parenthesised for formulas."""
        try:
            parse_expression(text)
        except InputError as exc:
            raise self.err(exc.message, kp) from None
        return paren(text)

    def add(
        self,
        stage: str,
        component: str | None,
        rid: str,
        amount: str,
        label: str,
        kp: KeyPath,
        *,
        credit: bool = False,
        kind: str = "",
        rec_kp: KeyPath | None = None,
        year: int | None = None,
    ) -> None:
        """Append the exchange of ``amount`` (formula text) of record ``rid``."""
        rec = self.record(rid, rec_kp or kp)
        try:
            expr = parse_expression(amount)
        except InputError as exc:
            raise self.err(exc.message, kp) from None
        ex = Exchange(stage, component, rid, expr, rec.unit, label, kp, credit, kind, year)
        self.exchanges.append((ex, kp))

    def cff(self, family: str, kp: KeyPath):  # noqa: ANN201
        """CFF parameters of ``family`` (error at ``kp`` when there are none)."""
        params = cff_parameters(family, self.inv.end_of_life.cff)
        if params is None:
            raise self.err(
                f"no circular-footprint-formula parameters for material {family!r}: add them "
                f"under end_of_life.cff.{family} (a, qsin_qp, qsout_qp, source)",
                kp,
            )
        return params
