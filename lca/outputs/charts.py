"""Footprint charts for reports (matplotlib, Agg, no pyplot state), in the print style of
:mod:`lca.outputs.chartstyle`.

Every chart function takes ``Result`` objects or dictionaries loaded from ``result.json`` and a
``size`` (``"a4"``: the text column of an A4 page; ``"slide"``: a 16:9 slide) and returns a
``matplotlib.figure.Figure``; nothing is drawn on screen or written. ``figure_files`` renders to
PNG and SVG bytes for all-or-nothing writes. Each life-cycle stage keeps one colour in every
chart (Okabe-Ito, colour-blind safe); bars are ordered by value and carry their values; the
subtitle gives the unit and the GWP set; user text (names, labels) is drawn as plain text.

The bar charts are in :mod:`lca.outputs.stage_charts`, the cumulative chart in
:mod:`lca.outputs.cumulative_chart`; this module gives the sets of charts a command draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lca.analysis.compare import as_dict
from lca.outputs.chartstyle import figure_files
from lca.outputs.cumulative_chart import cumulative_chart
from lca.outputs.palette import STAGE_COLOURS
from lca.outputs.stage_charts import (
    components_chart,
    hotspots_chart,
    stages_chart,
    waterfall_chart,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lca.calc.results import Result

    Res = Result | Mapping[str, Any]

__all__ = [
    "SCENARIO_CHARTS",
    "STAGE_COLOURS",
    "as_dict",
    "comparison_charts",
    "components_chart",
    "cumulative_chart",
    "figure_files",
    "hotspots_chart",
    "save_figure",
    "scenario_charts",
    "stages_chart",
    "waterfall_chart",
]

# the charts of one scenario, by file stem: each drawn from one result at a size
SCENARIO_CHARTS: dict[str, Any] = {
    "stages": lambda result, size: stages_chart([result], size=size),
    "components": lambda result, size: components_chart(result, size=size),
    "hotspots": lambda result, size: hotspots_chart(result, size=size),
    "cumulative": lambda result, size: cumulative_chart([result], size=size),
}


def scenario_charts(result: Res, size: str = "a4") -> dict[str, Figure]:
    """The charts of one scenario, by file stem."""
    return {stem: draw(result, size) for stem, draw in SCENARIO_CHARTS.items()}


def comparison_charts(
    results: Sequence[Res], comparison: Mapping[str, Any], size: str = "a4"
) -> dict[str, Figure]:
    """The charts of a comparison, by file stem: stages, cumulative, one waterfall per scenario
    against the baseline."""
    dicts = {str(as_dict(r)["name"]): as_dict(r) for r in results}
    base = comparison["baseline"]
    figs = {
        "stages": stages_chart(list(dicts.values()), size=size),
        "cumulative": cumulative_chart(list(dicts.values()), comparison, size=size),
    }
    for name, d in dicts.items():
        if name != base:
            figs[f"waterfall-{name}"] = waterfall_chart(dicts[base], d, size=size)
    return figs


def save_figure(fig: Figure, path_stem: str | Path) -> list[Path]:
    """Write ``path_stem.png`` and ``path_stem.svg`` (both or neither); return the paths."""
    from lca.outputs.files import write_files_atomically

    files = figure_files(fig, path_stem)
    write_files_atomically(dict(files))
    return list(files)
