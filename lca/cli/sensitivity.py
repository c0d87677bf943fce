"""Command ``vlca sensitivity``: which inputs move the footprint (one at a time, Sobol, Morris).
Thin: the work is in lca.analysis.uncertainty, the drawing in lca.outputs.uncertainty_charts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lca.cli.common import (
    DEFAULT_SEED,
    MAX_SAMPLES,
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
    gwp_name,
    out,
    samples_bound,
    say,
    setup_logging,
    wrote,
)
from lca.cli.uncertainty import load_model, nothing_uncertain, print_break_even
from lca.errors import InputError

MAX_SOBOL_RUNS = MAX_SAMPLES
"""Largest number of model runs of a Sobol analysis (N(d+2))."""


class Method(StrEnum):
    oat = "oat"
    sobol = "sobol"
    morris = "morris"


def _sensitivity_result(model: Any, method: Method, n: int | None, seed: int, range_: Any):  # noqa: ANN202
    from lca.analysis import uncertainty as unc

    if method is Method.oat:
        return unc.oat(model, relative=range_ / 100 if range_ is not None else None)
    if method is Method.sobol:
        base_n = n or 1024
        if base_n & (base_n - 1):
            raise InputError(f"-n {base_n}: Sobol needs a power of 2 (for example 1024)")
        runs = base_n * (len(model.inputs) + 2)
        if runs > MAX_SOBOL_RUNS:
            raise InputError(
                f"-n {base_n}: Sobol would run the model {runs:,} times (N(d+2) with "
                f"{len(model.inputs)} inputs); at most {MAX_SOBOL_RUNS:,}"
            )
        return unc.sobol(model, base_n, seed)
    most = MAX_SAMPLES // (len(model.inputs) + 1)
    if n is not None and n > most:
        raise InputError(f"-n {n}: too many Morris trajectories (at most {most:,})")
    return unc.morris(model, n or 100, seed)


@command()
def sensitivity(
    file: InputFileArgument,
    method: Annotated[
        Method,
        typer.Option(
            case_sensitive=False,
            help="oat: one at a time (tornado); sobol: variance-based indices; morris: "
            "elementary-effects screening.",
        ),
    ] = Method.oat,
    n: Annotated[
        int | None,
        typer.Option(
            "-n",
            min=1,
            callback=samples_bound(),
            help="sobol: base sample size N (runs N(d+2), a power of 2; default "
            "1024); morris: trajectories (default 100); break-even: MC samples.",
        ),
    ] = None,
    seed: SeedOption = DEFAULT_SEED,
    range_: Annotated[
        float | None,
        typer.Option(
            "--range",
            help="oat: vary each input by -/+ this percentage instead of P5/P95.",
            min=0.0,
            max=100.0,
        ),
    ] = None,
    reference: ReferenceOption = None,
    output: KeptOutputOption = None,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Which inputs move the footprint: one at a time (tornado), Sobol or Morris.

    Writes sensitivity.json and sensitivity-<method>.png/.svg into reports/<name>/ (or --output).
    """
    setup_logging(verbose)
    from lca.cli.chart_worker import ChartWorker

    with ChartWorker() as charts:  # imports matplotlib on the other core meanwhile
        res, files = _sensitivity_run(
            file, method, n, seed, range_, reference, output, gwp, background, charts
        )
    if quiet:
        return
    out.print(_sensitivity_table(res["name"], method, res))
    if "break_even" in res:
        print_break_even(res["break_even"])
    say("")
    wrote(files)


