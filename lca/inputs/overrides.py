"""Key-path overrides (``use.electricity.supply: grid:NO``): a pure function, data in, data out.

A path is dot-separated. A list element is addressed by its ``id`` (or ``material``, ``mode``,
``record``, tried in that order) or by its index. A path that does not exist in the data is an
error, never a silent addition, except the optional keys of ``ADDABLE_KEYS`` (a supplier's
footprint and its product id, a measured flag), which an override may add to an existing item.
Setting a parameter (a mapping with ``value``) to a plain value replaces its ``value`` and keeps
its uncertainty; its ``source`` becomes the given ``source`` (for a scenario: "set by <scenario
file>"), and the replaced value and source move to its ``note``.
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


def did_you_mean(word: str, choices: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices`` (difflib), or ``""``."""
    import difflib

    close = difflib.get_close_matches(word, [c for c in choices if c != word], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


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
                keys = sorted(map(str, node))
                where = ".".join(parts[:depth]) or "the top level"
                raise InputError(
                    f"{seg!r} does not exist in the base at {where}"
                    f"{did_you_mean(seg, keys)} (there is: {', '.join(keys) or 'nothing'})"
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
        f"no entry {seg!r} in {'.'.join(upto[:-1]) or 'the list'}{did_you_mean(seg, names)} "
        f"(entries: {', '.join(names) or 'none'}, or an index 0 to {len(items) - 1})"
    )


def get(data: Any, path: str) -> Any:
    container, key = resolve(data, split_path(path), path)
    return container[key]


def apply_overrides(
    data: Mapping[str, Any],
    overrides: Mapping[str, Any],
    on_error: Callable[[InputError, str], InputError] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """A deep copy of ``data`` with each override applied in the given order; ``source`` is
    recorded on a sourced parameter whose value a plain value replaces."""
    out = copy.deepcopy(dict(data))
    for path, value in overrides.items():
        try:
            container, key = resolve(out, split_path(path), path)
        except InputError as exc:
            raise (on_error(exc, path) if on_error else exc) from None
        current = container.get(key) if isinstance(container, dict) else container[key]
        if isinstance(current, dict) and "value" in current and not isinstance(value, dict):
            if source is not None and "source" in current:
                current["note"] = _replaced_note(current)
                current["source"] = source
            current["value"] = copy.deepcopy(value)
        else:
            container[key] = copy.deepcopy(value)
    return out


def _replaced_note(param: Mapping[str, Any]) -> str:
    """What a plain-value override replaced: the old value and its source (and note)."""
    src = param.get("source")
    if isinstance(src, Mapping):
        src = src.get("title") or str(dict(src))
    text = f"replaces {param.get('value')} from {src}"
    return f"{text}; {param['note']}" if param.get("note") else text
