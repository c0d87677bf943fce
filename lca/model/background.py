"""The background database: emission records, material families, battery chemistries, fuels,
flows and GWP sets, loaded from a folder of YAML files with every unit checked.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lca.datafiles import BUNDLED_BACKGROUND
from lca.errors import InputError, InputErrors
from lca.inputs.validation import validate
from lca.inputs.yamlio import Document, load_yaml
from lca.model.units import parse_quantity, parse_unit, registry
from lca.schema.background import BackgroundFile, RecordSpec, SourcedQuantity
from lca.schema.common import DataQuality, Distribution, Source

log = logging.getLogger(__name__)

DEFAULT_BACKGROUND = BUNDLED_BACKGROUND


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
    # share of a primary record's emissions that rests on primary data (a supplier footprint's
    # own primaryDataShare), and the supplier footprint it came from (lca.model.supplier)
    primary_share: float = 1.0
    supplier: Mapping[str, Any] | None = None


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
    cycle_life: Quantity  # full equivalent cycles


@dataclass(frozen=True)
class Fuel:
    id: str
    name: str
    upstream: str
    combustion: str


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

    def with_dataset(self, dataset: str, version: str, file: str) -> Database:
        """A copy naming one more dataset in its provenance (e.g. a Brightway database)."""
        return replace(self, datasets=(*self.datasets, DatasetInfo(dataset, version, file, "")))

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


PER_UNIT_CHECK = "mass per reference unit"


def convert_record(
    spec: RecordSpec, doc: Any, base: tuple, dataset: str, file: str
) -> tuple[Record, list]:
    """Check a record's units and convert its emissions to kg per reference unit.

    Returns the record (inputs not yet linked) and its raw inputs (id, quantity, key path).
    """
    ureg = registry()
    try:
        ref_unit = parse_unit(spec.unit)
    except InputError as exc:
        raise doc.error(exc.message, (*base, "unit")) from None
    target = ureg.kilogram / ref_unit
    emissions: dict[str, float] = {}
    for gas, text in spec.emissions.items():
        try:
            q = parse_quantity(text, what="emission")
            value = float(q.to(target).magnitude)
        except InputError as exc:
            raise doc.error(exc.message, (*base, "emissions", gas)) from None
        except Exception:
            raise doc.error(
                f"emission {text!r} must be a mass per {spec.unit} (for example "
                f"'1.2 kg/{spec.unit}')",
                (*base, "emissions", gas),
            ) from None
        emissions[gas] = value
    inputs = []
    for i, inp in enumerate(spec.inputs):
        try:
            q = parse_quantity(inp.amount, what="input amount")
        except InputError as exc:
            raise doc.error(exc.message, (*base, "inputs", i, "amount")) from None
        inputs.append((inp.record, q, (*base, "inputs", i)))
    if "co2e" in emissions and spec.gwp_basis is None:
        raise doc.error(
            "a record with 'co2e' must say which GWP set its source used "
            "(gwp_basis: AR4, AR5, AR6 or unknown)",
            (*base, "gwp_basis"),
        )
    return Record(
        id=spec.id,
        name=spec.name,
        category=spec.category,
        unit=spec.unit,
        emissions=emissions,
        geography=spec.geography,
        reference_year=spec.reference_year,
        source=spec.source,
        dataset=dataset,
        file=file,
        uncertainty=spec.uncertainty,
        data_quality=spec.data_quality,
        gwp_basis=spec.gwp_basis,
        estimate=spec.estimate,
        note=spec.note,
        aircraft=spec.aircraft,
        inputs=(),  # linked once every record is known (see _load_cached)
    ), [(rid, q, kp) for rid, q, kp in inputs]


def _sourced(sq: SourcedQuantity, unit: str, doc: Document, kp: tuple) -> Quantity:
    try:
        q = parse_quantity(sq.value)
        value = float(q.to(parse_unit(unit) if unit else registry().dimensionless).magnitude)
    except InputError as exc:
        raise doc.error(exc.message, (*kp, "value")) from None
    except Exception:
        raise doc.error(
            f"{sq.value!r} must be in units of {unit or 'a plain number'}", (*kp, "value")
        ) from None
    if value <= 0:
        raise doc.error("must be greater than zero", (*kp, "value"))
    return Quantity(value, unit, sq.source, sq.uncertainty, sq.estimate, sq.note)


def load_background(folder: str | Path | None = None) -> Database:
    """Load every ``*.yaml`` file of ``folder`` (default: the bundled background data);
    ``brightway:PROJECT/DATABASE``: the bundled data with the records of a mapping file
    computed in the user's Brightway project (lca.model.brightway_background).

    The parsed database is kept in memory and in the user's cache folder, keyed by the
    files' contents (see :mod:`lca.model.background_cache`)."""
    if folder is not None and str(folder).startswith("brightway:"):
        from lca.model.brightway_background import brightway_database

        return brightway_database(str(folder), load_background())
    root = Path(folder) if folder is not None else DEFAULT_BACKGROUND
    return _load_cached(str(root.resolve()), _folder_stamp(root))


