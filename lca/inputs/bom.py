"""A bill of materials from a spreadsheet (CSV or XLSX, a PLM or IMDS export) into an inventory.

Reading is pure apart from the file read: ``read_bom`` returns checked lines (masses in kg),
``resolve_materials`` maps the table's material names to the tool's material keys or record ids,
``merge_bom`` puts the lines into a base inventory's data. Column names are matched
case-insensitively, with the aliases below (``docs/primary-data.md`` lists them). Every problem
is an :class:`InputError` naming the file and the spreadsheet row (the header is row 1).
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lca.errors import InputError, InputErrors
from lca.inputs.bom_table import ALIASES, REQUIRED, map_columns, read_table

__all__ = ["ALIASES", "BomLine", "load_mapping", "merge_bom", "read_bom", "resolve_materials"]

@dataclass(frozen=True)
class BomLine:
    """One row of the table: ``mass_kg`` of ``material`` in ``component`` (quantity applied)."""

    row: int  # spreadsheet row (header = 1)
    component: str
    material: str
    mass_kg: float
    unit_mass_kg: float
    recycled_kg: float | None = None
    supplier: str | None = None
    country: str | None = None
    part_number: str | None = None
    part_name: str | None = None
    record: str | None = None


def _number(value: Any, what: str, path: Path, row: int) -> float:
    if isinstance(value, bool):
        raise InputError(f"{what} must be a number, got {value!r}", file=path, line=row)
    if isinstance(value, int | float):
        x = float(value)
    else:
        try:
            x = float(str(value))
        except ValueError:
            raise InputError(
                f"{what} must be a number (a point for decimals, no thousands separators), "
                f"got {value!r}",
                file=path, line=row,
            ) from None
    if not math.isfinite(x):
        raise InputError(f"{what} must be finite, got {value!r}", file=path, line=row)
    if x < 0:
        raise InputError(f"{what} is negative ({x:g})", file=path, line=row)
    return x


def _mass(cells: dict[str, Any], path: Path, row: int, to_kg: Callable[[str], float]) -> float:
    if cells.get("mass_kg") is not None:
        return _number(cells["mass_kg"], "mass_kg", path, row)
    if cells.get("mass_g") is not None:
        return _number(cells["mass_g"], "mass in g", path, row) / 1000.0
    value = cells.get("mass")
    if value is None:
        raise InputError("the mass is empty", file=path, line=row)
    unit = cells.get("unit")
    text = f"{value} {unit}" if unit is not None else str(value)
    try:
        kg = to_kg(text)
    except InputError as exc:
        raise InputError(
            f"mass {text!r}: {exc.message} (give a unit: a 'unit' column or '12.5 kg')",
            file=path, line=row,
        ) from None
    if kg < 0:
        raise InputError(f"mass is negative ({text})", file=path, line=row)
    return kg


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _line(cells: dict[str, Any], path: Path, row: int, to_kg: Callable[[str], float]) -> BomLine:
    for c in REQUIRED:
        if cells.get(c) is None:
            raise InputError(f"the {c} is empty", file=path, line=row)
    qty = cells.get("quantity")
    qty = 1.0 if qty is None else _number(qty, "quantity", path, row)
    unit_mass = _mass(cells, path, row, to_kg)
    mass = unit_mass * qty
    recycled = None
    if cells.get("recycled_mass_kg") is not None:
        recycled = _number(cells["recycled_mass_kg"], "recycled_mass_kg", path, row) * qty
    for key, scale in (("recycled_share", 1.0), ("recycled_percent", 100.0)):
        if cells.get(key) is not None:
            share = _number(cells[key], key.replace("_", " "), path, row) / scale
            if share > 1.0:
                raise InputError(f"{key.replace('_', ' ')} is more than 100 %", file=path, line=row)
            recycled = share * mass
    if recycled is not None and recycled > mass * (1 + 1e-12):
        raise InputError(
            f"recycled mass ({recycled:g} kg) is more than the mass ({mass:g} kg)",
            file=path, line=row,
        )
    return BomLine(
        row=row,
        component=_text(cells["component"]) or "",
        material=_text(cells["material"]) or "",
        mass_kg=mass,
        unit_mass_kg=unit_mass,
        recycled_kg=recycled,
        supplier=_text(cells.get("supplier")),
        country=_text(cells.get("country")),
        part_number=_text(cells.get("part_number")),
        part_name=_text(cells.get("part_name")),
        record=_text(cells.get("record")),
    )


def read_bom(
    path: str | Path, to_kg: Callable[[str], float], sheet: str | None = None
) -> list[BomLine]:
    """Checked lines of a BOM table. ``to_kg`` converts a mass text such as ``"850 g"`` to kg.

    Every bad row is reported (all at once); a part number listed twice with different unit
    masses is an error (the same part used twice with the same mass is two uses)."""
    path = Path(path)
    header, rows = read_table(path, sheet)
    cols = map_columns(header, path)
    lines: list[BomLine] = []
    errors: list[InputError] = []
    seen: dict[str, tuple[int, float]] = {}
    for n, values in enumerate(rows, start=2):
        if all(v is None for v in values):
            continue
        cells = {c: (values[i] if i < len(values) else None) for c, i in cols.items()}
        try:
            line = _line(cells, path, n, to_kg)
        except InputError as exc:
            errors.append(exc)
            continue
        pn = line.part_number
        if pn is not None:
            unit_mass = line.unit_mass_kg
            if pn in seen and not math.isclose(seen[pn][1], unit_mass, rel_tol=1e-9):
                errors.append(
                    InputError(
                        f"part number {pn!r} is listed with {unit_mass:g} kg here and "
                        f"{seen[pn][1]:g} kg in row {seen[pn][0]}",
                        file=path, line=n,
                    )
                )
            seen.setdefault(pn, (n, unit_mass))
        lines.append(line)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    if not lines:
        raise InputError("the sheet has a header but no rows", file=path, line=1)
    return lines


def load_mapping(path: str | Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """(materials, components) of a mapping file::

        materials:            # name in the table -> material key or record id (unit kg)
          "HSLA steel": steel
          "AlSi10Mg": aluminium-cn
        components:           # optional: name in the table -> component id
          "Body in white": body
    """
    if path is None:
        return {}, {}
    from lca.inputs.yamlio import load_yaml

    doc = load_yaml(Path(path))
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise doc.error("a mapping file is a mapping with 'materials' (and 'components')")
    unknown = sorted(set(data) - {"materials", "components", "notes", "source"})
    if unknown:
        raise doc.error(
            f"unknown key(s) {', '.join(unknown)}; a mapping file has materials, components",
            (unknown[0],),
        )
    out = []
    for key in ("materials", "components"):
        section = data.get(key) or {}
        if not isinstance(section, dict):
            raise doc.error(f"'{key}' must map names to ids", (key,))
        for name, value in section.items():
            if not isinstance(value, str) or not value.strip():
                raise doc.error("the value must be an id (text)", (key, name))
        out.append({str(k): str(v).strip() for k, v in section.items()})
    return out[0], out[1]


def resolve_materials(
    lines: list[BomLine],
    known: Mapping[str, str],
    mapping: Mapping[str, str],
    path: Path,
) -> dict[int, str]:
    """Row -> material key or record id. ``known``: the tool's material keys and kg records
    (id -> name). A name that is a key maps to itself (case-insensitively), otherwise through
    ``mapping``. Every unmapped name is reported in one error with close matches."""
    lower = {k.lower(): k for k in known}
    mlower = {k.lower(): v for k, v in mapping.items()}
    out: dict[int, str] = {}
    unmapped: dict[str, list[int]] = {}
    for line in lines:
        name = line.record or line.material
        if line.record is not None:
            if line.record in known:
                out[line.row] = line.record
                continue
            unmapped.setdefault(line.record, []).append(line.row)
            continue
        key = mapping.get(name) or mlower.get(name.lower())
        if key is None:
            key = name if name in known else lower.get(name.lower())
        if key is None or key not in known:
            unmapped.setdefault(name, []).append(line.row)
            continue
        out[line.row] = key
    if unmapped:
        choices = sorted(set(known) | set(mapping))
        parts = []
        for name, rows in unmapped.items():
            close = difflib.get_close_matches(name.lower(), [c.lower() for c in choices], n=3,
                                              cutoff=0.5)
            hint = f" (close: {', '.join(close)})" if close else ""
            where = ", ".join(map(str, rows[:8])) + (" ..." if len(rows) > 8 else "")
            parts.append(f"  {name!r} in row(s) {where}{hint}")
        raise InputError(
            f"{len(unmapped)} material name(s) are neither material keys nor in the mapping "
            "file (add them under 'materials:' in the mapping, name: material key or record "
            "id):\n" + "\n".join(parts),
            file=path,
        )
    return out


def component_id(name: str, mapping: Mapping[str, str]) -> str:
    """A component id from the table's component name (mapped, or made an id: ``Body in
    white`` -> ``body-in-white``)."""
    if name in mapping:
        return mapping[name]
    slug = re.sub(r"[^A-Za-z0-9._+\-]+", "-", name.strip()).strip("-.").lower()
    return slug or "component"


def _fmt(kg: float) -> str:
    return f"{kg:.12g} kg"


def merge_bom(
    base: Mapping[str, Any],
    lines: list[BomLine],
    materials: dict[int, str],
    components_map: Mapping[str, str],
    bom_name: str,
) -> tuple[dict[str, Any], list[str]]:
    """The base inventory's data with its material lines replaced by the table's.

    Lines of one component with the same material (and recycled-or-not) are summed, with the
    rows named in ``source``. Base components without materials (the traction battery, supplier
    processing) are kept; base components that have materials but are not in the table are
    dropped. Returns (data, names of the dropped components)."""
    data = copy.deepcopy(dict(base))
    base_comps = list(data.get("components") or [])
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for line in lines:
        cid = component_id(line.component, components_map)
        key = materials[line.row]
        g = groups.setdefault(cid, {}).setdefault(
            key, {"mass": 0.0, "recycled": 0.0, "has_recycled": False, "rows": [], "parts": [],
                  "suppliers": set()}
        )
        g["mass"] += line.mass_kg
        if line.recycled_kg is not None:
            g["recycled"] += line.recycled_kg
            g["has_recycled"] = True
        g["rows"].append(line.row)
        if line.part_number:
            g["parts"].append(line.part_number)
        if line.supplier:
            g["suppliers"].add(line.supplier + (f" ({line.country})" if line.country else ""))
    by_id = {c.get("id"): c for c in base_comps if isinstance(c, dict)}
    out_comps: list[dict[str, Any]] = []
    dropped: list[str] = []
    for comp in base_comps:
        cid = comp.get("id")
        if cid in groups:
            continue  # placed below, in the table's order
        if comp.get("materials"):
            dropped.append(str(cid))
            continue
        out_comps.append(comp)
    table_comps = []
    for cid, mats in groups.items():
        comp = copy.deepcopy(by_id.get(cid, {"id": cid}))
        if "description" not in comp:
            comp["description"] = f"from the bill of materials {bom_name}"
        comp["materials"] = [_material_entry(k, g, bom_name) for k, g in mats.items()]
        table_comps.append(comp)
    data["components"] = table_comps + out_comps
    return data, dropped


def _material_entry(key: str, g: dict[str, Any], bom_name: str) -> dict[str, Any]:
    rows = g["rows"]
    where = ", ".join(map(str, rows[:20])) + (" ..." if len(rows) > 20 else "")
    src = f"bill of materials {bom_name}, row{'s' if len(rows) > 1 else ''} {where}"
    if g["parts"]:
        parts = g["parts"]
        src += f" (parts {', '.join(parts[:10])}{' ...' if len(parts) > 10 else ''})"
    entry: dict[str, Any] = {"material": key, "mass": _fmt(g["mass"])}
    if g["has_recycled"] and g["recycled"] > 0:
        entry["recycled_mass"] = _fmt(g["recycled"])
    if g["suppliers"]:
        src += "; supplier " + ", ".join(sorted(g["suppliers"]))
    entry["source"] = src
    return entry
