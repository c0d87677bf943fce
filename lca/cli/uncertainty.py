"""Commands ``vlca uncertainty``, ``vlca sensitivity`` and ``vlca export`` (thin: the work is in
lca.montecarlo, lca.uncertainty and lca.export)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from lca.cli.app import (
    BackgroundOption,
    GwpOption,
    QuietOption,
    VerboseOption,
    _default_output,
    _fail,
    _setup_logging,
    app,
    err,
    out,
)
from lca.errors import CalculationError, InputError
from lca.outputs.palette import STAGE_NAMES

SEED_HELP = "Random seed: the same seed and -n give the same samples, bit for bit."


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
        title=f"{report['name']}: {report['n']:,} Monte Carlo samples (seed {report['seed']}), "
        "kg CO2e",
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


def _print_break_even(be: dict[str, Any]) -> None:
    d = be["distribution_km"]
    det = be["deterministic_km"]
    out.print(
        f"break-even against {be['reference']}: "
        + (f"{det:,.0f} km deterministic" if det is not None else "never (deterministic)")
        + (
            f"; median {d['p50']:,.0f} km, 95 % interval {d['p2_5']:,.0f}-{d['p97_5']:,.0f} km"
            if d
            else ""
        )
        + f"; P(within the {be['lifetime_distance_km']:,.0f} km life) = "
        f"{be['probability_within_lifetime']:.3f}"
    )


VIOLIN_SAMPLES = 100_000


@app.command()
def uncertainty(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    n: Annotated[int, typer.Option("-n", help="Number of Monte Carlo samples.", min=2)] = 10_000,
    seed: Annotated[int, typer.Option(help=SEED_HELP, min=0)] = 0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder (default reports/<name>).")
    ] = None,
    samples_out: Annotated[
        Path | None,
        typer.Option("--samples-out", help="Save the per-sample totals (kg CO2e) as .npy."),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(help="Combustion reference (inventory or scenario) for the break-even."),
    ] = None,
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
    _setup_logging(verbose)
    from lca.analysis import uncertainty as unc
    from lca.analysis import uncertainty_stream as ust
    from lca.inputs.yamlio import write_files_atomically
    from lca.outputs.uncertainty_charts import distribution_chart

    streamed = False
    try:
        _, system, model = load_model(file, background, gwp)
        if not model.inputs:
            raise InputError(
                "nothing is uncertain: give parameters or records an 'uncertainty'", file=file
            )
        ref_model = load_model(reference, background, gwp)[2] if reference else None
        others = {str(p): load_model(p, background, gwp)[2] for p in compare_to or ()}
        prog, advance = _progress(n, "sampling", quiet)
        if prog:
            prog.start()
        try:
            if n >= ust.STREAM_FROM and scheduler is None:
                report, samples = ust.monte_carlo_report_streamed(
                    model, n, seed, progress=advance, samples_out=samples_out
                )
                streamed = True
            else:
                report, samples = unc.monte_carlo_report(
                    model, n, seed, scheduler=scheduler, progress=advance
                )
        finally:
            if prog:
                prog.stop()
        if ref_model is not None:
            report["break_even"] = unc.break_even(model, ref_model, n, seed)
        if others:
            models = {str(file): model, **others}
            report["comparison"] = unc.paired_comparison(models, str(file), n, seed)
    except (InputError, CalculationError) as exc:
        _fail(exc)
    except OSError as exc:  # a Dask scheduler that cannot be reached
        _fail(CalculationError(f"cannot run on scheduler {scheduler!r}: {exc}"))
    folder = output or _default_output(system.name)
    stats = report["total_kg_co2e"]
    png = distribution_chart(
        f"{system.inventory.vehicle.name} ({system.name}): uncertainty of the cradle-to-grave "
        f"footprint, {system.gwp_set} GWP100",
        samples.total / 1000,
        # the stage violins' density estimates from the first samples (their cost grows with n;
        # the shape is settled long before 10^5); the histogram and statistics use every sample
        samples.stages[:, :VIOLIN_SAMPLES] / 1000,
        model.stages,
        report["deterministic_kg_co2e"] / 1000,
        stats,
    )
    files: dict[Path, str | bytes] = {
        folder / "uncertainty.json": json.dumps(report, indent=2) + "\n",
        folder / "uncertainty.png": png,
    }
    if samples_out is not None and not streamed:  # (a streamed run wrote its own)
        buf = io.BytesIO()
        np.save(buf, samples.total)
        files[samples_out] = buf.getvalue()
    write_files_atomically(files)
    if quiet:
        return
    out.print(_stats_table(report))
    out.print(
        f"engine: {report['engine']['seconds']:.2f} s, "
        f"{report['engine']['samples_per_second']:,.0f} samples/s; "
        f"{len(model.inputs)} uncertain inputs"
    )
    if "break_even" in report:
        _print_break_even(report["break_even"])
    if "comparison" in report:
        for name, r in report["comparison"]["systems"].items():
            if name == str(file):
                continue
            d = r["difference_kg_co2e"]
            out.print(
                f"{name}: P(lower than {file}) = {r['probability_lower_than_baseline']:.3f}; "
                f"difference median {d['p50']:+,.0f} kg (95 %: {d['p2_5']:+,.0f} to "
                f"{d['p97_5']:+,.0f})"
            )
    written = ", ".join(str(p) for p in files)
    out.print(f"\nwrote {written}")


@app.command()
def sensitivity(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    method: Annotated[str, typer.Option(help="oat, sobol or morris.")] = "oat",
    n: Annotated[
        int | None,
        typer.Option(
            "-n",
            help="sobol: base sample size N (runs N(d+2), a power of 2; default "
            "1024); morris: trajectories (default 100); break-even: MC samples.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help=SEED_HELP, min=0)] = 0,
    range_: Annotated[
        float | None,
        typer.Option(
            "--range",
            help="oat: vary each input by -/+ this percentage instead of P5/P95.",
            min=0.0,
            max=100.0,
        ),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(help="Combustion reference for the break-even distance (its distribution)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder (default reports/<name>).")
    ] = None,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Which inputs move the footprint: one at a time (tornado), Sobol or Morris.

    Writes sensitivity.json and sensitivity-<method>.png into reports/<name>/ (or --output).
    """
    _setup_logging(verbose)
    from lca.analysis import uncertainty as unc
    from lca.inputs.yamlio import write_files_atomically
    from lca.outputs import uncertainty_charts as charts

    methods = ("oat", "sobol", "morris")
    if method not in methods:
        _fail(InputError(f"unknown method {method!r}; choose one of {', '.join(methods)}"))
    try:
        _, system, model = load_model(file, background, gwp)
        if not model.inputs:
            raise InputError(
                "nothing is uncertain: give parameters or records an 'uncertainty'", file=file
            )
        if method == "oat":
            res = unc.oat(model, relative=range_ / 100 if range_ is not None else None)
        elif method == "sobol":
            base_n = n or 1024
            if base_n & (base_n - 1):
                raise InputError(f"-n {base_n}: Sobol needs a power of 2 (for example 1024)")
            res = unc.sobol(model, base_n, seed)
        else:
            res = unc.morris(model, n or 100, seed)
        res["name"] = system.name
        if reference is not None:
            ref_model = load_model(reference, background, gwp)[2]
            res["break_even"] = unc.break_even(model, ref_model, n or 100_000, seed)
    except (InputError, CalculationError) as exc:
        _fail(exc)
    folder = output or _default_output(system.name)
    title = f"{system.inventory.vehicle.name} ({system.name})"
    if method == "oat":
        png = charts.tornado_chart(
            f"{title}: one at a time, each input at its {res['range']}",
            res["inputs"],
            res["deterministic_kg_co2e"],
        )
    elif method == "sobol":
        png = charts.sobol_chart(
            f"{title}: Sobol indices of the total (N = {res['n']}, {res['runs']:,} runs)",
            res["inputs"],
        )
    else:
        png = charts.morris_chart(
            f"{title}: Morris screening ({res['trajectories']} trajectories)", res["inputs"]
        )
    files: dict[Path, str | bytes] = {
        folder / "sensitivity.json": json.dumps(res, indent=2) + "\n",
        folder / f"sensitivity-{method}.png": png,
    }
    write_files_atomically(files)
    if quiet:
        return
    t = Table(title=f"{system.name}: sensitivity ({method})", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("input")
    if method == "oat":
        t.add_column("low -> high", justify="right")
        t.add_column("swing kg CO2e", justify="right")
        for r in res["inputs"][:15]:
            lo, hi = r["low_value"], r["high_value"]
            fmt = (lambda v: v) if isinstance(lo, str) else (lambda v: f"{v:,.4g}")
            t.add_row(
                str(r["rank"]),
                r["label"],
                f"{fmt(lo)} -> {fmt(hi)} {r['unit']}",
                f"{r['swing_kg_co2e']:+,.0f}",
            )
    elif method == "sobol":
        t.add_column("S1 (±CI)", justify="right")
        t.add_column("ST (±CI)", justify="right")
        for i, r in enumerate(res["inputs"][:15], 1):
            t.add_row(
                str(i),
                r["label"],
                f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                f"{r['ST']:.3f} ± {r['ST_conf']:.3f}",
            )
    else:
        t.add_column("mu* kg CO2e", justify="right")
        t.add_column("sigma", justify="right")
        for i, r in enumerate(res["inputs"][:15], 1):
            t.add_row(
                str(i), r["label"], f"{r['mu_star_kg_co2e']:,.0f}", f"{r['sigma_kg_co2e']:,.0f}"
            )
    out.print(t)
    if "break_even" in res:
        _print_break_even(res["break_even"])
    out.print(f"\nwrote {', '.join(str(p) for p in files)}")
