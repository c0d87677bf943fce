"""Stage "materials": the bill of materials of every component (primary and recycled mass of each
material), the suppliers' part processing, and the recycled-content adjustments of the avoided-
burden and CFF approaches. A battery component is handed to :mod:`lca.model.stages.battery`."""

from __future__ import annotations

import pint

from lca.errors import InputError, KeyPath
from lca.model.expressions import parse_expression
from lca.model.stages import battery, supplier
from lca.model.stages.builder import Builder, scale_factor, scaled


def add_exchanges(b: Builder) -> None:
    """Exchanges of every component in inventory order: its processing, then its battery
    exchanges or its material lines (kg of each material's records)."""
    for ci, comp in enumerate(b.inv.components):
        if comp.supplier_footprint is not None:
            supplier.add_component(b, ci, comp)
            continue
        processing(b, ci, comp)
        if comp.chemistry is not None:
            battery.add_component(b, ci, comp)
            continue
        for mi, mat in enumerate(comp.materials):
            if mat.supplier_footprint is not None:
                supplier.add_material(b, ci, comp, mi, mat)
            else:
                material_line(b, ci, comp, mi, mat)


def material_line(b: Builder, ci: int, comp, mi: int, mat) -> None:  # noqa: ANN001
    """The exchanges of one bill-of-materials line (material ``mi`` of component ``ci``)."""
    base = ("components", ci)
    kp = (*base, "materials", mi)
    fam = b.db.materials.get(mat.material)
    if fam is None and mat.material not in b.db.records:
        known = sorted(b.db.materials)
        raise b.err(
            f"unknown material {mat.material!r}; material families: "
            f"{', '.join(known)} (or a record id with unit kg)",
            (*kp, "material"),
        )
    primary = mat.primary or (fam.primary if fam else mat.material)
    secondary = mat.secondary or (fam.secondary if fam else None)
    b.record(primary, (*kp, "primary" if mat.primary else "material"), "kg")
    name = fam.name if fam else b.db.records[mat.material].name
    b.raw(mat.mass, (*kp, "mass"))
    mass = scaled(b.inv, comp, mat.mass)
    factor = scale_factor(b.inv, comp)
    note = "" if factor == 1.0 else f" (masses x{factor:g} scale)"  # provenance of the factor
    if mat.recycled_mass is not None:
        b.raw(mat.recycled_mass, (*kp, "recycled_mass"))
        check_recycled(b, mat.mass, mat.recycled_mass, kp)
        if secondary is None:
            raise b.err(
                f"material {mat.material!r} has no secondary (recycled) "
                "record; name one with 'secondary'",
                (*kp, "recycled_mass"),
            )
        b.record(secondary, (*kp, "secondary"), "kg")
        b.add(
            "materials",
            comp.id,
            primary,
            f"{mass} - {scaled(b.inv, comp, mat.recycled_mass)}",
            f"{comp.id}: {name}, primary{note}",
            (*kp, "mass"),
            kind="material-primary",
            rec_kp=(*kp, "material"),
        )
        b.add(
            "materials",
            comp.id,
            secondary,
            scaled(b.inv, comp, mat.recycled_mass),
            f"{comp.id}: {name}, recycled{note}",
            (*kp, "recycled_mass"),
            kind="material-secondary",
            rec_kp=(*kp, "material"),
        )
        recycled_content(b, comp, mat, primary, secondary, name, kp)
    else:
        b.add(
            "materials",
            comp.id,
            primary,
            mass,
            f"{comp.id}: {name}{note}",
            (*kp, "mass"),
            kind="material-primary",
            rec_kp=(*kp, "material"),
        )


def processing(b: Builder, ci: int, comp) -> None:  # noqa: ANN001
    """Supplier processing of a component's parts (forming, finishing): its stage is the
    component's (battery or materials); not part of the mass balance."""
    stage = "battery" if comp.chemistry is not None else "materials"
    for pi, item in enumerate(comp.processing):
        kp = ("components", ci, "processing", pi)
        b.add(
            stage,
            comp.id,
            item.record,
            b.raw(item.amount, (*kp, "amount")),
            f"{comp.id}: {item.description or item.id}",
            (*kp, "amount"),
            kind="processing",
            rec_kp=(*kp, "record"),
        )


def recycled_content(b: Builder, comp, mat, primary, secondary, name, kp) -> None:  # noqa: ANN001
    """Recycled content under avoided burden or the CFF, as two adjustments to the cut-off
    exchanges (so the material lines keep their masses): the recycled mass is charged
    A x Erec + (1 - A) x Qsin/Qp x Ev instead of Erec (avoided burden: A = 0)."""
    comp_id = comp.id
    recycled = scaled(b.inv, comp, mat.recycled_mass)
    approach = b.inv.end_of_life.approach
    if approach == "cut-off":
        return
    params = b.cff(mat.material, (*kp, "material"))
    a = 0.0 if approach == "avoided-burden" else params.a
    if a == 1.0:
        return
    tag = "avoided burden" if approach == "avoided-burden" else f"CFF, A = {a:g}"
    b.add(
        "materials",
        comp_id,
        primary,
        f"{recycled} * {1.0 - a!r} * {params.qsin_qp!r}",
        f"{comp_id}: {name}, recycled content at virgin burden x (1 - A) x Qsin/Qp ({tag})",
        (*kp, "recycled_mass"),
        kind="recycled-content-virgin",
        rec_kp=(*kp, "material"),
    )
    b.add(
        "materials",
        comp_id,
        secondary,
        f"-1 * {recycled} * {1.0 - a!r}",
        f"{comp_id}: {name}, recycled content, less (1 - A) of the recycling route ({tag})",
        (*kp, "recycled_mass"),
        kind="recycled-content-route-removed",
        rec_kp=(*kp, "material"),
    )


def check_recycled(b: Builder, mass: object, recycled: object, kp: KeyPath) -> None:
    """Recycled mass must not exceed the material's mass (both evaluated now)."""
    values = b.values
    try:
        m = parse_expression(mass).evaluate(values)
        r = parse_expression(recycled).evaluate(values)
        over = bool(r.to(m.units).magnitude > m.magnitude)
    except (InputError, pint.DimensionalityError):
        return  # reported with the exchange amounts, located there
    if over:
        raise b.err(
            f"recycled_mass ({recycled}) is more than the material's mass ({mass})",
            (*kp, "recycled_mass"),
        )
