"""What a product system is made of: exchanges tagged with stage, component and key path, the
product system itself, and the names of the built-in parameters. Pure data, no building."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pint

from lca.errors import KeyPath
from lca.model.background import Database
from lca.model.expressions import Expression
from lca.model.parameters import ParameterSet
from lca.model.units import parse_unit
from lca.schema.inventory import Inventory
from lca.stages import STAGES  # noqa: F401 - the model's name for them

DISTANCE_PARAMETER = "lifetime_distance"
# exchanges of the recycling approaches that lower the footprint (negative by design); a
# replaced component's copy of one (kind "replacement:<kind>") is negative by design too
NEGATIVE_KINDS = frozenset({"recycled-content-route-removed", "cff-eol-avoided-virgin"})
# exchanges that carry the bill of materials' masses (for the mass-balance check)
MASS_KINDS = frozenset({"material-primary", "material-secondary"})
MAX_PROFILE_YEARS = 60
BUILTINS = {
    "curb_mass": "vehicle.curb_mass",
    "battery_capacity": "the sum of the battery components' capacities",
    "battery_mass": "the sum of the battery components' masses",
    "fuel_blend_share": "the blend share of the use stage's fuel (lca.model.fuels)",
}
# Battery-chemistry constants become built-in parameters (so uncertainty analysis can vary them):
# field of lca.background.Chemistry -> unit of its value.
CHEMISTRY_FIELDS = {
    "cell_plant_electricity": "kWh/kWh",
    "cell_plant_heat": "MJ/kWh",
    "pack_specific_energy": "kWh/kg",
    "cell_mass_share": "",
}


MATERIAL_MASS_PREFIX = "mass_"


def material_mass_parameter(material: str) -> str:
    """Name of the built-in parameter holding the bill of materials' mass of ``material``
    (``mass_steel``, ``mass_aluminium_cn``): usable in end-of-life amounts."""
    return MATERIAL_MASS_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", material)


def chemistry_parameter(chemistry: str, field_name: str) -> str:
    """Name of the built-in parameter holding ``field_name`` of battery chemistry ``chemistry``."""
    return "chem_" + re.sub(r"[^A-Za-z0-9]", "_", chemistry) + "_" + field_name


@dataclass(frozen=True)
class Exchange:
    """``amount`` (an expression, in ``unit``) of background ``record`` used in ``stage``."""

    stage: str
    component: str | None
    record: str
    amount: Expression
    unit: str
    label: str
    path: KeyPath
    credit: bool = False
    kind: str = ""
    year: int | None = None

    def evaluate(self, values: Mapping[str, pint.Quantity]) -> np.ndarray | float:
        """Amount in the record's reference unit (scalar or array over samples)."""
        q = self.amount.evaluate(values)
        return q.to(parse_unit(self.unit)).magnitude


@dataclass(frozen=True)
class ProductSystem:
    name: str
    inventory: Inventory
    exchanges: tuple[Exchange, ...]
    parameters: ParameterSet
    database: Database
    gwp_set: str
    amounts: np.ndarray  # deterministic amounts, one per exchange (record units)
    parameter_values: Mapping[str, pint.Quantity] = field(default_factory=dict)
    use_years: tuple[tuple[int, float], ...] = ()  # (calendar year, km driven), deterministic
    replacements: tuple = ()  # lca.model.stages.replacements.Replacement of replaced components

    @property
    def lifetime_distance_km(self) -> float:
        return float(self.parameter_values[DISTANCE_PARAMETER].to("km").magnitude)

    def evaluate_amounts(self, values: Mapping[str, pint.Quantity]) -> list:
        return [ex.evaluate(values) for ex in self.exchanges]


def primary_activity(inv: Inventory, ex: Exchange) -> bool:
    """Whether the inventory declares ``ex``'s amount as primary (measured) activity data."""
    declared = set(inv.primary_data)
    section = str(ex.path[0]) if ex.path else ""
    if section in declared:
        return True
    if section == "manufacturing" and inv.manufacturing is not None and inv.manufacturing.measured:
        return True
    if section == "components" and any(c.measured and c.id == ex.component for c in inv.components):
        return True
    return section == "components" and f"components.{ex.component}" in declared
