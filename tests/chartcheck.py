"""What a reader sees of a chart: the box of every text matplotlib draws, to test that no two
texts overlap and none leaves the figure."""

from __future__ import annotations

from typing import Any

from matplotlib.text import Text


def drawn_texts(fig: Any) -> list[tuple[str, Any]]:
    """``(text, window extent)`` of every non-empty text drawn in ``fig`` (ticks outside the
    view are not drawn, so not counted)."""
    seen: list[tuple[str, Any]] = []
    original = Text.draw

    def record(self: Text, renderer: Any) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and self.get_figure(root=True) is fig:
            # the text alone (an annotation's own extent includes its arrow)
            seen.append((self.get_text(), Text.get_window_extent(self, renderer)))

    Text.draw = record  # type: ignore[method-assign]
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return seen


def layout_problems(fig: Any, tolerance_px: float = 0.5) -> list[str]:
    """Texts overlapping another text or reaching outside the figure (empty: none)."""
    texts = drawn_texts(fig)
    box = fig.bbox
    problems = []
    for text, ext in texts:
        if (
            ext.x0 < box.x0 - tolerance_px
            or ext.y0 < box.y0 - tolerance_px
            or ext.x1 > box.x1 + tolerance_px
            or ext.y1 > box.y1 + tolerance_px
        ):
            problems.append(f"outside the figure: {text!r}")
    for i, (t1, e1) in enumerate(texts):
        for t2, e2 in texts[i + 1 :]:
            w = min(e1.x1, e2.x1) - max(e1.x0, e2.x0)
            h = min(e1.y1, e2.y1) - max(e1.y0, e2.y0)
            if w > tolerance_px and h > tolerance_px:
                problems.append(f"overlap: {t1!r} and {t2!r}")
    return problems
