"""Charts of the uncertainty and sensitivity analyses, in the print style of
:mod:`lca.outputs.chartstyle` (figures; :func:`lca.outputs.chartstyle.figure_files` writes PNG
and SVG). Inputs are named for a reader (parameter words, record names), never by key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lca.outputs.chartstyle import EDGE, figure, font, gwp_phrase, style_axes, titles, wrap
from lca.outputs.palette import (
    HIGH_COLOUR,
    LOW_COLOUR,
    STAGE_COLOURS,
    STAGE_NAMES,
    TOTAL_COLOUR,
    input_label,
    plain,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_BARS = 15  # inputs shown in tornado and index charts
#: samples of each stage whose density the violins show (the shape is settled long before; the
#: density's cost grows with the number); the histogram uses every sample
VIOLIN_SAMPLES = 20_000
LABEL_CHARS = 38  # input labels wrap here
HISTOGRAM_BINS = 80  # bins of the distribution chart's histogram of the total


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:(") + "…"


def _labels(rows: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None) -> list[str]:
    out = []
    for r in rows:
        row = dict(r)
        if names and row.get("key") in names and not row.get("description"):
            row["description"] = names[row["key"]]
        out.append(plain(wrap(_shorten(input_label(row), 2 * LABEL_CHARS - 4), LABEL_CHARS)))
    return out


KDE_ROWS = 4
"""Evaluation points per block in :func:`_kde` (the block's temporaries, 4 x 20,000 float64,
stay in the processor's cache: about 2.5 times faster than all 100 points at once)."""


def _kde(x: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """``matplotlib.mlab.GaussianKDE(x).evaluate(coords)`` for one-dimensional ``x`` (Scott's
    bandwidth), with the loop over ``coords`` done as array operations on blocks of
    :data:`KDE_ROWS` points: the same products, exponentials and row sums, so the same numbers
    (a test compares them)."""
    from matplotlib import mlab

    if np.all(x[0] == x):  # as matplotlib's violin_stats: a constant data set
        return (x[0] == coords).astype(float)
    kde = mlab.GaussianKDE(x, None)
    data, points = kde.dataset[0], np.atleast_2d(coords)[0]
    inv_cov = kde.inv_cov[0, 0]
    out = np.empty(len(points))
    for lo in range(0, len(points), KDE_ROWS):
        # the subtraction in the data's precision, as matplotlib does; the products in float64
        diff = (data[None, :] - points[lo : lo + KDE_ROWS, None]).astype(np.float64, copy=False)
        energy = inv_cov * diff  # then in place: diff * tdiff, -1/2 of it, exponentiated
        energy *= diff
        energy *= -0.5  # the same number as -(energy / 2.0): both round the same real value
        np.exp(energy, out=energy)
        out[lo : lo + KDE_ROWS] = energy.sum(axis=1)
    return out / kde.norm_factor


def _violin_stats(data: Sequence[np.ndarray]) -> list[dict[str, Any]]:
    """What ``Axes.violinplot`` computes (Gaussian KDE at 100 points, median and range), with
    the density estimate of :func:`_kde`: most of the chart's drawing time otherwise."""
    from matplotlib import cbook

    return cbook.violin_stats(list(data), _kde, points=100)


def distribution_chart(
    title: str,
    total_t: np.ndarray,
    stages_t: np.ndarray,
    stage_names: Sequence[str],
    deterministic_t: float,
    stats: Mapping[str, float],
    gwp_set: str | None = None,
    size: str = "a4",
) -> Figure:
    """Histogram of the total (t CO2e) with P2.5/P50/P97.5 and the deterministic value, and a
    violin per stage."""
    fig = figure(size, 3.4)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.0, 1.0])
    # one filled outline of the 80 bins: the bars of ``hist``, drawn as a single patch (80
    # rectangles cost a tenth of a second to lay out and draw, and as many SVG paths)
    counts, edges = np.histogram(total_t, bins=HISTOGRAM_BINS)
    ax1.stairs(counts, edges, fill=True, color=TOTAL_COLOUR, alpha=0.75, linewidth=0)
    for key, style in (("p2_5", ":"), ("p50", "-"), ("p97_5", ":")):
        ax1.axvline(stats[key] / 1000, color="black", ls=style, lw=0.9)
    ax1.axvline(deterministic_t, color=HIGH_COLOUR, lw=1.4)
    from matplotlib.lines import Line2D

    ax1.legend(
        handles=[
            Line2D([], [], color="black", ls="-", lw=0.9, label="median"),
            Line2D([], [], color="black", ls=":", lw=0.9, label="P2.5 and P97.5"),
            Line2D([], [], color=HIGH_COLOUR, lw=1.4, label="deterministic"),
        ],
        loc="upper right",
        fontsize=font(size),
        frameon=False,
    )
    ax1.set_xlabel("Total, t CO2e per vehicle")
    ax1.set_ylabel("Samples")
    style_axes(ax1, size, grid="y")
    ax1.set_ylim(top=ax1.get_ylim()[1] * 1.35)  # room for the legend above the bars
    keep = stages_t[:, :VIOLIN_SAMPLES]
    present = [i for i in range(len(stage_names)) if np.any(keep[i] != 0)]
    pos = list(range(len(present)))[::-1]  # the first stage on top
    parts = ax2.violin(
        _violin_stats([keep[i] for i in present]),
        positions=pos,
        showmedians=True,
        widths=0.8,
        orientation="horizontal",
    )
    for body, i in zip(parts["bodies"], present, strict=True):
        body.set_facecolor(STAGE_COLOURS.get(stage_names[i], TOTAL_COLOUR))
        body.set_edgecolor(EDGE)
        body.set_alpha(0.85)
    for key in ("cmedians", "cmins", "cmaxes", "cbars"):
        if key in parts:
            parts[key].set_color("black")
            parts[key].set_linewidth(0.7)
    ax2.set_yticks(pos, [STAGE_NAMES.get(stage_names[i], stage_names[i]) for i in present])
    ax2.set_xlabel("By stage, t CO2e per vehicle")
    style_axes(ax2, size, grid="x")
    titles(
        fig,
        ax1,
        title,
        f"{len(total_t):,} samples; t CO2e per vehicle, {gwp_phrase(gwp_set)}; right: the "
        "distribution of each stage (bars: median and range)",
        size,
        axes_share=0.9,
    )
    return fig


