"""The workbench API (``vlca serve``) with Starlette's TestClient: figures against full runs of
the same overrides (bw2calc), hand-computed changes, validation, limits, saved scenarios."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():
    # Starlette 1.x warns that its TestClient will move from httpx to httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from lca.analysis.pipeline import run_file, run_loaded  # noqa: E402
from lca.cli.serve import is_loopback  # noqa: E402
from lca.model.background import load_background  # noqa: E402
from lca.web.app import MAX_BODY, TokenBucket, create_app  # noqa: E402
from lca.web.workbench import Workbench  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCEN = "scenarios/compact-suv-bev-eu.yaml"
REF = "scenarios/compact-suv-petrol.yaml"


@pytest.fixture(scope="module")
def wb(tmp_path_factory) -> Workbench:  # noqa: ANN001
    import os

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return Workbench([ROOT / "scenarios", ROOT / "inventories" / "vehicles"], load_background())
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def client(wb: Workbench) -> TestClient:
    return TestClient(create_app(wb))


def post(client: TestClient, overrides: dict, path: str = "/api/evaluate", **extra):  # noqa: ANN201
    return client.post(path, json={"scenario": SCEN, "reference": REF, "overrides": overrides,
                                   **extra})


def test_catalogue_defaults_and_headers(client: TestClient) -> None:
    r = client.get("/api/catalogue")
    assert r.status_code == 200
    d = r.json()
    assert d["scenario"] == SCEN and d["reference"] == REF
    assert "inventories/vehicles/compact-suv-bev.yaml" in d["files"]
    assert not any("sweeps" in f for f in d["files"])  # variant grids are not opened
    for url in ("/", "/static/app.js", "/static/vendor/vega.min.js", "/api/catalogue"):
        h = client.get(url).headers
        assert h["content-security-policy"].startswith("default-src 'self'"), url
    page = client.get("/").text
    assert "http" not in page.replace('"https://vega.github.io/schema', "")  # no remote URL


def test_controls_have_ranges_units_sources(client: TestClient) -> None:
    c = {x["path"]: x for x in client.get(f"/api/controls?scenario={SCEN}").json()["controls"]}
    cons = c["parameters.consumption"]
    assert (cons["low"], cons["value"], cons["high"], cons["unit"]) == (15.5, 16.8, 19.5,
                                                                         "kWh/100km")
    assert "WLTP" in cons["source"]
    assert "grid:PL" in c["use.electricity.supply"]["options"]
    assert "electricity:wind" in c["components.battery.cell_plant_electricity"]["options"]
    assert c["components.battery.chemistry"]["options"] == ["NMC811", "NMC622", "LFP"]
    assert c["end_of_life.approach"]["options"] == ["cut-off", "avoided-burden", "cff"]
    steel = c["components.body.materials.steel.recycled_mass"]
    assert (steel["value"], steel["high"], steel["unit"]) == (130.0, 455.0, "kg")


def test_as_loaded_equals_full_run(client: TestClient) -> None:
    d = post(client, {}).json()
    for key, fig in ((SCEN, d["what_if"]), (REF, d["reference"])):
        full = run_file(ROOT / key)
        assert math.isclose(fig["total_kg"], full.total_kg_co2e, rel_tol=1e-9)
        assert math.isclose(fig["per_km"], full.per_km_g_co2e, rel_tol=1e-9)
    assert d["changed"] == []


def test_consumption_change_is_hand_computable(client: TestClient) -> None:
    base = post(client, {}).json()["what_if"]
    now = post(client, {"parameters.consumption": 18.0}).json()["what_if"]
    use = next(h for h in base["hotspots"] if h["label"].startswith("use: electricity"))
    # the charging electricity is consumption x distance: +1.2 kWh/100km on 16.8 scales it
    expected = use["kg"] * 1.2 / 16.8
    assert math.isclose(now["total_kg"] - base["total_kg"], expected, rel_tol=1e-9)
    assert math.isclose(now["per_km"], 1000 * now["total_kg"] / 200_000, rel_tol=1e-12)


def _write(tmp: Path, text: str) -> Path:
    p = tmp / "what-if.yaml"
    p.write_text(text, encoding="utf-8")
    return p


WHAT_IF = {
    "parameters.consumption": 18.25,
    "parameters.lifetime_distance": 230_000,
    "use.electricity.supply": "grid:PL",
    "components.battery.cell_plant_electricity": "electricity:wind",
    "components.body.materials.steel.recycled_mass": 200,
    "end_of_life.approach": "avoided-burden",
}


def test_saved_scenario_reproduces_the_screen(client: TestClient, tmp_path: Path) -> None:
    d = post(client, WHAT_IF).json()
    r = client.post("/api/scenario", json={"scenario": SCEN, "overrides": WHAT_IF})
    assert r.status_code == 200
    assert 'filename="compact-suv-bev-eu-what-if.yaml"' in r.headers["content-disposition"]
    text = r.text
    assert "parameters.consumption: 18.25 kWh/100km" in text
    assert len(d["changed"]) == len(WHAT_IF)
    full = run_file(_write(tmp_path, text))
    assert math.isclose(d["what_if"]["total_kg"], full.total_kg_co2e, rel_tol=1e-9)
    assert math.isclose(d["what_if"]["per_km"], full.per_km_g_co2e, rel_tol=1e-9)


@pytest.mark.slow
def test_saved_scenario_reproduces_with_vlca_run(client: TestClient, tmp_path: Path) -> None:
    d = post(client, WHAT_IF).json()
    text = client.post("/api/scenario", json={"scenario": SCEN, "overrides": WHAT_IF}).text
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lca.cli.app", "run", str(_write(tmp_path, text)), "-o", str(out),
           "--quiet"]
    subprocess.run(cmd, check=True, cwd=tmp_path, capture_output=True, timeout=300)
    res = json.loads((out / "result.json").read_text())
    assert math.isclose(res["total_kg_co2e"], d["what_if"]["total_kg"], rel_tol=1e-9)


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"parameters.consumption": -3}, "parameters.consumption", "negative"),
        ({"parameters.consumption": "1+1"}, "parameters.consumption", "a number"),
        ({"parameters.consumption": True}, "parameters.consumption", "a number"),
        ({"use.electricity.supply": "grid:XX"}, "use.electricity.supply", "choose one of"),
        ({"vehicle.curb_mass": 1}, "vehicle.curb_mass", "not a control"),
        ({"parameters.incinerated_share": 1.5}, "parameters.incinerated_share", "negative"),
    ],
)
def test_bad_values_are_refused_next_to_the_control(
    client: TestClient, overrides: dict, path: str, words: str
) -> None:
    before = post(client, {"parameters.consumption": 17.0}).json()["what_if"]
    r = post(client, overrides)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert path in errors and words in errors[path], errors
    after = post(client, {"parameters.consumption": 17.0}).json()["what_if"]
    assert after == before  # nothing changed


def test_bounded_body_and_rate() -> None:
    bucket = TokenBucket(rate=1.0, burst=3.0)
    assert [bucket.allow("a") for _ in range(4)] == [True, True, True, False]
    assert bucket.allow("b")  # per client


def test_oversized_body_is_refused(client: TestClient) -> None:
    big = {"scenario": SCEN, "reference": REF, "overrides": {}, "pad": "x" * MAX_BODY}
    r = client.post("/api/evaluate", content=json.dumps(big),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.post("/api/evaluate", content=b"[1]").status_code == 400


def test_deterministic_update_under_50_ms(wb: Workbench) -> None:
    wb.evaluate(SCEN, {"use.electricity.supply": "grid:PL"})  # compile the structure once
    times = []
    for i in range(30):
        t = time.perf_counter()
        wb.evaluate(SCEN, {"use.electricity.supply": "grid:PL",
                           "parameters.consumption": 15.5 + 0.1 * i})
        times.append(1000 * (time.perf_counter() - t))
    assert statistics.median(times) < 50.0, times


def test_monte_carlo_and_tornado(client: TestClient) -> None:
    r = post(client, {"parameters.consumption": 18.0}, path="/api/uncertainty")
    assert r.status_code == 200
    d = r.json()
    assert d["what_if"]["samples"] == 10_000
    q = d["what_if"]["per_km"]
    assert q["p2_5"] < q["p5"] < q["p50"] < q["p95"] < q["p97_5"]
    det = post(client, {"parameters.consumption": 18.0}).json()["what_if"]["per_km"]
    assert q["p2_5"] < det < q["p97_5"]
    assert 0.9 < d["share_below_reference"] <= 1.0
    swings = [abs(t["at_high"] - t["at_low"]) for t in d["tornado"]]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    band = d["band"]["what_if"]
    assert len(band) == 51 and all(p["lo"] <= p["hi"] for p in band)
    be = d["break_even_km"]
    assert be["p2_5"] < be["p50"] < be["p97_5"] and be["share_none"] == 0.0
    names = [t["path"] for t in d["tornado"]]
    assert "parameters.consumption" in names


def test_loopback_default() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_unknown_file_is_refused(client: TestClient) -> None:
    r = client.post("/api/evaluate", json={"scenario": "/etc/passwd", "reference": REF,
                                           "overrides": {}})
    assert r.status_code == 422
    assert "not one of the files" in r.json()["errors"][""]
    assert client.get("/api/controls?scenario=../x.yaml").status_code == 422


def test_serve_refuses_a_missing_file(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "lca.cli.app", "serve", str(tmp_path / "no.yaml")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "no such file or folder" in r.stderr


@pytest.mark.slow
def test_vlca_serve_listens_on_loopback(tmp_path: Path) -> None:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "lca.cli.app", "serve", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()  # printed once the defaults are compiled
        assert f"http://127.0.0.1:{port}/" in line, line + proc.stderr.read()
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/catalogue") as resp:
                    assert json.loads(resp.read())["scenario"] == SCEN
                    assert "default-src 'self'" in resp.headers["content-security-policy"]
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.mark.slow
@pytest.mark.parametrize(
    "key",
    [
        "scenarios/compact-suv-bev-eu-2025-2038.yaml",  # a year-by-year use profile
        "scenarios/compact-suv-bev-targets-2025.yaml",  # declared measures
        "inventories/vehicles/compact-suv-hev.yaml",  # an inventory (base:), fuel and battery
    ],
)
def test_every_control_equals_a_full_run(wb: Workbench, key: str, tmp_path: Path) -> None:
    """Each control moved on its own (parameters to 70 % of their range, choices to another
    option, masses to half) gives the total of a full run of the saved scenario."""
    from lca.inputs.loader import load_input

    e = wb.entry(key)
    assert e.controls
    for path, c in e.controls.items():
        if c.kind == "choice":
            value = next(o for o in c.options if o != c.value)
        elif c.kind == "mass":
            value = c.high / 2
        else:
            value = c.low + 0.7 * (c.high - c.low)
        fig = wb.evaluate(key, {path: value})
        full = run_loaded(load_input(_write(tmp_path, wb.scenario_yaml(key, {path: value}))),
                          measures=False)
        assert math.isclose(fig["total_kg"], full.total_kg_co2e, rel_tol=1e-9), path
        assert math.isclose(fig["per_km"], full.per_km_g_co2e, rel_tol=1e-9), path


@pytest.mark.slow
def test_warm_compiles_every_single_choice_once(wb: Workbench) -> None:
    e = wb.entry(SCEN)
    choices = [c for c in e.controls.values() if c.kind == "choice"]
    assert choices
    n = wb.warm(SCEN)
    expected = sum(len(c.options) - 1 for c in choices)
    assert 0 < n <= expected
    grid = next(c for c in choices if len(c.options) > 2)
    other = next(o for o in grid.options if o != grid.value)
    before = len(wb._cache)
    first = wb.compiled(SCEN, {grid.path: other})
    assert len(wb._cache) == before  # a cache hit: nothing was built
    assert wb.compiled(SCEN, {grid.path: other}) is first



def test_web_charts_use_the_report_palette(client: TestClient) -> None:
    """The page's stage colours and line colours are the PNG charts' (lca.outputs.palette),
    served with the catalogue; app.js takes them from there, not from a Vega colour scheme."""
    from lca.outputs.palette import LINE_COLOURS, REFERENCE_COLOUR, STAGE_COLOURS, STAGE_NAMES

    d = client.get("/api/catalogue").json()
    assert [(s["key"], s["colour"]) for s in d["stages"]] == list(STAGE_COLOURS.items())
    assert {s["key"]: s["label"] for s in d["stages"]} == STAGE_NAMES
    assert d["lines"] == {"what_if": LINE_COLOURS[0], "reference": REFERENCE_COLOUR}
    js = (Path(__file__).parent.parent / "lca" / "web" / "static" / "app.js").read_text()
    assert "scheme:" not in js  # no Vega default or named scheme
    assert "range: PALETTE.stages.map((x) => x.colour)" in js
    assert "range: [PALETTE.lines.what_if, PALETTE.lines.reference]" in js