def _sensitivity_run(
    file: Path,
    method: Method,
    n: int | None,
    seed: int,
    range_: float | None,
    reference: Path | None,
    output: Path | None,
    gwp: str | None,
    background: Path | None,
    charts: Any,
) -> tuple[dict[str, Any], dict[Path, Any]]:
    """Load, analyse and write; return the result and the files written."""
    from lca.analysis import uncertainty as unc
    from lca.outputs.files import reserve, write_outputs

    g = gwp_name(gwp)
    loaded, system, model = load_model(file, background, g)
    if not model.inputs:
        raise nothing_uncertain(file)
    inputs = [*loaded.files, *filter(None, [background])]
    ref_model = None
    if reference is not None:
        ref_loaded, _, ref_model = load_model(reference, background, g)
        inputs += ref_loaded.files
    folder = output or default_output(system.name)
    with reserve([folder], inputs=inputs, merge=True):  # a second run stops here
        res = _sensitivity_result(model, method, n, seed, range_)
        res["name"] = system.name
        if ref_model is not None:
            res["break_even"] = unc.break_even(model, ref_model, n or 100_000, seed)
        files = _sensitivity_files(folder, system, model, method, res, charts)
        write_outputs(files, folders=[folder], merge=True, inputs=inputs)
    return res, files


def sensitivity_figure(method: str, title: str, res: dict[str, Any], style: dict[str, Any]):  # noqa: ANN201
    """The chart of a sensitivity result (module level: a chart worker process draws it)."""
    from lca.outputs import uncertainty_charts as charts

    if method == Method.oat.value:
        return charts.tornado_chart(
            f"{title}: one at a time, each input at its {res['range']}",
            res["inputs"],
            res["deterministic_kg_co2e"],
            **style,
        )
    if method == Method.sobol.value:
        return charts.sobol_chart(
            f"{title}: Sobol indices of the total (N = {res['n']}, {res['runs']:,} runs)",
            res["inputs"],
            **style,
        )
    return charts.morris_chart(
        f"{title}: Morris screening ({res['trajectories']} trajectories)",
        res["inputs"],
        **style,
    )


def _sensitivity_files(
    folder: Path, system: Any, model: Any, method: Method, res: dict[str, Any], charts: Any
) -> dict:
    """sensitivity.json and the method's chart as PNG and SVG (nothing written yet), the chart
    drawn by the ``charts`` worker."""
    from lca.outputs.jsonfile import dumps

    names = {i.key: i.description for i in model.inputs if i.description}
    style = {"gwp_set": system.gwp_set, "names": names}
    keep = {
        k: res[k]
        for k in ("range", "deterministic_kg_co2e", "n", "runs", "trajectories", "inputs")
        if k in res
    }
    charts.submit(
        sensitivity_figure,
        (method.value, system.inventory.vehicle.name, keep, style),
        folder / f"sensitivity-{method.value}",
    )
    text = dumps(res, "sensitivity.json")
    return {folder / "sensitivity.json": text, **charts.result()}


def _sensitivity_table(name: str, method: Method, res: dict[str, Any]) -> Table:
    t = Table(title=f"{escape(name)}: sensitivity ({method.value})", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("input")
    if method is Method.oat:
        t.add_column("low -> high", justify="right")
        t.add_column("swing kg CO2e", justify="right")
        for r in res["inputs"][:15]:
            lo, hi = r["low_value"], r["high_value"]
            fmt = (lambda v: v) if isinstance(lo, str) else (lambda v: f"{v:,.4g}")
            t.add_row(
                str(r["rank"]),
                escape(r["label"]),
                escape(f"{fmt(lo)} -> {fmt(hi)} {r['unit']}"),
                f"{r['swing_kg_co2e']:+,.0f}",
            )
    elif method is Method.sobol:
        t.add_column("S1 (±CI)", justify="right")
        t.add_column("ST (±CI)", justify="right")
        for i, r in enumerate(res["inputs"][:15], 1):
            t.add_row(
                str(i),
                escape(r["label"]),
                f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                f"{r['ST']:.3f} ± {r['ST_conf']:.3f}",
            )
    else:
        t.add_column("mu* kg CO2e", justify="right")
        t.add_column("sigma", justify="right")
        for i, r in enumerate(res["inputs"][:15], 1):
            t.add_row(
                str(i),
                escape(r["label"]),
                f"{r['mu_star_kg_co2e']:,.0f}",
                f"{r['sigma_kg_co2e']:,.0f}",
            )
    return t
