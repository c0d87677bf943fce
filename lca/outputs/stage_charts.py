"""Bar charts of one or more results by life-cycle stage (t CO2e): the footprint by stage,
production by component, the largest single contributions, and the waterfall from a baseline
to a scenario. Each stage keeps its colour of :mod:`lca.outputs.palette`; bars carry their
values; the subtitle gives the unit and the GWP set (:mod:`lca.outputs.chartstyle`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lca.analysis.compare import as_dict
from lca.outputs.chartstyle import (
    EDGE,
    TONNE,
    chars,
    figure,
    font,
    style_axes,
    titles,
    unit_line,
    wrap,
)
from lca.outputs.palette import STAGE_COLOURS, STAGE_NAMES, humanise, plain, short_names
from lca.stages import STAGES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lca.calc.results import Result

    Res = Result | Mapping[str, Any]

LEGEND_COLUMNS = {"a4": 4, "slide": 7}  # stage legend entries per row (an A4 column is narrow)


def stacked_stage_bars(
    ax: Axes, y: Sequence[int], series: Sequence[tuple[str, list[float]]]
) -> list[float]:
    """Horizontal bars stacked stage by stage (``series``: stage and its value per bar, t
    CO2e), in the stage colours and names; returns each bar's total (t CO2e)."""
    left = [0.0] * len(y)
    for stage, vals in series:
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
        left = [a + v for a, v in zip(left, vals, strict=True)]
    return left


def bar_values(
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
    left = stacked_stage_bars(
        ax,
        y,
        [
            (stage, [float(d["stages_kg_co2e"].get(stage, 0.0)) / TONNE for d in order])
            for stage in STAGES
        ],
    )
    bar_values(
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
        unit_line(dicts[0]) + "; ordered by total, labels: total and per km",
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
    bar_values(
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
        title or f"{humanise(str(d['name']))}: {total / TONNE:,.1f} t CO2e by life-cycle stage",
        unit_line(d) + f"; {float(d['per_km_g_co2e']):,.0f} g CO2e/km over "
        f"{float(d['lifetime_distance_km']):,.0f} km",
        size,
    )
    return fig


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
        unit_line(b) + "; hatched: a stage that costs more, plain: a stage that saves",
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
    left = stacked_stage_bars(
        ax, range(len(comps)), [(st, [per[c].get(st, 0.0) for c in comps]) for st in used]
    )
    bar_values(ax, list(range(len(comps))), left, [f"{t:,.2f} t" for t in left], size)
    ax.set_yticks(range(len(comps)), [plain(humanise(c)) for c in comps])
    ax.set_xlabel("t CO2e per vehicle")
    style_axes(ax, size)
    total = float(d["total_kg_co2e"]) / TONNE
    titles(
        fig,
        ax,
        f"{humanise(str(d['name']))}: production emissions by component",
        unit_line(d) + f"; materials and battery stages (of a {total:,.1f} t total)",
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
    bar_values(
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
        f"{humanise(str(d['name']))}: the {len(spots)} largest contributions",
        unit_line(d) + "; share of the total in brackets",
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
