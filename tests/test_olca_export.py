"""The openLCA JSON-LD export: the zip opens with olca-schema's reader, the product system's
links resolve, and solving the zip's own processes gives our total (an independent path)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import analyse_file
from lca.cli.app import app

zipio = pytest.importorskip("olca_schema.zipio")

ROOT = Path(__file__).parent.parent
SCENARIO = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"


@lru_cache(maxsize=1)
def _zip(tmp: str) -> Path:
    out = Path(tmp) / "olca.zip"
    r = CliRunner().invoke(app, ["export", str(SCENARIO), "-f", "olca", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _solve(reader, system) -> float:
    """Scale the processes of ``system`` to its demand and sum the characterised gases."""
    import olca_schema as o

    procs = {ref.id: reader.read_process(ref.id) for ref in system.processes}
    ids = list(procs)
    pos = {pid: i for i, pid in enumerate(ids)}
    a = np.zeros((len(ids), len(ids)))
    bio: dict[str, np.ndarray] = {}
    for pid, p in procs.items():
        for e in p.exchanges:
            if e.is_quantitative_reference:
                a[pos[pid], pos[pid]] += e.amount
    for link in system.process_links:
        consumer = procs[link.process.id]
        e = next(x for x in consumer.exchanges if x.internal_id == link.exchange.internal_id)
        assert e.is_input and e.flow.id == link.flow.id
        a[pos[link.provider.id], pos[consumer.id]] -= e.amount
    for pid, p in procs.items():
        for e in p.exchanges:
            flow = reader.read_flow(e.flow.id)
            if flow.flow_type == o.FlowType.ELEMENTARY_FLOW:
                bio.setdefault(flow.id, np.zeros(len(ids)))[pos[pid]] += e.amount
    demand = np.zeros(len(ids))
    demand[pos[system.ref_process.id]] = system.target_amount
    s = np.linalg.solve(a, demand)
    method = [reader.read_impact_category(i) for i in reader.ids_of(o.ImpactCategory)][0]
    cf = {f.flow.id: f.value for f in method.impact_factors}
    return float(sum(cf.get(fid, 0.0) * row @ s for fid, row in bio.items()))


def test_olca_zip_opens_links_resolve_and_gives_our_total(tmp_path):
    import olca_schema as o

    path = _zip(str(tmp_path))
    with zipio.ZipReader(str(path)) as reader:
        systems = [reader.read_product_system(i) for i in reader.ids_of(o.ProductSystem)]
        assert len(systems) == 1
        ps = systems[0]
        assert reader.read_process(ps.ref_process.id).name.startswith("Compact electric SUV")
        assert len(ps.process_links) > 40
        for link in ps.process_links:
            provider = reader.read_process(link.provider.id)
            consumer = reader.read_process(link.process.id)
            assert reader.read_flow(link.flow.id) is not None
            assert any(e.is_quantitative_reference and e.flow.id == link.flow.id
                       for e in provider.exchanges)  # fmt: skip
            assert any(e.internal_id == link.exchange.internal_id for e in consumer.exchanges)
        # units, flow properties and the method are in the zip
        groups = {reader.read_unit_group(i).name for i in reader.ids_of(o.UnitGroup)}
        assert {"Units of mass", "Units of energy", "Units of mass*length"} <= groups
        props = [reader.read_flow_property(i) for i in reader.ids_of(o.FlowProperty)]
        assert all(reader.read_unit_group(p.unit_group.id) for p in props)
        methods = [reader.read_impact_method(i) for i in reader.ids_of(o.ImpactMethod)]
        assert methods and methods[0].name.startswith("IPCC 2021")
        total = _solve(reader, ps)
    assert total == pytest.approx(analyse_file(SCENARIO).result.total_kg_co2e, rel=1e-9)
