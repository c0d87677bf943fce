"""Commands ``vlca run | validate | schema`` (and the entry point). Thin: no calculation here.

Shared options, the consoles and the error wrapper are in :mod:`lca.cli.common`; the other
commands live in :mod:`lca.cli.scenarios`, :mod:`lca.cli.uncertainty`, :mod:`lca.cli.sensitivity`
and :mod:`lca.cli.report` (imported at the end of this module, so that ``vlca --help`` lists
every command; they import :mod:`lca.cli.common`, never this module).
Input problems print one clear message per problem and exit with code 2; nothing is written.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lca.cli.common import (
    EXIT_INPUT,
    BackgroundOption,
    GwpOption,
    QuietOption,
    VerboseOption,
    app,
    command,
    default_output,
    err,
    gwp_name,
    input_files,
    out,
    print_input_error,
    say,
    setup_logging,
)
from lca.errors import InputError
from lca.outputs.palette import STAGE_LABELS

if TYPE_CHECKING:
    from lca.outputs.chart_workers import ChartWorkers


def print_result(result) -> None:  # noqa: ANN001
    """A readable summary table of a result."""
    total = result.total_kg_co2e
    title = (
        f"{result.name}: {result.vehicle.get('name', '')}, cradle to grave, "
        f"GWP100 {result.gwp_set}, kg CO2e per vehicle"
    )
    out.print(f"[bold]{escape(title)}[/]")
    t = Table()
    t.add_column("Life-cycle stage")
    t.add_column("kg CO2e", justify="right")
    t.add_column("%", justify="right")
    for stage, value in result.stages_kg_co2e.items():
        t.add_row(
            STAGE_LABELS.get(stage, stage),
            f"{value:,.0f}",
            f"{100 * value / total:.1f}" if total else "",
        )
    t.add_section()
    t.add_row("[bold]Total[/]", f"[bold]{total:,.0f}[/]", "100.0")
    t.add_row(
        f"per km ({result.lifetime_distance_km:,.0f} km)", f"{result.per_km_g_co2e:,.1f} g", ""
    )
    out.print(t)
    extra = Table(show_header=False, box=None, pad_edge=False)
    extra.add_column()
    extra.add_column(justify="right")
    extra.add_row(
        "fossil / biogenic / land-use change",
        f"{result.fossil_kg_co2e:,.0f} / {result.biogenic_kg_co2e:,.0f} / "
        f"{result.land_use_change_kg_co2e:,.0f} kg",
    )
    extra.add_row(
        "of which air freight (reported separately)", f"{result.aircraft_kg_co2e:,.0f} kg"
    )
    if result.contracts:
        extra.add_row(
            "total above is market-based; location-based (contracts replaced by local grids)",
            f"{result.location_based_total:,.0f} kg",
        )
    if result.credits_kg_co2e:
        extra.add_row("recycling credits (not in the total)", f"{result.credits_kg_co2e:,.0f} kg")
    if result.primary_data.get("share"):
        extra.add_row("primary-data share", f"{result.primary_data['share']:.1%}")
    out.print(extra)
    if result.measures:
        m = Table(title="Measures (computed against their counterfactual)", title_justify="left")
        m.add_column("measure")
        m.add_column("saves kg CO2e", justify="right")
        m.add_column("g/km", justify="right")
        m.add_column("details")
        for eff in result.measures:
            det = ", ".join(_detail(k, v) for k, v in eff.details.items())
            m.add_row(
                escape(eff.description),
                f"{eff.saving_kg_co2e:,.0f}",
                f"{eff.saving_g_co2e_per_km:,.1f}",
                det,
            )
        out.print(m)


DETAIL_LABELS = {
    "recycled_mass_kg": ("recycled mass", "kg"),
    "use_electricity_saved_kwh": ("electricity saved over the life", "kWh"),
    "use_fuel_saved_l": ("fuel saved over the life", "L"),
}


def _detail(key: str, value: float) -> str:
    label, unit = DETAIL_LABELS.get(key, (key.replace("_", " "), ""))
    return f"{label}: {value:,.0f} {unit}".strip()


@command()
def run(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output folder (default reports/<name>), replaced as a whole by this run.",
        ),
    ] = None,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    quiet: QuietOption = False,
    charts: Annotated[
        bool, typer.Option("--charts/--no-charts", help="Write the charts (PNG and SVG).")
    ] = True,
    verbose: VerboseOption = False,
) -> None:
    """Calculate the footprint and write result.json, result.csv, inventory.csv and charts.

    A scenario file with variants runs every variant, each into its own folder.
    """
    setup_logging(verbose)
    from lca.outputs.chart_workers import for_command

    # forked before the calculation's imports (the charts need none of the model), by the
    # console script before the command line's (lca.cli.main): the workers import matplotlib
    # while this process imports, loads and calculates
    with for_command(charts) as chart_workers:
        results, folders = _run_and_write(file, output, gwp, background, chart_workers)
    if not quiet:
        for result, folder in zip(results, folders, strict=True):
            print_result(result)
            extra = ", charts/" if charts else ""
            say(f"\nwrote {folder}/result.json, result.csv, inventory.csv{extra}")


def _run_and_write(
    file: Path,
    output: Path | None,
    gwp: Any,
    background: Path | None,
    chart_workers: ChartWorkers,
) -> tuple[list, list[Path]]:
    """Calculate every scenario of ``file`` and write its folder (charts when ``chart_workers``
    is enabled); the results and their folders."""
    from lca.analysis.pipeline import run_loaded
    from lca.inputs.files import check_background_path
    from lca.inputs.loader import load_scenarios
    from lca.model.background import load_background
    from lca.outputs.files import reserve, write_outputs

    check_background_path(background)
    db = load_background(background) if background else None
    loaded = load_scenarios(file)
    if output is None:
        folders = [default_output(item.name) for item in loaded]
    else:
        folders = [output / item.name for item in loaded] if len(loaded) > 1 else [output]
    inputs = input_files(loaded, background)
    with reserve(folders, inputs=inputs):
        results = [run_loaded(item, gwp=gwp_name(gwp), background=db) for item in loaded]
        if chart_workers.enabled:
            pairs = [(r.to_dict(), f / "charts") for r, f in zip(results, folders, strict=True)]
            chart_workers.submit(pairs)  # drawn while the other files are made
        files: dict[Path, str | bytes] = {}
        for result, folder in zip(results, folders, strict=True):
            files[folder / "result.json"] = result.to_json()
            files[folder / "result.csv"] = result.to_csv()
            files[folder / "inventory.csv"] = result.inventory_csv()
        if chart_workers.enabled:
            files.update(chart_workers.files(pairs))
        write_outputs(files, folders=folders, inputs=inputs)
    return results, folders


@command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Inventory or scenario files.")],
    background: BackgroundOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Check files without writing anything; exit 2 if any has a problem."""
    setup_logging(verbose)
    from lca.inputs.files import check_background_path
    from lca.inputs.loader import load_scenarios
    from lca.model.background import load_background
    from lca.model.system import build_system

    bad = 0
    check_background_path(background)
    db = load_background(background)
    for f in files:
        try:
            for item in load_scenarios(f):
                build_system(item, db)
        except InputError as exc:
            bad += 1
            print_input_error(exc)
            continue
        say(f"ok: {f}")
    if bad:
        raise typer.Exit(EXIT_INPUT)


