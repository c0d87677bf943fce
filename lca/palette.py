"""Colours shared by the charts: one per life-cycle stage (Okabe-Ito colour-blind-safe palette,
Okabe and Ito 2008, "Color Universal Design"), so every chart shows a stage in the same colour."""

from __future__ import annotations

STAGE_COLOURS = {
    "materials": "#0072B2",
    "battery": "#E69F00",
    "manufacturing": "#009E73",
    "logistics": "#56B4E9",
    "use": "#D55E00",
    "maintenance": "#CC79A7",
    "end_of_life": "#999999",
}
TOTAL_COLOUR = "#333333"
LOW_COLOUR = "#0072B2"  # an input at its low value (tornado)
HIGH_COLOUR = "#D55E00"  # an input at its high value (tornado)
