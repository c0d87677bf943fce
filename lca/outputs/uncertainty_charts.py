"""Charts of the uncertainty and sensitivity analyses (PNG bytes; matplotlib imported lazily,
Agg backend). Stage colours from :mod:`lca.palette`."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lca.outputs.palette import HIGH_COLOUR, LOW_COLOUR, STAGE_COLOURS, STAGE_NAMES, TOTAL_COLOUR

MAX_BARS = 15  # inputs shown in tornado and index charts
DPI = 150


def _plt():  # noqa: ANN202
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    _plt().close(fig)
    return buf.getvalue()


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def distribution_chart(
    title: str,
    total_t: np.ndarray,
    stages_t: np.ndarray,
    stage_names: Sequence[str],
    deterministic_t: float,
    stats: Mapping[str, float],
) -> bytes:
    """Histogram of the total (t CO2e) with P2.5/P50/P97.5 and the deterministic value, and a
    violin per stage."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1.1, 1]})
    ax1.hist(total_t, bins=120, color=TOTAL_COLOUR, alpha=0.75)
    for key, style, text in (
        ("p2_5", ":", "P2.5"),
        ("p50", "-", "median"),
        ("p97_5", ":", "P97.5"),
    ):
        ax1.axvline(stats[key] / 1000, color="black", ls=style, lw=1)
        ax1.annotate(
            text,
            (stats[key] / 1000, 1.0),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax1.axvline(deterministic_t, color=HIGH_COLOUR, lw=1.5, label="deterministic result")
    ax1.set_xlabel("Cradle-to-grave footprint, t CO2e per vehicle")
    ax1.set_ylabel("samples")
    ax1.legend(loc="upper right", fontsize=8, frameon=False)
    ax1.set_title(f"Total, {len(total_t):,} samples", fontsize=10, pad=14)
    # violins on a subsample (the shape is the same; drawing 10^6 points is slow)
    keep = stages_t[:, : min(stages_t.shape[1], 20000)]
    present = [i for i in range(len(stage_names)) if np.any(keep[i] != 0)]
    parts = ax2.violinplot(
        [keep[i] for i in present], positions=range(len(present)), showmedians=True, widths=0.8
    )
    for body, i in zip(parts["bodies"], present, strict=True):
        body.set_facecolor(STAGE_COLOURS.get(stage_names[i], TOTAL_COLOUR))
        body.set_alpha(0.8)
    for key in ("cmedians", "cmins", "cmaxes", "cbars"):
        if key in parts:
            parts[key].set_color("black")
            parts[key].set_linewidth(0.8)
    ax2.set_xticks(range(len(present)))
    ax2.set_xticklabels(
        [STAGE_NAMES.get(stage_names[i], stage_names[i]) for i in present], rotation=30, ha="right"
    )
    ax2.set_ylabel("t CO2e per vehicle")
    ax2.set_title("By life-cycle stage (distribution of each stage)", fontsize=10, pad=14)
    fig.suptitle(title, fontsize=11)
    return _png(fig)


def tornado_chart(title: str, rows: Sequence[Mapping[str, Any]], deterministic_kg: float) -> bytes:
    """Tornado: the total with each input at its low and high value (t CO2e)."""
    plt = _plt()
    rows = list(rows)[:MAX_BARS]
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.6))
    det = deterministic_kg / 1000
    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        lo, hi = r["total_at_low_kg_co2e"] / 1000, r["total_at_high_kg_co2e"] / 1000
        ax.barh(y, lo - det, left=det, color=LOW_COLOUR, height=0.7)
        ax.barh(y, hi - det, left=det, color=HIGH_COLOUR, height=0.7)
    ax.axvline(det, color="black", lw=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_short(r["label"]) for r in reversed(rows)], fontsize=8)
    ax.set_xlabel("Cradle-to-grave footprint, t CO2e per vehicle (line: deterministic)")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=LOW_COLOUR, label="input at low value"),
            Patch(color=HIGH_COLOUR, label="input at high value"),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title, fontsize=10)
    return _png(fig)


def sobol_chart(title: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """First-order and total Sobol indices with confidence intervals."""
    plt = _plt()
    rows = list(rows)[:MAX_BARS]
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    ax.barh(
        y + 0.18,
        [r["ST"] for r in rows],
        height=0.36,
        xerr=[r["ST_conf"] for r in rows],
        color=HIGH_COLOUR,
        label="total order (ST)",
        error_kw={"lw": 0.8},
    )
    ax.barh(
        y - 0.18,
        [r["S1"] for r in rows],
        height=0.36,
        xerr=[r["S1_conf"] for r in rows],
        color=LOW_COLOUR,
        label="first order (S1)",
        error_kw={"lw": 0.8},
    )
    ax.set_yticks(y)
    ax.set_yticklabels([_short(r["label"]) for r in rows], fontsize=8)
    ax.set_xlabel("Sobol index (share of the variance of the total; bars: 95 % CI)")
    ax.set_xlim(left=min(0.0, *(r["S1"] - r["S1_conf"] for r in rows)))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
    return _png(fig)


def morris_chart(title: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Morris screening: mu* against sigma, the most influential inputs labelled."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 6))
    mu = np.array([r["mu_star_kg_co2e"] for r in rows]) / 1000
    sd = np.array([r["sigma_kg_co2e"] for r in rows]) / 1000
    ax.scatter(mu, sd, color=TOTAL_COLOUR, s=18)
    for r, m, s in list(zip(rows, mu, sd, strict=True))[:8]:
        ax.annotate(
            _short(r["label"], 32), (m, s), fontsize=7, xytext=(4, 2), textcoords="offset points"
        )
    ax.set_xlabel("mu* (mean absolute elementary effect), t CO2e")
    ax.set_ylabel("sigma (interaction / non-linearity), t CO2e")
    ax.set_title(title, fontsize=10)
    return _png(fig)
