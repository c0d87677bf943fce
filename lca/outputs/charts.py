"""Footprint charts for reports (matplotlib, Agg, no pyplot state), in the print style of
:mod:`lca.outputs.chartstyle`.

Every chart function takes ``Result`` objects or dictionaries loaded from ``result.json`` and a
``size`` (``"a4"``: the text column of an A4 page; ``"slide"``: a 16:9 slide) and returns a
``matplotlib.figure.Figure``; nothing is drawn on screen or written. ``figure_files`` renders to
PNG and SVG bytes for all-or-nothing writes. Each life-cycle stage keeps one colour in every
chart (Okabe-Ito, colour-blind safe); bars are ordered by value and carry their values; the
subtitle gives the unit and the GWP set; user text (names, labels) is drawn as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lca.analysis.compare import COMBUSTION, as_dict, break_even_km, curve
from lca.calc.results import Result
from lca.model.system import STAGES
from lca.outputs.chartstyle import (
    EDGE,
    chars,
    figure,
    figure_files,
    font,
    gwp_phrase,
    style_axes,
    titles,
    wrap,
)
from lca.outputs.palette import (
    LINE_COLOURS,
    LINE_STYLES,
    REFERENCE_COLOUR,
    STAGE_COLOURS,
    STAGE_NAMES,
    humanise,
    plain,
    short_names,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SCENARIO_CHARTS",
    "STAGE_COLOURS",
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
TONNE = 1000.0  # kg per t: charts show t CO2e
LEGEND_COLUMNS = {"a4": 4, "slide": 7}  # stage legend entries per row (an A4 column is narrow)

Res = Result | Mapping[str, Any]


def _unit_line(d: Mapping[str, Any], what: str = "t CO2e per vehicle") -> str:
    return f"{what}, {d.get('boundary', 'cradle-to-grave')}, {gwp_phrase(d.get('gwp_set'))}"


def _label(name: str) -> str:
    return humanise(name)


def _bar_values(
    ax: Any, ys: Sequence[float], ends: Sequence[float], texts: Sequence[str], size: str
) -> None:
    """Value labels just right of horizontal bars; the x range leaves room for them."""
    top = max([*ends, 0.0]) or 1.0
    for y, end, text in zip(ys, ends, texts, strict=True):
        ax.text(end + 0.012 * top, y, text, va="center", fontsize=font(size))
    longest = max((len(t) for t in texts), default=0)
    # room for the longest label: its share of the axes width in characters
    room = longest * 0.58 * font(size) / 72 / (ax.figure.get_figwidth() * 0.62)
    ax.set_xlim(0, top * (1.02 + room + 0.02))


def stages_chart(results: Sequence[Res], title: str | None = None, size: str = "a4") -> Figure:
    """The footprint by life-cycle stage (t CO2e): for one scenario one bar per stage, largest
    first, with its value and share; for several, stacked bars per scenario ordered by total."""
    dicts = [as_dict(r) for r in results]
    if len(dicts) == 1:
        return _one_stages_chart(dicts[0], title, size)
    names, shared = short_names([str(d["name"]) for d in dicts])
    order = sorted(dicts, key=lambda d: float(d["total_kg_co2e"]))
    n = len(order)
    fig = figure(size, 1.5 + 0.24 * n)
    ax = fig.add_subplot()
    y = list(range(n))
    left = [0.0] * n
    for stage in STAGES:
        vals = [float(d["stages_kg_co2e"].get(stage, 0.0)) / TONNE for d in order]
        ax.barh(
            y,
            vals,
            left=left,
            color=STAGE_COLOURS[stage],
            edgecolor=EDGE,
            linewidth=0.4,
            label=STAGE_NAMES[stage],
            height=0.72,
        )
        left = [a + b for a, b in zip(left, vals, strict=True)]
    _bar_values(
        ax,
        y,
        left,
        [
            f"{t:,.1f} t · {float(d['per_km_g_co2e']):,.0f} g/km"
            for t, d in zip(left, order, strict=True)
        ],
        size,
    )
    ax.set_yticks(y, [plain(names[str(d["name"])]) for d in order])
    ax.set_xlabel("t CO2e per vehicle")
    style_axes(ax, size)
    head = title or "Carbon footprint by life-cycle stage"
    titles(
        fig,
        ax,
        f"{head}{': ' + shared if shared else ''}",
        _unit_line(dicts[0]) + "; ordered by total, labels: total and per km",
        size,
    )
    fig.legend(loc="outside lower center", ncol=4, fontsize=font(size), frameon=False)
    return fig


def _one_stages_chart(d: Mapping[str, Any], title: str | None, size: str) -> Figure:
    total = float(d["total_kg_co2e"])
    values = ((st, float(d["stages_kg_co2e"].get(st, 0.0))) for st in STAGES)
    # a stage the car does not have (the battery of a petrol car) gets no bar
    stages = sorted(((st, v) for st, v in values if v != 0.0), key=lambda kv: kv[1])
    fig = figure(size, 1.2 + 0.26 * max(len(stages), 1))
    ax = fig.add_subplot()
    y = list(range(len(stages)))
    vals = [v / TONNE for _, v in stages]
    ax.barh(
        y,
        vals,
        color=[STAGE_COLOURS[st] for st, _ in stages],
        edgecolor=EDGE,
        linewidth=0.4,
        height=0.72,
    )
    _bar_values(
        ax,
        y,
        [max(v, 0.0) for v in vals],
        [f"{v / TONNE:,.2f} t ({100 * v / total if total else 0:.1f} %)" for _, v in stages],
        size,
    )
    ax.set_yticks(y, [STAGE_NAMES[st] for st, _ in stages])
    ax.set_xlabel("t CO2e per vehicle")
    style_axes(ax, size)
    titles(
        fig,
        ax,
        title or f"{_label(str(d['name']))}: {total / TONNE:,.1f} t CO2e by life-cycle stage",
        _unit_line(d) + f"; {float(d['per_km_g_co2e']):,.0f} g CO2e/km over "
        f"{float(d['lifetime_distance_km']):,.0f} km",
        size,
    )
    return fig


def _curve_xy(c: Any) -> tuple[list[float], list[float]]:
    """Points of a cumulative curve (km, t) up to the car's lifetime, the end-of-life step
    drawn vertically there."""
    end = c.lifetime_km
    xs = sorted({0.0, *(s.end_km for s in c.segments if s.end_km < end), end})
    px: list[float] = []
    py: list[float] = []
    for x in xs:
        if x == end and c.end_of_life_kg:
            px.append(x)
            py.append((c.at(x) - c.end_of_life_kg) / TONNE)
        px.append(x)
        py.append(c.at(x) / TONNE)
    return px, py


def _break_evens(dicts: list, curves: dict, comparison: Mapping[str, Any] | None) -> list:
    """Break-evens to mark: the comparison's, or every non-combustion car against the first
    petrol car (else the first combustion car), as ``vlca compare`` chooses."""
    if comparison is not None:
        return [b for b in comparison.get("break_even", []) if b["scenario"] in curves]
    kinds = {str(d["name"]): str(d.get("vehicle", {}).get("powertrain", "")) for d in dicts}
    ref = next((n for n, k in kinds.items() if k == "petrol"), None) or next(
        (n for n, k in kinds.items() if k in COMBUSTION), None
    )
    if ref is None:
        return []
    return [
        {"scenario": n, "reference": ref, "distance_km": break_even_km(curves[n], curves[ref])}
        for n, k in kinds.items()
        if n != ref and k not in COMBUSTION
    ]


def _spread(ys: list[float], gap: float, lo: float, hi: float) -> list[float]:
    """Label positions near ``ys`` (same order) at least ``gap`` apart, inside [lo, hi]."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    pos = [ys[i] for i in order]
    for k in range(1, len(pos)):
        pos[k] = max(pos[k], pos[k - 1] + gap)
    over = pos[-1] - hi if pos else 0.0
    if over > 0:
        pos = [p - over for p in pos]
    for k in range(len(pos) - 2, -1, -1):
        pos[k] = min(pos[k], pos[k + 1] - gap)
    if pos and pos[0] < lo:
        pos = [p + (lo - pos[0]) for p in pos]
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = pos[k]
    return out


