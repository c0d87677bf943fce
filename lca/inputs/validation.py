"""Turn pydantic validation errors into located, readable input errors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lca.errors import InputError, InputErrors

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling; see docs/inventory-format.md)",
    "missing": "required key is missing",
}


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
            msg = _message(err)
            if (loc, msg) in seen:
                continue
            seen.add((loc, msg))
            errors.append(doc.error(msg, loc))
        # a union of str|Source reports both members; keep the more specific messages
        if len(errors) == 1:
            raise errors[0] from None
        raise InputErrors(errors) from None
