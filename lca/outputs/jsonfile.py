"""Strict JSON for every file vlca writes: a NaN or an infinity is an error naming its key path,
raised before anything is written (never ``null``, never the non-standard ``NaN``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lca.errors import CalculationError, format_path


def _non_finite_path(obj: Any, path: tuple[str | int, ...] = ()) -> tuple | None:
    """Key path of the first non-finite float in ``obj`` (None if all are finite)."""
    if isinstance(obj, float):
        return None if math.isfinite(obj) else path
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            hit = _non_finite_path(v, (*path, str(k)))
            if hit is not None:
                return hit
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            hit = _non_finite_path(v, (*path, i))
            if hit is not None:
                return hit
    elif hasattr(obj, "dtype") and hasattr(obj, "tolist"):  # numpy scalars and arrays
        return _non_finite_path(obj.tolist(), path)
    return None


def check_finite(obj: Any, what: str = "output") -> None:
    """Raise a :class:`CalculationError` naming the key path of a NaN or infinity in ``obj``."""
    hit = _non_finite_path(obj)
    if hit is not None:
        raise CalculationError(
            f"{what}: the value at '{format_path(hit)}' is not a finite number (NaN or "
            "infinity); nothing was written. An input is probably out of range (an infinite "
            "uncertainty width or weight, or an extreme amount)."
        )


def _default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy scalar or array
        return obj.tolist()
    raise TypeError(f"cannot write a {type(obj).__name__} as JSON")


def dumps(obj: Any, what: str = "output", *, indent: int | None = 2) -> str:
    """Strict JSON text of ``obj`` (ends with a newline): non-finite numbers are an error."""
    check_finite(obj, what)
    return json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False, default=_default) + (
        "\n"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def check_json_text(path: Path, data: bytes) -> None:
    """A ``.json`` output must parse as strict JSON (no ``NaN``/``Infinity``)."""
    try:
        json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except ValueError as exc:
        raise CalculationError(
            f"{path}: would not be valid JSON ({exc}); non-finite numbers are not written. "
            "Nothing was written."
        ) from None