def tornado_chart(
    title: str,
    rows: Sequence[Mapping[str, Any]],
    deterministic_kg: float,
    gwp_set: str | None = None,
    names: Mapping[str, str] | None = None,
    size: str = "a4",
) -> Figure:
    """Tornado: the total with each input at its low value (upper half-bar) and at its high
    value (lower half-bar), from the deterministic total (t CO2e). Both half-bars are always
    visible, also when both ends fall on one side of the deterministic total."""
    from matplotlib.patches import Patch

    rows = list(rows)[:MAX_BARS]
    fig = figure(size, 1.5 + 0.36 * max(len(rows), 1))
    ax = fig.add_subplot()
    det = deterministic_kg / 1000
    ends = []
    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        lo, hi = r["total_at_low_kg_co2e"] / 1000, r["total_at_high_kg_co2e"] / 1000
        ax.barh(
            y + 0.18,
            lo - det,
            left=det,
            color=LOW_COLOUR,
            height=0.36,
            edgecolor=EDGE,
            linewidth=0.3,
        )
        ax.barh(
            y - 0.18,
            hi - det,
            left=det,
            color=HIGH_COLOUR,
            height=0.36,
            edgecolor=EDGE,
            linewidth=0.3,
        )
        ends.append((y, min(lo, hi, det), max(lo, hi, det), hi - lo))
    span = max((b - a for _, a, b, _ in ends), default=1.0) or 1.0
    left = min((a for _, a, _, _ in ends), default=det)
    right = max((b for _, _, b, _ in ends), default=det)
    for y, _, b, swing in ends:
        ax.text(b + 0.02 * span, y, f"{swing:+,.2f} t", va="center", fontsize=font(size))
    ax.set_xlim(left - 0.05 * span, right + 0.35 * span)
    ax.axvline(det, color="black", lw=0.9)
    ax.set_yticks(range(len(rows)), _labels(rows, names)[::-1])
    ax.set_xlabel(f"Total, t CO2e per vehicle (line: deterministic, {det:,.2f} t)")
    style_axes(ax, size)
    fig.legend(
        handles=[
            Patch(color=LOW_COLOUR, label="input at its low value"),
            Patch(color=HIGH_COLOUR, label="input at its high value"),
        ],
        loc="outside lower center",
        ncol=2,
        fontsize=font(size),
        frameon=False,
    )
    titles(
        fig,
        ax,
        title,
        f"t CO2e per vehicle, {gwp_phrase(gwp_set)}; number: total at high minus total at low",
        size,
        axes_share=0.55,
    )
    return fig


