"""The life-cycle stages of every footprint, in report order (a bottom-layer module: no imports,
so the charts can name the stages without importing the model)."""

STAGES = (
    "materials",
    "battery",
    "manufacturing",
    "logistics",
    "use",
    "maintenance",
    "end_of_life",
)
