"""Footprint charts for reports (matplotlib, Agg, no pyplot state).

Every chart function takes ``Result`` objects or dictionaries loaded from ``result.json`` and
returns a ``matplotlib.figure.Figure``; nothing is drawn on screen or written. ``save_figure``
writes one figure as PNG and SVG; ``figure_files`` renders to bytes for all-or-nothing writes.
Each life-cycle stage keeps one colour in every chart (Okabe-Ito, colour-blind safe).
matplotlib is imported only when a chart is made.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lca.analysis.compare import COMBUSTION, as_dict, break_even_km, curve
from lca.calc.results import Result
from lca.model.system import STAGES
from lca.outputs.palette import STAGE_COLOURS, STAGE_NAMES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# scenario lines in the cumulative chart: Okabe-Ito (without yellow, weak on white) x styles
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
LINE_STYLES = ("-", "--", ":", "-.")
REFERENCE_COLOUR = "#000000"
EDGE = "#333333"
DPI = 150
TONNE = 1000.0  # kg per t: charts show t CO2e
LIFETIME_MARGIN = 1.1  # cumulative charts run to 110 % of the longest lifetime


Res = Result | Mapping[str, Any]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _stacked_bars(ax: Any, y: Sequence[Any], by_stage: Mapping[str, Sequence[float]]) -> list:
    """Horizontal bars stacked stage by stage in the shared stage colours; returns the totals."""
    left = [0.0] * len(y)
    for stage, vals in by_stage.items():
        ax.barh(
            y,
            vals,
            left=left,
            color=STAGE_COLOURS[stage],
            edgecolor=EDGE,
            linewidth=0.4,
            label=STAGE_NAMES[stage],
            height=0.7,
        )
        left = [a + b for a, b in zip(left, vals, strict=True)]
    return left


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _powertrain(d: Mapping[str, Any]) -> str:
    return str(d.get("vehicle", {}).get("powertrain", ""))


def stages_chart(results: Sequence[Res], title: str | None = None) -> Figure:
    """Stacked horizontal bars: the footprint of each scenario by life-cycle stage (t CO2e)."""
    dicts = [as_dict(r) for r in results]
    n = len(dicts)
    fig = _figure(10, 1.6 + 0.42 * n)
    ax = fig.add_subplot()
    names = [str(d["name"]) for d in dicts]
    y = list(range(n))[::-1]
    left = _stacked_bars(
        ax,
        y,
        {st: [float(d["stages_kg_co2e"].get(st, 0.0)) / TONNE for d in dicts] for st in STAGES},
    )
    top = max(left) if left else 1.0
    for yi, d, tot in zip(y, dicts, left, strict=True):
        ax.text(
            tot + 0.01 * top,
            yi,
            f"{tot:,.1f} t  ({float(d['per_km_g_co2e']):,.0f} g/km)",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlim(0, top * 1.28)
    ax.set_xlabel("Life-cycle greenhouse-gas emissions (t CO2e per vehicle)")
    ax.set_title(title or "Carbon footprint by life-cycle stage", loc="left", fontsize=11)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    return fig


def _curve_xy(c: Any, x_max: float) -> tuple[list[float], list[float]]:
    """Points of a cumulative curve (km, t), the end-of-life step drawn vertically."""
    xs = [0.0]
    for s in c.segments:
        if s.end_km < x_max:
            xs.append(s.end_km)
    xs.append(x_max)
    px: list[float] = []
    py: list[float] = []
    for x in sorted(set(xs)):
        if x == c.lifetime_km and c.end_of_life_kg:
            px.append(x)
            py.append((c.at(x) - c.end_of_life_kg) / TONNE)
        px.append(x)
        py.append(c.at(x) / TONNE)
    return px, py


def cumulative_chart(
    results: Sequence[Res],
    comparison: Mapping[str, Any] | None = None,
    x_max_km: float | None = None,
) -> Figure:
    """Cumulative emissions against distance per scenario, break-even points marked.

    Break-even points come from ``comparison["break_even"]`` when given; otherwise each electric
    scenario is set against the first combustion scenario.
    """
    dicts = [as_dict(r) for r in results]
    curves = {str(d["name"]): curve(d) for d in dicts}
    kinds = {str(d["name"]): _powertrain(d) for d in dicts}
    # a little past the longest lifetime, so the end-of-life step shows
    x_max = x_max_km or LIFETIME_MARGIN * max(c.lifetime_km for c in curves.values())
    if comparison is not None:
        breaks = [b for b in comparison.get("break_even", []) if b["scenario"] in curves]
    else:
        ref = next((n for n, k in kinds.items() if k == "petrol"), None) or next(
            (n for n, k in kinds.items() if k in COMBUSTION), None
        )
        breaks = []
        if ref is not None:
            for n, k in kinds.items():
                if n != ref and k not in COMBUSTION:
                    km = break_even_km(curves[n], curves[ref])
                    breaks.append({"scenario": n, "reference": ref, "distance_km": km})
    refs = {b["reference"] for b in breaks}
    fig = _figure(10, 6.2 if len(dicts) > 6 else 5)
    ax = fig.add_subplot()
    i = 0
    styles: dict[str, tuple[str, str]] = {}
    for name, c in curves.items():
        if name in refs:
            colour, style, width = REFERENCE_COLOUR, "-", 2.2
        else:
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            style = LINE_STYLES[(i // len(LINE_COLOURS)) % len(LINE_STYLES)]
            width = 1.5
            i += 1
        styles[name] = (colour, style)
        px, py = _curve_xy(c, x_max)
        label = f"{name} ({kinds[name]})" if name in refs else name
        ax.plot(
            [x / 1000.0 for x in px],
            py,
            color=colour,
            linestyle=style,
            linewidth=width,
            label=label,
        )
    marked = 0
    for b in breaks:
        km = b.get("distance_km")
        if km is None or km > x_max:
            continue
        colour, _ = styles[b["scenario"]]
        ax.plot(
            km / 1000.0,
            curves[b["scenario"]].at(km) / TONNE,
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=colour,
            markeredgewidth=1.8,
            linestyle="none",
            label="break-even with the reference" if marked == 0 else None,
        )
        marked += 1
    ax.set_xlim(0, x_max / 1000.0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Distance driven (1,000 km)")
    ax.set_ylabel("Cumulative emissions (t CO2e)")
    ax.set_title(
        "Cumulative life-cycle emissions against distance (end of life added at the lifetime)",
        loc="left",
        fontsize=11,
    )
    ax.grid(color="#dddddd", linewidth=0.6)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7.5, frameon=False)
    return fig


def waterfall_chart(baseline: Res, scenario: Res) -> Figure:
    """From the baseline's total to the scenario's, one bar per stage difference (t CO2e):
    below the axis line what a change saved, above what it cost."""
    b, s = as_dict(baseline), as_dict(scenario)
    base_t = float(b["total_kg_co2e"]) / TONNE
    scen_t = float(s["total_kg_co2e"]) / TONNE
    deltas = [
        (
            stage,
            (
                float(s["stages_kg_co2e"].get(stage, 0.0))
                - float(b["stages_kg_co2e"].get(stage, 0.0))
            )
            / TONNE,
        )
        for stage in STAGES
    ]
    fig = _figure(10, 5)
    ax = fig.add_subplot()
    labels = [_wrap(str(b["name"]), 16)]
    ax.bar(0, base_t, color="#999999", edgecolor=EDGE, linewidth=0.5, width=0.7)
    ax.text(0, base_t, f"{base_t:,.1f}", ha="center", va="bottom", fontsize=8)
    level = base_t
    span = max(base_t, scen_t, 1e-9)
    for i, (stage, dv) in enumerate(deltas, start=1):
        bottom = level if dv >= 0 else level + dv
        ax.bar(
            i,
            abs(dv),
            bottom=bottom,
            color=STAGE_COLOURS[stage],
            edgecolor=EDGE,
            linewidth=0.5,
            width=0.7,
            hatch="//" if dv > 0 else None,
        )
        text = f"{dv:+,.1f}" if abs(dv) >= 0.05 else "0"
        ax.text(i, max(level, level + dv) + 0.02 * span, text, ha="center", va="bottom", fontsize=8)
        # connector from the previous bar's right edge at the running level
        ax.plot([i - 0.65, i - 0.35], [level, level], color=EDGE, linewidth=0.6)
        level += dv
        labels.append(_wrap(STAGE_NAMES[stage], 12))
    n = len(deltas) + 1
    ax.plot([n - 1 + 0.35, n - 0.35], [level, level], color=EDGE, linewidth=0.6)
    ax.bar(n, scen_t, color="#555555", edgecolor=EDGE, linewidth=0.5, width=0.7)
    ax.text(n, scen_t, f"{scen_t:,.1f}", ha="center", va="bottom", fontsize=8, color="#000000")
    labels.append(_wrap(str(s["name"]), 16))
    ax.set_xticks(range(n + 1), labels, fontsize=7.5)
    ax.set_ylim(0, span * 1.15)
    ax.set_ylabel("t CO2e per vehicle")
    diff = scen_t - base_t
    pct = 100.0 * diff / base_t if base_t else 0.0
    ax.set_title(
        _wrap(
            f"From {b['name']} to {s['name']}: {diff:+,.1f} t CO2e ({pct:+.1f} %). "
            "Hatched bars: stages that cost more; plain: stages that saved.",
            95,
        ),
        loc="left",
        fontsize=10,
    )
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def components_chart(result: Res) -> Figure:
    """Production emissions of each vehicle component, stacked by stage (t CO2e)."""
    d = as_dict(result)
    per: dict[str, dict[str, float]] = {}
    for ex in d.get("exchanges", []):
        comp = ex.get("component")
        if comp is None or ex.get("credit"):
            continue
        per.setdefault(comp, {}).setdefault(ex["stage"], 0.0)
        per[comp][ex["stage"]] += float(ex["kg_co2e"]) / TONNE
    comps = sorted(per, key=lambda c: sum(per[c].values()))
    fig = _figure(9, 1.6 + 0.4 * max(len(comps), 1))
    ax = fig.add_subplot()
    used = [st for st in STAGES if any(per[c].get(st) for c in comps)]
    left = _stacked_bars(ax, comps, {st: [per[c].get(st, 0.0) for c in comps] for st in used})
    top = max(left) if left else 1.0
    for yi, tot in enumerate(left):
        ax.text(tot + 0.01 * top, yi, f"{tot:,.2f} t", va="center", fontsize=8)
    ax.set_xlim(0, top * 1.15)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("t CO2e per vehicle")
    total = float(d["total_kg_co2e"]) / TONNE
    ax.set_title(
        f"{d['name']}: emissions by vehicle component (materials and battery; "
        f"total footprint {total:,.1f} t)",
        loc="left",
        fontsize=10,
    )
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if used:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def hotspots_chart(result: Res) -> Figure:
    """The largest single contributions (``hotspots`` of the result), coloured by stage."""
    d = as_dict(result)
    spots = list(d.get("hotspots", []))[::-1]
    fig = _figure(10, 1.6 + 0.45 * max(len(spots), 1))
    ax = fig.add_subplot()
    labels = [_wrap(str(h["label"]), 60) for h in spots]
    vals = [float(h["kg_co2e"]) / TONNE for h in spots]
    ax.barh(
        range(len(spots)),
        vals,
        color=[STAGE_COLOURS.get(h["stage"], "#999999") for h in spots],
        edgecolor=EDGE,
        linewidth=0.4,
        height=0.7,
    )
    top = max(vals) if vals else 1.0
    for yi, h in enumerate(spots):
        ax.text(
            float(h["kg_co2e"]) / TONNE + 0.01 * top,
            yi,
            f"{float(h['kg_co2e']) / TONNE:,.2f} t ({100 * float(h['share']):.1f} %)",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(spots)), labels, fontsize=7.5)
    ax.set_xlim(0, top * 1.3)
    ax.set_xlabel("t CO2e per vehicle")
    ax.set_title(f"{d['name']}: the {len(spots)} largest contributions", loc="left", fontsize=10)
    seen = [st for st in STAGES if any(h["stage"] == st for h in spots)]
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=STAGE_COLOURS[st], label=STAGE_NAMES[st]) for st in seen],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def scenario_charts(result: Res) -> dict[str, Figure]:
    """The charts of one scenario, by file stem."""
    return {
        "stages": stages_chart([result]),
        "components": components_chart(result),
        "hotspots": hotspots_chart(result),
        "cumulative": cumulative_chart([result]),
    }


def comparison_charts(results: Sequence[Res], comparison: Mapping[str, Any]) -> dict[str, Figure]:
    """The charts of a comparison, by file stem: stages, cumulative, one waterfall per scenario
    against the baseline."""
    dicts = {str(as_dict(r)["name"]): as_dict(r) for r in results}
    base = comparison["baseline"]
    figs = {
        "stages": stages_chart(list(dicts.values()), "Carbon footprint by life-cycle stage"),
        "cumulative": cumulative_chart(list(dicts.values()), comparison),
    }
    for name, d in dicts.items():
        if name != base:
            figs[f"waterfall-{name}"] = waterfall_chart(dicts[base], d)
    return figs


def figure_files(fig: Figure, path_stem: str | Path) -> dict[Path, bytes]:
    """``{stem.png: bytes, stem.svg: bytes}`` of a figure (nothing written)."""
    stem = Path(path_stem)
    out = {}
    for suffix in ("png", "svg"):
        buf = io.BytesIO()
        meta = {"Date": None} if suffix == "svg" else {"Software": "vehicle-lca"}
        fig.savefig(buf, format=suffix, metadata=meta)
        out[stem.with_name(f"{stem.name}.{suffix}")] = buf.getvalue()
    return out


def save_figure(fig: Figure, path_stem: str | Path) -> list[Path]:
    """Write ``path_stem.png`` and ``path_stem.svg`` (both or neither); return the paths."""
    from lca.inputs.yamlio import write_files_atomically

    files = figure_files(fig, path_stem)
    write_files_atomically(dict(files))
    return list(files)
