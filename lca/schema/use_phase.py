"""The use phase in an inventory file: the use profile (lifetime, distance), the energy or
fuel used per distance, and measures over the life. Amounts stay text with units.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from lca.schema.common import Distribution, Id, SourceRef, Strict
from lca.schema.vehicle import Amount


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
