"""The cumulative-emission chart: t CO2e against distance driven, each car's line ending at
its lifetime with its end-of-life step and labelled there, break-even points with the
reference marked (:mod:`lca.analysis.compare` gives the curves and break-even distances).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lca.analysis.compare import COMBUSTION, as_dict, break_even_km, curve
from lca.outputs.chartstyle import TONNE, figure, font, style_axes, titles, unit_line
from lca.outputs.palette import (
    LINE_COLOURS,
    LINE_STYLES,
    REFERENCE_COLOUR,
    plain,
    short_names,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lca.calc.results import Result

    Res = Result | Mapping[str, Any]


RIGHT_MARGIN = 0.015  # share of the figure width left blank right of the labels (with the pad)


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


def _draw_lines(ax: Any, curves: Mapping[str, Any], refs: set) -> dict:
    """One line per car (t CO2e against 1,000 km): a reference in black, the others in the
    line colours and then dash patterns; ``{name: (x end, y end, colour)}``."""
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
    return ends


def _mark_break_evens(ax: Any, curves: Mapping[str, Any], breaks: list, ends: dict) -> None:
    """An open circle on a car's line at each break-even within its lifetime."""
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
    # the line-end labels are the rightmost ink: the layout keeps RIGHT_MARGIN free right of them
    fig.get_layout_engine().set(rect=(0.0, 0.0, 1.0 - RIGHT_MARGIN, 1.0))
    ax = fig.add_subplot()
    ends = _draw_lines(ax, curves, refs)
    _mark_break_evens(ax, curves, breaks, ends)
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
        unit_line(dicts[0], "t CO2e per vehicle")
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
    # the axes' final height, to turn a text line into data units: the layout alone places the
    # axes (a whole draw without rendering would only add the drawing of every artist)
    fig.get_layout_engine().execute(fig)
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
