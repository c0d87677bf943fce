"""``--background brightway:PROJECT/DATABASE``: the shipped ecoinvent-3.10 mapping resolved in a
small ecoinvent-like database that the test writes into a temporary Brightway project
(BRIGHTWAY2_DIR set before bw2data is imported, so in a subprocess); scores hand-computed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("bw2data")

ROOT = Path(__file__).parent.parent
SCRIPT = r"""
import json, sys, warnings, contextlib, io
warnings.simplefilter("ignore")
with contextlib.redirect_stdout(io.StringIO()):
    import bw2data as bd
from lca.datafiles import data_file
from lca.model.brightway_background import load_mapping
from lca.errors import InputError

bd.projects.set_current("eco-test")
bio = bd.Database("biosphere")
flows = {"co2": ("Carbon dioxide, fossil", 1.0), "ch4": ("Methane, fossil", 29.8),
         "n2o": ("Dinitrogen monoxide", 273.0)}
bio.write({("biosphere", k): {"name": n, "unit": "kilogram", "type": "emission",
                              "categories": ("air",)} for k, (n, _) in flows.items()})
bd.Method(("IPCC 2021", "climate change", "global warming potential (GWP100)")).write(
    [(("biosphere", k), cf) for k, (_, cf) in flows.items()])
bd.Method(("EF v3.1", "climate change", "global warming potential (GWP100)")).write(
    [(("biosphere", "co2"), 1.0)])
entries = load_mapping(data_file("ecoinvent-3.10-cutoff-mapping.yaml"))
data, expected = {}, {}
for i, (rid, e) in enumerate(sorted(entries.items())):
    co2 = 0.1 * (i + 1)
    prod = -1.0 if e["name"].startswith("treatment of") and "remelter" not in e["name"] else 1.0
    exc = [{"input": ("eco", rid), "amount": prod, "type": "production"},
           {"input": ("biosphere", "co2"), "amount": co2, "type": "biosphere"},
           {"input": ("biosphere", "ch4"), "amount": 0.001, "type": "biosphere"},
           {"input": ("biosphere", "n2o"), "amount": 0.0001, "type": "biosphere"}]
    expected[rid] = co2 + 0.0298 + 0.0273
    if rid == "heat:natural-gas":  # a technosphere input: 0.01 kWh of the CN grid per MJ
        exc.append({"input": ("eco", "grid:CN"), "amount": 0.01, "type": "technosphere"})
    data[("eco", rid)] = {"name": e["name"], "reference product": e["reference_product"],
                          "location": e["location"], "unit": e["unit"], "exchanges": exc}
expected["heat:natural-gas"] += 0.01 * expected["grid:CN"]
bd.Database("eco").write(data)
conv = {"fuel:petrol-wtt": 0.745, "maintenance:coolant": 0.5}
expected = {k: v * conv.get(k, 1.0) for k, v in expected.items()}

from lca.model.background import load_background
from lca.analysis.pipeline import analyse_file
db = load_background("brightway:eco-test/eco")
got = {rid: dict(db.records[rid].emissions) for rid in expected if rid in db.records}
run = analyse_file(sys.argv[1], background=db)
import pathlib, tempfile
tmp = pathlib.Path(tempfile.mkdtemp())
inv = pathlib.Path(sys.argv[2]).read_text() + "\nbackground: brightway:eco-test/eco\n"
(tmp / "inv.yaml").write_text(inv)
key_run = analyse_file(tmp / "inv.yaml")
def entry(name, rp, loc, unit):
    return "records:\n  grid:CN: " + json.dumps(
        {"name": name, "reference_product": rp, "location": loc, "unit": unit}) + "\n"
lv = "electricity, low voltage"
(tmp / "missing.yaml").write_text(entry("market group for electricity, lo", lv, "CN",
                                        "kilowatt hour"))
(tmp / "unit.yaml").write_text(entry("market group for electricity, low voltage", lv, "CN",
                                     "megajoule"))
(tmp / "dim.yaml").write_text(entry("market for copper, cathode", "copper, cathode", "GLO",
                                    "kilogram"))
errors = {}
for spec in ("brightway:nope/eco", "brightway:eco-test/nope", "brightway:eco-test",
             f"brightway:eco-test/eco?mapping={tmp}/missing.yaml",
             f"brightway:eco-test/eco?mapping={tmp}/unit.yaml",
             f"brightway:eco-test/eco?mapping={tmp}/dim.yaml"):
    try:
        load_background(spec)
    except InputError as exc:
        errors[spec.split("/")[-1]] = exc.render()
print("RESULT " + json.dumps({"expected": expected, "got": got,
      "background": run.result.to_dict()["background"], "total": run.result.total_kg_co2e,
      "stages": run.result.stages_kg_co2e, "errors": errors,
      "key_background": key_run.result.to_dict()["background"],
      "key_use": key_run.result.stages_kg_co2e["use"]}))
"""


@pytest.mark.slow
def test_ecoinvent_mapping_on_a_test_database(tmp_path):
    env = {**os.environ, "BRIGHTWAY2_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "scenarios" / "compact-suv-bev-eu.yaml"),
         str(ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert line, proc.stdout[-2000:] + proc.stderr[-3000:]
    r = json.loads(line[0][len("RESULT "):])
    assert len(r["got"]) == len(r["expected"]) == 41
    for rid, want in r["expected"].items():
        assert r["got"][rid] == {"co2e": pytest.approx(want, rel=1e-6)}, rid
    bg = r["background"]
    assert bg["database"] == "brightway:eco-test/eco"
    assert bg["method"] == "IPCC 2021 | climate change | global warming potential (GWP100)"
    assert "grid:EU-27" in bg["records_from_brightway"]
    # unmapped records fall back to the bundled data and are listed
    assert {"battery:cell-materials-nmc811", "tyre"} <= set(bg["records_from_bundled_data"])
    # the use stage: 16.8 kWh/100km x 200,000 km of the test grid:EU-27 activity
    want_use = 33600.0 * r["expected"]["grid:EU-27"]
    assert r["stages"]["use"] == pytest.approx(want_use, rel=1e-6)
    # the same from the inventory's background: key
    assert r["key_background"]["database"] == "brightway:eco-test/eco"
    assert r["key_use"] == pytest.approx(want_use, rel=1e-6)
    e = r["errors"]
    assert "no Brightway project 'nope'" in e["eco"]
    assert "has no database 'nope'" in e["nope"]
    assert "brightway:PROJECT/DATABASE" in e["brightway:eco-test"]
    assert "1 mapped activities are not in eco-test/eco" in e["missing.yaml"]
    assert "close: market group for electricity, low voltage" in e["missing.yaml"]
    assert "is per 'kilowatt hour', the mapping says 'megajoule'" in e["unit.yaml"]
    assert "record grid:CN is per kWh but the activity" in e["dim.yaml"]
