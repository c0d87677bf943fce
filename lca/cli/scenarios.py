"""Command line for scenarios: ``vlca compare`` and ``vlca chart`` (and the chart files of
``vlca run``). Thin: calculation in ``pipeline``, comparison in ``compare``, drawing in
``charts``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from lca.cli.common import (
    DEFAULT_SEED,
    BackgroundOption,
    GwpOption,
    QuietOption,
    SeedOption,
    VerboseOption,
    command,
    count_progress,
    err,
    gwp_name,
    input_files,
    samples_bound,
    say,
    setup_logging,
)
from lca.cli.compare_tables import print_comparison, print_paired
from lca.cli.sweeps import print_sweep, run_sweep_cli, split_sweeps, sweep_files
from lca.errors import InputError

log = logging.getLogger(__name__)

PROGRESS_FROM = 2  # show a progress bar from this many scenarios on
RESULT_KEYS = ("name", "total_kg_co2e", "per_km_g_co2e", "lifetime_distance_km", "stages_kg_co2e")


class ChartSize(StrEnum):
    """Chart sizes of lca.outputs.chartstyle."""

    a4 = "a4"
    slide = "slide"


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def chart_files(figures: Mapping[str, Any], folder: Path) -> dict[Path, bytes]:
    """PNG and SVG bytes of each figure, under ``folder``."""
    from lca.outputs.charts import figure_files

    files: dict[Path, bytes] = {}
    for stem, fig in figures.items():
        files.update(figure_files(fig, folder / stem))
    return files


def run_chart_files(result: Any, folder: Path) -> dict[Path, bytes]:
    """The chart files ``vlca run`` writes for one result (``folder/charts/*.png|svg``)."""
    from lca.outputs.charts import scenario_charts

    return chart_files(scenario_charts(result), folder / "charts")


def _load_all(files: Sequence[Path]) -> list:
    from lca.inputs.loader import load_scenarios

    loaded = []
    for f in files:
        loaded.extend(load_scenarios(f))
    return loaded


def _run_all(loaded: list, db: Any, gwp: str | None, show_progress: bool) -> list:
    """Every loaded scenario's result, in order, on forked workers (one per core; see
    :mod:`lca.analysis.parallel`): the same results as one after the other."""
    from lca.analysis.parallel import fork_map
    from lca.analysis.pipeline import run_loaded

    # no refresh thread: the workers are forked while the bar is shown
    with count_progress(show_progress, auto_refresh=False) as progress:
        task = progress.add_task("calculating", total=len(loaded))

        def done(i: int) -> None:
            progress.update(task, advance=1, description=f"calculated {escape(loaded[i].name)}")
            progress.refresh()

        return fork_map(
            lambda i: run_loaded(loaded[i], background=db, gwp=gwp), len(loaded), done=done
        )


def paired_uncertainty(
    loaded: list, db: Any, gwp: str | None, baseline: str, n: int, seed: int
) -> dict[str, Any]:
    """Paired Monte Carlo of every scenario against ``baseline`` (common random numbers)."""
    from lca.analysis.uncertainty import paired_comparison
    from lca.calc.montecarlo import compile_model
    from lca.model.system import build_system

    models = {}
    for item in loaded:
        system = build_system(item, db, gwp)
        models[item.name] = compile_model(system, item.sources.error)
    return paired_comparison(models, baseline, n, seed)


@command()
def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario or inventory files (a variants file counts all).")
    ],
    baseline: Annotated[
        str | None,
        typer.Option(
            help="Name of the scenario that differences are taken against (default: the "
            "combustion reference if there is one, else the first scenario)."
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="Combustion reference for break-even (default: the baseline if it is one, "
            "else the first petrol scenario, else the first combustion scenario)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output folder (default reports/comparison), replaced as a whole by this run.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="table: a readable summary; json: comparison.json on stdout.",
        ),
    ] = OutputFormat.table,
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Write the charts.")] = True,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            min=2,
            callback=samples_bound(),
            help="Also sample every scenario N times with common random numbers: probability "
            "that each is lower than the baseline and the distribution of the difference "
            "(N at most 10,000,000).",
        ),
    ] = None,
    seed: SeedOption = DEFAULT_SEED,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address for a large sweep (a variants file of more than 500 "
            "combinations); default: threads on this machine."
        ),
    ] = None,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Compare scenarios: a table, comparison.json/.csv, each scenario's result.json, charts."""
    setup_logging(verbose)
    from lca.model.background import load_background
    from lca.outputs.files import reserve, write_outputs

    db = load_background(background)
    files, grids = split_sweeps(files)
    loaded = _load_all(files)
    folder = output or Path("reports") / "comparison"
    inputs = input_files(loaded, background, *(g.path for g in grids))
    g = gwp_name(gwp)
    with reserve([folder], inputs=inputs):  # a second run into this folder stops here
        show = not quiet and fmt is OutputFormat.table and len(loaded) >= PROGRESS_FROM
        results = _run_all(loaded, db, g, show and err.is_terminal)
        sweeps = [run_sweep_cli(x, db, g, scheduler, not quiet and err.is_terminal) for x in grids]
        comparison, plain, tables = _comparison(results, sweeps, baseline, reference)
        if uncertainty:
            comparison["uncertainty"] = paired_uncertainty(
                loaded, db, g, comparison["baseline"], uncertainty, seed
            )
        text, payload = _all_files(folder, comparison, plain, tables, results, charts)
        write_outputs(payload, folders=[folder], inputs=inputs)
    if fmt is OutputFormat.json:
        sys.stdout.write(text)
    elif not quiet:
        _print_all(comparison, plain, payload, folder, len(results), charts)


def _comparison(results: list, sweeps: list, baseline: str | None, reference: str | None):  # noqa: ANN202
    """(comparison, plain comparison or None, sweep tables) of the results and sweeps."""
    from lca.analysis.compare import compare as make_comparison

    try:
        if sweeps:
            from lca.analysis.sweep_table import sweep_comparison

            return sweep_comparison(
                [r.to_dict() for r in results], sweeps, baseline=baseline, reference=reference
            )
        comparison = make_comparison(results, baseline=baseline, reference=reference)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return comparison, comparison, []


def _all_files(folder, comparison, plain, tables, results, charts):  # noqa: ANN001, ANN202
    """comparison.json's text and every file ``vlca compare`` writes (sweep tables included)."""
    from lca.outputs.jsonfile import dumps

    text = dumps(comparison, "comparison.json")
    payload = _comparison_files(folder, comparison, plain, text, results, charts)
    if tables:
        extra = sweep_files(tables, folder, charts)
        payload[folder / "comparison.csv"] = str(payload[folder / "comparison.csv"]) + str(
            extra.pop(folder / "comparison.csv", "")
        )
        payload.update(extra)
    return text, payload


def _print_all(comparison, plain, payload, folder, n_results, charts) -> None:  # noqa: ANN001
    if plain is not None:
        print_comparison(plain)
    for entry in comparison.get("sweeps", ()):
        print_sweep(entry)
    if "uncertainty" in comparison:
        print_paired(comparison["uncertainty"])
    n_charts = sum(1 for p in payload if p.suffix == ".png")
    say(
        f"\nwrote {folder}/comparison.json, comparison.csv, {n_results} result.json "
        f"under results/" + (f", {n_charts} charts (PNG and SVG) under charts/" if charts else "")
    )


def _comparison_files(
    folder: Path,
    comparison: dict[str, Any],
    plain: dict[str, Any],
    text: str,
    results: list,
    charts: bool,
) -> dict[Path, str | bytes]:
    """Everything ``vlca compare`` writes under ``folder`` (nothing written yet)."""
    from lca.analysis.compare import comparison_csv

    payload: dict[Path, str | bytes] = {
        folder / "comparison.json": text,
        folder / "comparison.csv": comparison_csv(comparison),
    }
    for r in results:
        payload[folder / "results" / r.name / "result.json"] = r.to_json()
    if charts and results:
        from lca.outputs.charts import comparison_charts

        payload.update(chart_files(comparison_charts(results, plain), folder / "charts"))
    return payload


def _read_result(path: Path) -> dict[str, Any]:
    import json

    if not path.exists():
        raise InputError("file not found", file=path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a JSON file: {exc}", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    if not isinstance(data, dict):
        raise InputError("expected a result.json object", file=path)
    missing = [k for k in RESULT_KEYS if k not in data]
    if missing:
        raise InputError(f"not a result.json of vlca run (missing {', '.join(missing)})", file=path)
    return data


@command()
def chart(
    files: Annotated[list[Path], typer.Argument(help="result.json files written by vlca run.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output folder (default: charts/ beside the first result.json), replaced as a "
            "whole.",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(help="With several results: the scenario name the waterfalls start from."),
    ] = None,
    size: Annotated[
        ChartSize,
        typer.Option(
            case_sensitive=False, help="a4 (the text column of an A4 page) or slide (16:9)."
        ),
    ] = "a4",
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Draw the charts of saved results without recalculating (several: comparison charts)."""
    setup_logging(verbose)
    from lca.analysis.compare import compare as make_comparison
    from lca.outputs.charts import comparison_charts, scenario_charts
    from lca.outputs.files import reserve, write_outputs

    results = [_read_result(f) for f in files]
    comparison = None
    if len(results) > 1:  # checked before the output folder is reserved
        try:
            comparison = make_comparison(results, baseline=baseline)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    folder = output or files[0].parent / "charts"
    with reserve([folder], inputs=files):
        if comparison is None:
            figures = scenario_charts(results[0], size=size.value)
        else:
            figures = comparison_charts(results, comparison, size=size.value)
        payload = chart_files(figures, folder)
        write_outputs(dict(payload), folders=[folder], inputs=files)
    if not quiet:
        say(f"wrote {len(payload) // 2} charts (PNG and SVG) to {folder}/")
