"""Tabular exports: the results as a tidy table (one row per figure, with its label and unit),
the inventory (exchange table), the parameters and the data quality, as CSV files in a folder
(numbers rounded to significant digits, :func:`lca.numbers.csv_number`) or as one Excel
workbook (openpyxl: number formats, filters, frozen header, an about sheet with provenance)."""

from __future__ import annotations

import csv
import io
import posixpath
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess
from lca.numbers import csv_number
from lca.outputs.export import ExportRequest, target
from lca.outputs.palette import STAGE_LABELS

KG = "kg CO2e"
RESULT_COLUMNS = ("scenario", "group", "key", "label", "value", "unit", "share_percent", "gwp_set")
INVENTORY_COLUMNS = (
    "stage", "component", "label", "record", "amount", "unit", "formula", "kg_co2e", "credit",
    "key_path", "source",
)  # fmt: skip
ORIGIN_LABELS = {
    "fossil": "Fossil GHG emissions",
    "biogenic": "Biogenic GHG emissions",
    "land_use_change": "Direct land-use change emissions",
}


def _figures(run: Run) -> list[list[Any]]:
    """The results, one row per figure: (scenario, group, key, label, value, unit, share %,
    GWP set); gases twice, as mass (kg) and as kg CO2e."""
    res, db = run.result, run.system.database
    total = res.total_kg_co2e
    rows: list[list[Any]] = []

    def add(group: str, key: str, label: str, value: float, unit: str = KG) -> None:
        share = 100.0 * value / total if unit == KG and total else None
        rows.append([res.name, group, key, label, value, unit, share, res.gwp_set])

    add("total", "total", f"Carbon footprint, {res.boundary} (market-based)", total)
    add("total", "per_km", "Carbon footprint per km", res.per_km_g_co2e, "g CO2e/km")
    add("total", "location_based", "Carbon footprint, location-based electricity",
        res.location_based_total)  # fmt: skip
    add("total", "lifetime_distance", "Lifetime distance", res.lifetime_distance_km, "km")
    for k, v in res.stages_kg_co2e.items():
        add("stage", k, STAGE_LABELS.get(k, k), v)
    comps = {c.id: c.description or c.id for c in run.system.inventory.components}
    for k, v in res.components_kg_co2e.items():
        add("component", k, comps.get(k, k), v)
    for k, kg in res.gases_kg.items():
        name = db.flows[k].name if k in db.flows else k
        if k != "co2e":  # already-characterised CO2e has no mass of its own
            add("gas_mass", k, name, kg, "kg")
        add("gas", k, name, res.gases_kg_co2e.get(k, 0.0))
    add("origin", "fossil", ORIGIN_LABELS["fossil"], res.fossil_kg_co2e)
    add("origin", "biogenic", ORIGIN_LABELS["biogenic"], res.biogenic_kg_co2e)
    add("origin", "land_use_change", ORIGIN_LABELS["land_use_change"], res.land_use_change_kg_co2e)
    add("reported_separately", "aircraft", "Aircraft transport emissions (included in the total)",
        res.aircraft_kg_co2e)  # fmt: skip
    add("reported_separately", "credits", "End-of-life recycling credits (not in the total)",
        res.credits_kg_co2e)  # fmt: skip
    return rows


def tables(run: Run) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Named tables (header, rows) of a run: numbers stay numbers, each with a unit."""
    res = run.result
    inventory = [[e.get(c) for c in INVENTORY_COLUMNS] for e in res.exchanges]
    params = [
        [k, v["value"], v["unit"], v["expression"], v["source"] if isinstance(v["source"], str)
         else v["source"].get("title", "")]
        for k, v in res.parameters.items()
    ]  # fmt: skip
    q = assess(run.system, run.calculation.contributions)
    quality = [
        [r.record, r.name, r.kg_co2e, r.weight, r.dqr, *(
            (r.scores or {}).get(k) for k in
            ("reliability", "completeness", "temporal", "geographical", "technological")
        ), r.primary_data, r.estimate, r.geography, r.reference_year, r.source]
        for r in q.records
    ]  # fmt: skip
    return {
        "results": (list(RESULT_COLUMNS), _figures(run)),
        "inventory": (list(INVENTORY_COLUMNS), inventory),
        "parameters": (["name", "value", "unit", "expression", "source"], params),
        "data_quality": (
            ["record", "name", "kg_co2e", "weight", "dqr", "reliability", "completeness",
             "temporal", "geographical", "technological", "primary_data", "estimate",
             "geography", "reference_year", "source"],
            quality,
        ),
    }  # fmt: skip


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float | int):
        return csv_number(v)
    return v


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def export_csv(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    folder = target(request, run, "csv")
    return {folder / f"{name}.csv": _csv(h, rows) for name, (h, rows) in tables(run).items()}


def number_format(value: float) -> str:
    """An Excel number format that shows ``value`` to about 4 significant digits."""
    a = abs(value)
    if a == 0 or a >= 100:
        return "#,##0"
    if a >= 1:
        return "#,##0.0"
    if a >= 0.001:
        return "0.000"
    return "0.00E+00"


def about(run: Run) -> list[tuple[str, Any]]:
    """The about sheet: what the numbers are and where they come from."""
    res = run.result
    prov = res.provenance
    rows: list[tuple[str, Any]] = [
        ("scenario", res.name),
        ("vehicle", res.vehicle.get("name", "")),
        ("functional unit", res.functional_unit),
        ("boundary", res.boundary),
        ("indicator", f"climate change only, GWP100 ({res.gwp_set}), kg CO2e"),
        ("recycling approach", res.approach),
        ("total (kg CO2e)", res.total_kg_co2e),
        ("per km (g CO2e/km)", res.per_km_g_co2e),
        ("tool", f"{prov.get('tool', 'vehicle-lca')} {prov.get('tool_version', '')}".strip()),
        ("calculated (UTC)", prov.get("timestamp_utc", "")),
    ]
    for i in prov.get("inputs", []):
        # the file name only: the folders are the user's machine
        name = posixpath.basename(i["file"].replace("\\", "/"))
        rows.append(("input file", f"{name} (sha256 {i['sha256']})"))
    for d in prov.get("datasets", []):
        rows.append(("background data", f"{d['dataset']} {d['version']} (sha256 {d['sha256']})"))
    rows += [
        ("sheet results", "one row per figure; unit in the unit column; gases as mass (group "
         "gas_mass, kg) and as CO2e (group gas); share_percent of the total"),
        ("sheet inventory", "one row per exchange: amount in unit, kg CO2e, the inventory key"),
        ("sheet parameters", "the parameters with their values, units, formulas and sources"),
        ("sheet data_quality", "records by contribution with pedigree scores (1 best .. 5)"),
    ]  # fmt: skip
    return rows


def _sheet(wb: Any, name: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, float | int) and not isinstance(c.value, bool):
                c.number_format = (
                    "0.0" if header[c.column - 1].endswith("percent") else (number_format(c.value))
                )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows[:200] if r[i - 1]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)


def export_xlsx(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    info = wb.active
    info.title = "about"
    for row in about(run):
        info.append(list(row))
    for c in info["A"]:
        c.font = Font(bold=True)
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 100
    for name, (header, rows) in tables(run).items():
        _sheet(wb, name, header, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return {target(request, run, "xlsx"): buf.getvalue()}