def _folder_stamp(root: Path) -> tuple:
    if not root.is_dir():
        raise InputError("background data folder not found", file=root)
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(root.glob("*.yaml"))
    )


@lru_cache(maxsize=4)
def _load_cached(root_text: str, stamp: tuple) -> Database:
    from lca.model import background_cache

    root = Path(root_text)
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise InputError("no background data files (*.yaml) found", file=root)
    key = background_cache.key(root, files)
    db = background_cache.read(key, Database)
    if db is None:
        db = _parse(root, files)
        background_cache.write(key, db)
    return db


def _parse(root: Path, files: list[Path]) -> Database:
    """Parse and check the background files (every error located)."""
    acc = _Collector(root)
    for path in files:
        acc.read(path)
    acc.raise_errors()
    acc.check_references()
    linked = acc.linked_records()
    traj = acc.converted_trajectories()
    acc.raise_errors()
    return Database(
        records=linked,
        materials={k: v[0] for k, v in acc.materials.items()},
        chemistries={k: v[0] for k, v in acc.chemistries.items()},
        fuels={k: v[0] for k, v in acc.fuels.items()},
        flows=acc.flows,
        gwp_sets=acc.gwp_sets,
        default_gwp_set=acc.default_gwp or "",
        datasets=tuple(acc.datasets),
        trajectories=traj,
    )


