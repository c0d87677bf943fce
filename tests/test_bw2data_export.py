"""The Brightway project export: two vehicles written into one temporary project
(BRIGHTWAY2_DIR set before bw2data is imported, so in a subprocess); bw2calc on each must give
our total, the first vehicle must still compute after the second was written (and after
being written again), and a Monte Carlo run must vary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("bw2data")
pytest.importorskip("bw2io")

ROOT = Path(__file__).parent.parent
SCENARIOS = [ROOT / "scenarios" / "compact-suv-bev-eu.yaml",
             ROOT / "scenarios" / "compact-suv-petrol.yaml"]  # fmt: skip
CHECK = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from lca.analysis.pipeline import analyse_file
from lca.outputs.export.bw2data import write_project
import bw2calc as bc, bw2data as bd
from bw2data.parameters import DatabaseParameter
runs = [analyse_file(f) for f in sys.argv[1:]]
infos = [write_project(run, "vlca-test") for run in runs]
infos[0] = write_project(runs[0], "vlca-test")  # again, after the second: nothing breaks
bd.projects.set_current("vlca-test")
out = []
for run, info in zip(runs, infos):  # computed after both were written
    root = bd.get_node(database=info["vehicle"][0], code=info["vehicle"][1])
    lca = bc.LCA({root: 1}, method=info["method"])
    lca.lci(); lca.lcia()
    credits = None
    if info["credits"]:
        c = bc.LCA({bd.get_node(database=info["credits"][0], code=info["credits"][1]): 1},
                   method=info["method"])
        c.lci(); c.lcia(); credits = c.score
    mc = bc.LCA({root: 1}, method=info["method"], use_distributions=True, seed_override=7)
    mc.lci(); mc.lcia()
    draws = [mc.score] + [(next(mc), mc.score)[1] for _ in range(4)]
    fg = bd.Database(info["vehicle"][0])
    exchanges = [e for a in fg for e in a.exchanges()]
    bg = bd.Database(info["databases"][-2])
    out.append({
        "bw": lca.score, "ours": run.result.total_kg_co2e,
        "bw_credits": credits, "ours_credits": run.result.credits_kg_co2e,
        "matched": info["matched_flows"], "own": info["own_flows"],
        "root_flag": root.get("vehicle_lca_root"), "root_unit": root["unit"],
        "root_location": root["location"], "root_product": root.get("reference product"),
        "roots": sum(1 for a in fg if a.get("vehicle_lca_root")),
        "units": sorted({a["unit"] for a in bg}),
        "locations": sorted({a["location"] for a in bg}),
        "formulas": sum(1 for e in exchanges if e.get("formula")),
        "uncertain": sum(1 for a in bg for e in a.biosphere()
                         if e.get("uncertainty type", 0) > 1),
        "db_params": {p.name: (p.amount, p.formula) for p in DatabaseParameter.select().where(
                      DatabaseParameter.database == info["vehicle"][0])},
        "draws": draws, "databases": sorted(bd.databases), "method": list(info["method"]),
    })
# a colleague's project that already holds ecoinvent's method (biogenic CO2 counted 0)
import bw2io
bd.projects.set_current("vlca-existing")
bw2io.create_default_biosphere3()
name = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
bio = {(a["name"], tuple(a["categories"])): a.key for a in bd.Database("biosphere3")}
theirs = [(bio[("Carbon dioxide, fossil", ("air",))], 1.0),
          (bio[("Carbon dioxide, non-fossil", ("air",))], 0.0)]
bd.Method(name).register(unit="kg CO2-Eq"); bd.Method(name).write(theirs)
info = write_project(runs[0], "vlca-existing")
cfs = {bd.get_node(id=k)["name"] if isinstance(k, int) else bd.get_node(key=tuple(k))["name"]: v
       for k, v, *_ in bd.Method(name).load()}
existing = {"kept": info["method_kept"], "differs": sorted(info["method_differs"]),
            "cfs": cfs}
print("RESULT " + json.dumps({"runs": out, "existing": existing}))
"""


@pytest.mark.slow
def test_two_vehicles_in_one_brightway_project(tmp_path):
    env = {**os.environ, "BRIGHTWAY2_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, *map(str, SCENARIOS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert line, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(line[0][len("RESULT ") :])
    bev, petrol = result["runs"]
    for r in (bev, petrol):
        # bw2data stores float32-processed arrays: agreement to about 1e-7
        assert r["bw"] == pytest.approx(r["ours"], rel=1e-6)
        assert r["root_flag"] is True and r["roots"] == 1
        assert r["root_unit"] == "unit"
        assert r["formulas"] > 10  # exchange amounts from the parameters
        assert r["uncertain"] > 20
        assert len(set(r["draws"])) == 5  # Monte Carlo varies
        assert r["method"] == ["IPCC 2021", "climate change", "global warming potential (GWP100)"]
        assert {"co2_fossil", "ch4_fossil", "n2o"} <= set(r["matched"])
    assert bev["bw_credits"] == pytest.approx(bev["ours_credits"], rel=1e-6)
    assert bev["root_product"] == "Compact electric SUV" and bev["root_location"] == "CN"
    assert {"kilogram", "ton kilometer", "kilowatt hour", "megajoule"} <= set(bev["units"])
    assert "RER" in bev["locations"] and "EU-27" not in bev["locations"]
    # one shared background, one foreground database per scenario
    dbs = set(bev["databases"])
    assert {"compact-suv-bev-eu", "compact-suv-petrol", "biosphere3"} <= dbs
    assert len([d for d in dbs if d.startswith("vehicle-lca background")]) == 1
    # parameters in SI base units with their formulas: 16.8 kWh/100km = 604.8 J/m
    amount, formula = bev["db_params"]["consumption"]
    assert amount == pytest.approx(16.8 * 3.6e6 / 100e3) and not formula
    assert bev["db_params"]["lifetime_distance"][0] == pytest.approx(200000e3)
    assert bev["db_params"]["mass_steel"][0] == pytest.approx(455 + 130 + 105 + 63.5)
    assert any(p.is_dir() for p in tmp_path.iterdir())  # written where BRIGHTWAY2_DIR said
    # an existing method of that name is kept: theirs for the flows it has, ours added
    existing = result["existing"]
    assert existing["kept"] is True and len(existing["differs"]) == 1
    assert existing["cfs"]["Carbon dioxide, non-fossil"] == 0.0
    assert existing["cfs"]["Dinitrogen monoxide"] == 273.0
