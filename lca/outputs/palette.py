"""Stage labels and colours shared by tables and charts. One colour per life-cycle stage
(Okabe-Ito colour-blind-safe palette, Okabe and Ito 2008, "Color Universal Design"), so every
chart shows a stage in the same colour."""

from __future__ import annotations

STAGE_COLOURS = {
    "materials": "#E69F00",  # orange
    "battery": "#56B4E9",  # sky blue
    "manufacturing": "#009E73",  # bluish green
    "logistics": "#F0E442",  # yellow
    "use": "#0072B2",  # blue
    "maintenance": "#D55E00",  # vermillion
    "end_of_life": "#CC79A7",  # reddish purple
}
STAGE_NAMES = {
    "materials": "Materials and parts",
    "battery": "Traction battery",
    "manufacturing": "Manufacturing",
    "logistics": "Logistics",
    "use": "Use (energy)",
    "maintenance": "Maintenance",
    "end_of_life": "End of life",
}
# long labels for tables (the CLI summary and the report)
STAGE_LABELS = {
    "materials": "Materials and parts (excl. battery)",
    "battery": "Traction battery",
    "manufacturing": "Vehicle manufacturing",
    "logistics": "Logistics (delivery)",
    "use": "Use (energy, with upstream and losses)",
    "maintenance": "Maintenance",
    "end_of_life": "End of life",
}
TOTAL_COLOUR = "#333333"
LOW_COLOUR = "#0072B2"  # an input at its low value (tornado)
HIGH_COLOUR = "#D55E00"  # an input at its high value (tornado)
