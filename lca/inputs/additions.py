"""What a scenario adds to its base: new ``parameters``, its own ``trajectories``, and optional
keys of the inventory format that the base leaves out (``components.battery.replacements``).

Pure functions on plain data; the loader records where each addition came from so later errors
name the scenario file and line.
"""

from __future__ import annotations

import copy
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from lca.errors import InputError, KeyPath
from lca.inputs.overrides import resolve, split_path
from lca.inputs.yamlio import Document
from lca.schema.inventory import Inventory

Lines = dict[KeyPath, tuple[Path, int | None]]


def add_parameters(
    data: dict[str, Any], params: dict[str, Any], doc: Document, path: Path
) -> tuple[dict[str, Any], Lines]:
    """``data`` with the scenario's new parameters; a name the base already has is an error
    (change it with an override). Built-in names are refused later, at this file's line."""
    out = copy.deepcopy(data)
    table = out.setdefault("parameters", {})
    if not isinstance(table, dict):
        raise doc.error("the base's 'parameters' is not a mapping", ("parameters",))
    lines: Lines = {}
    for name, spec in params.items():
        kp = ("parameters", name)
        if name in table:
            raise doc.error(
                f"parameter {name!r} is already in the base; change it with "
                f"'overrides: {{parameters.{name}: ...}}'",
                kp,
            )
        if not isinstance(spec, dict):
            raise doc.error(
                "a new parameter needs value and source (for example {value: 0.1, source: ...})",
                kp,
            )
        table[name] = copy.deepcopy(spec)
        lines[kp] = (path, doc.line_of(kp))
    return out, lines


def add_trajectories(
    data: dict[str, Any], trajectories: list[Any], doc: Document, path: Path
) -> tuple[dict[str, Any], Lines]:
    """``data`` with the scenario's trajectories appended to the inventory's."""
    out = copy.deepcopy(data)
    items = list(out.get("trajectories") or [])
    lines: Lines = {}
    for i, item in enumerate(trajectories):
        idx = len(items)
        items.append(copy.deepcopy(item))
        for kp, line in doc.lines.items():
            if kp[:2] == ("trajectories", i):
                lines[("trajectories", idx, *kp[2:])] = (path, line)
    out["trajectories"] = items
    return out, lines


def with_optional_key(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    """``data`` with the last key of ``dotted`` present (as None) when the base leaves out an
    optional key that the inventory format knows at that place; otherwise ``data`` unchanged
    (the override then reports the missing key as usual)."""
    try:
        parts = split_path(dotted)
    except InputError:
        return data
    try:
        node = resolve(data, parts[:-1], dotted) if len(parts) > 1 else None
    except InputError:
        return data
    node = node[0][node[1]] if node is not None else data
    if not isinstance(node, dict) or parts[-1] in node:
        return data
    model = _model_at(parts[:-1])
    if model is None or parts[-1] not in model.model_fields:
        return data
    if model.model_fields[parts[-1]].is_required():
        return data
    out = copy.deepcopy(data)
    target = out
    if len(parts) > 1:
        container, key = resolve(out, parts[:-1], dotted)
        target = container[key]
    target[parts[-1]] = None
    return out


def _model_at(parts: list[str]) -> type[BaseModel] | None:
    """The format's model of the mapping at ``parts`` (None where the format has no model).
    A segment after a list or a mapping of models picks an element (an id, index or name)."""
    model: Any = Inventory
    selector = False
    for seg in parts:
        if selector:
            selector = False
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(seg)
        if field is None:
            return None
        model = _unwrap(field.annotation)
        origin = typing.get_origin(model)
        if origin is list:
            model, selector = _unwrap(typing.get_args(model)[0]), True
        elif origin is dict:
            model, selector = _unwrap(typing.get_args(model)[1]), True
    if selector:
        return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The non-None member of ``X | None`` (or the annotation itself)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        return args[0] if len(args) == 1 else annotation
    return annotation
