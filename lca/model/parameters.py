"""Named parameters: parsed, ordered by dependency and evaluated (scalars or sample arrays)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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
    # the values without ``fixed`` ones, evaluated once when the set was built
    defaults: Mapping[str, pint.Quantity] | None = field(default=None, compare=False, repr=False)

    def evaluate(
        self, fixed: Mapping[str, pint.Quantity] | None = None
    ) -> dict[str, pint.Quantity]:
        """All parameter values; names in ``fixed`` take the given value (a sample array, say)."""
        if not fixed and self.defaults is not None:
            return dict(self.defaults)
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

    ``texts`` maps a name to (value text, key path); ``error`` builds a located error. The
    parameter sets of the last few distinct ``texts`` are remembered (the alternatives of one
    run, such as measures' counterfactuals, mostly share theirs): the same texts, key paths and
    reserved names give the same set and values; only a set that built without error is kept.
    """
    memo_key = _memo_key(texts, reserved)
    if memo_key is not None:
        with _LOCK:
            known = _MEMO.get(memo_key)
            if known is not None:
                _MEMO.move_to_end(memo_key)
                return known
    pset = _build_parameters(texts, error, reserved)
    if memo_key is not None:
        with _LOCK:
            _MEMO[memo_key] = pset
            while len(_MEMO) > _MEMO_SIZE:
                _MEMO.popitem(last=False)
    return pset


_MEMO: OrderedDict[tuple, ParameterSet] = OrderedDict()
_MEMO_SIZE = 16
_LOCK = threading.Lock()  # the web app builds systems in several threads


def _memo_key(texts: Mapping[str, tuple[object, KeyPath]], reserved: object) -> tuple | None:
    """A hashable key of ``texts`` (None when a text is of a kind that has no plain repr)."""
    parts = []
    for name, (text, kp) in texts.items():
        if not isinstance(text, str | int | float) or isinstance(text, bool):
            return None
        parts.append((name, type(text).__name__, repr(text), tuple(kp)))
    return tuple(parts), repr(sorted(reserved.items())) if reserved else ""


def _build_parameters(
    texts: Mapping[str, tuple[object, KeyPath]],
    error: Callable[[str, KeyPath], InputError],
    reserved: Mapping[str, str] | None = None,
) -> ParameterSet:
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
    # evaluate once so that bad expressions are reported against their parameter
    values: dict[str, pint.Quantity] = {}
    for name in order:
        try:
            values[name] = exprs[name].evaluate(values)
        except InputError as exc:
            raise error(exc.message, paths[name]) from None
    return ParameterSet(tuple(order), exprs, paths, defaults=values)
