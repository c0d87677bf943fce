"""The sweep part of ``vlca compare``: variants files of more than 500 combinations evaluated on
the compiled engine (:mod:`lca.analysis.sweep`), their summary on the terminal and their files
(Parquet table, extra comparison.csv rows, heatmap)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape

from lca.cli.common import count_progress, out


def print_sweep(entry: Mapping[str, Any]) -> None:
    """A sweep's summary: range of g CO2e/km, the extremes, the axes by influence."""
    pk = entry["per_km_g_co2e"]
    out.print(
        f"[bold]Sweep {escape(entry['name'])}[/]: {entry['variants']:,} variants "
        f"({entry['structurally_distinct_systems']} distinct systems), g CO2e/km "
        f"{pk['min']:,.1f} to {pk['max']:,.1f} (median {pk['p50']:,.1f}); lowest "
        f"{escape(entry['lowest'])}, highest {escape(entry['highest'])}"
    )
    for a in entry["influence"]:
        out.print(
            f"  {escape(a['axis'])} ({a['values']} values): the mean moves by "
            f"{a['range_g_co2e_per_km']:,.1f} g CO2e/km"
        )
    if "break_even_km" in entry:
        b = entry["break_even_km"]
        out.print(
            f"  break-even {b['min']:,.0f} to {b['max']:,.0f} km (median {b['p50']:,.0f}); "
            f"{b['variants_without_break_even']:,} variants without one"
        )


def split_sweeps(files: Sequence[Path]) -> tuple[list[Path], list]:
    """Variants files of more than MAX_VARIANTS combinations (evaluated as sweeps) apart."""
    from lca.inputs.loader import MAX_VARIANTS, variant_grid

    plain, grids = [], []
    for f in files:
        grid = variant_grid(f) if f.suffix in (".yaml", ".yml") and f.is_file() else None
        if grid is not None and grid.count > MAX_VARIANTS:
            grids.append(grid)
        else:
            plain.append(f)
    return plain, grids


def run_sweep_cli(grid: Any, db: Any, gwp: str | None, scheduler: str | None, show: bool) -> Any:
    from lca.analysis.sweep import run_sweep

    with count_progress(show) as progress:
        task = progress.add_task(f"sweep {grid.name}", total=grid.count)
        return run_sweep(
            grid, db, gwp, scheduler=scheduler, progress=lambda k: progress.advance(task, k)
        )


def sweep_files(tables: list, folder: Path, charts: bool) -> dict[Path, str | bytes]:
    """Each sweep's Parquet table, its rows beyond comparison.json's, and its heatmap."""
    from lca.analysis.sweep_table import JSON_ROWS
    from lca.outputs.charts import figure_files
    from lca.outputs.sweep import csv_rows, heatmap, parquet_bytes

    files: dict[Path, str | bytes] = {}
    csv_extra = ""
    for t in tables:
        files[folder / "sweeps" / f"{t.sweep.grid.name}.parquet"] = parquet_bytes(t)
        if t.sweep.count > JSON_ROWS:
            csv_extra += csv_rows(t)
        if charts:
            files.update(figure_files(heatmap(t), folder / "charts" / f"sweep-{t.sweep.grid.name}"))
    if csv_extra:
        files[folder / "comparison.csv"] = csv_extra  # appended by the caller
    return files
