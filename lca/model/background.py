"""The background database: emission records, material families, battery chemistries, fuels,
flows and GWP sets, loaded from a folder of YAML files with every unit checked.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from lca.datafiles import BUNDLED_BACKGROUND
from lca.errors import InputError, InputErrors
from lca.inputs.validation import validate
from lca.inputs.yamlio import Document, load_yaml
from lca.model.database import (
    Chemistry,
    Database,
    DatasetInfo,
    Flow,
    Fuel,
    GwpSet,
    MaterialFamily,
    Quantity,
    Record,
    Trajectory,
    _suggest,
)
from lca.model.record_specs import (
    _chemistry,
    _fuel,
    _same_unit,
    _trajectory,
    convert_record,
    convert_trajectory,
)
from lca.model.units import parse_unit
from lca.schema.background import BackgroundFile, RecordSpec

__all__ = [
    "Chemistry",
    "Database",
    "DatasetInfo",
    "Flow",
    "Fuel",
    "GwpSet",
    "MaterialFamily",
    "Quantity",
    "Record",
    "Trajectory",
    "convert_record",
    "convert_trajectory",
    "load_background",
]

log = logging.getLogger(__name__)

DEFAULT_BACKGROUND = BUNDLED_BACKGROUND


def load_background(folder: str | Path | None = None) -> Database:
    """Load every ``*.yaml`` file of ``folder`` (default: the bundled background data);
    ``brightway:PROJECT/DATABASE``: the bundled data with the records of a mapping file
    computed in the user's Brightway project (lca.model.brightway_background).

    The parsed database is kept in memory and in the user's cache folder, keyed by the
    files' contents (see :mod:`lca.model.background_cache`)."""
    if folder is not None and str(folder).startswith("brightway:"):
        from lca.model.brightway_background import brightway_database

        return brightway_database(str(folder), load_background())
    if folder is not None:
        from lca.inputs.files import check_background_path

        check_background_path(folder)  # a name the OS cannot look up: exit 2, the part named
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
            try:
                fuel = _fuel(f, doc, ("fuels", i))
            except InputError as exc:
                self.errors.append(exc)
                continue
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
            if fuel.blend is not None:
                other = self.fuels.get(fuel.blend.fuel)
                if other is None:
                    self.errors.append(
                        doc.error(
                            f"blend fuel {fuel.blend.fuel!r} is not a fuel; known: "
                            f"{', '.join(sorted(self.fuels))}",
                            (*kp, "blend", "fuel"),
                        )
                    )
                elif other[0].blend is not None:
                    self.errors.append(
                        doc.error("a blend's component cannot itself be a blend", kp)
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


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
