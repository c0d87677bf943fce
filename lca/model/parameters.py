"""Named parameters: parsed, ordered by dependency and evaluated (scalars or sample arrays)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pint

from lca.errors import InputError, KeyPath
from lca.model.expressions import Expression, parse_expression
from lca.model.units import is_unit_name


@dataclass(frozen=True)
class ParameterSet:
    """Parameters in evaluation order; each is an expression of earlier ones (or a quantity)."""

    order: tuple[str, ...]
    expressions: Mapping[str, Expression]
    paths: Mapping[str, KeyPath]

    def evaluate(
        self, fixed: Mapping[str, pint.Quantity] | None = None
    ) -> dict[str, pint.Quantity]:
        """All parameter values; names in ``fixed`` take the given value (a sample array, say)."""
        fixed = fixed or {}
        values: dict[str, pint.Quantity] = {}
        for name in self.order:
            if name in fixed:
                values[name] = fixed[name]
            else:
                values[name] = self.expressions[name].evaluate(values)
        return values


def build_parameters(
    texts: Mapping[str, tuple[object, KeyPath]],
    error: Callable[[str, KeyPath], InputError],
    reserved: Mapping[str, str] | None = None,
) -> ParameterSet:
    """Parse parameter expressions and order them so each comes after what it uses.

    ``texts`` maps a name to (value text, key path); ``error`` builds a located error.
    """
    exprs: dict[str, Expression] = {}
    paths: dict[str, KeyPath] = {}
    for name, (text, kp) in texts.items():
        if reserved and name in reserved and kp != reserved[name]:
            raise error(f"'{name}' is a built-in name ({reserved[name]}); choose another name", kp)
        if is_unit_name(name):
            raise error(
                f"parameter name {name!r} is also the name of a unit; choose another name "
                "(expressions could not tell them apart)",
                kp,
            )
        try:
            exprs[name] = parse_expression(text)
        except InputError as exc:
            raise error(exc.message, kp) from None
        paths[name] = kp
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join((*chain[chain.index(name) :], name))
            raise error(f"parameters depend on each other in a cycle: {cycle}", paths[name])
        state[name] = 1
        for dep in sorted(exprs[name].parameters(exprs)):
            visit(dep, (*chain, name))
        state[name] = 2
        order.append(name)

    for name in exprs:
        visit(name, ())
    pset = ParameterSet(tuple(order), exprs, paths)
    # evaluate once so that bad expressions are reported against their parameter
    values: dict[str, pint.Quantity] = {}
    for name in pset.order:
        try:
            values[name] = exprs[name].evaluate(values)
        except InputError as exc:
            raise error(exc.message, paths[name]) from None
    return pset
