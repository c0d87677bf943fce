"""File format of a vehicle inventory (``inventories/vehicles/*.yaml``).

See ``docs/inventory-format.md`` for the user-facing description. Amounts stay text here (a
quantity such as ``"130 kg"`` or an expression of parameters); ``lca.model`` parses and checks
them with units.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from lca.schema.background import RecordSpec, TrajectorySpec
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


class UseProfile(Strict):
    """The use phase year by year: from ``start_year``, ``annual_distance`` a year (the last year
    takes the rest of the lifetime distance) or the lifetime spread evenly over ``years``.
    ``trajectory``: a grid-intensity trajectory of the background data (its ``record`` must be the
    supply); without one every year uses the static record."""

    start_year: int = Field(ge=1990, le=2100)
    annual_distance: Amount | None = None
    years: int | None = Field(default=None, ge=1, le=60)
    trajectory: Id | None = None
    source: SourceRef | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _distance_or_years(self) -> UseProfile:
        if (self.annual_distance is None) == (self.years is None):
            raise ValueError("give exactly one of 'annual_distance' (e.g. 15000 km) or 'years'")
        return self


class EnergyUse(Strict):
    """Electricity for driving. ``renewable_share`` (0 to 1) of it is bought as certified
    renewable electricity (``renewable_supply``, e.g. electricity:wind): a contractual
    instrument, so the result also reports the location-based total (all from ``supply``)."""

    amount: Amount
    supply: Id
    profile: UseProfile | None = None
    renewable_share: Amount | None = None
    renewable_supply: Id | None = None
    description: str | None = None
    source: SourceRef | None = None
    uncertainty: Distribution | None = None  # discrete choice of supply records (Monte Carlo)

    @model_validator(mode="after")
    def _renewable_pair(self) -> EnergyUse:
        if (self.renewable_share is None) != (self.renewable_supply is None):
            raise ValueError("'renewable_share' and 'renewable_supply' go together")
        return self


class FuelUse(Strict):
    """Fuel for driving (``amount`` in the fuel records' unit). ``blend_share``: the share of
    the fuel's blend component (e.g. FAME in diesel), replacing the fuel record's default;
    ``supply``: the electricity supply of a fuel that takes electricity (hydrogen by
    electrolysis). ``profile``: the use phase year by year, its ``trajectory`` on the fuel's
    upstream record (well-to-tank intensity by year)."""

    amount: Amount
    fuel: Id
    blend_share: Amount | None = None
    supply: Id | None = None
    profile: UseProfile | None = None
    description: str | None = None
    source: SourceRef | None = None


class Measure(Strict):
    """A declared improvement; its effect is computed against ``counterfactual``.

    ``saves``/``applies_to``: the measure lowers parameter ``applies_to`` by ``saves``.
    ``already_included`` (default true): the parameter's value was measured with the measure in
    place, so the counterfactual adds ``saves`` back; false: the tool subtracts ``saves``.
    ``counterfactual``: further key-path overrides that describe the situation without it.
    """

    id: Id
    description: str | None = None
    saves: Amount | None = None
    applies_to: Id | None = None
    already_included: bool = True
    counterfactual: dict[str, object] = Field(default_factory=dict)
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _pair(self) -> Measure:
        if (self.saves is None) != (self.applies_to is None):
            raise ValueError("'saves' and 'applies_to' go together")
        if self.saves is None and not self.counterfactual:
            raise ValueError("a measure needs 'saves' with 'applies_to', or 'counterfactual'")
        return self


class Use(Strict):
    electricity: EnergyUse | None = None
    fuel: FuelUse | None = None
    measures: list[Measure] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _some_energy(self) -> Use:
        if self.electricity is None and self.fuel is None:
            raise ValueError("the use phase needs 'electricity' or 'fuel' (or both)")
        return self


class Recovered(Strict):
    material: Id
    mass: Amount
    source: SourceRef | None = None


RecyclingApproach = Literal["cut-off", "avoided-burden", "cff"]
RECYCLING_APPROACHES: tuple[str, ...] = ("cut-off", "avoided-burden", "cff")


class CffParameters(Strict):
    """Circular footprint formula parameters of one material family (all dimensionless).

    ``a``: allocation factor A (1 behaves like cut-off, 0 like avoided burden);
    ``qsin_qp`` / ``qsout_qp``: quality of recycled input / recycled output relative to primary.
    R1 and R2 are not data here: they follow from ``recycled_mass`` and ``end_of_life.recovered``.
    """

    a: float = Field(ge=0.0, le=1.0)
    qsin_qp: float = Field(gt=0.0, le=1.0)
    qsout_qp: float = Field(gt=0.0, le=1.0)
    source: SourceRef
    confirmed: bool = True
    note: str | None = None


class EndOfLife(Strict):
    """End of life. ``approach`` selects how recycling is modelled:

    ``cut-off`` (default): recycled content at the burden of the recycling route, no credit in
    the total (credits for ``recovered`` are reported apart); ``avoided-burden``: recycled
    content at the burden of primary material (times Qsin/Qp), credits for ``recovered``
    (times Qsout/Qp) reported apart, never netted; ``cff``: the circular footprint formula, its
    end-of-life term inside the total. ``cff`` overrides the bundled CFF defaults per family.
    """

    approach: RecyclingApproach = "cut-off"
    treatments: list[Input] = Field(default_factory=list)
    recovered: list[Recovered] = Field(default_factory=list)
    cff: dict[Id, CffParameters] = Field(default_factory=dict)
    note: str | None = None


StageName = Literal[
    "materials", "battery", "manufacturing", "logistics", "use", "maintenance", "end_of_life"
]


class Exclusion(Strict):
    """Something left out of the system boundary, with its estimated share of the total.

    ``category``: ``process`` (a cut-off inside the product system: PACT counts it in
    ``exemptedEmissionsPercent``), ``capital-goods`` or ``overheads`` (outside the boundary of
    PACT and the GHG Protocol product standard by rule)."""

    id: Id
    description: str
    stages: list[StageName] = Field(min_length=1)
    category: Literal["process", "capital-goods", "overheads"] = "process"
    estimated_share_percent: float = Field(ge=0.0, le=100.0)
    basis: str
    source: SourceRef | None = None
    estimate: bool = True


class Boundary(Strict):
    """Cut-off criteria and exclusions (ISO 14067: explicit, each with its estimated share)."""

    cut_off_criteria: str | None = None
    exclusions: list[Exclusion] = Field(default_factory=list)


class InfrastructureItem(Strict):
    """Road or charging infrastructure attributed to the vehicle: ``amount`` of ``record`` in
    ``stage``, reported as its own component (``id``). ``include`` (default false): peer tools
    count it, the ISO 14067 reference leaves it out (list it under ``boundary.exclusions``)."""

    id: Id
    record: Id
    amount: Amount
    include: bool = False
    stage: StageName = "use"
    description: str | None = None
    source: SourceRef | None = None


class Method(Strict):
    gwp: Id | None = None


class CriticalReview(Strict):
    """Who reviewed the CFP study and when (ISO 14067, 6.7), or ``reviewed: false``."""

    reviewed: bool = False
    by: str | None = None
    date: str | None = None
    statement: str | None = None

    @model_validator(mode="after")
    def _who_and_when(self) -> CriticalReview:
        if self.reviewed and not (self.by and self.date):
            raise ValueError("a critical review needs 'by' (reviewer) and 'date'")
        return self


class Study(Strict):
    """What only the user knows about the CFP study, printed in the report (ISO 14067, clause
    7): the commissioner, the practitioner, the product category rules followed (or ``none``),
    the period the CFP represents, the intended application and audience, the critical review.
    ``title`` names the study (and scenario) for readers; fields left out are reported as not
    stated."""

    title: str | None = None
    commissioner: str | None = None
    practitioner: str | None = None
    pcr: str = "none"
    reference_period: str | None = None
    intended_application: str | None = None
    intended_audience: str | None = None
    critical_review: CriticalReview = Field(default_factory=CriticalReview)


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
