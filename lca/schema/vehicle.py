"""The vehicle and its production in an inventory file: the vehicle, parameters, components
with their materials and inputs, manufacturing and the delivery legs. Amounts stay text
(``"130 kg"`` or an expression of parameters); ``lca.model`` parses them with units.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from lca.schema.common import Distribution, Id, QuantityText, SourceRef, Strict

Amount = QuantityText

Powertrain = Literal[
    "battery-electric",
    "petrol",
    "diesel",
    "hybrid-petrol",
    "hybrid-diesel",
    "plug-in-hybrid-petrol",
    "plug-in-hybrid-diesel",
    "fuel-cell-electric",
]
PLUG_IN_HYBRIDS = ("plug-in-hybrid-petrol", "plug-in-hybrid-diesel")
UTILITY_FACTOR = "utility_factor"  # parameter a plug-in hybrid must define


class Vehicle(Strict):
    name: str
    powertrain: Powertrain
    curb_mass: Amount
    production_country: str | None = None
    market: str | None = None
    segment: str | None = None
    model_year: int | None = Field(default=None, ge=1990, le=2100)
    manufacturer: str | None = None
    description: str | None = None


class Parameter(Strict):
    value: Amount
    source: SourceRef
    uncertainty: Distribution | None = None
    note: str | None = None


class MaterialUse(Strict):
    material: Id
    mass: Amount
    recycled_mass: Amount | None = None
    primary: Id | None = None
    secondary: Id | None = None
    source: SourceRef | None = None
    note: str | None = None
    # a supplier's PACT footprint (JSON file, path relative to this file) per kg of the material
    supplier_footprint: str | None = None
    product_id: str | None = None


class Input(Strict):
    """A generic input: ``amount`` of background record ``record`` (its unit)."""

    id: Id
    record: Id
    amount: Amount
    description: str | None = None
    source: SourceRef | None = None


BATTERY_KEYS = (
    "capacity",
    "mass",
    "cell_plant_electricity",
    "cell_plant_location_based_supply",
    "cell_plant_heat",
    "usable_capacity",
    "warranty_years",
    "battery_plant",
    "cell_mass_share",
    "pack_specific_energy",
    "cycle_life",
    "calendar_life",
    "throughput",
)


class Component(Strict):
    """A part of the vehicle: materials, or a traction battery when ``chemistry`` is given.

    ``processing``: inputs that turn the materials into parts at suppliers (forming, finishing),
    counted in the component's stage but not in the bill of materials' mass.
    ``scale``: multiplies the component's material masses (recycled masses too).
    ``replacements`` (a whole number, or ``auto`` for a battery) or ``lifetime`` (a distance or a
    time): parts replaced over the vehicle's life, each counted with its full production and,
    with ``end_of_life`` (a record per kg of the part), its end of life.
    Battery only: ``cell_mass_share`` and ``pack_specific_energy`` replace the chemistry's;
    ``cycle_life`` (full cycles), ``calendar_life`` (a time) and ``throughput`` (energy over the
    life) feed ``replacements: auto``.
    """

    id: Id
    description: str | None = None
    materials: list[MaterialUse] = Field(default_factory=list)
    processing: list[Input] = Field(default_factory=list)
    scale: float | None = Field(default=None, gt=0)
    replacements: int | Literal["auto"] | None = None
    lifetime: Amount | None = None
    end_of_life: Id | None = None
    chemistry: Id | None = None
    capacity: Amount | None = None
    mass: Amount | None = None
    cell_plant_electricity: Id | None = None
    cell_plant_location_based_supply: Id | None = None
    cell_plant_heat: Id | None = None
    usable_capacity: Amount | None = None
    warranty_years: float | None = Field(default=None, gt=0, le=50)
    battery_plant: str | None = None
    cell_mass_share: Amount | None = None
    pack_specific_energy: Amount | None = None
    cycle_life: Amount | None = None
    calendar_life: Amount | None = None
    throughput: Amount | None = None
    source: SourceRef | None = None
    note: str | None = None
    # a supplier's PACT footprint (per piece or per kg) replacing the component's records;
    # measured: its amounts are primary (metered) activity data
    supplier_footprint: str | None = None
    product_id: str | None = None
    measured: bool = False

    @field_validator("replacements")
    @classmethod
    def _replacements(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and not 0 <= value <= 20:
            raise ValueError("replacements must be a whole number from 0 to 20, or auto")
        return value

    @model_validator(mode="after")
    def _battery_or_materials(self) -> Component:
        if self.replacements is not None and self.lifetime is not None:
            raise ValueError("give 'replacements' or 'lifetime', not both")
        battery_keys = [k for k in BATTERY_KEYS if getattr(self, k) is not None]
        if self.chemistry is None and battery_keys:
            raise ValueError(
                f"{', '.join(battery_keys)} only apply to a battery component: add 'chemistry'"
            )
        if self.chemistry is not None:
            if self.capacity is None:
                raise ValueError("a battery component needs 'capacity' (for example 66 kWh)")
            if self.cell_plant_electricity is None:
                raise ValueError(
                    "a battery component needs 'cell_plant_electricity' (the cell plant's "
                    "electricity supply, for example grid:CN)"
                )
        elif not self.materials and not self.processing:
            raise ValueError(
                "a component needs 'materials' or 'processing' (or 'chemistry' for a battery)"
            )
        return self


class Manufacturing(Strict):
    """Vehicle assembly. ``location_based_supply``: the grid of the site, given when ``supply``
    is a contractual instrument (a PPA or certificates); the result then reports the
    location-based total too."""

    electricity: Amount
    supply: Id
    location_based_supply: Id | None = None
    heat: Amount | None = None
    heat_supply: Id = "heat:natural-gas"
    source: SourceRef | None = None
    note: str | None = None
    measured: bool = False  # metered plant energy: primary activity data


class LogisticsLeg(Strict):
    mode: Id | None = None
    record: Id | None = None
    distance: Amount
    load: Amount = "vehicle"
    description: str | None = None
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _mode_or_record(self) -> LogisticsLeg:
        if (self.mode is None) == (self.record is None):
            raise ValueError("give exactly one of 'mode' (e.g. truck) or 'record'")
        return self