class _Collector:
    """Everything read from the background files, with where it came from, and the problems
    found (all are reported together)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[str, Record] = {}
        self.pending_inputs: dict[str, list] = {}
        self.record_docs: dict[str, tuple[Document, tuple]] = {}
        self.materials: dict[str, tuple] = {}
        self.chemistries: dict[str, tuple] = {}
        self.fuels: dict[str, tuple] = {}
        self.flows: dict[str, Flow] = {}
        self.gwp_sets: dict[str, GwpSet] = {}
        self.trajectories: dict[str, tuple] = {}
        self.default_gwp: str | None = None
        self.datasets: list[DatasetInfo] = []
        self.errors: list[InputError] = []

    def raise_errors(self) -> None:
        if self.errors:
            raise InputErrors(self.errors) if len(self.errors) > 1 else self.errors[0]

    # -- reading -------------------------------------------------------------------------
    def read(self, path: Path) -> None:
        try:
            doc = load_yaml(path)
            spec = validate(BackgroundFile, doc)
        except InputErrors as exc:
            self.errors.extend(exc.errors)
            return
        except InputError as exc:
            self.errors.append(exc)
            return
        rel = _rel(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.datasets.append(DatasetInfo(spec.dataset, spec.version, rel, digest))
        for i, rspec in enumerate(spec.records):
            self._record(rspec, doc, ("records", i), spec.dataset, rel)
        for i, m in enumerate(spec.materials):
            fam = MaterialFamily(m.id, m.name or m.id, m.primary, m.secondary)
            self.materials[m.id] = (fam, doc, ("materials", i))
        for i, c in enumerate(spec.chemistries):
            try:
                self.chemistries[c.id] = (
                    _chemistry(c, doc, ("chemistries", i)),
                    doc,
                    ("chemistries", i),
                )
            except InputError as exc:
                self.errors.append(exc)
        for i, f in enumerate(spec.fuels):
            fuel = Fuel(f.id, f.name or f.id, f.upstream, f.combustion)
            self.fuels[f.id] = (fuel, doc, ("fuels", i))
        for f in spec.flows:
            self.flows[f.id] = Flow(f.id, f.name, f.origin)
        for g in spec.gwp_sets:
            self.gwp_sets[g.id] = GwpSet(g.id, g.name, g.source, dict(g.factors))
        for i, t in enumerate(spec.trajectories):
            kp = ("trajectories", i)
            if t.id in self.trajectories:
                self.errors.append(doc.error(f"duplicate trajectory id {t.id!r}", (*kp, "id")))
                continue
            self.trajectories[t.id] = (t, doc, kp)
        if spec.default_gwp_set:
            self.default_gwp = spec.default_gwp_set

    def _record(self, rspec: RecordSpec, doc: Document, kp: tuple, dataset: str, rel: str) -> None:
        if rspec.id in self.records:
            self.errors.append(
                doc.error(
                    f"duplicate record id {rspec.id!r} (also in {self.records[rspec.id].file})",
                    (*kp, "id"),
                )
            )
            return
        try:
            rec, inputs = convert_record(rspec, doc, kp, dataset, rel)
        except InputError as exc:
            self.errors.append(exc)
            return
        self.records[rec.id] = rec
        self.pending_inputs[rec.id] = inputs
        self.record_docs[rec.id] = (doc, kp)

    # -- cross checks ----------------------------------------------------------------------
    def _ref(self, rid: str | None, doc: Document, kp: tuple, unit: str | None = None) -> None:
        if rid is None:
            return
        if rid not in self.records:
            self.errors.append(
                doc.error(f"unknown record {rid!r}{_suggest(rid, self.records)}", kp)
            )
        elif unit is not None and not _same_unit(self.records[rid].unit, unit):
            self.errors.append(
                doc.error(
                    f"record {rid!r} is per {self.records[rid].unit}, expected per {unit}", kp
                )
            )

    def check_references(self) -> None:
        """Families, chemistries and fuels point at records of the right unit; every gas is a
        known flow; every GWP set covers every flow; a default GWP set exists."""
        records, flows = self.records, self.flows
        for fam, doc, kp in self.materials.values():
            self._ref(fam.primary, doc, (*kp, "primary"), "kg")
            self._ref(fam.secondary, doc, (*kp, "secondary"), "kg")
        for chem, doc, kp in self.chemistries.values():
            self._ref(chem.cell_materials, doc, (*kp, "cell_materials"), "kWh")
            self._ref(chem.pack_components, doc, (*kp, "pack_components"), "kg")
        for fuel, doc, kp in self.fuels.values():
            self._ref(fuel.upstream, doc, (*kp, "upstream"))
            self._ref(fuel.combustion, doc, (*kp, "combustion"))
            if fuel.upstream in records and fuel.combustion in records:
                if not _same_unit(records[fuel.upstream].unit, records[fuel.combustion].unit):
                    self.errors.append(
                        doc.error("upstream and combustion records must share a unit", kp)
                    )
        if not flows:
            self.errors.append(
                InputError("no flows defined (characterisation.yaml missing?)", file=self.root)
            )
        for rec in records.values():
            doc, kp = self.record_docs[rec.id]
            for gas in rec.emissions:
                if gas not in flows:
                    self.errors.append(
                        doc.error(
                            f"unknown gas {gas!r}{_suggest(gas, flows)}; known: "
                            f"{', '.join(sorted(flows))}",
                            (*kp, "emissions", gas),
                        )
                    )
        for gset in self.gwp_sets.values():
            missing = sorted(set(flows) - set(gset.factors))
            if missing:
                self.errors.append(
                    InputError(
                        f"GWP set {gset.id} lacks factors for {', '.join(missing)}", file=self.root
                    )
                )
        if self.default_gwp is None or self.default_gwp not in self.gwp_sets:
            self.errors.append(
                InputError("no valid default_gwp_set in the background data", file=self.root)
            )

    def linked_records(self) -> dict[str, Record]:
        """Records with their technosphere inputs converted to (record id, amount per unit)."""
        records = self.records
        linked: dict[str, Record] = {}
        for rid, rec in records.items():
            inputs = []
            doc, _ = self.record_docs[rid]
            for in_id, q, kp in self.pending_inputs[rid]:
                if in_id not in records:
                    self.errors.append(
                        doc.error(
                            f"unknown record {in_id!r}{_suggest(in_id, records)}", (*kp, "record")
                        )
                    )
                    continue
                try:
                    per = parse_unit(records[in_id].unit) / parse_unit(rec.unit)
                    amount = float(q.to(per).m)
                except Exception:
                    self.errors.append(
                        doc.error(
                            f"amount must be in {records[in_id].unit} per {rec.unit}",
                            (*kp, "amount"),
                        )
                    )
                    continue
                if amount < 0:
                    self.errors.append(
                        doc.error("input amounts must not be negative", (*kp, "amount"))
                    )
                inputs.append((in_id, amount))
            linked[rid] = replace(rec, inputs=tuple(inputs))
        return linked

    def converted_trajectories(self) -> dict[str, Trajectory]:
        traj = {}
        for t, doc, kp in self.trajectories.values():
            try:
                traj[t.id] = _trajectory(t, self.records, doc, kp)
            except InputError as exc:
                self.errors.append(exc)
        return traj


def _chemistry(c: Any, doc: Document, kp: tuple) -> Chemistry:
    """A battery chemistry with its sourced constants unit-checked."""
    return Chemistry(
        id=c.id,
        name=c.name,
        cell_materials=c.cell_materials,
        pack_components=c.pack_components,
        cell_plant_electricity=_sourced(
            c.cell_plant_electricity, "kWh/kWh", doc, (*kp, "cell_plant_electricity")
        ),
        cell_plant_heat=_sourced(c.cell_plant_heat, "MJ/kWh", doc, (*kp, "cell_plant_heat")),
        pack_specific_energy=_sourced(
            c.pack_specific_energy, "kWh/kg", doc, (*kp, "pack_specific_energy")
        ),
        cell_mass_share=_sourced(c.cell_mass_share, "", doc, (*kp, "cell_mass_share")),
        cycle_life=_sourced(c.cycle_life, "", doc, (*kp, "cycle_life")),
    )


def _source_text(src: Source | str) -> str:
    if isinstance(src, str):
        return src
    return ", ".join(str(b) for b in (src.publisher or src.authors, src.title, src.year) if b)


def _trajectory(t: Any, records: Mapping[str, Record], doc: Document, kp: tuple) -> Trajectory:
    """Check a trajectory against its record (units, co2e-only) and convert its points."""
    rec = records.get(t.record)
    if rec is None:
        raise doc.error(
            f"unknown record {t.record!r}{_suggest(t.record, records)}", (*kp, "record")
        )
    if set(rec.emissions) != {"co2e"}:
        raise doc.error(
            f"record {t.record!r} lists gases ({', '.join(sorted(rec.emissions))}); a trajectory "
            "needs a record characterised as co2e only",
            (*kp, "record"),
        )
    target = registry().kilogram / parse_unit(rec.unit)
    points = []
    last = None
    for i, pt in enumerate(t.points):
        pkp = (*kp, "points", i)
        try:
            value = float(parse_quantity(pt.value, what="intensity").to(target).magnitude)
        except InputError as exc:
            raise doc.error(exc.message, (*pkp, "value")) from None
        except Exception:
            raise doc.error(
                f"{pt.value!r} must be a mass per {rec.unit} (for example '250 g/{rec.unit}')",
                (*pkp, "value"),
            ) from None
        if value < 0:
            raise doc.error("an intensity must not be negative", (*pkp, "value"))
        if last is not None and pt.year <= last:
            raise doc.error("years must increase from point to point", (*pkp, "year"))
        last = pt.year
        text = _source_text(pt.source)
        if pt.estimate and "estimate" not in text:
            text += " (estimate)"
        points.append((pt.year, value, text))
    return Trajectory(
        id=t.id,
        record=t.record,
        name=t.name,
        unit=rec.unit,
        source=t.source,
        points=tuple(points),
        estimate=t.estimate or any(p.estimate for p in t.points),
        note=t.note,
    )


def _same_unit(a: str, b: str) -> bool:
    try:
        return parse_unit(a) == parse_unit(b) or (1 * parse_unit(a)).to(parse_unit(b)).m == 1
    except Exception:
        return False


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
