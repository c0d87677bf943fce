"""Stage "battery": traction battery components (cells, cell-plant energy, pack) from their
capacity and the background's battery chemistry."""

from __future__ import annotations

from lca.model.background import Database
from lca.model.exchanges import chemistry_parameter
from lca.model.stages.builder import Builder, paren


def mass_text(db: Database, comp) -> str:  # noqa: ANN001
    """Formula text of a battery component's mass: its declared mass, else capacity divided by
    the chemistry's pack specific energy (kg)."""
    chem = db.chemistries[comp.chemistry]
    if comp.mass is not None:
        return paren(comp.mass)
    if comp.pack_specific_energy is not None:  # this battery's own, instead of the chemistry's
        return f"{paren(comp.capacity)} / {paren(comp.pack_specific_energy)}"
    return f"{paren(comp.capacity)} / {chemistry_parameter(chem.id, 'pack_specific_energy')}"


def add_component(b: Builder, ci: int, comp) -> None:  # noqa: ANN001
    """Exchanges of battery component ``ci``: cells (per kWh), cell-plant electricity and heat,
    and the pack (housing, BMS, cooling, wiring; per kg of pack less cells)."""
    base = ("components", ci)
    chem = b.db.chemistries.get(comp.chemistry)
    if chem is None:
        raise b.err(
            f"unknown battery chemistry {comp.chemistry!r}; known: "
            f"{', '.join(sorted(b.db.chemistries))}",
            (*base, "chemistry"),
        )
    cap = paren(comp.capacity)
    b.add(
        "battery",
        comp.id,
        chem.cell_materials,
        cap,
        f"{comp.id}: cell materials ({chem.id})",
        (*base, "capacity"),
        kind="battery-cells",
    )
    b.record(comp.cell_plant_electricity, (*base, "cell_plant_electricity"), "kWh")
    if comp.cell_plant_location_based_supply is not None:
        b.record(
            comp.cell_plant_location_based_supply,
            (*base, "cell_plant_location_based_supply"),
            "kWh",
        )
    b.add(
        "battery",
        comp.id,
        comp.cell_plant_electricity,
        f"{cap} * {chemistry_parameter(chem.id, 'cell_plant_electricity')}",
        f"{comp.id}: cell plant electricity ({comp.cell_plant_electricity})",
        (*base, "cell_plant_electricity"),
        kind="battery-cell-plant-electricity",
    )
    heat = comp.cell_plant_heat or "heat:natural-gas"
    b.record(heat, (*base, "cell_plant_heat"), "MJ")
    b.add(
        "battery",
        comp.id,
        heat,
        f"{cap} * {chemistry_parameter(chem.id, 'cell_plant_heat')}",
        f"{comp.id}: cell plant heat ({heat})",
        (*base, "cell_plant_heat"),
        kind="battery-cell-plant-heat",
    )
    mass = mass_text(b.db, comp)
    share = (
        paren(comp.cell_mass_share)
        if comp.cell_mass_share is not None
        else chemistry_parameter(chem.id, "cell_mass_share")
    )
    b.add(
        "battery",
        comp.id,
        chem.pack_components,
        f"({mass}) * (1 - {share})",
        f"{comp.id}: pack housing, BMS, cooling and wiring",
        (*base, "mass") if comp.mass is not None else (*base, "capacity"),
        kind="battery-pack",
    )
