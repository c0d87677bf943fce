"""File format of the background data (``inventories/background/*.yaml``).

See ``docs/background-data.md``. Quantities stay text here; ``lca.background`` converts them with
units checked.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lca.schema.common import DataQuality, Distribution, Id, QuantityText, Source, Strict

Category = Literal[
    "material",
    "electricity",
    "heat",
    "transport",
    "fuel",
    "combustion",
    "battery",
    "part",
    "maintenance",
    "end-of-life",
    "refrigerant",
    "other",
]


class RecordInput(Strict):
    record: Id
    amount: QuantityText


class RecordSpec(Strict):
    id: Id
    name: str
    category: Category
    unit: str
    emissions: dict[str, QuantityText] = Field(min_length=1)
    gwp_basis: Literal["AR4", "AR5", "AR6", "unknown"] | None = None
    geography: str
    reference_year: int = Field(ge=1950, le=2100)
    source: Source
    uncertainty: Distribution | None = None
    data_quality: DataQuality | None = None
    estimate: bool = False
    note: str | None = None
    aircraft: bool = False
    inputs: list[RecordInput] = Field(default_factory=list)


class MaterialFamilySpec(Strict):
    id: Id
    name: str | None = None
    primary: Id
    secondary: Id | None = None
    note: str | None = None


class SourcedQuantity(Strict):
    value: QuantityText
    source: Source
    uncertainty: Distribution | None = None
    estimate: bool = False
    note: str | None = None


class ChemistrySpec(Strict):
    id: Id
    name: str
    cell_materials: Id
    pack_components: Id
    cell_plant_electricity: SourcedQuantity
    cell_plant_heat: SourcedQuantity
    pack_specific_energy: SourcedQuantity
    cell_mass_share: SourcedQuantity
    cycle_life: SourcedQuantity | None = None
    note: str | None = None


class FuelBlendSpec(Strict):
    """The blended-in (usually biogenic) part of a fuel: ``share`` of each unit of the fuel
    (e.g. 0.07 of a litre of B7) is fuel ``fuel``; the rest is the fuel's own records."""

    fuel: Id
    share: SourcedQuantity


class FuelSpec(Strict):
    """A road fuel: ``upstream`` (well to tank) and ``combustion`` (tank to wheel) records per
    unit of fuel. ``carrier`` names what it is (``hydrogen`` for a fuel-cell car's pathways).
    ``electricity`` (per unit of fuel): electricity taken from the user's chosen supply
    (``use.fuel.supply``), e.g. for electrolysis and compression of hydrogen."""

    id: Id
    name: str | None = None
    upstream: Id
    combustion: Id
    carrier: Literal["petrol", "diesel", "hydrogen", "ethanol", "biodiesel", "other"] | None = None
    blend: FuelBlendSpec | None = None
    electricity: SourcedQuantity | None = None
    note: str | None = None


class FlowSpec(Strict):
    id: Id
    name: str
    origin: Literal["fossil", "biogenic", "land-use-change"]
    note: str | None = None


class GwpSetSpec(Strict):
    id: Id
    name: str
    source: Source
    factors: dict[str, float]
    note: str | None = None


class TrajectoryPoint(Strict):
    year: int = Field(ge=1950, le=2100)
    value: QuantityText
    source: Source | str
    estimate: bool = False
    note: str | None = None


class TrajectorySpec(Strict):
    """Intensity of a record (one with ``co2e`` only, e.g. a grid mix) by year: points are
    interpolated linearly and held flat before the first and after the last point."""

    id: Id
    record: Id
    name: str
    source: Source
    points: list[TrajectoryPoint] = Field(min_length=1)
    estimate: bool = False
    note: str | None = None


class BackgroundFile(Strict):
    """One file of the background folder: any of the sections below."""

    dataset: Id
    version: str
    description: str | None = None
    licence: str | None = None
    records: list[RecordSpec] = Field(default_factory=list)
    materials: list[MaterialFamilySpec] = Field(default_factory=list)
    chemistries: list[ChemistrySpec] = Field(default_factory=list)
    fuels: list[FuelSpec] = Field(default_factory=list)
    flows: list[FlowSpec] = Field(default_factory=list)
    gwp_sets: list[GwpSetSpec] = Field(default_factory=list)
    trajectories: list[TrajectorySpec] = Field(default_factory=list)
    default_gwp_set: Id | None = None
