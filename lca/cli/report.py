"""Commands ``vlca export`` (PACT, battery declaration, CSV, Excel, Brightway project) and
``vlca report`` (the ISO 14067 CFP study report as HTML, Markdown and optionally PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lca.calc.sampling import DEFAULT_SEED
from lca.cli.app import (
    BackgroundOption,
    GwpOption,
    VerboseOption,
    _fail,
    _setup_logging,
    app,
    err,
    out,
)
from lca.errors import CalculationError, InputError

EXIT_UNAVAILABLE = 4


def _analyse(file: Path, gwp: str | None, background: Path | None):  # noqa: ANN202
    from lca.analysis.pipeline import analyse_file
    from lca.model.background import load_background

    db = load_background(background) if background else None
    return analyse_file(file, gwp=gwp, background=db)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="datapackage, pact, battery-declaration, csv, xlsx or bw2data (see the README).",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file (a folder for csv); default reports/<name>/<format file>.",
        ),
    ] = None,
    project: Annotated[
        str | None, typer.Option(help="bw2data: the Brightway project to write into.")
    ] = None,
    company: Annotated[
        str | None, typer.Option(help="pact: company name (default vehicle.manufacturer).")
    ] = None,
    company_id: Annotated[
        list[str] | None, typer.Option(help="pact: company id URN (repeatable).")
    ] = None,
    n: Annotated[
        int | None,
        typer.Option("-n", min=1, help="datapackage: N presampled Monte Carlo columns."),
    ] = None,
    seed: Annotated[
        int, typer.Option(min=0, help="datapackage: seed of the samples (as vlca uncertainty).")
    ] = 0,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Export: Brightway datapackage, PACT 3.0 JSON, battery declaration, CSV, Excel, bw2data."""
    _setup_logging(verbose)
    from lca.inputs.yamlio import write_files_atomically
    from lca.outputs.export import FORMATS, ExportRequest
    from lca.outputs.export import export as run_export

    if format not in FORMATS:
        err.print(
            f"error: unknown format {format!r}; choose one of: "
            + ", ".join(f"{k} ({v.description})" for k, v in FORMATS.items()),
            soft_wrap=True,
            markup=False,
        )
        raise typer.Exit(2)
    if format == "bw2data" and not project:
        err.print("error: --format bw2data needs --project NAME (the Brightway project)")
        raise typer.Exit(2)
    options = {"company": company, "company_ids": company_id or None, "n": n, "seed": seed}
    request = ExportRequest(output=output, project=project, options=options)
    try:
        run = _analyse(file, gwp, background)
        if format == "bw2data":
            from lca.outputs.export.bw2data import summary, write_project

            out.print(summary(write_project(run, project)), markup=False)
            return
        files = run_export(run, format, request)
    except (InputError, CalculationError) as exc:
        _fail(exc)
    except ModuleNotFoundError as exc:
        err.print(
            f"error: the {format} export needs the optional package {exc.name!r}: "
            "pip install 'vehicle-lca[brightway]'",
            soft_wrap=True,
            markup=False,
        )
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    write_files_atomically(files)
    for path in files:
        out.print(f"wrote {path}")


def _uncertainty(run, n: int, sensitivity: bool, seed: int):  # noqa: ANN001, ANN202
    """Monte Carlo (the same as ``vlca uncertainty`` with this seed and n: report and samples)
    and one-at-a-time results, or exit."""
    try:
        from lca.analysis.uncertainty import monte_carlo_report, oat  # type: ignore[attr-defined]
        from lca.calc.montecarlo import compile_model  # type: ignore[attr-defined]
    except ImportError:
        err.print(
            "error: --uncertainty and --sensitivity need the uncertainty module "
            "(lca.uncertainty), which this installation does not have yet",
            soft_wrap=True,
            markup=False,
        )
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    model = compile_model(run.system, run.loaded.sources.error)
    mc, samples = monte_carlo_report(model, n, seed) if n else (None, None)
    sens = oat(model) if sensitivity else None
    if sens is not None:
        from lca.outputs.palette import input_label

        names = {i.key: i.description for i in model.inputs if i.description}
        sens["names"] = names
        for r in sens["inputs"]:
            r["display"] = input_label({**r, "description": names.get(r["key"])})
    return mc, samples, sens


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output folder (default reports/<name>)."),
    ] = None,
    uncertainty: Annotated[
        int,
        typer.Option(help="Monte Carlo samples for the uncertainty section (0: none).", min=0),
    ] = 0,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Add a one-at-a-time sensitivity analysis.")
    ] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print report.pdf (Chromium).")] = False,
    seed: Annotated[
        int,
        typer.Option(
            min=0,
            help="Seed of the Monte Carlo (the same seed and N as vlca uncertainty: its numbers).",
        ),
    ] = DEFAULT_SEED,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the report: en (English) or zh (Chinese).")
    ] = "en",
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Write the ISO 14067 CFP study report: report.html (self-contained), report.md with its
    figures (figures/*.png) and, with --pdf, report.pdf."""
    _setup_logging(verbose)
    if lang not in ("en", "zh"):
        err.print(f"error: --lang {lang!r}: choose en or zh", soft_wrap=True, markup=False)
        raise typer.Exit(2)
    from lca.inputs.yamlio import write_files_atomically
    from lca.outputs.report import ReportUnavailable, chromium, context, print_pdf, render

    if pdf and chromium() is None:
        err.print("error: --pdf needs Chromium (Debian: apt-get install chromium)")
        raise typer.Exit(EXIT_UNAVAILABLE)
    try:
        run = _analyse(file, gwp, background)
        mc = samples = sens = None
        if uncertainty or sensitivity:
            mc, samples, sens = _uncertainty(run, uncertainty, sensitivity, seed)
        ctx = context(run, uncertainty=mc, samples=samples, sensitivity=sens, lang=lang)
        files = render(ctx)
    except (InputError, CalculationError) as exc:
        _fail(exc)
    folder = output or Path("reports") / run.result.name
    out_files: dict[Path, str | bytes] = {folder / k: v for k, v in files.items()}
    if pdf:
        try:
            out_files[folder / "report.pdf"] = print_pdf(ctx)
        except ReportUnavailable as exc:
            err.print(f"error: {exc}", soft_wrap=True, markup=False)
            raise typer.Exit(EXIT_UNAVAILABLE) from None
    write_files_atomically(out_files)
    for path in out_files:
        out.print(f"wrote {path}")
