"""Exports of a calculation into the forms its users hand on: a registry of formats.

Each format is a function ``(run, request) -> {path: content}`` registered under a name with
:func:`register`; the CLI (``vlca export FILE --format NAME``) writes the returned files all at
once (``lca.outputs.files.write_outputs``). A format that writes elsewhere (the Brightway project)
returns no files. Formats are imported lazily so optional extras load only when asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.errors import InputError


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for: ``output`` (a file or folder, or None for the default),
    ``project`` (a Brightway project name) and format-specific ``options``."""

    output: Path | None = None
    project: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


Exporter = Callable[[Run, ExportRequest], dict[Path, str | bytes]]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str
    module: str  # lca.export.<module>, imported when the format is used
    function: str
    default_file: str | None  # file name inside the default folder; None: writes no file


FORMATS: dict[str, ExportFormat] = {}


def register(
    name: str, description: str, module: str, function: str, default_file: str | None
) -> None:
    """Add a format to the registry (another module may register its own)."""
    FORMATS[name] = ExportFormat(name, description, module, function, default_file)


register(
    "datapackage",
    "bw_processing datapackage (.zip) for Brightway; with -n N, presampled arrays in sample order",
    "datapackage",
    "export_datapackage",
    "datapackage.zip",
)
register(
    "pact",
    "WBCSD PACT 3.0 ProductFootprint list (vehicle and battery, cradle-to-gate), JSON",
    "pact",
    "export_pact",
    "pact.json",
)
register(
    "battery-declaration",
    "EU Battery Regulation carbon-footprint declaration (kg CO2e per kWh delivered), JSON",
    "battery_declaration",
    "export_battery_declaration",
    "battery-declaration.json",
)
register(
    "csv",
    "results (tidy, with units), inventory, parameters and data quality as CSV",
    "tabular",
    "export_csv",
    "tables",
)
register(
    "xlsx",
    "the same tables as an Excel workbook with an about sheet",
    "tabular",
    "export_xlsx",
    "lca.xlsx",
)
register(
    "olca",
    "openLCA JSON-LD zip (olca-schema): processes, flows, units, the GWP100 method and the "
    "vehicle's product system",
    "olca",
    "export_olca",
    "olca-jsonld.zip",
)
register(
    "bw2data",
    "a Brightway (bw2data) project with foreground, background and an IPCC method "
    "(extra [brightway])",
    "bw2data",
    "export_bw2data",
    None,
)


def exporter(name: str) -> Exporter:
    """The export function of format ``name`` (InputError listing the formats if unknown)."""
    fmt = FORMATS.get(name)
    if fmt is None:
        raise InputError(f"unknown export format {name!r}; formats: {', '.join(sorted(FORMATS))}")
    mod = importlib.import_module(f"{__name__}.{fmt.module}")
    return getattr(mod, fmt.function)


def export(run: Run, name: str, request: ExportRequest) -> dict[Path, str | bytes]:
    """Files of format ``name`` for ``run`` (not yet written)."""
    return exporter(name)(run, request)


def target(request: ExportRequest, run: Run, name: str) -> Path:
    """The output path: ``request.output`` or ``reports/<name>/<default file>``."""
    if request.output is not None:
        return request.output
    default = FORMATS[name].default_file or name
    return Path("reports") / run.result.name / default


def as_writer(name: str) -> Callable[[Any, Any, Any], dict[Path, bytes]]:
    """Format ``name`` as a ``(loaded, system, options) -> {path: bytes}`` writer, for a
    registry keyed on the loaded input and product system (``options.output`` the target,
    ``options.extra`` the format options such as ``company`` or ``project``)."""
    from lca.analysis.pipeline import analyse_loaded

    def writer(loaded: Any, system: Any, options: Any) -> dict[Path, bytes]:
        run = analyse_loaded(loaded, background=system.database, gwp=system.gwp_set)
        extra = dict(getattr(options, "extra", None) or {})
        request = ExportRequest(
            output=getattr(options, "output", None), project=extra.get("project"), options=extra
        )
        files = export(run, name, request)
        return {p: c.encode("utf-8") if isinstance(c, str) else c for p, c in files.items()}

    return writer
