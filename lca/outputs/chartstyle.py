"""The print style shared by every chart: figure sizes for an A4 text column and for a slide,
font sizes that stay legible there (at least 7 pt at the drawn size), a title with a subtitle
carrying units and the GWP set, and byte-reproducible PNG and SVG files.

Charts are drawn at the size they are printed: the report embeds them at 100 % of the A4 text
width, so a 7.5 pt label in the figure is a 7.5 pt label in the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lca.outputs.palette import plain

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# width and a default height (inches) of each target: A4 with 14 mm margins leaves 182 mm of text
# width (7.17 in); a 16:9 slide is 13.33 x 7.5 in, of which the chart takes most
SIZES = {"a4": (6.8, 3.6), "slide": (12.0, 6.2)}
FONT = {"a4": 7.5, "slide": 12.0}  # body text of a chart, pt
DPI = 200
TONNE = 1000.0  # kg per t: charts show t CO2e
EDGE = "#333333"
GRID = "#dddddd"
SVG_SALT = "vehicle-lca"  # fixed SVG ids (clip paths, glyphs): the same chart gives the same bytes
# zlib level of the PNG files: 3 encodes a chart in about 70 % of the time of the default 6
# (the four run charts: 100 -> 71 ms) for the same pixels, the files about 2 % larger in all
PNG_COMPRESSION = 3


def size_of(size: str) -> tuple[float, float]:
    """(width, default height) in inches of a size name (``a4`` or ``slide``)."""
    if size not in SIZES:
        raise ValueError(f"unknown chart size {size!r}; choose one of {', '.join(SIZES)}")
    return SIZES[size]


def font(size: str, scale: float = 1.0) -> float:
    """The body font size (pt) of a target, times ``scale`` (never under 7 pt on A4)."""
    return max(7.0, FONT[size] * scale) if size == "a4" else FONT[size] * scale


def figure(size: str, height: float | None = None) -> Figure:
    """An empty figure of the target's width; ``height`` in inches (default the target's).

    Heights given for A4 are scaled for a slide, so a chart keeps its proportions."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, default = size_of(size)
    h = default if height is None else height * (width / SIZES["a4"][0] if size != "a4" else 1)
    if size == "slide":
        h = min(h, 7.0)
    fig = Figure(figsize=(width, h), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=0.04, h_pad=0.04)
    return fig


def titles(
    fig: Figure, ax: Any, title: str, subtitle: str, size: str, axes_share: float = 0.72
) -> None:
    """A bold title (left of the figure) and a grey subtitle (units, GWP set, how to read) left
    aligned with the axes, wrapped to the axes' expected share of the figure width."""
    width_in = fig.get_figwidth()
    fs_t, fs_s = font(size, 1.25), font(size, 1.0)
    fig.suptitle(
        wrap(plain(title), chars(width_in, fs_t)),
        x=0.01,
        ha="left",
        fontsize=fs_t,
        fontweight="bold",
    )
    ax.set_title(
        wrap(plain(subtitle), chars(width_in * axes_share, fs_s)),
        loc="left",
        fontsize=fs_s,
        color="#444444",
    )


def chars(width_in: float, fontsize: float) -> int:
    """About how many characters of DejaVu Sans at ``fontsize`` fit in ``width_in`` inches."""
    return max(12, int(width_in * 72 / (0.58 * fontsize)) - 2)


def wrap(text: str, width: int) -> str:
    """Text wrapped at ``width`` characters (words never broken)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def style_axes(ax: Any, size: str, grid: str = "x") -> None:
    """Tick label sizes, a light grid behind the data, no top and right frame."""
    ax.tick_params(labelsize=font(size), length=3)
    ax.xaxis.label.set_fontsize(font(size))
    ax.yaxis.label.set_fontsize(font(size))
    if grid:
        ax.grid(axis=grid, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def gwp_phrase(gwp_set: str | None) -> str:
    """``GWP100, IPCC AR6`` (the GWP set a chart's numbers use)."""
    return f"GWP100, IPCC {gwp_set}" if gwp_set else "GWP100"


def unit_line(d: Mapping[str, Any], what: str = "t CO2e per vehicle") -> str:
    """A chart's subtitle start: the unit, the boundary and the GWP set of result ``d``."""
    return f"{what}, {d.get('boundary', 'cradle-to-grave')}, {gwp_phrase(d.get('gwp_set'))}"


def figure_files(fig: Figure, path_stem: str | Path) -> dict[Path, bytes]:
    """``{stem.png: bytes, stem.svg: bytes}`` of a figure (nothing written). The same figure
    gives the same bytes on every run: no date in either file, a fixed SVG hash salt.

    The figure is laid out and drawn once for the PNG (Agg buffer to PNG, no second layout
    pass); the SVG reuses that layout, so it is drawn once more and not laid out again (with no
    layout engine at all: with a placeholder engine ``savefig`` would draw the figure twice)."""
    import matplotlib
    from matplotlib.image import imsave

    stem = Path(path_stem)
    rc = {
        "svg.hashsalt": SVG_SALT,
        "svg.fonttype": "path",
        "path.simplify": True,
        # set_layout_engine(None) then means no engine
        "figure.autolayout": False,
        "figure.constrained_layout.use": False,
    }
    engine = fig.get_layout_engine()
    with matplotlib.rc_context(rc):
        fig.canvas.draw()  # the layout engine runs here, once
        png = io.BytesIO()
        imsave(
            png,
            fig.canvas.buffer_rgba(),
            format="png",
            origin="upper",
            dpi=fig.dpi,
            metadata={"Software": "vehicle-lca"},
            pil_kwargs={"compress_level": PNG_COMPRESSION},
        )
        svg = io.BytesIO()
        fig.set_layout_engine(None)  # keep the layout just computed
        try:
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": "vehicle-lca"})
        finally:
            fig.set_layout_engine(engine)
    return {
        stem.with_name(f"{stem.name}.png"): png.getvalue(),
        stem.with_name(f"{stem.name}.svg"): svg.getvalue(),
    }


def svg_text(fig: Figure) -> str:
    """The figure as an SVG element to inline in HTML (no XML prolog), reproducible."""
    data = figure_files(fig, "x")[Path("x.svg")].decode("utf-8")
    return data[data.find("<svg") :]
