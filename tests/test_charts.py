"""Every chart type on the bundled scenarios, at both sizes: no two texts overlap, no text leaves
the figure, files are byte-identical across runs, user text is drawn as plain text."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from matplotlib.text import Text

from lca.analysis.compare import compare
from lca.analysis.pipeline import analyse_file
from lca.outputs import charts
from lca.outputs import uncertainty_charts as uc
from lca.outputs.chartstyle import SIZES, figure, figure_files
from lca.outputs.palette import humanise, input_label, short_names
from tests.chartcheck import drawn_texts, layout_problems

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
FEW = [
    ROOT / "scenarios" / f"{n}.yaml"
    for n in ("compact-suv-bev-eu", "compact-suv-petrol", "compact-suv-bev-cn")
]


@lru_cache(maxsize=2)
def results(paths: tuple[Path, ...]) -> list:
    return [analyse_file(p).result for p in paths]


def sensitivity_rows(n: int = 15) -> list[dict]:
    """OAT-, Sobol- and Morris-shaped rows with long record names, both ends of some inputs on
    one side of the deterministic total, and S1 > ST for some."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "key": f"record:some:record-{i}" if i % 2 else f"parameter:input_number_{i}",
                "label": f"input {i}",
                "description": "Li-ion cell materials, NMC811 cathode / graphite anode, per kWh "
                "cell capacity (excl. cell-plant energy)"
                if i % 2
                else None,
                "total_at_low_kg_co2e": 24000 - 300 * (n - i) + (500 if i == 3 else 0),
                "total_at_high_kg_co2e": 24000 + 250 * (n - i),
                "swing_kg_co2e": 550 * (n - i),
                "S1": 0.2 / (i + 1) + (0.02 if i % 3 == 0 else 0.0),
                "S1_conf": 0.05,
                "ST": 0.2 / (i + 1),
                "ST_conf": 0.03,
                "mu_star_kg_co2e": 2000 / (i + 1),
                "sigma_kg_co2e": 300 / (i + 1),
            }
        )
    return rows


def all_figures(paths: tuple[Path, ...], size: str) -> dict:
    res = results(paths)
    cmp = compare(res)
    figs = dict(charts.comparison_charts(res, cmp, size=size))
    for r in res[:2]:
        figs.update({f"{r.name}/{k}": v for k, v in charts.scenario_charts(r, size=size).items()})
    rows = sensitivity_rows()
    rng = np.random.default_rng(0)
    figs["distribution"] = uc.distribution_chart(
        "Compact electric SUV: uncertainty of the cradle-to-grave footprint",
        rng.normal(24, 2, 4000),
        np.abs(rng.normal(3, 1, (7, 4000))),
        ("materials", "battery", "manufacturing", "logistics", "use", "maintenance", "end_of_life"),
        24.3,
        {"p2_5": 20e3, "p50": 24e3, "p97_5": 28e3},
        "AR6",
        size=size,
    )
    figs["tornado"] = uc.tornado_chart(
        "Compact electric SUV: one at a time, P5 and P95", rows, 24000, "AR6", size=size
    )
    figs["sobol"] = uc.sobol_chart(
        "Compact electric SUV: Sobol indices (N = 1024)", rows, "AR6", size=size
    )
    figs["morris"] = uc.morris_chart(
        "Compact electric SUV: Morris screening", rows, "AR6", size=size
    )
    return figs


def check(paths: tuple[Path, ...], size: str) -> None:
    problems = {k: p for k, f in all_figures(paths, size).items() if (p := layout_problems(f))}
    assert not problems, problems


@pytest.mark.parametrize("size", ["a4", pytest.param("slide", marks=pytest.mark.slow)])
def test_no_text_overlaps_or_leaves_the_figure(size):
    check(tuple(FEW), size)


@pytest.mark.slow
@pytest.mark.parametrize("size", list(SIZES))
def test_no_text_overlaps_on_every_bundled_scenario(size):
    check(tuple(SCENARIOS), size)


def test_the_checker_sees_overlaps_and_text_outside():
    fig = figure("a4")
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "one")
    ax.text(0.5, 0.5, "two")
    ax.text(1.6, 0.5, "far outside the figure", transform=ax.transAxes)
    problems = layout_problems(fig)
    assert any("overlap" in p for p in problems)
    assert any("outside" in p for p in problems)


def test_chart_text_is_at_least_7_pt_on_a4():
    for fig in all_figures(tuple(FEW[:2]), "a4").values():
        sizes = {t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()}
        assert min(sizes) >= 7.0


def test_files_are_byte_identical_across_runs():
    res = results(tuple(FEW))
    a = figure_files(charts.cumulative_chart(res), "c")
    b = figure_files(charts.cumulative_chart(res), "c")
    assert a == b
    svg = a[Path("c.svg")].decode()
    assert "<dc:date>" not in svg


def test_user_text_is_plain_not_mathtext():
    r = dict(charts.as_dict(results(tuple(FEW))[0]))
    r["name"] = r"cost $\frac$ and $x^2$"  # invalid mathtext: drawing it as math would raise
    r["hotspots"] = [dict(h, label=r"a $\sqrt$ b") for h in r["hotspots"]]
    for fig in (charts.stages_chart([r]), charts.hotspots_chart(r)):
        texts = [t for t, _ in drawn_texts(fig)]
        assert any(r"\$" in t for t in texts)
        figure_files(fig, "x")  # renders without a mathtext error


def test_human_labels():
    assert humanise("compact-suv-bev-eu-2025-2038") == "Compact SUV BEV EU 2025–2038"
    assert humanise("compact-suv-bev-no-recycled") == "Compact SUV BEV without recycled"
    assert humanise("lifetime_distance") == "Lifetime distance"
    names, shared = short_names(["compact-suv-bev-eu", "compact-suv-petrol"])
    assert names == {"compact-suv-bev-eu": "BEV EU", "compact-suv-petrol": "Petrol"}
    assert shared == "Compact SUV"
    assert input_label({"key": "parameter:lifetime_distance"}) == "Lifetime distance"
    assert input_label({"key": "record:grid:EU-27", "description": "Electricity, EU-27"}) == (
        "Factor: Electricity, EU-27"
    )


def test_tornado_shows_both_bars_when_both_ends_are_on_one_side():
    rows = [
        {
            "key": "parameter:x",
            "label": "x",
            "total_at_low_kg_co2e": 25000.0,
            "total_at_high_kg_co2e": 26000.0,
            "swing_kg_co2e": 1000.0,
        }
    ]
    fig = uc.tornado_chart("t", rows, 24000.0)
    widths = sorted(round(p.get_width(), 6) for p in fig.axes[0].patches)
    assert widths == [1.0, 2.0]  # from 24 t to 25 t and to 26 t, side by side
    ys = {round(p.get_y(), 6) for p in fig.axes[0].patches}
    assert len(ys) == 2  # not drawn over each other


def test_cumulative_lines_end_at_each_cars_life():
    res = results(tuple(FEW))
    fig = charts.cumulative_chart(res)
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() != "None"]
    ends = sorted(float(ln.get_xdata()[-1]) for ln in lines)
    assert ends == sorted(r.lifetime_distance_km / 1000 for r in res)
