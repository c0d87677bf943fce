"""Carbon content of a product from its bill of materials (kg of carbon), fossil, biogenic and
recycled, with the mass whose carbon is unknown. Fractions: ``lca/data/carbon-content.yaml``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from lca.analysis.pipeline import Run
from lca.datafiles import data_file
from lca.model.system import Exchange

MATERIAL_KINDS = ("material-primary", "material-secondary", "battery-pack")


@lru_cache(maxsize=1)
def fractions() -> Mapping[str, Mapping[str, Any]]:
    """Record id -> {fossil, biogenic (kg C per kg, None if unknown), estimate, basis}."""
    data = yaml.safe_load(data_file("carbon-content.yaml").read_text(encoding="utf-8"))
    assert data["unit"] == "kg C / kg material", data["unit"]
    return data["records"]


@dataclass(frozen=True)
class CarbonContent:
    """Carbon in the product, kg C: ``fossil`` and ``recycled`` over the materials whose
    fraction is known (lower bounds when ``fossil_unknown_kg`` > 0), ``biogenic`` None when any
    material's biogenic fraction is unknown. Masses in kg."""

    fossil: float
    biogenic: float | None
    recycled: float | None
    assessed_kg: float
    fossil_unknown_kg: float
    unknown_records: tuple[str, ...]
    estimate: bool


def _cell_masses(run: Run) -> dict[str, float]:
    """Cell mass (kg) per battery component: pack mass less the non-cell pack parts."""
    out: dict[str, float] = {}
    for comp in run.system.inventory.components:
        if comp.chemistry is None:
            continue
        share = run.system.database.chemistries[comp.chemistry].cell_mass_share.value
        pack_parts = sum(
            float(a)
            for ex, a in zip(run.system.exchanges, run.system.amounts, strict=True)
            if ex.component == comp.id and ex.kind == "battery-pack"
        )
        out[comp.id] = pack_parts * share / (1.0 - share) if share < 1 else 0.0
    return out


def carbon_content(run: Run, keep: Callable[[Exchange], bool]) -> CarbonContent:
    """Carbon in the materials of the exchanges ``keep`` selects (kg C per product)."""
    table = fractions()
    cells = _cell_masses(run)
    fossil = biogenic = recycled = assessed = unknown_kg = 0.0
    bio_known = recycled_known = True
    unknown: list[str] = []
    estimate = False
    for ex, amount in zip(run.system.exchanges, run.system.amounts, strict=True):
        if ex.credit or not keep(ex):
            continue
        if ex.kind == "battery-cells":
            mass = cells.get(ex.component or "", 0.0)
        elif ex.kind in MATERIAL_KINDS and ex.unit == "kg":
            mass = float(amount)
        else:
            continue
        row = table.get(ex.record, {"fossil": None, "biogenic": None})
        f, b = row.get("fossil"), row.get("biogenic")
        estimate = estimate or bool(row.get("estimate"))
        if f is None:
            unknown_kg += mass
            unknown.append(ex.record)
        else:
            fossil += f * mass
            assessed += mass
        if b is None:
            bio_known = False
        else:
            biogenic += b * mass
        if ex.kind == "material-secondary":
            if f is None or b is None:
                recycled_known = False
            else:
                recycled += (f + b) * mass
    return CarbonContent(
        fossil=fossil,
        biogenic=biogenic if bio_known else None,
        recycled=recycled if recycled_known else None,
        assessed_kg=assessed,
        fossil_unknown_kg=unknown_kg,
        unknown_records=tuple(dict.fromkeys(unknown)),
        estimate=estimate,
    )