class SchemaKind(StrEnum):
    inventory = "inventory"
    scenario = "scenario"
    background = "background"


@command()
def schema(
    kind: Annotated[
        SchemaKind, typer.Argument(help="Which file format.", case_sensitive=False)
    ] = SchemaKind.inventory,
) -> None:
    """Print the JSON Schema of a file format (for editor completion and checks)."""
    import json

    from lca.inputs.loader import ScenarioFile
    from lca.schema.background import BackgroundFile
    from lca.schema.inventory import Inventory

    models: dict[str, Any] = {
        "inventory": Inventory,
        "scenario": ScenarioFile,
        "background": BackgroundFile,
    }
    sch = models[kind.value].model_json_schema()
    sch["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    sch["title"] = f"vehicle-lca {kind.value} file"
    sys.stdout.write(json.dumps(sch, indent=2) + "\n")


# the other commands register themselves on import (they import lca.cli.common, never this module)
from lca.cli import report as _report  # noqa: E402,F401,I001
from lca.cli import scenarios as _scenarios  # noqa: E402,F401,I001
from lca.cli import uncertainty as _uncertainty  # noqa: E402,F401,I001
from lca.cli import bom as _bom  # noqa: E402,F401,I001
from lca.cli import sensitivity as _sensitivity  # noqa: E402,F401,I001
from lca.cli import serve as _serve  # noqa: E402,F401,I001


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)


if __name__ == "__main__":
    main()
