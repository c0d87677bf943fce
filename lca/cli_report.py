"""Commands ``vlca export`` (PACT, battery declaration, CSV, Excel, Brightway project) and
``vlca report`` (the ISO 14067 CFP study report as HTML, Markdown and optionally PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli import _fail, _setup_logging, app, err, out
from .errors import CalculationError, InputError

EXIT_UNAVAILABLE = 4


def _analyse(file: Path, gwp: str | None, background: Path | None):  # noqa: ANN202
    from .background import load_background
    from .pipeline import analyse_file

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
            help="pact, battery-declaration, csv, xlsx or bw2data (see the README).",
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
    gwp: Annotated[str | None, typer.Option(help="GWP set: AR6 (default) or AR5.")] = None,
    background: Annotated[
        Path | None,
        typer.Option(help="Background data folder (default: the bundled inventories/background)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Export the footprint: PACT 3.0 JSON, EU battery declaration, CSV, Excel or Brightway."""
    _setup_logging(verbose)
    from .export import FORMATS, ExportRequest
    from .export import export as run_export
    from .yamlio import write_files_atomically

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
    options = {"company": company, "company_ids": company_id or None}
    request = ExportRequest(output=output, project=project, options=options)
    try:
        run = _analyse(file, gwp, background)
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
    if format == "bw2data":
        out.print(f"wrote Brightway project {project!r} (databases and method listed above)")
    for path in files:
        out.print(f"wrote {path}")
