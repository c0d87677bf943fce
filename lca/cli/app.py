"""Command line: ``vlca run | validate | schema``. Thin: no calculation here.

Input problems print one clear message per problem and exit with code 2; nothing is written.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lca.errors import CalculationError, InputError
from lca.outputs.palette import STAGE_LABELS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="vehicle-lca: ISO 14067 cradle-to-grave carbon footprint of vehicles.",
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
# options shared by the commands (here and in the cli_* modules)
GwpOption = Annotated[str | None, typer.Option(help="GWP set: AR6 (default) or AR5.")]
BackgroundOption = Annotated[
    Path | None,
    typer.Option(help="Background data folder or brightway:PROJECT/DATABASE (default: bundled)."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v")]
EXIT_INPUT = 2
EXIT_CALC = 3


def _setup_logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    logger = logging.getLogger("lca")
    logger.handlers.clear()
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def _fail(exc: Exception) -> None:
    if isinstance(exc, InputError):
        for line in exc.render().splitlines():
            err.print(f"[bold red]error:[/] {escape(line)}", markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, CalculationError):
        err.print(
            f"[bold red]calculation check failed:[/] {escape(str(exc))}",
            markup=True,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_CALC)
    raise exc


def write_outputs(files: dict[Path, str | bytes]) -> None:
    """Write all files or none; a folder that cannot be written is a clear error (exit 2)."""
    from lca.inputs.yamlio import write_files_atomically

    try:
        write_files_atomically(files)
    except OSError as exc:
        target = exc.filename or next(iter(files)).parent
        _fail(InputError(f"cannot write output: {exc.strerror or exc}", file=target))


def _default_output(name: str) -> Path:
    return Path("reports") / name


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


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder (default reports/<name>).")
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
    _setup_logging(verbose)
    from lca.analysis.pipeline import run_loaded
    from lca.inputs.loader import load_scenarios
    from lca.model.background import load_background

    try:
        db = load_background(background) if background else None
        results = [run_loaded(item, gwp=gwp, background=db) for item in load_scenarios(file)]
    except (InputError, CalculationError) as exc:
        _fail(exc)
    files: dict[Path, str | bytes] = {}
    folders = []
    for result in results:
        if output is None:
            folder = _default_output(result.name)
        else:
            folder = output / result.name if len(results) > 1 else output
        folders.append(folder)
        files[folder / "result.json"] = result.to_json()
        files[folder / "result.csv"] = result.to_csv()
        files[folder / "inventory.csv"] = result.inventory_csv()
        if charts:
            from lca.cli.scenarios import run_chart_files

            files.update(run_chart_files(result, folder))
    write_outputs(files)
    if not quiet:
        for result, folder in zip(results, folders, strict=True):
            print_result(result)
            extra = ", charts/" if charts else ""
            out.print(f"\nwrote {folder}/result.json, result.csv, inventory.csv{extra}")


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Inventory or scenario files.")],
    background: BackgroundOption = None,
) -> None:
    """Check files without writing anything; exit 2 if any has a problem."""
    _setup_logging(False)
    from lca.inputs.loader import load_scenarios
    from lca.model.background import load_background
    from lca.model.system import build_system

    bad = 0
    try:
        db = load_background(background)
    except InputError as exc:
        _fail(exc)
    for f in files:
        try:
            for item in load_scenarios(f):
                build_system(item, db)
        except InputError as exc:
            bad += 1
            for line in exc.render().splitlines():
                err.print(f"[bold red]error:[/] {escape(line)}", markup=True, soft_wrap=True)
            continue
        out.print(f"ok: {f}")
    if bad:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help="inventory, scenario or background")] = "inventory",
) -> None:
    """Print the JSON Schema of a file format (for editor completion and checks)."""
    from lca.inputs.loader import ScenarioFile
    from lca.schema.background import BackgroundFile
    from lca.schema.inventory import Inventory

    models = {"inventory": Inventory, "scenario": ScenarioFile, "background": BackgroundFile}
    if kind not in models:
        err.print(f"error: unknown schema {kind!r}; choose one of {', '.join(models)}")
        raise typer.Exit(EXIT_INPUT)
    sch = models[kind].model_json_schema()
    sch["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    sch["title"] = f"vehicle-lca {kind} file"
    sys.stdout.write(json.dumps(sch, indent=2) + "\n")


from lca.cli import report as cli_report  # noqa: E402,F401,I001
from lca.cli import scenarios as cli_scenarios  # noqa: E402,F401,I001
from lca.cli import uncertainty as cli_uncertainty  # noqa: E402,F401,I001
from lca.cli import bom as cli_bom  # noqa: E402,F401,I001


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)


if __name__ == "__main__":
    main()
