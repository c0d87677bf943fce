"""Tabular exports: the inventory (exchange table), the results, the parameters and the data
quality, as CSV files in a folder or as one Excel workbook (openpyxl)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess
from lca.outputs.export import ExportRequest, target

INVENTORY_COLUMNS = (
    "stage", "component", "label", "record", "amount", "unit", "formula", "kg_co2e", "credit",
    "key_path", "source",
)  # fmt: skip


def tables(run: Run) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Named tables (header, rows) of a run: numbers stay numbers (kg CO2e unless named)."""
    res = run.result
    results_rows = list(csv.reader(io.StringIO(res.to_csv())))
    header, body = results_rows[0], results_rows[1:]
    body = [[r[0], r[1], float(r[2]), float(r[3]) if r[3] else None] for r in body]
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
        "results": (header, body),
        "inventory": (list(INVENTORY_COLUMNS), inventory),
        "parameters": (["name", "value", "unit", "expression", "source"], params),
        "data_quality": (
            ["record", "name", "kg_co2e", "weight", "dqr", "reliability", "completeness",
             "temporal", "geographical", "technological", "primary_data", "estimate",
             "geography", "reference_year", "source"],
            quality,
        ),
    }  # fmt: skip


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in r])
    return buf.getvalue()


def export_csv(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    folder = target(request, run, "csv")
    return {folder / f"{name}.csv": _csv(h, rows) for name, (h, rows) in tables(run).items()}


def export_xlsx(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in tables(run).items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(r)
        ws.freeze_panes = "A2"
    info = wb.create_sheet("about", 0)
    res = run.result
    for row in (
        ["name", res.name],
        ["vehicle", res.vehicle.get("name", "")],
        ["boundary", res.boundary],
        ["functional unit", res.functional_unit],
        ["indicator", "climate change, GWP100, kg CO2e (climate change only)"],
        ["GWP set", res.gwp_set],
        ["recycling approach", res.approach],
        ["total kg CO2e", res.total_kg_co2e],
        ["g CO2e per km", res.per_km_g_co2e],
        ["created (UTC)", res.provenance.get("timestamp_utc", "")],
        ["tool version", res.provenance.get("tool_version", "")],
    ):
        info.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return {target(request, run, "xlsx"): buf.getvalue()}