def sobol_chart(
    title: str,
    rows: Sequence[Mapping[str, Any]],
    gwp_set: str | None = None,
    names: Mapping[str, str] | None = None,
    size: str = "a4",
) -> Figure:
    """First-order (S1) and total (ST) Sobol indices with their 95 % confidence intervals; the
    subtitle says why S1 can exceed ST (sampling noise within the intervals)."""
    rows = list(rows)[:MAX_BARS]
    fig = figure(size, 1.7 + 0.38 * max(len(rows), 1))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    ax.barh(
        y + 0.18,
        [r["ST"] for r in rows],
        height=0.36,
        xerr=[r["ST_conf"] for r in rows],
        color=HIGH_COLOUR,
        label="total order (ST)",
        error_kw={"lw": 0.7},
    )
    ax.barh(
        y - 0.18,
        [r["S1"] for r in rows],
        height=0.36,
        xerr=[r["S1_conf"] for r in rows],
        color=LOW_COLOUR,
        label="first order (S1)",
        error_kw={"lw": 0.7},
    )
    hi = max((max(r["ST"] + r["ST_conf"], r["S1"] + r["S1_conf"]) for r in rows), default=1.0)
    for yi, r in zip(y, rows, strict=True):
        ax.text(
            max(r["ST"] + r["ST_conf"], r["S1"] + r["S1_conf"]) + 0.02 * hi,
            yi,
            f"ST {r['ST']:.2f} · S1 {r['S1']:.2f}",
            va="center",
            fontsize=font(size),
        )
    ax.set_yticks(y, _labels(rows, names))
    ax.set_xlabel("Sobol index (share of the variance of the total); whiskers: 95 % CI")
    low = min([0.0, *(r["S1"] - r["S1_conf"] for r in rows)])
    ax.set_xlim(low, hi * 1.45)
    style_axes(ax, size)
    fig.legend(loc="outside lower center", ncol=2, fontsize=font(size), frameon=False)
    noisy = [r for r in rows if r["S1"] > r["ST"]]
    note = (
        f"; S1 above ST ({len(noisy)} inputs) is sampling noise: the two agree within their "
        "confidence intervals (in theory S1 <= ST)"
        if noisy
        else "; in theory S1 <= ST, the gap is the share due to interactions"
    )
    titles(fig, ax, title, f"{gwp_phrase(gwp_set)}{note}", size, axes_share=0.55)
    return fig


def morris_chart(
    title: str,
    rows: Sequence[Mapping[str, Any]],
    gwp_set: str | None = None,
    names: Mapping[str, str] | None = None,
    size: str = "a4",
) -> Figure:
    """Morris screening: mu* (mean absolute elementary effect) and sigma (interactions or
    non-linearity) of each input as paired bars (t CO2e), ordered by mu*."""
    rows = sorted(rows, key=lambda r: -r["mu_star_kg_co2e"])[:MAX_BARS]
    fig = figure(size, 1.7 + 0.38 * max(len(rows), 1))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    mu = [r["mu_star_kg_co2e"] / 1000 for r in rows]
    sd = [r["sigma_kg_co2e"] / 1000 for r in rows]
    ax.barh(y + 0.18, mu, height=0.36, color=HIGH_COLOUR, label="mu* (mean |effect|)")
    ax.barh(y - 0.18, sd, height=0.36, color=LOW_COLOUR, label="sigma (interactions)")
    top = max([*mu, *sd, 1e-9])
    for yi, m in zip(y, mu, strict=True):
        ax.text(max(m, 0) + 0.02 * top, yi + 0.18, f"{m:,.2f} t", va="center", fontsize=font(size))
    ax.set_xlim(0, top * 1.3)
    ax.set_yticks(y, _labels(rows, names))
    ax.set_xlabel("Elementary effect on the total, t CO2e per vehicle")
    style_axes(ax, size)
    fig.legend(loc="outside lower center", ncol=2, fontsize=font(size), frameon=False)
    titles(
        fig,
        ax,
        title,
        f"t CO2e per vehicle, {gwp_phrase(gwp_set)}; ordered by mu*",
        size,
        axes_share=0.55,
    )
    return fig
