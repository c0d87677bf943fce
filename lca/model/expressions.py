"""Safe evaluation of amount expressions such as ``consumption * lifetime_distance / efficiency``.

Expressions are tokenised and parsed by pint's own expression parser (never Python ``eval``) and
evaluated here with a fixed set of operators. Names resolve to parameters first, then to units,
so ``4 * 9 kg`` and ``tyre_sets * 36 kg`` both work. Values may be pint quantities over numpy
arrays, so the same compiled expression serves the deterministic run and Monte Carlo samples.
"""

from __future__ import annotations

import math
import operator
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from io import BytesIO
from typing import Any

import numpy as np
import pint
from pint.pint_eval import EvalTreeNode, build_eval_tree

from lca.errors import InputError
from lca.model.units import (
    MAX_EXPONENT,
    MAX_TEXT_LENGTH,
    finite_float,
    normalise,
    registry,
    short_text,
    unit_named,
)

MAX_LENGTH = MAX_TEXT_LENGTH
MAX_DEPTH = 50  # operators nested in one another (brackets, signs, powers)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    try:
        toks = list(tokenize.tokenize(BytesIO(text.encode("utf-8")).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        raise InputError(f"cannot parse expression {text!r}: unbalanced brackets") from None
    allowed = {tokenize.NUMBER, tokenize.NAME, tokenize.OP}
    out = []
    for tok in toks:
        if tok.type in (tokenize.ENCODING, tokenize.NEWLINE, tokenize.NL):
            continue
        if tok.type == tokenize.ENDMARKER:
            out.append(tok)
            continue
        if tok.type not in allowed:
            raise InputError(f"cannot parse expression {text!r}: unexpected {tok.string!r}")
        if tok.type == tokenize.OP and tok.string not in {"+", "-", "*", "/", "**", "^", "(", ")"}:
            raise InputError(
                f"cannot parse expression {text!r}: operator {tok.string!r} is not allowed "
                "(use + - * / ** and parentheses)"
            )
        if tok.type == tokenize.NUMBER and tok.string.lower().endswith("j"):
            raise InputError(f"cannot parse expression {text!r}: complex numbers are not allowed")
        out.append(tok)
    return out


def _names(node: EvalTreeNode | tokenize.TokenInfo) -> set[str]:
    if isinstance(node, tokenize.TokenInfo):
        return {node.string} if node.type == tokenize.NAME else set()
    found: set[str] = set()
    for child in (node.left, node.right):
        if child is not None:
            found |= _names(child)
    return found


@dataclass(frozen=True)
class Expression:
    """A parsed amount expression; ``names`` are the identifiers it uses."""

    text: str
    tree: EvalTreeNode

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(_names(self.tree))

    def parameters(self, known: Mapping[str, Any]) -> frozenset[str]:
        """The names in this expression that are parameters (the rest must be units)."""
        return frozenset(n for n in self.names if n in known)

    def evaluate(self, values: Mapping[str, pint.Quantity]) -> pint.Quantity:
        """Evaluate with parameter ``values`` (scalars or numpy arrays) to a pint quantity.

        Scalar evaluations are remembered by text and the values of the parameters used (a
        run's alternatives evaluate the same amounts with the same values again): the result
        is the quantity the same evaluation gave before. Errors are raised afresh each time."""
        ureg = registry()
        key = _memo_key(self, values, ureg)
        if key is not None:
            known = _MEMO.get(key)
            if known is not None:
                return known
        result = self._evaluate(values, ureg)
        if key is not None:
            if len(_MEMO) >= _MEMO_SIZE:
                _MEMO.clear()
            _MEMO[key] = result
        return result

    def _evaluate(self, values: Mapping[str, pint.Quantity], ureg: pint.UnitRegistry) -> Any:

        def leaf(tok: tokenize.TokenInfo) -> Any:
            if tok.type == tokenize.NUMBER:
                try:
                    return ureg.Quantity(float(tok.string), "")
                except ValueError:
                    raise InputError(f"bad number {tok.string!r} in {self.text!r}") from None
            name = tok.string
            if name in values:
                return values[name]
            if name.lower() in {"nan", "inf", "infinity"}:
                raise InputError(f"{name!r} in {self.text!r} is not a finite number")
            unit = unit_named(name)
            if unit is None:
                raise InputError(
                    f"unknown name {name!r} in expression {self.text!r}: it is neither a "
                    "parameter nor a unit"
                )
            return ureg.Quantity(1.0, unit)

        def power(a: Any, b: Any) -> Any:
            b_q = b if isinstance(b, pint.Quantity) else ureg.Quantity(b, "")
            if not b_q.dimensionless or np.ndim(b_q.magnitude) != 0:
                raise InputError(f"an exponent must be a plain number in {self.text!r}")
            exp = float(b_q.to("").magnitude)
            if abs(exp) > MAX_EXPONENT:
                raise InputError(f"exponent {exp:g} is too large in {self.text!r}")
            return a**exp

        def divide(a: Any, b: Any) -> Any:
            mag = b.magnitude if isinstance(b, pint.Quantity) else b
            if np.any(np.asarray(mag) == 0):
                raise InputError(f"division by zero in expression {self.text!r}")
            return a / b

        def checked(fn: Any) -> Any:
            def run(a: Any, b: Any) -> Any:
                try:
                    return fn(a, b)
                except pint.DimensionalityError:
                    raise InputError(
                        f"cannot add or subtract {_describe(a)} and {_describe(b)} in "
                        f"{self.text!r}: both sides need the same kind of unit"
                    ) from None

            return run

        bin_ops = {
            "+": checked(operator.add),
            "-": checked(operator.sub),
            "*": operator.mul,
            "": operator.mul,
            "/": divide,
            "**": power,
            "^": power,
        }
        un_ops = {"+": lambda a: a, "-": operator.neg}
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                result = self.tree.evaluate(leaf, bin_ops, un_ops)
        except InputError:
            raise
        except (OverflowError, FloatingPointError):
            raise InputError(f"expression {self.text!r} overflows") from None
        except Exception as exc:  # a malformed tree
            raise InputError(f"cannot evaluate expression {self.text!r}: {exc}") from None
        if not isinstance(result, pint.Quantity):
            result = ureg.Quantity(result, "")
        mag = np.asarray(result.magnitude, dtype=float)
        if not np.all(np.isfinite(mag)):
            raise InputError(f"expression {self.text!r} gives a non-finite value")
        return result


_MEMO: dict[tuple, pint.Quantity] = {}
_MEMO_SIZE = 16384  # entries; cleared when full (a run needs a few hundred)


def _memo_key(expr: Expression, values: Mapping[str, Any], ureg: pint.UnitRegistry) -> tuple | None:
    """The memo key of evaluating ``expr`` with ``values``: its text, the registry, and the
    magnitude, sign and units of each parameter it uses; None when one is not a float quantity
    (sample arrays are not remembered)."""
    parts: list[Any] = [expr.text, ureg]
    for name in expr.names:
        if name not in values:
            continue
        q = values[name]
        if not isinstance(q, pint.Quantity):
            return None
        mag = q.magnitude
        if type(mag) is not float:
            return None
        # -0.0 == 0.0: the sign is part of the key (it can show in a result)
        parts.append((name, mag, math.copysign(1.0, mag), q._units))  # noqa: SLF001
    return tuple(parts)


def _describe(q: Any) -> str:
    if not isinstance(q, pint.Quantity) or q.dimensionless:
        return "a plain number (no unit)"
    return f"a quantity in {q.units:~P} ({str(q.dimensionality)})"


def parse_expression(text: Any) -> Expression:
    """Parse an amount: a quantity (``"130 kg"``), a number, or an expression of parameters.

    Texts are memoised (an Expression is immutable; the same amounts are parsed again by every
    counterfactual and variant of a run); errors are raised afresh each time."""
    if type(text) is str and len(text) <= 2 * MAX_LENGTH:
        return _parse_text(text)
    return _parse(text)


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> Expression:
    return _parse(text)


def _parse(text: Any) -> Expression:
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise InputError(f"expected a quantity or an expression, got {type(text).__name__}")
    if isinstance(text, int | float):
        text = repr(finite_float(text))
    src = text.strip()
    if not src:
        raise InputError("expected a quantity or an expression, got an empty string")
    if len(src) > MAX_LENGTH:
        raise InputError(f"expression is longer than {MAX_LENGTH} characters")
    lowered = src.lower()
    if lowered in {"nan", "inf", "-inf", "+inf", "infinity"}:
        raise InputError(f"{src!r} is not a finite number")
    toks = _tokens(normalise(src))
    if len(toks) <= 1:
        raise InputError(f"cannot parse expression {src!r}")
    depth = 0
    for tok in toks:
        depth += tok.string == "("
        depth -= tok.string == ")"
        if depth < 0:
            raise InputError(f"unbalanced parentheses in {src!r}")
    if depth != 0:
        raise InputError(f"unbalanced parentheses in {src!r}")
    try:
        tree = build_eval_tree(iter(toks))
    except Exception as exc:
        reason = str(exc) or "incomplete expression"
        raise InputError(f"cannot parse expression {src!r}: {reason}") from None
    if _depth(tree) > MAX_DEPTH:
        raise InputError(
            f"expression {src!r} nests more than {MAX_DEPTH} operations in one another"
        )
    return Expression(text=src, tree=tree)


def _depth(tree: EvalTreeNode) -> int:
    """Depth of the operator tree, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        if not isinstance(node, EvalTreeNode):
            continue
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in (node.left, node.right) if child is not None)
    return deepest


def paren(text: object) -> str:
    """Parenthesised expression text of a YAML amount (a quantity, number or expression)."""
    if isinstance(text, float | int) and not isinstance(text, bool):
        return f"({float(text)!r})"
    return f"({text})"


def parse_quantity(value: Any, *, what: str = "quantity") -> pint.Quantity:
    """Parse ``"130 kg"``, ``"0.6 kWh/100km"`` or a bare number (dimensionless).

    A string is read by the amount-expression reader (this module) with no parameters,
    so a quantity obeys the same limits as an expression: length, exponents, finite values.
    """
    ureg = registry()
    if isinstance(value, bool):
        raise InputError(f"expected a {what} with its unit, got the boolean {value!r}")
    if isinstance(value, int | float):
        return ureg.Quantity(finite_float(value, what=what), "")
    if not isinstance(value, str):
        raise InputError(f"expected a {what} such as '130 kg', got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InputError(f"expected a {what} with its unit, got an empty string")
    try:
        q = parse_expression(text).evaluate({})
    except InputError as exc:
        raise InputError(f"cannot read {short_text(text)!r} as a {what}: {exc.message}") from None
    return ureg.Quantity(float(q.magnitude), q.units)
