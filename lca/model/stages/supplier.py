"""Exchanges of items whose footprint a supplier declared (PACT): one exchange of the supplier
record in the item's stage (battery or materials), replacing its background exchanges."""

from __future__ import annotations

from lca.model.stages import battery
from lca.model.stages.builder import Builder, paren
from lca.model.supplier import KIND, component_record_id, mass_text, material_record_id


def add_component(b: Builder, ci: int, comp) -> None:  # noqa: ANN001
    """Component ``ci`` from its supplier footprint: 1 piece, or its mass in kg."""
    rid = component_record_id(comp.id)
    rec = b.db.record(rid)
    stage = "battery" if comp.chemistry is not None else "materials"
    kp = ("components", ci, "supplier_footprint")
    if rec.unit == "piece":
        amount = "1 piece"
    else:
        bmass = battery.mass_text(b.db, comp) if comp.chemistry is not None else None
        amount = mass_text(comp, bmass)
    b.add(stage, comp.id, rid, amount, f"{comp.id}: {rec.name}", kp, kind=KIND)


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
