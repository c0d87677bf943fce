"""openLCA JSON-LD export (olca-schema 2): a zip openLCA 2 imports (File > Import > JSON-LD):
unit groups, flow properties, locations, elementary flows (the gases), product flows, one
process per background record (emissions with their uncertainty) and per foreground stage and
component, the vehicle process, the credits process (outside the product system), the GWP100
LCIA method and the vehicle's product system with every provider link.

Ids are UUID version 5 of the scenario and the object (same input, same ids). Unit groups and
flow properties carry openLCA's reference names but ids of their own (merging them with a
database's reference data is left to openLCA's import).
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import olca_schema as o
from olca_schema import zipio

from lca.analysis.pipeline import Run
from lca.outputs.export import ExportRequest, target
from lca.outputs.export import bw_convert as bwc
from lca.outputs.palette import STAGE_LABELS

NAMESPACE = uuid.UUID("2b7c8d0e-5a61-5f0e-9a43-6c1d8e7f0b21")  # vehicle-lca's openLCA namespace
# our unit -> (flow property, unit group, reference unit, factor of our unit to the reference)
UNIT_GROUPS = {
    "kg": ("Mass", "Units of mass", "kg", 1.0),
    "MJ": ("Energy", "Units of energy", "MJ", 1.0),
    "kWh": ("Energy", "Units of energy", "MJ", 3.6),
    "t*km": ("Goods transport (mass*distance)", "Units of mass*length", "t*km", 1.0),
    "L": ("Volume", "Units of volume", "m3", 0.001),
    "unit": ("Number of items", "Units of items", "Item(s)", 1.0),
}
OLCA_UNIT = {"unit": "Item(s)", "L": "l"}
CATEGORY = "vehicle-lca"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


class _Builder:
    """Collects the entities of one export, with stable ids."""

    def __init__(self, run: Run) -> None:
        self.run, self.key = run, run.result.name
        self.groups: dict[str, o.UnitGroup] = {}
        self.props: dict[str, o.FlowProperty] = {}
        self.units: dict[str, o.Unit] = {}
        self.flows: dict[str, o.Flow] = {}
        self.processes: dict[str, o.Process] = {}
        self.locations: dict[str, o.Location] = {}
        self.providers: dict[str, str] = {}  # product flow id -> provider process id

    def unit(self, unit: str) -> tuple[o.FlowProperty, o.Unit]:
        prop_name, group_name, ref, factor = UNIT_GROUPS[unit]
        if group_name not in self.groups:
            g = o.new_unit_group(group_name, ref)
            g.id = _id("group", group_name)
            g.units[0].id = _id("unit", ref)
            self.groups[group_name] = g
            p = o.new_flow_property(prop_name, g)
            p.id = _id("property", prop_name)
            self.props[group_name] = p
        g = self.groups[group_name]
        name = OLCA_UNIT.get(unit, unit)
        if not any(u.name == name for u in g.units):
            u = o.new_unit(name, factor)
            u.id = _id("unit", name)
            g.units.append(u)
        return self.props[group_name], next(u for u in g.units if u.name == name)

    def location(self, code: str | None) -> o.Ref | None:
        code = bwc.location(code)
        if code not in self.locations:
            loc = o.new_location(code, code)
            loc.id = _id("location", code)
            self.locations[code] = loc
        return self.locations[code].to_ref()

    def product(self, key: str, name: str, unit: str) -> o.Flow:
        if key not in self.flows:
            prop, _ = self.unit(unit)
            f = o.new_product(name, prop)
            f.id = _id("flow", key)
            f.category = f"{CATEGORY}/products"
            self.flows[key] = f
        return self.flows[key]

    def exchange(self, p: o.Process, flow: o.Flow, amount: float, unit: str, is_input: bool,
                 uncertainty: o.Uncertainty | None = None) -> o.Exchange:  # fmt: skip
        prop, u = self.unit(unit)
        ex = o.new_exchange(p, flow, amount, u)
        ex.is_input = is_input
        ex.flow_property = prop.to_ref()
        ex.uncertainty = uncertainty
        return ex

    def process(self, key: str, name: str, product: o.Flow, unit: str, where: str | None,
                category: str, description: str = "") -> o.Process:  # fmt: skip
        p = o.new_process(name)
        p.id = _id("process", key)
        p.category = f"{CATEGORY}/{category}"
        p.description = description
        p.location = self.location(where)
        ref = self.exchange(p, product, 1.0, unit, is_input=False)
        ref.is_quantitative_reference = True
        self.processes[key] = p
        self.providers[product.id] = p.id
        return p


def _uncertainty(d: Any, amount: float) -> o.Uncertainty | None:
    """openLCA's form of a record's uncertainty (a multiplier of its emissions)."""
    f = bwc.record_uncertainty(d, amount)
    kind = f["uncertainty type"]
    if kind == bwc.LOGNORMAL and amount > 0:
        return o.Uncertainty(distribution_type=o.UncertaintyType.LOG_NORMAL_DISTRIBUTION,
                             geom_mean=amount, geom_sd=float(d.gsd))  # fmt: skip
    if kind == bwc.NORMAL:
        return o.Uncertainty(distribution_type=o.UncertaintyType.NORMAL_DISTRIBUTION,
                             mean=amount, sd=f["scale"])  # fmt: skip
    if kind == bwc.UNIFORM:
        return o.Uncertainty(distribution_type=o.UncertaintyType.UNIFORM_DISTRIBUTION,
                             minimum=f["minimum"], maximum=f["maximum"])  # fmt: skip
    if kind == bwc.TRIANGULAR:
        return o.Uncertainty(distribution_type=o.UncertaintyType.TRIANGLE_DISTRIBUTION,
                             minimum=f["minimum"], mode=f["loc"], maximum=f["maximum"])  # fmt: skip
    return None


def _gases(b: _Builder) -> dict[str, o.Flow]:
    db = b.run.system.database
    prop, _ = b.unit("kg")
    out = {}
    for fid, flow in db.flows.items():
        f = o.new_elementary_flow(flow.name, prop)
        f.id = _id("elementary", fid)
        f.category = "Elementary flows/Emission to air/unspecified"
        f.description = f"vehicle-lca flow {fid} ({flow.origin})"
        b.flows[f"gas:{fid}"] = f
        out[fid] = f
    return out


def _background(b: _Builder, gases: dict[str, o.Flow]) -> None:
    db = b.run.system.database
    used: list[str] = []
    stack = [ex.record for ex in b.run.system.exchanges]
    while stack:
        rid = stack.pop()
        if rid not in used:
            used.append(rid)
            stack.extend(i for i, _ in db.records[rid].inputs)
    for rid in used:
        rec = db.records[rid]
        s = rec.source
        p = b.process(f"bg:{rid}", rec.name, b.product(rid, rec.name, rec.unit), rec.unit,
                      rec.geography, f"background/{rec.category}",
                      f"source: {s.publisher or s.authors or ''} {s.title} ({s.year or ''})"
                      + (" [estimate]" if rec.estimate else ""))  # fmt: skip
        for i, a in rec.inputs:
            other = db.records[i]
            b.exchange(p, b.product(i, other.name, other.unit), float(a), other.unit, True)
        for g, kg in rec.emissions.items():
            b.exchange(p, gases[g], float(kg), "kg", False, _uncertainty(rec.uncertainty, kg))


def _foreground(b: _Builder) -> o.Process:
    """Stage/component processes, the vehicle process (returned) and the credits process."""
    sys, inv, db = b.run.system, b.run.system.inventory, b.run.system.database
    comps = {c.id: c.description or c.id for c in inv.components}
    stages: list[str] = []
    for ex, a in zip(sys.exchanges, sys.amounts, strict=True):
        code = "credits" if ex.credit else f"{ex.stage}:{ex.component or 'all'}"
        if f"fg:{code}" not in b.processes:
            if ex.credit:
                label = "end-of-life recycling credits (outside the total)"
            else:
                stages.append(code)
                label = STAGE_LABELS.get(ex.stage, ex.stage)
                label += f": {comps.get(ex.component, ex.component)}" if ex.component else ""
            name = f"{inv.vehicle.name}: {label}"
            product = b.product(f"{b.key}:{code}", name, "unit")
            b.process(f"fg:{code}", name, product, "unit", inv.vehicle.production_country,
                      f"foreground/{b.key}")  # fmt: skip
        rec = db.records[ex.record]
        product = b.product(ex.record, rec.name, rec.unit)
        e = b.exchange(b.processes[f"fg:{code}"], product, float(a), rec.unit, True)
        e.description = f"{ex.label}; {ex.amount.text}"
    name = f"{inv.vehicle.name}, cradle to grave"
    vehicle = b.process("fg:vehicle", name, b.product(f"{b.key}:vehicle", name, "unit"), "unit",
                        inv.vehicle.production_country, f"foreground/{b.key}",
                        b.run.result.functional_unit)  # fmt: skip
    for code in stages:
        b.exchange(vehicle, b.flows[f"{b.key}:{code}"], 1.0, "unit", True)
    return vehicle


def _method(b: _Builder, gases: dict[str, o.Flow]) -> tuple[o.ImpactMethod, o.ImpactCategory]:
    sys = b.run.system
    gwp = sys.database.gwp_sets[sys.gwp_set]
    name = bwc.method_name(sys.gwp_set)
    cat = o.new_impact_category(f"{name[0]}, {name[2]}")
    cat.id = _id("impact", sys.gwp_set)
    cat.ref_unit = "kg CO2 eq"
    cat.category = CATEGORY
    _, kg = b.unit("kg")
    for fid, f in gases.items():
        o.new_impact_factor(cat, f, float(gwp.factors[fid]), kg)
    m = o.new_impact_method(f"{name[0]} GWP100 ({gwp.name}, vehicle-lca)", cat)
    m.id = _id("method", sys.gwp_set)
    m.category = CATEGORY
    m.description = ("GWP100 factors of the vehicle-lca calculation; biogenic CO2 emissions "
                     "count with 1 (ISO 14067)")  # fmt: skip
    return m, cat


def _system(b: _Builder, vehicle: o.Process) -> o.ProductSystem:
    ps = o.ProductSystem(id=_id("system", b.key), name=f"{vehicle.name} ({b.key})")
    ps.category = CATEGORY
    ref = next(e for e in vehicle.exchanges if e.is_quantitative_reference)
    ps.ref_process = vehicle.to_ref()
    ps.ref_exchange = o.ExchangeRef(internal_id=ref.internal_id)
    ps.target_amount, ps.target_unit = 1.0, ref.unit
    ps.target_flow_property = ref.flow_property
    reached, links, todo = {vehicle.id}, [], [vehicle]
    by_id = {p.id: p for p in b.processes.values()}
    while todo:
        p = todo.pop()
        for e in p.exchanges:
            if not e.is_input or e.flow.id not in b.providers:
                continue
            provider = by_id[b.providers[e.flow.id]]
            link = o.ExchangeRef(internal_id=e.internal_id)
            links.append(o.ProcessLink(provider=provider.to_ref(), flow=e.flow,
                                       process=p.to_ref(), exchange=link))  # fmt: skip
            if provider.id not in reached:
                reached.add(provider.id)
                todo.append(provider)
    ps.processes = [by_id[i].to_ref() for i in sorted(reached)]
    ps.process_links = links
    return ps


def build(run: Run) -> list[Any]:
    """The root entities of the export."""
    b = _Builder(run)
    gases = _gases(b)
    _background(b, gases)
    vehicle = _foreground(b)
    method, category = _method(b, gases)
    system = _system(b, vehicle)
    return [*b.groups.values(), *b.props.values(), *b.locations.values(), *b.flows.values(),
            *b.processes.values(), category, method, system]  # fmt: skip


def zip_bytes(run: Run) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "olca.zip"
        with zipio.ZipWriter(str(path)) as w:
            for entity in build(run):
                w.write(entity)
        return path.read_bytes()


def export_olca(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    """``vlca export --format olca``: the JSON-LD zip."""
    return {target(request, run, "olca"): zip_bytes(run)}
