"""``vlca bom import``: a bill-of-materials spreadsheet (CSV/XLSX) into an inventory YAML.

The written inventory is built (every record and unit checked, the mass balance against the
curb mass computed) before anything is written; on any problem nothing is written (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from lca.cli.common import BackgroundOption, app, guarded, out
from lca.errors import InputError

bom_app = typer.Typer(
    help="Bill of materials from a spreadsheet (PLM or IMDS export).", no_args_is_help=True
)
app.add_typer(bom_app, name="bom")


def known_materials(db) -> dict[str, str]:  # noqa: ANN001
    """Material keys and kg records a BOM line may name (id -> name)."""
    from lca.model.units import parse_unit, registry

    kg = registry().get_dimensionality(parse_unit("kg"))
    out_ = {k: f.name for k, f in db.materials.items()}
    for rid, rec in db.records.items():
        if registry().get_dimensionality(parse_unit(rec.unit)) == kg:
            out_.setdefault(rid, rec.name)
    return out_


def _to_kg(text: str) -> float:
    import pint

    from lca.model.expressions import parse_quantity

    q = parse_quantity(text, what="mass")
    try:
        return float(q.to("kg").magnitude)
    except pint.DimensionalityError:
        raise InputError(f"is not a mass ({q.units:~P})") from None


def build_inventory_text(
    bom: Path,
    base: Path,
    mapping: Path | None,
    sheet: str | None,
    output: Path,
    db,  # noqa: ANN001
) -> tuple[str, dict]:
    """The new inventory's YAML text and a summary; raises InputError, writes nothing."""
    import yaml

    from lca.inputs.bom import load_mapping, merge_bom, read_bom, resolve_materials
    from lca.inputs.loader import LoadedInput, SourceMap, load_input
    from lca.inputs.yamlio import parse_yaml_text
    from lca.model.system import build_system

    loaded = load_input(base)
    if loaded.kind != "inventory":
        raise InputError("--base must be an inventory, not a scenario", file=base)
    lines = read_bom(bom, _to_kg, sheet)
    mat_map, comp_map = load_mapping(mapping)
    known = known_materials(db)
    for name, key in mat_map.items():
        if key not in known:
            raise InputError(
                f"mapping {name!r} -> {key!r}: {key!r} is neither a material key nor a record "
                "with unit kg",
                file=mapping,
                path=("materials", name),
            )
    resolved = resolve_materials(lines, known, mat_map, mapping or bom)
    data, dropped = merge_bom(loaded.data, lines, resolved, comp_map, bom.name)
    _rebase_paths(data, base.parent, output.parent)
    head = (
        f"# Inventory written by `vlca bom import {bom.name} --base {base.name}`: components and\n"
        f"# materials from the bill of materials {bom.name}, everything else from {base.name}.\n"
    )
    text = head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    doc = parse_yaml_text(text, output)
    system = build_system(
        LoadedInput(output.stem, "inventory", None, doc.data, SourceMap(doc), (output,)), db
    )
    bom_kg = sum(line.mass_kg for line in lines)
    battery_kg = float(system.parameter_values["battery_mass"].to("kg").magnitude)
    curb = float(system.parameter_values["curb_mass"].to("kg").magnitude)
    summary = {
        "rows": len(lines),
        "components": len({c["id"] for c in data["components"]}),
        "bom_kg": bom_kg,
        "battery_kg": battery_kg,
        "curb_kg": curb,
        "deviation": (bom_kg + battery_kg - curb) / curb,
        "dropped": dropped,
    }
    return text, summary


def _rebase_paths(data: dict, old: Path, new: Path) -> None:
    """Relative ``supplier_footprint`` paths of the base, rewritten for the output's folder."""
    import os

    items = [c for c in data.get("components") or [] if isinstance(c, dict)]
    items += [m for c in items for m in c.get("materials") or [] if isinstance(m, dict)]
    for item in items:
        ref = item.get("supplier_footprint")
        if isinstance(ref, str) and not Path(ref).is_absolute():
            target = (old / ref).resolve()
            item["supplier_footprint"] = os.path.relpath(target, new.resolve())


@bom_app.command("import")
@guarded
def import_bom(
    bom: Annotated[Path, typer.Argument(help="The bill of materials, .csv or .xlsx.")],
    base: Annotated[Path, typer.Option(help="Inventory that gives everything but the BOM.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The new inventory YAML.")],
    mapping: Annotated[
        Path | None, typer.Option(help="YAML: table names -> material keys / record ids.")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help="Sheet of an XLSX file (default: the first).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
    background: BackgroundOption = None,
) -> None:
    """Write an inventory whose components and materials come from BOM."""
    from lca.inputs.files import check_background_path, check_path
    from lca.model.background import load_background
    from lca.outputs.files import write_outputs

    for path, what in ((bom, "BOM file"), (base, "--base file"), (mapping, "--mapping file"),
                       (output, "--output file")):
        if path is not None:
            check_path(path, what)
    same = {p.resolve() for p in (bom, base) + ((mapping,) if mapping else ())}
    if output.resolve() in same:
        raise InputError("--output must be a new file, not one of the inputs", file=output)
    if output.exists() and not force:
        raise InputError("exists already; choose another --output or add --force", file=output)
    check_background_path(background)
    db = load_background(background)
    text, s = build_inventory_text(bom, base, mapping, sheet, output, db)
    write_outputs({output: text}, inputs=[p for p in (bom, base, mapping) if p is not None])
    warn = ", more than 5 %: check the BOM" if abs(s["deviation"]) > 0.05 else ""
    out.print(
        f"read {s['rows']} BOM rows into {s['components']} components; BOM "
        f"{s['bom_kg']:,.1f} kg + battery {s['battery_kg']:,.1f} kg = "
        f"{s['bom_kg'] + s['battery_kg']:,.1f} kg vs curb mass {s['curb_kg']:,.1f} kg "
        f"({100 * s['deviation']:+.1f} %{warn})",
        soft_wrap=True,
    )
    if s["dropped"]:
        out.print(
            "components of the base with materials not in the BOM were left out: "
            + escape(", ".join(s["dropped"])),
            soft_wrap=True,
        )
    out.print(f"wrote {escape(str(output))}", soft_wrap=True)
