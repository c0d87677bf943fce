"""File format of a vehicle inventory (``inventories/vehicles/*.yaml``).

See ``docs/inventory-format.md`` for the user-facing description. Amounts stay text here (a
quantity such as ``"130 kg"`` or an expression of parameters); ``lca.model`` parses and checks
them with units.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from lca.schema.background import RecordSpec, TrajectorySpec
from lca.schema.common import Id, Strict
from lca.schema.end_of_life import (
    RECYCLING_APPROACHES,
    CffParameters,
    EndOfLife,
    Recovered,
    RecyclingApproach,
)
from lca.schema.study import (
    Boundary,
    CriticalReview,
    Exclusion,
    InfrastructureItem,
    Method,
    StageName,
    Study,
)
from lca.schema.use_phase import EnergyUse, FuelUse, Measure, Use, UseProfile
from lca.schema.vehicle import (
    BATTERY_KEYS,
    PLUG_IN_HYBRIDS,
    UTILITY_FACTOR,
    Amount,
    Component,
    Input,
    LogisticsLeg,
    Manufacturing,
    MaterialUse,
    Parameter,
    Powertrain,
    Vehicle,
)

__all__ = [
    "BATTERY_KEYS",
    "PLUG_IN_HYBRIDS",
    "RECYCLING_APPROACHES",
    "UTILITY_FACTOR",
    "Amount",
    "Boundary",
    "CffParameters",
    "Component",
    "CriticalReview",
    "EndOfLife",
    "EnergyUse",
    "Exclusion",
    "FuelUse",
    "InfrastructureItem",
    "Input",
    "Inventory",
    "LogisticsLeg",
    "Manufacturing",
    "MaterialUse",
    "Measure",
    "Method",
    "Parameter",
    "Powertrain",
    "Recovered",
    "RecyclingApproach",
    "StageName",
    "Study",
    "Use",
    "UseProfile",
    "Vehicle",
]


class Inventory(Strict):
    """A vehicle inventory. ``primary_data`` lists the parts of the inventory whose amounts are
    primary (measured, company-specific) activity data: a section (``manufacturing``,
    ``logistics``, ``use``, ``maintenance``, ``end_of_life``) or ``components.<id>``.
    Inventory-specific ``records`` always count as primary data."""

    vehicle: Vehicle
    method: Method = Field(default_factory=Method)
    parameters: dict[Id, Parameter] = Field(default_factory=dict)
    records: list[RecordSpec] = Field(default_factory=list)
    components: list[Component] = Field(min_length=1)
    manufacturing: Manufacturing | None = None
    logistics: list[LogisticsLeg] = Field(default_factory=list)
    use: Use
    maintenance: list[Input] = Field(default_factory=list)
    end_of_life: EndOfLife = Field(default_factory=EndOfLife)
    scale: float | None = Field(default=None, gt=0)
    trajectories: list[TrajectorySpec] = Field(default_factory=list)
    infrastructure: list[InfrastructureItem] = Field(default_factory=list)
    primary_data: list[str] = Field(default_factory=list)
    # brightway:PROJECT/DATABASE: background records from the user's Brightway database
    background: str | None = None
    boundary: Boundary = Field(default_factory=Boundary)
    study: Study = Field(default_factory=Study)
    notes: str | None = None

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, value: dict[str, Parameter]) -> dict[str, Parameter]:
        for name in value:
            if not name.isidentifier():
                raise ValueError(
                    f"parameter name {name!r} must be a plain identifier (letters, digits, _)"
                )
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Inventory:
        for label, items in (
            ("component", self.components),
            ("maintenance item", self.maintenance),
            ("end-of-life treatment", self.end_of_life.treatments),
            ("measure", self.use.measures),
            ("exclusion", self.boundary.exclusions),
            ("infrastructure item", self.infrastructure),
        ):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"duplicate {label} id {item.id!r}")
                seen.add(item.id)
        return self
