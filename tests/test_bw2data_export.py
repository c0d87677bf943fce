"""The Brightway project export: written into a temporary project (BRIGHTWAY2_DIR set before
bw2data is imported, so in a subprocess), bw2calc on it must give our total."""

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
SCENARIO = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
CHECK = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from lca.analysis.pipeline import analyse_file
from lca.outputs.export.bw2data import write_project
import bw2calc as bc, bw2data as bd
run = analyse_file(sys.argv[1])
info = write_project(run, "vlca-test")
bd.projects.set_current("vlca-test")
lca = bc.LCA({bd.get_node(database=info["vehicle"][0], code=info["vehicle"][1]): 1},
             method=info["method"])
lca.lci(); lca.lcia()
credits = None
if info["credits"]:
    c = bc.LCA({bd.get_node(database=info["credits"][0], code=info["credits"][1]): 1},
               method=info["method"])
    c.lci(); c.lcia(); credits = c.score
print("RESULT " + json.dumps({"bw": lca.score, "ours": run.result.total_kg_co2e,
      "bw_credits": credits, "ours_credits": run.result.credits_kg_co2e,
      "matched": info["matched_flows"], "own": info["own_flows"],
      "databases": sorted(bd.databases)}))
"""


def test_brightway_project_gives_our_total(tmp_path):
    env = {**os.environ, "BRIGHTWAY2_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, str(SCENARIO)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    r = json.loads(line[0][len("RESULT ") :])
    # bw2data stores float32-processed arrays: agreement to about 1e-7
    assert r["bw"] == pytest.approx(r["ours"], rel=1e-6)
    assert r["bw_credits"] == pytest.approx(r["ours_credits"], rel=1e-6)
    assert {"co2_fossil", "ch4_fossil", "n2o"} <= set(r["matched"])
    assert "co2e" in r["own"]
    assert "biosphere3" in r["databases"]
    assert any(p.is_dir() for p in tmp_path.iterdir())  # written where BRIGHTWAY2_DIR said
