"""Commands ``vlca export`` (PACT, battery declaration, CSV, Excel, Brightway project) and
``vlca report`` (the ISO 14067 CFP study report as HTML, Markdown and optionally PDF)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from lca.cli.common import (
    DEFAULT_SEED,
    MAX_EXPORT_SAMPLES,
    BackgroundOption,
    GwpOption,
    SeedOption,
    VerboseOption,
    command,
    default_output,
    gwp_name,
    samples_bound,
    say,
    setup_logging,
    unavailable,
    wrote,
)
from lca.errors import InputError


class Lang(StrEnum):
    """Languages of the CFP report (lca/outputs/report/i18n)."""

    en = "en"
    zh = "zh"


class ExportFormat(StrEnum):
    """The formats of lca.outputs.export.FORMATS (a test checks they match)."""

    datapackage = "datapackage"
    pact = "pact"
    battery_declaration = "battery-declaration"
    csv = "csv"
    xlsx = "xlsx"
    bw2data = "bw2data"
    olca = "olca"


FOLDER_FORMATS = {ExportFormat.csv}
"""Formats whose output is a folder (replaced as a whole); the others write one file."""


def _analyse(loaded, gwp: str | None, background: Path | None):  # noqa: ANN001, ANN202
    from lca.analysis.pipeline import analyse_loaded
    from lca.inputs.files import check_background_path
    from lca.model.background import load_background

    check_background_path(background)
    db = load_background(background) if background else None
    return analyse_loaded(loaded, gwp=gwp, background=db)


def _target(fmt: ExportFormat, output: Path | None, name: str) -> Path:
    """Where an export goes: ``--output`` or ``reports/<name>/<the format's default file>``."""
    from lca.outputs.export import FORMATS

    return output or default_output(name) / (FORMATS[fmt.value].default_file or fmt.value)


FormatOption = Annotated[
    ExportFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="datapackage: Brightway datapackage (.zip); pact: WBCSD PACT 3.0 JSON; "
        "battery-declaration: EU Battery Regulation JSON; csv: a folder of tables; xlsx: "
        "an Excel workbook; bw2data: a Brightway project (needs --project); olca: an "
        "openLCA JSON-LD zip (olca-schema).",
    ),
]
ExportOutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Output file (a folder for csv); default reports/<name>/<format file>.",
    ),
]
ProjectOption = Annotated[
    str | None, typer.Option(help="bw2data: the Brightway project to write into.")
]
CompanyOption = Annotated[
    str | None, typer.Option(help="pact: company name (default vehicle.manufacturer).")
]
CompanyIdOption = Annotated[
    list[str] | None, typer.Option(help="pact: company id URN (repeatable).")
]
ExportSamplesOption = Annotated[
    int | None,
    typer.Option(
        "-n",
        min=1,
        callback=samples_bound(MAX_EXPORT_SAMPLES),
        help="datapackage: N presampled Monte Carlo columns (at most 100,000).",
    ),
]


@command()
def export(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    format: FormatOption,
    output: ExportOutputOption = None,
    project: ProjectOption = None,
    company: CompanyOption = None,
    company_id: CompanyIdOption = None,
    n: ExportSamplesOption = None,
    seed: SeedOption = DEFAULT_SEED,
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Export: Brightway datapackage, PACT 3.0 JSON, battery declaration, CSV, Excel, bw2data."""
    setup_logging(verbose)
    from lca.inputs.loader import load_input
    from lca.outputs.export import ExportRequest
    from lca.outputs.export import export as run_export
    from lca.outputs.files import reserve, write_outputs

    if format is ExportFormat.bw2data and not project:
        raise InputError("--format bw2data needs --project NAME (the Brightway project)")
    options = {"company": company, "company_ids": company_id or None, "n": n, "seed": seed}
    loaded = load_input(file)
    dest = _target(format, output, loaded.name)
    request = ExportRequest(output=dest, project=project, options=options)
    inputs = [*loaded.files, *filter(None, [background])]
    is_folder = format in FOLDER_FORMATS
    targets = (
        ([], []) if format is ExportFormat.bw2data else ([dest], []) if is_folder else ([], [dest])
    )
    with reserve(*targets, inputs=inputs):  # a second export to the same place stops here
        try:
            run = _analyse(loaded, gwp_name(gwp), background)
            if format is ExportFormat.bw2data:
                from lca.outputs.export.bw2data import summary, write_project

                say(summary(write_project(run, project)))
                return
            files = run_export(run, format.value, request)
        except ModuleNotFoundError as exc:
            raise unavailable(
                f"the {format.value} export needs the optional package {exc.name!r}: "
                "pip install 'vehicle-lca[brightway]'"
            ) from None
        write_outputs(files, folders=[dest] if is_folder else [], inputs=inputs)
    for path in files:
        say(f"wrote {path}")


def _uncertainty(run, n: int, sensitivity: bool, seed: int):  # noqa: ANN001, ANN202
    """Monte Carlo (the same as ``vlca uncertainty`` with this seed and n: report and samples)
    and one-at-a-time results (None where not asked for)."""
    from lca.analysis.uncertainty import monte_carlo_report, oat
    from lca.calc.montecarlo import compile_model

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


ReportOutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Output folder (default reports/<name>); files already there are kept.",
    ),
]
ReportSamplesOption = Annotated[
    int,
    typer.Option(
        help="Monte Carlo samples for the uncertainty section (0: none; at most 10,000,000).",
        min=0,
        callback=samples_bound(),
    ),
]
SensitivityFlag = Annotated[
    bool, typer.Option("--sensitivity", help="Add a one-at-a-time sensitivity analysis.")
]
PdfFlag = Annotated[bool, typer.Option("--pdf", help="Also print report.pdf (Chromium).")]
LangOption = Annotated[
    Lang,
    typer.Option(
        "--lang",
        case_sensitive=False,
        help="Language of the report: en (English) or zh (Chinese).",
    ),
]


@command()
def report(
    file: Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")],
    output: ReportOutputOption = None,
    uncertainty: ReportSamplesOption = 0,
    seed: SeedOption = DEFAULT_SEED,
    sensitivity: SensitivityFlag = False,
    pdf: PdfFlag = False,
    lang: LangOption = "en",
    gwp: GwpOption = None,
    background: BackgroundOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Write the ISO 14067 CFP study report: report.html (self-contained), report.md with its
    figures (figures/*.png) and, with --pdf, report.pdf."""
    setup_logging(verbose)
    from lca.inputs.loader import load_input
    from lca.outputs.files import reserve, write_outputs
    from lca.outputs.report import ReportUnavailable, chromium, context, print_pdf, render

    if pdf and chromium() is None:
        raise unavailable("--pdf needs Chromium (Debian: apt-get install chromium)")
    loaded = load_input(file)
    folder = output or default_output(loaded.name)
    inputs = [*loaded.files, *filter(None, [background])]
    with reserve([folder], inputs=inputs, merge=True):  # a second run stops here
        run = _analyse(loaded, gwp_name(gwp), background)
        mc = samples = sens = None
        if uncertainty or sensitivity:
            mc, samples, sens = _uncertainty(run, uncertainty, sensitivity, seed)
        ctx = context(run, uncertainty=mc, samples=samples, sensitivity=sens, lang=lang.value)
        files = render(ctx)
        out_files: dict[Path, str | bytes] = {folder / k: v for k, v in files.items()}
        if pdf:
            try:
                out_files[folder / "report.pdf"] = print_pdf(ctx)
            except ReportUnavailable as exc:
                raise unavailable(str(exc)) from None
        write_outputs(out_files, folders=[folder], merge=True, inputs=inputs)
    wrote(out_files)
