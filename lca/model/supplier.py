"""Suppliers' PACT footprints in the product system.

``supplier_footprint: FILE.json`` on a component or a material line replaces the background
records of that item: the footprint's ``pcfExcludingBiogenicUptake`` per declared unit becomes an
inventory-specific record (``supplier:<component>`` or ``supplier:<component>:<material>:<i>``),
primary data weighted by the footprint's own ``primaryDataShare``. A component declared per
``piece`` gets exactly one piece of it (its processing lines too are replaced: a PACT footprint is
cradle-to-gate); per ``kilogram``, times the component's mass (a battery: its pack mass; other
components: the sum of their material lines). A material line takes a per-kilogram footprint
times its mass. The file is read here (paths relative to the YAML file that names it).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from lca.errors import InputError, KeyPath
from lca.inputs.loader import LoadedInput
from lca.inputs.pact import SupplierFootprint, read_footprint
from lca.model.background import Database, Record
from lca.schema.common import Source
from lca.schema.inventory import Inventory

KIND = "supplier-footprint"
log = logging.getLogger("lca")


@dataclass(frozen=True)
class Placement:
    """Where a footprint applies: component ``ci`` (and material ``mi``, or None)."""

    ci: int
    mi: int | None
    key_path: KeyPath


def component_record_id(comp_id: str) -> str:
    return f"supplier:{comp_id}"


def material_record_id(comp_id: str, material: str, mi: int) -> str:
    return f"supplier:{comp_id}:{material}:{mi}"


def placements(inv: Inventory) -> list[tuple[Placement, str, str | None, str]]:
    """(placement, file text, product_id, record id) of every supplier footprint."""
    out = []
    for ci, comp in enumerate(inv.components):
        if comp.supplier_footprint is not None:
            kp = ("components", ci, "supplier_footprint")
            out.append((Placement(ci, None, kp), comp.supplier_footprint, comp.product_id,
                        component_record_id(comp.id)))
        for mi, mat in enumerate(comp.materials):
            if mat.supplier_footprint is not None:
                kp = ("components", ci, "materials", mi, "supplier_footprint")
                out.append((Placement(ci, mi, kp), mat.supplier_footprint, mat.product_id,
                            material_record_id(comp.id, mat.material, mi)))
    return out


def _record(rid: str, fp: SupplierFootprint, what: str) -> Record:
    emissions = {"co2e": fp.kg_co2e - fp.land_use_change_kg_co2e}
    if fp.land_use_change_kg_co2e:
        emissions["co2_luc"] = fp.land_use_change_kg_co2e  # kg CO2e: factor 1 in every set
    year = int(fp.reference_period[0][:4])
    share = fp.primary_data_share
    return Record(
        id=rid,
        name=f"{fp.product} ({fp.company}), supplier footprint",
        category="part" if fp.unit == "piece" else "material",
        unit=fp.unit,
        emissions=emissions,
        geography="supplier-specific",
        reference_year=year,
        source=Source(
            title=f"PACT ProductFootprint {fp.pf_id}: {fp.product}",
            publisher=fp.company,
            document=Path(fp.file).name,
            year=year,
        ),
        dataset="supplier footprints",
        file=fp.file,
        gwp_basis="AR6" if "AR6" in fp.ipcc_factors else None,
        note=f"supplier's PACT footprint for {what}, {fp.kg_co2e:.6g} kg CO2e per {fp.unit}",
        primary_data=True,
        primary_share=share if share is not None else 0.0,
        supplier={**fp.summary(), "applies_to": what},
    )


def with_supplier_records(
    loaded: LoadedInput, inv: Inventory, db: Database, gwp: str | None = None
) -> Database:
    """``db`` plus one record per supplier footprint named in ``inv`` (files read and checked:
    every problem is an error at the inventory key that names the file)."""
    items = placements(inv)
    if not items:
        return db
    gwp_set = gwp or inv.method.gwp or db.default_gwp_set
    records = []
    for place, text, product_id, rid in items:
        declared_in = loaded.sources.locate(place.key_path)[0]
        path = Path(os.path.normpath(Path(declared_in).parent / text))
        comp = inv.components[place.ci]
        what = comp.id if place.mi is None else f"{comp.id}: {comp.materials[place.mi].material}"
        try:
            fp = read_footprint(path, product_id, study_year=inv.vehicle.model_year)
        except InputError as exc:
            raise loaded.sources.error(
                f"supplier footprint {text!r}: {exc.render()}", place.key_path
            ) from None
        if place.mi is not None and fp.unit != "kg":
            raise loaded.sources.error(
                f"supplier footprint {text!r} is per {fp.unit}; a material line needs a "
                "footprint per kilogram (put a per-piece footprint on the component)",
                place.key_path,
            )
        for w in fp.warnings:
            log.warning("%s", w)
        if gwp_set not in fp.ipcc_factors:
            log.warning(
                "%s: the supplier characterised with %s, this study uses %s; the supplier's "
                "CO2e is used as declared", path.name, ", ".join(fp.ipcc_factors), gwp_set,
            )
        records.append(_record(rid, fp, what))
    return db.with_records(records)


def mass_text(comp, battery_mass_text: str | None) -> str:  # noqa: ANN001
    """Formula text of a component's mass (kg): the battery's pack mass or its material lines."""
    if battery_mass_text is not None:
        return battery_mass_text
    return " + ".join(f"({m.mass})" for m in comp.materials)


def replaced_bom_kg(inv: Inventory, values) -> float:  # noqa: ANN001
    """kg of the material lines whose exchanges a supplier footprint replaced (for the mass
    balance: those lines are still part of the vehicle)."""
    from lca.model.expressions import parse_expression

    kg = 0.0
    for comp in inv.components:
        if comp.chemistry is not None:
            continue  # in battery_mass
        for mat in comp.materials:
            if comp.supplier_footprint is not None or mat.supplier_footprint is not None:
                kg += float(parse_expression(mat.mass).evaluate(values).to("kg").magnitude)
    return kg
