"""Reading a bill-of-materials table (CSV or XLSX) and matching its header to the columns
``lca.inputs.bom`` knows: names compared case-insensitively, spaces and underscores alike, with
the aliases a PLM or IMDS export uses (``docs/primary-data.md`` lists them)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from lca.errors import InputError

# canonical column -> accepted header names (compared lower-case, spaces/underscores collapsed)
ALIASES: dict[str, tuple[str, ...]] = {
    "component": (
        "component", "assembly", "system", "module", "bom group", "group", "parent assembly",
        "top level assembly", "component id",
    ),
    "material": (
        "material", "material name", "material designation", "material key", "imds material",
        "werkstoff", "material description",
    ),
    "mass_kg": (
        "mass_kg", "mass kg", "mass [kg]", "mass (kg)", "weight [kg]", "weight (kg)", "weight kg",
        "net weight (kg)", "net weight [kg]", "net mass (kg)", "weight_kg",
    ),
    "mass_g": (
        "mass_g", "mass [g]", "mass (g)", "weight [g]", "weight (g)", "weight g",
        "measured weight (g)", "calculated weight (g)", "net weight (g)",
    ),
    "mass": ("mass", "weight", "net weight", "net mass"),
    "unit": ("unit", "mass unit", "weight unit", "uom", "unit of measure"),
    "quantity": ("quantity", "qty", "quantity per vehicle", "qty per vehicle", "count"),
    "recycled_mass_kg": (
        "recycled_mass_kg", "recycled mass (kg)", "recycled mass [kg]", "recycled kg",
        "recyclate mass (kg)",
    ),
    "recycled_share": (
        "recycled_share", "recycled share", "recycled content", "recyclate share",
        "recycled fraction",
    ),
    "recycled_percent": (
        "recycled %", "recycled content (%)", "recycled content %", "recyclate (%)",
        "recycled share (%)", "recyclate share (%)",
    ),
    "supplier": ("supplier", "supplier name", "vendor", "manufacturer", "company", "imds company"),
    "country": ("country", "country of origin", "origin", "coo", "production country"),
    "part_number": (
        "part_number", "part number", "part no", "part no.", "part/item no.", "item number",
        "item no", "item no.", "p/n", "pn", "article number", "node id",
    ),
    "part_name": ("part_name", "part name", "description", "item name", "node name", "name"),
    "record": ("record", "background record", "record id"),
}
REQUIRED = ("component", "material")
MASS_COLUMNS = ("mass_kg", "mass_g", "mass")


def _norm(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text).strip().lower())


_LOOKUP = {_norm(a): canon for canon, names in ALIASES.items() for a in names}


def read_table(path: Path, sheet: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a CSV or XLSX file (cells as read: text, numbers or None)."""
    import pandas as pd

    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError("file not found", file=path)
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(
                path, sheet_name=sheet or 0, dtype=object, header=None, engine="openpyxl"
            )
        elif suffix in (".csv", ".txt"):
            if not path.read_text(encoding="utf-8-sig", errors="replace").strip():
                raise InputError("the sheet is empty (no header row)", file=path)
            if sheet is not None:
                raise InputError("--sheet applies to XLSX files only", file=path)
            frame = pd.read_csv(
                path, dtype=str, header=None, keep_default_na=False, sep=None, engine="python"
            )
        else:
            raise InputError(f"unsupported file type {suffix!r}: use .csv or .xlsx", file=path)
    except InputError:
        raise
    except ValueError as exc:  # unknown sheet, unreadable workbook
        raise InputError(f"cannot read the table: {exc}", file=path) from None
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many types on bad files
        raise InputError(f"cannot read the table: {exc}", file=path) from None
    rows = [[_cell(v) for v in r] for r in frame.itertuples(index=False, name=None)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("the sheet is empty (no header row)", file=path)
    header = ["" if v is None else str(v) for v in rows[0]]
    return header, rows[1:]


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def map_columns(header: list[str], path: Path) -> dict[str, int]:
    """Canonical column -> index; unknown headers are ignored, duplicates and gaps are errors."""
    cols: dict[str, int] = {}
    for i, name in enumerate(header):
        canon = _LOOKUP.get(_norm(name))
        if canon is None:
            continue
        if canon in cols:
            raise InputError(
                f"columns {header[cols[canon]]!r} and {name!r} both mean {canon!r}; keep one",
                file=path, line=1,
            )
        cols[canon] = i
    missing = [c for c in REQUIRED if c not in cols]
    if not any(c in cols for c in MASS_COLUMNS):
        missing.append("mass_kg (or mass_g, or mass with a unit)")
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)}; the header row has: "
            f"{', '.join(repr(h) for h in header if h) or 'nothing'} "
            "(accepted names: docs/primary-data.md)",
            file=path, line=1,
        )
    if "recycled_mass_kg" in cols and ("recycled_share" in cols or "recycled_percent" in cols):
        raise InputError("give recycled_mass_kg or a recycled share, not both", file=path, line=1)
    return cols
