"""Turn pydantic validation errors into located, readable input errors."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError

from lca.errors import InputError, InputErrors

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "required key is missing",
}


DOCS = {
    "ScenarioFile": "docs/scenarios.md",
    "BackgroundFile": "docs/background-data.md",
    "": "docs/inventory-format.md",
}
"""The document describing each file format (for the unknown-key message)."""


def _expand(tp: Any) -> list[Any]:
    """The concrete types an annotation stands for (unions and Annotated unwrapped)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _expand(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return [t for a in typing.get_args(tp) for t in _expand(a)]
    return [tp]


def _step(tp: Any, part: str | int) -> list[Any]:
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        for name, f in tp.model_fields.items():
            if part in (name, f.alias):
                return _expand(f.annotation)
        return [tp] if part == tp.__name__ else []
    if origin in (list, tuple, set, frozenset) and isinstance(part, int):
        return [t for a in typing.get_args(tp)[:1] for t in _expand(a)]
    if origin is dict and isinstance(part, str):
        return [t for a in typing.get_args(tp)[1:] for t in _expand(a)]
    return []


def known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at ``loc`` (pydantic's raw error location) may have in ``model``."""
    cands: list[Any] = [model]
    for part in loc:
        nxt = [t for c in cands for t in _step(c, part)]
        cands = nxt or cands  # a union tag or a function validator's label: stay
    keys = {
        f.alias or name
        for c in cands
        if isinstance(c, type) and issubclass(c, BaseModel)
        for name, f in c.model_fields.items()
    }
    return sorted(keys)


def _unknown_key(model: type[BaseModel], err: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    key = str(loc[-1]) if loc else ""
    keys = known_keys(model, loc[:-1])
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else " (check the spelling)"
    allowed = f" Allowed here: {', '.join(keys)}." if keys and len(keys) <= 25 else ""
    return f"unknown key {key!r}{hint}{allowed} See {DOCS.get(model.__name__, DOCS[''])}."


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    if kind == "literal_error":
        return msg.replace("Input should be", "must be one of:")
    if kind in {"string_type", "int_type", "float_type", "bool_type", "list_type", "dict_type"}:
        got = err.get("input")
        return f"{msg} (got {got!r})" if not isinstance(got, dict | list) else msg
    return msg


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds union-member names such as 'Source' or 'str' to the location
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part[:1].isupper() or part in {"str", "float", "int"}):
            continue
        if isinstance(part, str) and part.startswith(("function-", "tagged-union")):
            continue
        out.append(part)
    return tuple(out)


def validate(model: type[M], doc: Any, data: Any = None, base: tuple = ()) -> M:
    """Validate ``data`` (default: ``doc.data``) against ``model``.

    ``doc`` is anything with ``error(message, key_path)`` (a Document or a SourceMap). Every
    problem is reported with the file, key path and line, all at once.
    """
    payload = doc.data if data is None else data
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        seen: set[tuple] = set()
        errors: list[InputError] = []
        for err in exc.errors():
            loc = (*base, *_clean_loc(tuple(err["loc"])))
            msg = (
                _unknown_key(model, err) if err.get("type") == "extra_forbidden" else _message(err)
            )
            if (loc, msg) in seen:
                continue
            seen.add((loc, msg))
            errors.append(doc.error(msg, loc))
        # a union of str|Source reports both members; keep the more specific messages
        if len(errors) == 1:
            raise errors[0] from None
        raise InputErrors(errors) from None
