"""The report's figures, drawn for the A4 text column: the scenario charts of
:mod:`lca.outputs.charts` and, when given, the Monte Carlo distribution and the tornado of
:mod:`lca.outputs.uncertainty_charts`; each as inline SVG (report.html) and PNG bytes
(report.md's ``figures/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.outputs.report.interpretation import N_


def charts(
    run: Run,
    uncertainty: dict[str, Any] | None = None,
    samples: Any = None,
    sensitivity: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The report's figures, drawn for the A4 text column: ``name``, ``title``, ``svg`` (inline
    HTML) and ``png`` (bytes, for report.md)."""
    from lca.outputs import charts as ch
    from lca.outputs.chartstyle import figure_files

    res = run.result
    figs = [
        ("stages", N_("Footprint by life-cycle stage"), ch.stages_chart([res])),
        ("components", N_("Production emissions by vehicle component"), ch.components_chart(res)),
        ("hotspots", N_("The largest single contributions"), ch.hotspots_chart(res)),
        ("cumulative", N_("Cumulative emissions over the life"), ch.cumulative_chart([res])),
        *_uncertainty_figures(run, uncertainty, samples, sensitivity),
    ]
    out = []
    for stem, title, fig in figs:
        files = figure_files(fig, stem)
        svg = files[Path(f"{stem}.svg")].decode("utf-8")
        out.append(
            {
                "name": stem,
                "title": title,
                "svg": svg[svg.find("<svg") :],
                "png": files[Path(f"{stem}.png")],
            }
        )
    return out


def _uncertainty_figures(
    run: Run,
    uncertainty: dict[str, Any] | None,
    samples: Any,
    sensitivity: dict[str, Any] | None,
) -> list[tuple[str, str, Any]]:
    """``(stem, title, figure)`` of the Monte Carlo distribution (with samples) and of the
    one-at-a-time tornado (with a sensitivity result)."""
    from lca.outputs import uncertainty_charts as uc

    res = run.result
    name = run.system.inventory.vehicle.name
    figs = []
    if uncertainty is not None and samples is not None:
        figs.append(
            (
                "uncertainty",
                N_("Monte Carlo distribution of the footprint"),
                uc.distribution_chart(
                    f"{name}: uncertainty of the footprint",
                    samples.total / 1000,
                    samples.stages / 1000,
                    tuple(uncertainty["stages_kg_co2e"]),
                    uncertainty["deterministic_kg_co2e"] / 1000,
                    uncertainty["total_kg_co2e"],
                    gwp_set=res.gwp_set,
                ),
            )
        )
    if sensitivity is not None:
        figs.append(
            (
                "sensitivity",
                N_("One-at-a-time sensitivity (tornado)"),
                uc.tornado_chart(
                    f"{name}: one at a time, each input at its {sensitivity['range']}",
                    sensitivity["inputs"],
                    sensitivity["deterministic_kg_co2e"],
                    gwp_set=res.gwp_set,
                    names=sensitivity.get("names"),
                ),
            )
        )
    return figs
