"""Command ``vlca uncertainty`` (thin: the work is in lca.calc.montecarlo and
lca.analysis.uncertainty), and the model loading it shares with ``vlca sensitivity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lca.cli.common import (
    DEFAULT_SEED,
    MAX_SAMPLES,
    MAX_STREAMED_SAMPLES,
    BackgroundOption,
    GwpOption,
    InputFileArgument,
    KeptOutputOption,
    QuietOption,
    ReferenceOption,
    SeedOption,
    VerboseOption,
    command,
    default_output,
    err,
    gwp_name,
    out,
    samples_bound,
    say,
    setup_logging,
    wrote,
)
from lca.errors import InputError
from lca.outputs.palette import STAGE_NAMES


def load_model(file: Path, background: Path | None, gwp: str | None):  # noqa: ANN201
    """Product system and compiled sampling model of an inventory or scenario file."""
    from lca.calc.montecarlo import compile_model
    from lca.inputs.loader import load_input
    from lca.model.background import load_background
    from lca.model.system import build_system

    db = load_background(background)
    loaded = load_input(file)
    system = build_system(loaded, db, gwp)
    return loaded, system, compile_model(system, loaded.sources.error)


def _progress(total: int, label: str, quiet: bool):  # noqa: ANN202
    """A rich progress bar (on stderr) for long runs; None when quiet or short."""
    if quiet or total < 2_000_000:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = prog.add_task(label, total=total)
    return prog, lambda k: prog.advance(task, k)


def _stats_table(report: dict[str, Any]) -> Table:
    t = Table(
        title=f"{escape(report['name'])}: {report['n']:,} Monte Carlo samples "
        f"(seed {report['seed']}), kg CO2e",
        title_justify="left",
    )
    for col in ("", "deterministic", "mean", "sd", "P2.5", "median", "P97.5"):
        t.add_column(col, justify="right" if col else "left")
    for stage, s in report["stages_kg_co2e"].items():
        if s["p97_5"] == 0 and s["p2_5"] == 0:
            continue
        det = report["deterministic_stages_kg_co2e"][stage]
        t.add_row(
            STAGE_NAMES.get(stage, stage),
            f"{det:,.0f}",
            f"{s['mean']:,.0f}",
            f"{s['sd']:,.0f}",
            f"{s['p2_5']:,.0f}",
            f"{s['p50']:,.0f}",
            f"{s['p97_5']:,.0f}",
        )
    t.add_section()
    s = report["total_kg_co2e"]
    t.add_row(
        "[bold]Total[/]",
        f"{report['deterministic_kg_co2e']:,.0f}",
        f"{s['mean']:,.0f}",
        f"{s['sd']:,.0f}",
        f"{s['p2_5']:,.0f}",
        f"{s['p50']:,.0f}",
        f"{s['p97_5']:,.0f}",
    )
    k = report["per_km_g_co2e"]
    t.add_row(
        "per km (g)",
        f"{report['deterministic_per_km_g_co2e']:,.1f}",
        f"{k['mean']:,.1f}",
        f"{k['sd']:,.1f}",
        f"{k['p2_5']:,.1f}",
        f"{k['p50']:,.1f}",
        f"{k['p97_5']:,.1f}",
    )
    return t


def print_break_even(be: dict[str, Any]) -> None:
    d = be["distribution_km"]
    det = be["deterministic_km"]
    out.print(
        f"break-even against {escape(str(be['reference']))}: "
        + (f"{det:,.0f} km deterministic" if det is not None else "never (deterministic)")
        + (
            f"; median {d['p50']:,.0f} km, 95 % interval {d['p2_5']:,.0f}-{d['p97_5']:,.0f} km"
            if d
            else ""
        )
        + f"; P(within the {be['lifetime_distance_km']:,.0f} km life) = "
        f"{be['probability_within_lifetime']:.3f}"
    )


VIOLIN_SAMPLES = 20_000
"""Samples of each stage sent to the chart helper: the ones its violins draw
(:data:`lca.outputs.uncertainty_charts.VIOLIN_SAMPLES`, not imported here as that module
imports matplotlib; a test checks the two agree); the histogram and statistics use every
sample."""


#: the summary keys the distribution chart draws (P2.5, P50, P97.5 of the total)
CHART_PERCENTILES = ("p2_5", "p50", "p97_5")


def nothing_uncertain(file: Path) -> InputError:
    return InputError(
        "nothing is uncertain: give parameters or records an 'uncertainty'", file=file
    )


def distribution_figure(title, total_kg, stages_kg, stage_names, det_kg, stats, gwp_set):  # noqa: ANN001, ANN201
    """The distribution chart of samples in kg (``stats`` None: the percentiles the chart marks,
    the numbers of the report's summary). Module level: a chart worker process draws it, without
    importing the calculation (lca.calc.montecarlo: a third of a second)."""
    from lca.outputs.uncertainty_charts import distribution_chart

    return distribution_chart(
        title,
        total_kg / 1000,
        stages_kg / 1000,
        stage_names,
        det_kg / 1000,
        chart_percentiles(total_kg) if stats is None else stats,
        gwp_set=gwp_set,
    )


def chart_percentiles(total_kg) -> dict[str, float]:  # noqa: ANN001
    """P2.5, P50 and P97.5 of ``total_kg`` (kg), the numbers lca.calc.montecarlo.summary gives
    (np.percentile picks the same order statistics), without importing the calculation."""
    import numpy as np

    q = np.percentile(total_kg, [2.5, 50, 97.5])
    return {k: float(v) for k, v in zip(CHART_PERCENTILES, q, strict=True)}


def _chart_args(system, model, samples, det_kg, stats=None) -> tuple:  # noqa: ANN001
    return (
        f"{system.inventory.vehicle.name}: uncertainty of the cradle-to-grave footprint",
        samples.total,
        samples.stages[:, :VIOLIN_SAMPLES],
        model.stages,
        det_kg,
        stats,
        system.gwp_set,
    )


def _sample(
    file, model, n, seed, scheduler, quiet, ref_model, others, samples_out=None, ready=None
):  # noqa: ANN001, ANN202, E501
    """The Monte Carlo report (with break-even and paired comparison), the samples and whether
    they were streamed (from ``STREAM_FROM`` samples: statistics accumulated chunk by chunk,
    the samples file, if asked for, written while sampling). ``ready(samples, det_kg)`` is
    called when the in-memory samples are drawn."""
    from lca.analysis import uncertainty as unc
    from lca.analysis import uncertainty_stream as ust
    from lca.errors import CalculationError

    prog, advance = _progress(n, "sampling", quiet)
    if prog:
        prog.start()
    streamed = n >= ust.STREAM_FROM and scheduler is None
    try:
        if streamed:
            report, samples = ust.monte_carlo_report_streamed(
                model, n, seed, progress=advance, samples_out=samples_out
            )
        else:
            report, samples = unc.monte_carlo_report(
                model, n, seed, scheduler=scheduler, progress=advance, samples_ready=ready
            )
    except OSError as exc:  # a Dask scheduler that cannot be reached
        raise CalculationError(f"cannot run on scheduler {scheduler!r}: {exc}") from None
    finally:
        if prog:
            prog.stop()
    if ref_model is not None:
        report["break_even"] = unc.break_even(model, ref_model, min(n, MAX_SAMPLES), seed)
    if others:
        models = {str(file): model, **others}
        report["comparison"] = unc.paired_comparison(models, str(file), min(n, MAX_SAMPLES), seed)
    return report, samples, streamed


def _uncertainty_files(folder, system, model, report, samples, samples_out, charts):  # noqa: ANN001, ANN202
    """uncertainty.json, uncertainty.png/.svg (and the samples as .npy unless already written
    while streaming: ``samples_out`` None): nothing written yet. The chart comes from the
    ``charts`` worker (submitted when the samples were drawn, or now)."""
    import io

    import numpy as np

    from lca.outputs.jsonfile import dumps

    if not charts.submitted:
        det_kg, stats = report["deterministic_kg_co2e"], report["total_kg_co2e"]
        charts.submit(
            distribution_figure,
            _chart_args(system, model, samples, det_kg, stats),
            Path("uncertainty"),
        )
    text = dumps(report, "uncertainty.json")
    files: dict[Path, str | bytes] = {folder / "uncertainty.json": text}
    if samples_out is not None:
        buf = io.BytesIO()
        np.save(buf, samples.total)
        files[samples_out] = buf.getvalue()
    chart = charts.result()
    files.update({folder / p.name: data for p, data in chart.items()})
    return files


@command()
def uncertainty(
    file: InputFileArgument,
    n: Annotated[
        int,
        typer.Option(
            "-n",
            help="Number of Monte Carlo samples (at most 1,000,000,000; large runs are "
            "streamed: statistics accumulated chunk by chunk, samples kept only with "
            "--samples-out).",
            min=2,
            callback=samples_bound(MAX_STREAMED_SAMPLES),
        ),
    ] = 10_000,
    seed: SeedOption = DEFAULT_SEED,
    output: KeptOutputOption = None,
    samples_out: Annotated[
        Path | None,
        typer.Option("--samples-out", help="Save the per-sample totals (kg CO2e) as .npy."),
    ] = None,
    reference: ReferenceOption = None,
    compare_to: Annotated[
        list[Path] | None,
        typer.Option(
            "--compare-to",
            help="Other systems to compare with FILE (the baseline), "
            "sampled with common random numbers. Repeatable.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://host:8786) to run on.")
    ] = None,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Monte Carlo: the distribution of the footprint (total, per km, per stage).

    Writes uncertainty.json and uncertainty.png into reports/<name>/ (or --output).
    """
    setup_logging(verbose)
    from lca.cli.chart_worker import ChartWorker

    with ChartWorker() as charts:  # imports matplotlib on the other core meanwhile
        report, files, model = _uncertainty_run(
            file,
            n,
            seed,
            output,
            samples_out,
            reference,
            compare_to,
            scheduler,
            gwp,
            background,
            quiet,
            charts,
        )
    if quiet:
        return
    _print_report(file, report, model, files)


def _uncertainty_run(
    file: Path,
    n: int,
    seed: int,
    output: Path | None,
    samples_out: Path | None,
    reference: Path | None,
    compare_to: list[Path] | None,
    scheduler: str | None,
    gwp: str | None,
    background: Path | None,
    quiet: bool,
    charts: Any,
) -> tuple[dict[str, Any], dict[Path, str | bytes], Any]:
    """Load, sample and write; return the report, the files written and the model."""
    from lca.outputs.files import reserve, write_outputs

    g = gwp_name(gwp)
    loaded, system, model = load_model(file, background, g)
    if not model.inputs:
        raise nothing_uncertain(file)
    inputs = [*loaded.files, *filter(None, [background])]
    ref_model = None
    if reference:
        ref_loaded, _, ref_model = load_model(reference, background, g)
        inputs += ref_loaded.files
    others = {}
    for p in compare_to or ():
        other_loaded, _, others[str(p)] = load_model(p, background, g)
        inputs += other_loaded.files
    folder = output or default_output(system.name)
    if samples_out is not None and samples_out in (
        folder / "uncertainty.json",
        folder / "uncertainty.png",
        folder / "uncertainty.svg",
    ):
        raise InputError(
            "--samples-out names a file this command writes itself; choose another name",
            file=samples_out,
        )
    extra = [samples_out] if samples_out is not None else []

    def ready(samples: Any, det_kg: float) -> None:
        charts.submit(
            distribution_figure, _chart_args(system, model, samples, det_kg), Path("uncertainty")
        )

    with reserve([folder], extra, inputs=inputs, merge=True):  # a second run stops here
        report, samples, streamed = _sample(
            file, model, n, seed, scheduler, quiet, ref_model, others, samples_out, ready
        )
        files = _uncertainty_files(
            folder, system, model, report, samples, None if streamed else samples_out, charts
        )
        write_outputs(files, folders=[folder], merge=True, inputs=inputs)
    return report, files, model


def _print_report(file: Path, report: dict[str, Any], model: Any, files: Any) -> None:
    out.print(_stats_table(report))
    out.print(
        f"engine: {report['engine']['seconds']:.2f} s, "
        f"{report['engine']['samples_per_second']:,.0f} samples/s; "
        f"{len(model.inputs)} uncertain inputs"
    )
    if "break_even" in report:
        print_break_even(report["break_even"])
    if "comparison" in report:
        for name, r in report["comparison"]["systems"].items():
            if name == str(file):
                continue
            d = r["difference_kg_co2e"]
            say(
                f"{name}: P(lower than {file}) = {r['probability_lower_than_baseline']:.3f}; "
                f"difference median {d['p50']:+,.0f} kg (95 %: {d['p2_5']:+,.0f} to "
                f"{d['p97_5']:+,.0f})"
            )
    say("")
    wrote(files)
