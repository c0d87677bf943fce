"""Parameter texts of a product system: the inventory's parameters (adjusted for measures not
already included) and the built-in names (curb mass, battery capacity and mass, bill-of-materials
mass per material, battery-chemistry constants), with the checks of their units and signs."""

from __future__ import annotations

from lca.errors import KeyPath
from lca.model.background import Database
from lca.model.exchanges import (
    BUILTINS,
    CHEMISTRY_FIELDS,
    DISTANCE_PARAMETER,
    chemistry_parameter,
    material_mass_parameter,
)
from lca.model.fuels import BLEND_SHARE_PARAMETER, blend_share_text
from lca.model.parameters import ParameterSet
from lca.model.stages import battery
from lca.model.stages.builder import paren, scaled
from lca.model.units import parse_unit, registry
from lca.schema.inventory import Inventory


def parameter_texts(inv: Inventory, db: Database, err) -> dict:  # noqa: ANN001
    """Parameter expressions by name (with their key paths): the inventory's, adjusted for
    measures not already included, plus the built-in names."""
    texts: dict[str, tuple[object, KeyPath]] = {
        name: (p.value, ("parameters", name, "value")) for name, p in inv.parameters.items()
    }
    if DISTANCE_PARAMETER not in inv.parameters:
        raise err(
            f"parameters must define '{DISTANCE_PARAMETER}' (for example 200000 km): "
            "results per km need it",
            ("parameters",),
        )
    for i, m in enumerate(inv.use.measures):
        if m.applies_to is None:
            continue
        if m.applies_to not in inv.parameters:
            known = ", ".join(sorted(inv.parameters)) or "none"
            raise err(
                f"measure {m.id!r} applies to {m.applies_to!r}, which is not a parameter "
                f"(parameters: {known})",
                ("use", "measures", i, "applies_to"),
            )
        if not m.already_included:
            # the declared value is without the measure: the actual case subtracts the saving
            value, pkp = texts[m.applies_to]
            texts[m.applies_to] = (f"{paren(value)} - {paren(m.saves)}", pkp)
    for name in BUILTINS:
        if name in texts:
            raise err(
                f"'{name}' is a built-in name ({BUILTINS[name]}); choose another name",
                ("parameters", name),
            )
    texts["curb_mass"] = (inv.vehicle.curb_mass, ("vehicle", "curb_mass"))
    blend = blend_share_text(inv, db, err)
    texts[BLEND_SHARE_PARAMETER] = blend if blend is not None else ("0", ("use",))
    material_mass_texts(inv, texts, err)
    batteries = [(i, c) for i, c in enumerate(inv.components) if c.chemistry is not None]
    for i, c in batteries:
        if c.chemistry not in db.chemistries:
            raise err(
                f"unknown battery chemistry {c.chemistry!r}; known: "
                f"{', '.join(sorted(db.chemistries))}",
                ("components", i, "chemistry"),
            )
    for i, c in batteries:
        chem = db.chemistries[c.chemistry]
        for fname, unit in CHEMISTRY_FIELDS.items():
            pname = chemistry_parameter(chem.id, fname)
            if pname in texts and texts[pname][1][0] == "parameters":
                raise err(
                    f"'{pname}' is a built-in name (battery chemistry {chem.id} {fname}); "
                    "choose another name",
                    ("parameters", pname),
                )
            value = getattr(chem, fname).value
            texts[pname] = (f"{value!r} {unit}".strip(), ("components", i, "chemistry"))
    texts["battery_capacity"] = (
        " + ".join(paren(c.capacity) for _, c in batteries) if batteries else "0 kWh",
        ("components", batteries[0][0], "capacity") if batteries else ("components",),
    )
    texts["battery_mass"] = (
        " + ".join(f"({battery.mass_text(db, c)})" for _, c in batteries) if batteries else "0 kg",
        ("components", batteries[0][0]) if batteries else ("components",),
    )
    return texts


def material_mass_texts(inv: Inventory, texts: dict, err) -> None:  # noqa: ANN001
    """Built-in ``mass_<material>``: the sum of the bill-of-materials lines of each material."""
    lines: dict[str, list[tuple[object, KeyPath]]] = {}
    for ci, comp in enumerate(inv.components):
        for mi, mat in enumerate(comp.materials):
            lines.setdefault(mat.material, []).append(
                (scaled(inv, comp, mat.mass), ("components", ci, "materials", mi, "mass"))
            )
    for material, items in lines.items():
        name = material_mass_parameter(material)
        if name in texts:
            raise err(
                f"'{name}' is a built-in name (the mass of {material} in the bill of "
                "materials); choose another name",
                ("parameters", name),
            )
        texts[name] = (" + ".join(paren(m) for m, _ in items), items[0][1])


BUILTIN_UNITS = {
    "curb_mass": "kg",
    "battery_capacity": "kWh",
    "battery_mass": "kg",
    DISTANCE_PARAMETER: "km",
}
MUST_BE_POSITIVE = ("curb_mass", DISTANCE_PARAMETER)


def check_builtin_values(params: ParameterSet, values, err) -> None:  # noqa: ANN001
    """Built-in names and the lifetime distance have the right dimension and sign."""
    for name, unit in BUILTIN_UNITS.items():
        q = values[name]
        kp = params.paths[name]
        if q.dimensionality != registry().get_dimensionality(parse_unit(unit)):
            got = f"{q.units:~P}" if not q.dimensionless else "a plain number without unit"
            raise err(f"{name} must be in {unit} (got {got})", kp)
        magnitude = q.to(unit).magnitude
        if magnitude < 0 or (name in MUST_BE_POSITIVE and magnitude <= 0):
            raise err(f"{name} must be greater than zero", kp)
