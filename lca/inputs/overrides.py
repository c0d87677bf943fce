"""Key-path overrides (``use.electricity.supply: grid:NO``): a pure function, data in, data out.

A path is dot-separated. A list element is addressed by its ``id`` (or ``material``, ``mode``,
``record``, tried in that order) or by its index. A path that does not exist in the data is an
error, never a silent addition, except the optional keys of ``ADDABLE_KEYS`` (a supplier's
footprint and its product id, a measured flag), which an override may add to an existing item.
Setting a parameter (a mapping with ``value``) to a plain value replaces its ``value`` and keeps
its source.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from lca.errors import InputError

LIST_KEYS = ("id", "material", "mode", "record")
# optional keys an override may add where the base leaves them out (a supplier's footprint on a
# component or material line, the product it picks, a measured flag)
ADDABLE_KEYS = frozenset({"supplier_footprint", "product_id", "measured"})


def split_path(path: str) -> list[str]:
    parts = [p.strip() for p in str(path).split(".")]
    if not path or any(not p for p in parts):
        raise InputError(f"malformed key path {path!r}")
    return parts


def resolve(data: Any, parts: list[str], path: str) -> tuple[Any, str | int]:
    """Return (container, key) of the last segment of ``parts`` inside ``data``."""
    node = data
    for depth, seg in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, dict):
            if last and seg in ADDABLE_KEYS and seg not in node:
                return node, seg
            if seg not in node:
                known = ", ".join(sorted(map(str, node))) or "nothing"
                raise InputError(
                    f"key path {path!r}: {'.'.join(parts[: depth + 1])!r} does not exist in the "
                    f"base (there is: {known})"
                )
            key: str | int = seg
        elif isinstance(node, list):
            key = _list_index(node, seg, path, parts[: depth + 1])
        else:
            raise InputError(f"key path {path!r}: {'.'.join(parts[:depth])!r} is a plain value")
        if last:
            return node, key
        node = node[key]
    raise InputError(f"malformed key path {path!r}")


def _list_index(items: list, seg: str, path: str, upto: list[str]) -> int:
    for field in LIST_KEYS:
        hits = [i for i, it in enumerate(items) if isinstance(it, dict) and it.get(field) == seg]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InputError(
                f"key path {path!r}: {'.'.join(upto)!r} matches {len(hits)} entries by "
                f"{field}; use an index (0 to {len(items) - 1})"
            )
    if seg.lstrip("-").isdigit():
        idx = int(seg)
        if -len(items) <= idx < len(items):
            return idx % len(items)
    names = [str(it.get(f)) for it in items if isinstance(it, dict) for f in LIST_KEYS if f in it][
        : len(items)
    ]
    raise InputError(
        f"key path {path!r}: no entry {seg!r} in {'.'.join(upto[:-1]) or 'list'} "
        f"(entries: {', '.join(names) or 'none'})"
    )


def get(data: Any, path: str) -> Any:
    container, key = resolve(data, split_path(path), path)
    return container[key]


def apply_overrides(
    data: Mapping[str, Any],
    overrides: Mapping[str, Any],
    on_error: Callable[[InputError, str], InputError] | None = None,
) -> dict[str, Any]:
    """A deep copy of ``data`` with each override applied in the given order."""
    out = copy.deepcopy(dict(data))
    for path, value in overrides.items():
        try:
            container, key = resolve(out, split_path(path), path)
        except InputError as exc:
            raise (on_error(exc, path) if on_error else exc) from None
        current = container.get(key) if isinstance(container, dict) else container[key]
        if isinstance(current, dict) and "value" in current and not isinstance(value, dict):
            current["value"] = copy.deepcopy(value)
        else:
            container[key] = copy.deepcopy(value)
    return out