def cumulative_chart(
    results: Sequence[Res],
    comparison: Mapping[str, Any] | None = None,
    x_max_km: float | None = None,
    size: str = "a4",
) -> Figure:
    """Cumulative emissions against distance, each line ending at its car's lifetime (with the
    end-of-life step) and labelled there; break-even points with the reference marked.

    Break-even points come from ``comparison["break_even"]`` when given; otherwise each electric
    scenario is set against the first combustion scenario.
    """
    dicts = [as_dict(r) for r in results]
    curves = {str(d["name"]): curve(d) for d in dicts}
    names, shared = short_names(list(curves))
    x_max = x_max_km or max(c.lifetime_km for c in curves.values())
    breaks = _break_evens(dicts, curves, comparison)
    refs = {b["reference"] for b in breaks}
    fig = figure(size, 3.6 if len(dicts) <= 4 else 2.4 + 0.2 * len(dicts))
    ax = fig.add_subplot()
    ends: dict[str, tuple[float, float, str]] = {}
    i = 0
    for name, c in curves.items():
        if name in refs:
            colour, style, width = REFERENCE_COLOUR, "-", 2.0
        else:
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            style = LINE_STYLES[(i // len(LINE_COLOURS)) % len(LINE_STYLES)]
            width = 1.3
            i += 1
        px, py = _curve_xy(c)
        ax.plot([x / 1000.0 for x in px], py, color=colour, linestyle=style, linewidth=width)
        ends[name] = (px[-1] / 1000.0, py[-1], colour)
    for n, b in enumerate(x for x in breaks if x.get("distance_km") is not None):
        km = float(b["distance_km"])
        if km > curves[b["scenario"]].lifetime_km:
            continue
        ax.plot(
            km / 1000.0,
            curves[b["scenario"]].at(km) / TONNE,
            marker="o",
            markersize=4.5,
            markerfacecolor="white",
            markeredgecolor=ends[b["scenario"]][2],
            markeredgewidth=1.4,
            linestyle="none",
            label="break-even with the reference" if n == 0 else None,
        )
    top = max(y for _, y, _ in ends.values()) * 1.06
    ax.set_xlim(0, x_max / 1000.0)
    ax.set_ylim(0, top)
    ax.set_xlabel("Distance driven (1,000 km)")
    ax.set_ylabel("Cumulative t CO2e")
    style_axes(ax, size, grid="both")
    ax.margins(x=0)
    _label_line_ends(fig, ax, ends, names, refs, top, size)
    if breaks:
        ax.legend(loc="upper left", fontsize=font(size), frameon=False)
    titles(
        fig,
        ax,
        "Cumulative emissions over the life" + (f": {shared}" if shared else ""),
        _unit_line(dicts[0], "t CO2e per vehicle")
        + "; each line ends at the car's lifetime, with its end-of-life step",
        size,
    )
    return fig


def _label_line_ends(
    fig: Figure,
    ax: Any,
    ends: Mapping[str, tuple[float, float, str]],
    names: Mapping[str, str],
    refs: set,
    top: float,
    size: str,
) -> None:
    """Each line's name and end value right of the axes, spread so no two labels touch, with a
    thin leader to the line's end."""
    fs = font(size, 0.95)
    fig.draw_without_rendering()  # the axes' final height, to turn a text line into data units
    height_px = ax.get_window_extent().height
    gap = 1.3 * fs * fig.dpi / 72 / max(height_px, 1.0) * top * 1.25
    keys = list(ends)
    pos = _spread([ends[k][1] for k in keys], gap, 0.0, top)
    x_end = ax.get_xlim()[1]
    for k, yp in zip(keys, pos, strict=True):
        x, y, colour = ends[k]
        ref = " (reference)" if k in refs else ""
        ax.annotate(
            plain(f"{names[k]}{ref}: {y:,.1f} t"),
            xy=(x, y),
            xytext=(x_end + 0.03 * x_end, yp),
            textcoords="data",
            va="center",
            fontsize=fs,
            color=colour if colour != "#999999" else "#555555",
            arrowprops={
                "arrowstyle": "-",
                "color": colour,
                "linewidth": 0.5,
                "shrinkA": 0,
                "relpos": (0.0, 0.5),
                "shrinkB": 1,
            },
            annotation_clip=False,
        )


def waterfall_chart(baseline: Res, scenario: Res, size: str = "a4") -> Figure:
    """From the baseline's total to the scenario's, one bar per stage difference (t CO2e),
    drawn horizontally so every label has a line of its own: a hatched bar is a stage that
    costs more than in the baseline, a plain one a stage that saves."""
    b, s = as_dict(baseline), as_dict(scenario)
    base_t = float(b["total_kg_co2e"]) / TONNE
    scen_t = float(s["total_kg_co2e"]) / TONNE
    deltas = [
        (
            st,
            (float(s["stages_kg_co2e"].get(st, 0.0)) - float(b["stages_kg_co2e"].get(st, 0.0)))
            / TONNE,
        )
        for st in STAGES
    ]
    names, shared = short_names([str(b["name"]), str(s["name"])])
    fig = figure(size, 3.4)
    ax = fig.add_subplot()
    rows = len(deltas) + 2
    ys = list(range(rows))[::-1]
    ax.barh(ys[0], base_t, color="#999999", edgecolor=EDGE, linewidth=0.5, height=0.68)
    labels = [f"{names[str(b['name'])]} (baseline)"]
    texts = [(base_t, ys[0], f"{base_t:,.1f} t")]
    level = base_t
    for (stage, dv), y in zip(deltas, ys[1:-1], strict=True):
        ax.barh(
            y,
            abs(dv),
            left=min(level, level + dv),
            color=STAGE_COLOURS[stage],
            edgecolor=EDGE,
            linewidth=0.5,
            height=0.68,
            hatch="///" if dv > 0 else None,
        )
        texts.append((max(level, level + dv), y, f"{dv:+,.2f} t" if abs(dv) >= 0.005 else "0"))
        ax.plot([level, level], [y + 0.34, y + 0.66], color=EDGE, linewidth=0.6)
        level += dv
        labels.append(STAGE_NAMES[stage])
    ax.barh(ys[-1], scen_t, color="#555555", edgecolor=EDGE, linewidth=0.5, height=0.68)
    ax.plot([level, level], [ys[-1] + 0.34, ys[-1] + 0.66], color=EDGE, linewidth=0.6)
    texts.append((scen_t, ys[-1], f"{scen_t:,.1f} t"))
    labels.append(names[str(s["name"])])
    span = max([base_t, scen_t, *(x for x, _, _ in texts), 1e-9])
    for x, y, text in texts:
        ax.text(x + 0.01 * span, y, text, va="center", fontsize=font(size))
    ax.set_xlim(0, span * 1.16)
    ax.set_yticks(ys, [plain(wrap(lab, 28)) for lab in labels])
    ax.set_xlabel("t CO2e per vehicle")
    style_axes(ax, size)
    diff = scen_t - base_t
    pct = 100.0 * diff / base_t if base_t else 0.0
    titles(
        fig,
        ax,
        f"{names[str(s['name'])]} against {names[str(b['name'])]}: {diff:+,.1f} t CO2e "
        f"({pct:+.1f} %)" + (f" ({shared})" if shared else ""),
        _unit_line(b) + "; hatched: a stage that costs more, plain: a stage that saves",
        size,
        axes_share=0.66,
    )
    return fig


def _component_totals(d: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    per: dict[str, dict[str, float]] = {}
    for ex in d.get("exchanges", []):
        comp = ex.get("component")
        if comp is None or ex.get("credit"):
            continue
        per.setdefault(comp, {}).setdefault(ex["stage"], 0.0)
        per[comp][ex["stage"]] += float(ex["kg_co2e"]) / TONNE
    return per


def components_chart(result: Res, size: str = "a4") -> Figure:
    """Production emissions of each vehicle component, stacked by stage (t CO2e), largest on
    top, each with its total."""
    d = as_dict(result)
    per = _component_totals(d)
    comps = sorted(per, key=lambda c: sum(per[c].values()))
    fig = figure(size, 1.5 + 0.24 * max(len(comps), 1))
    ax = fig.add_subplot()
    used = [st for st in STAGES if any(per[c].get(st) for c in comps)]
    left = [0.0] * len(comps)
    for st in used:
        vals = [per[c].get(st, 0.0) for c in comps]
        ax.barh(
            range(len(comps)),
            vals,
            left=left,
            color=STAGE_COLOURS[st],
            edgecolor=EDGE,
            linewidth=0.4,
            label=STAGE_NAMES[st],
            height=0.72,
        )
        left = [a + v for a, v in zip(left, vals, strict=True)]
    _bar_values(ax, list(range(len(comps))), left, [f"{t:,.2f} t" for t in left], size)
    ax.set_yticks(range(len(comps)), [plain(humanise(c)) for c in comps])
    ax.set_xlabel("t CO2e per vehicle")
    style_axes(ax, size)
    total = float(d["total_kg_co2e"]) / TONNE
    titles(
        fig,
        ax,
        f"{_label(str(d['name']))}: production emissions by component",
        _unit_line(d) + f"; materials and battery stages (of a {total:,.1f} t total)",
        size,
    )
    if used:
        fig.legend(loc="outside lower center", ncol=len(used), fontsize=font(size), frameon=False)
    return fig


def _spot_label(h: Mapping[str, Any]) -> str:
    """``part-manufacturing: forming ...`` -> ``Part manufacturing: forming ...``."""
    head, sep, rest = str(h["label"]).partition(": ")
    return f"{humanise(head)}{sep}{rest}" if sep and " " not in head else str(h["label"])


def hotspots_chart(result: Res, size: str = "a4") -> Figure:
    """The largest single contributions (``hotspots`` of the result), coloured by stage."""
    from matplotlib.patches import Patch

    d = as_dict(result)
    spots = sorted(d.get("hotspots", []), key=lambda h: float(h["kg_co2e"]))
    fig = figure(size, 1.5 + 0.3 * max(len(spots), 1))
    ax = fig.add_subplot()
    vals = [float(h["kg_co2e"]) / TONNE for h in spots]
    ax.barh(
        range(len(spots)),
        vals,
        color=[STAGE_COLOURS.get(h["stage"], "#999999") for h in spots],
        edgecolor=EDGE,
        linewidth=0.4,
        height=0.72,
    )
    _bar_values(
        ax,
        list(range(len(spots))),
        [max(v, 0.0) for v in vals],
        [f"{v:,.2f} t ({100 * float(h['share']):.1f} %)" for v, h in zip(vals, spots, strict=True)],
        size,
    )
    width = chars(fig.get_figwidth() * 0.42, font(size))
    ax.set_yticks(range(len(spots)), [plain(wrap(_spot_label(h), width)) for h in spots])
    ax.set_xlabel("t CO2e per vehicle")
    style_axes(ax, size)
    titles(
        fig,
        ax,
        f"{_label(str(d['name']))}: the {len(spots)} largest contributions",
        _unit_line(d) + "; share of the total in brackets",
        size,
        axes_share=0.5,
    )
    seen = [st for st in STAGES if any(h["stage"] == st for h in spots)]
    fig.legend(
        handles=[Patch(color=STAGE_COLOURS[st], label=STAGE_NAMES[st]) for st in seen],
        loc="outside lower center",
        # rows of at most LEGEND_COLUMNS[size] entries, so a long list of stages stays inside
        ncol=max(min(len(seen), LEGEND_COLUMNS.get(size, 4)), 1),
        fontsize=font(size),
        frameon=False,
    )
    return fig


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
