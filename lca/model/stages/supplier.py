"""Exchanges of items whose footprint a supplier declared (PACT): one exchange of the supplier
record in the item's stage (battery or materials), replacing its background exchanges."""

from __future__ import annotations

import logging

from lca.model.expressions import parse_expression
from lca.model.stages import battery
from lca.model.stages.builder import Builder, paren
from lca.model.supplier import KIND, component_record_id, mass_text, material_record_id


def add_component(b: Builder, ci: int, comp) -> None:  # noqa: ANN001
    """Component ``ci`` from its supplier footprint: 1 piece, or its mass in kg."""
    rid = component_record_id(comp.id)
    rec = b.db.record(rid)
    stage = "battery" if comp.chemistry is not None else "materials"
    kp = ("components", ci, "supplier_footprint")
    bmass = battery.mass_text(b.db, comp) if comp.chemistry is not None else None
    amount = "1 piece" if rec.unit == "piece" else mass_text(comp, bmass)
    if rec.unit == "piece":
        _check_mass(b, comp, mass_text(comp, bmass), rec.supplier or {}, kp)
    b.add(stage, comp.id, rid, amount, f"{comp.id}: {rec.name}", kp, kind=KIND)


MASS_TOLERANCE = 0.10  # relative difference between the supplier's and the inventory's mass


def _check_mass(b: Builder, comp, text: str, supplier: dict, kp) -> None:  # noqa: ANN001
    """Warn when the supplier's product mass per piece and the inventory's mass differ."""
    theirs = supplier.get("product_mass_kg_per_unit")
    if not theirs or not text:
        return
    try:
        ours = float(parse_expression(text).evaluate(b.values).to("kg").magnitude)
    except Exception:  # noqa: BLE001 - reported where the amounts are evaluated
        return
    if ours > 0 and abs(theirs - ours) / ours > MASS_TOLERANCE:
        path, line = b.loaded.sources.locate(kp)
        logging.getLogger("lca").warning(
            "%s:%s: component %s: the supplier's footprint is for %.1f kg per piece, the "
            "inventory's mass is %.1f kg; check that it is the same product",
            path, line or "", comp.id, theirs, ours,
        )


def add_material(b: Builder, ci: int, comp, mi: int, mat) -> None:  # noqa: ANN001
    """Material line ``mi`` of component ``ci`` from its supplier footprint (per kg)."""
    kp = ("components", ci, "materials", mi)
    rid = material_record_id(comp.id, mat.material, mi)
    b.raw(mat.mass, (*kp, "mass"))
    b.add(
        "materials",
        comp.id,
        rid,
        paren(mat.mass),
        f"{comp.id}: {b.db.record(rid).name}",
        (*kp, "supplier_footprint"),
        kind=KIND,
    )
