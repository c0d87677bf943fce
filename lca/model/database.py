"""The background database as data: emission records, material families, battery chemistries,
fuels, flows, GWP sets and trajectories (frozen dataclasses; loaded by
:mod:`lca.model.background`). Emissions in kg per reference unit of the record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from lca.errors import InputError
from lca.schema.common import DataQuality, Distribution, Source


@dataclass(frozen=True)
class Record:
    """A background process: emissions (kg of each gas) per one reference unit."""

    id: str
    name: str
    category: str
    unit: str
    emissions: Mapping[str, float]
    geography: str
    reference_year: int
    source: Source
    dataset: str
    file: str
    uncertainty: Distribution | None = None
    data_quality: DataQuality | None = None
    gwp_basis: str | None = None
    estimate: bool = False
    note: str | None = None
    aircraft: bool = False
    inputs: tuple[tuple[str, float], ...] = ()
    primary_data: bool = False


@dataclass(frozen=True)
class Quantity:
    """A sourced constant of the background data (value in ``unit``)."""

    value: float
    unit: str
    source: Source
    uncertainty: Distribution | None = None
    estimate: bool = False
    note: str | None = None


@dataclass(frozen=True)
class MaterialFamily:
    id: str
    name: str
    primary: str
    secondary: str | None


@dataclass(frozen=True)
class Chemistry:
    id: str
    name: str
    cell_materials: str
    pack_components: str
    cell_plant_electricity: Quantity  # kWh per kWh of capacity
    cell_plant_heat: Quantity  # MJ per kWh of capacity
    pack_specific_energy: Quantity  # kWh per kg of pack
    cell_mass_share: Quantity  # dimensionless
    cycle_life: Quantity | None  # full equivalent cycles (None: not known)


@dataclass(frozen=True)
class FuelBlend:
    fuel: str  # id of the blended-in fuel
    share: Quantity  # dimensionless share of each unit of the blend


@dataclass(frozen=True)
class Fuel:
    id: str
    name: str
    upstream: str
    combustion: str
    carrier: str | None = None
    blend: FuelBlend | None = None
    electricity: str | None = None  # quantity text, kWh per unit of fuel (user's supply)
    electricity_source: Source | None = None


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    origin: str


@dataclass(frozen=True)
class GwpSet:
    id: str
    name: str
    source: Source
    factors: Mapping[str, float]


@dataclass(frozen=True)
class Trajectory:
    """Intensity of ``record`` by year (kg CO2e per the record's unit).

    ``points``: (year, value, source text), years increasing. Linear between points, flat
    before the first and after the last.
    """

    id: str
    record: str
    name: str
    unit: str
    source: Source
    points: tuple[tuple[int, float, str], ...]
    estimate: bool = False
    note: str | None = None

    def value(self, year: float) -> float:
        """kg CO2e per ``unit`` in ``year`` (interpolated)."""
        pts = self.points
        if year <= pts[0][0]:
            return pts[0][1]
        for (y0, v0, _), (y1, v1, _) in zip(pts, pts[1:], strict=False):
            if year <= y1:
                return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
        return pts[-1][1]

    def basis(self, year: int) -> str:
        """How the value of ``year`` was obtained, naming the sources of the points used."""
        pts = self.points
        for y, _, src in pts:
            if y == year:
                return f"{year} point ({src})"
        if year < pts[0][0]:
            return f"held flat before the first point, {pts[0][0]} ({pts[0][2]})"
        if year > pts[-1][0]:
            return f"held flat after the last point, {pts[-1][0]} ({pts[-1][2]})"
        for (y0, _, s0), (y1, _, s1) in zip(pts, pts[1:], strict=False):
            if y0 < year < y1:
                return f"interpolated linearly between {y0} ({s0}) and {y1} ({s1})"
        return ""


@dataclass(frozen=True)
class DatasetInfo:
    dataset: str
    version: str
    file: str
    sha256: str


@dataclass(frozen=True)
class Database:
    records: Mapping[str, Record]
    materials: Mapping[str, MaterialFamily]
    chemistries: Mapping[str, Chemistry]
    fuels: Mapping[str, Fuel]
    flows: Mapping[str, Flow]
    gwp_sets: Mapping[str, GwpSet]
    default_gwp_set: str
    datasets: tuple[DatasetInfo, ...] = field(default=())
    trajectories: Mapping[str, Trajectory] = field(default_factory=dict)

    def record(self, rid: str) -> Record:
        try:
            return self.records[rid]
        except KeyError:
            raise InputError(
                f"unknown background record {rid!r}{_suggest(rid, self.records)}"
            ) from None

    def with_records(self, extra: Iterable[Record]) -> Database:
        """A copy with ``extra`` records added or replacing records of the same id."""
        records = dict(self.records)
        for rec in extra:
            records[rec.id] = rec
        return replace(self, records=records)


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
