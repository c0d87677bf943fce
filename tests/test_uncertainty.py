"""Monte Carlo engine, export to Brightway, sensitivity analyses and their CLI."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lca.analysis import uncertainty as unc
from lca.calc import montecarlo as mc
from lca.calc.engine import brightway_sample_scores, load_datapackage_zip
from lca.calc.sampling import BLOCK, deterministic_row, draw
from lca.cli.app import app
from lca.errors import InputError
from lca.inputs.loader import load_input
from lca.model.background import load_background
from lca.model.system import build_system
from lca.outputs.export import datapackage as dpx

DATA = Path(__file__).parent / "data"
TINY_BG = DATA / "tiny-background"
UNCERTAIN = DATA / "inventories" / "tiny-ev-uncertain.yaml"
LINEAR = DATA / "inventories" / "tiny-ev-linear.yaml"


def model_of(path: Path, background: Path | None = TINY_BG):
    loaded = load_input(path)
    system = build_system(loaded, load_background(background))
    return system, mc.compile_model(system, loaded.sources.error)


@pytest.fixture(scope="module")
def uncertain():
    return model_of(UNCERTAIN)


@pytest.fixture(scope="module")
def linear():
    return model_of(LINEAR)


def test_inputs_of_every_kind(uncertain):
    _, m = uncertain
    kinds = {i.key: i.kind for i in m.inputs}
    assert kinds == {
        "parameter:lifetime_distance": "triangular",
        "parameter:consumption": "normal",
        "parameter:steel_mass": "uniform",
        "parameter:tyre_sets": "discrete",
        "parameter:cell_factor": "lognormal",
        "choice:use.electricity.supply": "discrete",
        "record:grid:A": "lognormal",
    }
    dist = next(i for i in m.inputs if i.key == "parameter:lifetime_distance")
    assert dist.params == (80_000_000.0, 100_000_000.0, 150_000_000.0)  # SI: metres


def test_seed_reproducible_whatever_the_chunking(uncertain):
    _, m = uncertain
    n = 2 * BLOCK + 123
    a = mc.run(m, n, seed=11)
    b = mc.run(m, n, seed=11, chunk=BLOCK, workers=1)
    c = mc.run(m, n, seed=11, chunk=8 * BLOCK)
    for other in (b, c):
        assert np.array_equal(a.total, other.total)
        assert np.array_equal(a.stages, other.stages)
    # sample i does not depend on how many samples are drawn, nor on where a slice starts
    short = mc.run(m, 1000, seed=11)
    assert np.array_equal(short.total, a.total[:1000])
    part = mc.evaluate(m, draw(m.inputs, 11, BLOCK - 7, BLOCK + 50))
    assert np.array_equal(part.total, a.total[BLOCK - 7 : BLOCK + 50])
    assert not np.array_equal(mc.run(m, 1000, seed=12).total, short.total)


def test_deterministic_point_equals_the_deterministic_engine(uncertain):
    from lca.calc.engine import calculate

    system, m = uncertain
    det = mc.evaluate(m, deterministic_row(m.inputs))
    assert det.total[0] == pytest.approx(calculate(system).total, rel=1e-12)


def test_every_sample_agrees_with_bw2calc_through_the_exported_zip(uncertain, tmp_path):
    system, m = uncertain
    n, seed = 40, 3
    path = tmp_path / "dp.zip"
    path.write_bytes(dpx.zip_bytes(system, n, seed))
    dp = load_datapackage_zip(path)
    meta = dp.metadata["vehicle_lca"]
    assert meta["demand"] == {"1": 1.0} and meta["samples"] == n
    demand_node = int(next(iter(meta["demand"])))
    bw = brightway_sample_scores(dp, n, node=demand_node)
    ours = mc.run(m, n, seed).total
    np.testing.assert_allclose(bw, ours, rtol=1e-9, atol=0)
    assert len(set(np.round(ours, 6))) > n // 2  # the samples really differ


def test_linear_model_mean_equals_deterministic_within_standard_error(linear):
    _, m = linear
    n = 200_000
    out = mc.run(m, n, seed=5)
    se = out.total.std(ddof=1) / np.sqrt(n)
    assert abs(out.total.mean() - m.deterministic_total) < 3 * se
    assert se > 0


def _linear_coefficients(m):
    """kg CO2e per SI unit of each input (the model is linear: one finite difference is exact)."""
    base = deterministic_row(m.inputs)
    x = np.repeat(base, len(m.inputs) + 1, axis=0)
    for j in range(len(m.inputs)):
        x[j + 1, j] += 1.0
    t = mc.evaluate(m, x).total
    return t[1:] - t[0]


def test_sobol_indices_of_a_linear_model_match_the_analytic_values(linear):
    _, m = linear
    c = _linear_coefficients(m)
    variances = []
    for inp in m.inputs:
        p = inp.params
        if inp.kind == "normal":
            variances.append(p[1] ** 2)
        elif inp.kind == "uniform":
            variances.append((p[1] - p[0]) ** 2 / 12)
        else:  # triangular
            a, mo, b = p
            variances.append((a * a + mo * mo + b * b - a * mo - a * b - mo * b) / 18)
    share = c**2 * np.array(variances)
    expected = share / share.sum()
    res = unc.sobol(m, 4096, seed=1)
    got = {r["key"]: r for r in res["inputs"]}
    for inp, e in zip(m.inputs, expected, strict=True):
        assert got[inp.key]["S1"] == pytest.approx(e, abs=0.03)
        assert got[inp.key]["ST"] == pytest.approx(e, abs=0.03)
    assert expected.max() > 0.4 and expected.min() > 0.01  # a test that can tell inputs apart


def test_oat_ranks_the_obvious_input_first(linear):
    _, m = linear
    res = unc.oat(m)
    order = [r["key"] for r in res["inputs"]]
    # steel mass 600-1000 kg x 2 kg CO2e/kg dwarfs tyres 30-90 kg x ~3.3 kg/kg
    assert order[0] == "parameter:steel_mass"
    assert order[-1] == "parameter:tyre_mass"
    steel = res["inputs"][0]
    assert steel["low_value"] == pytest.approx(620.0)  # P5 of uniform 600-1000 kg, in kg
    assert steel["swing_kg_co2e"] == pytest.approx(2.0 * 360.0, rel=1e-9)
    rel = unc.oat(m, relative=0.1)
    assert rel["inputs"][0]["low_value"] == pytest.approx(720.0)


def test_morris_effects_of_a_linear_model_are_exact(linear):
    _, m = linear
    res = unc.morris(m, 20, seed=2)
    got = {r["key"]: r for r in res["inputs"]}
    # linear: every elementary effect of steel is 2 kg CO2e/kg x its P1-P99 span (0.98 x 400 kg)
    steel = got["parameter:steel_mass"]
    assert steel["mu_star_kg_co2e"] == pytest.approx(2.0 * 0.98 * 400.0, rel=1e-9)
    assert steel["sigma_kg_co2e"] == pytest.approx(0.0, abs=1e-6)
    assert res["inputs"][-1]["key"] == "parameter:tyre_mass"


def test_paired_comparison_uses_common_random_numbers(uncertain):
    _, m = uncertain
    res = unc.paired_comparison({"a": m, "b": m}, "a", 2000, seed=4)
    b = res["systems"]["b"]
    assert b["difference_kg_co2e"]["sd"] == 0.0  # same inputs, same numbers
    assert b["probability_lower_than_baseline"] == 0.0


def test_break_even_against_a_combustion_car(uncertain):
    ev = uncertain[1]
    ref = _fuel_car()
    be = unc.break_even(ev, ref, 5000, seed=1)
    # deterministic, the convention of lca.compare: production stages at km 0, use and
    # maintenance per km, end of life at the lifetime (the crossing is before it here)
    km = be["deterministic_km"]
    assert km is not None and km > 0

    def parts(m):
        out = mc.evaluate(m, deterministic_row(m.inputs))
        st = dict(zip(m.stages, out.stages[:, 0], strict=True))
        production = st["materials"] + st["battery"] + st["manufacturing"] + st["logistics"]
        return production, (st["use"] + st["maintenance"]) / out.distance_km[0]

    (pa, ra), (pb, rb) = parts(ev), parts(ref)
    assert km == pytest.approx((pa - pb) / (rb - ra), rel=1e-9)
    dist = be["distribution_km"]
    assert dist["p2_5"] < km < dist["p97_5"]


def _fuel_car():
    import tempfile

    text = (
        (DATA / "inventories" / "tiny-ev.yaml")
        .read_text()
        .replace(
            "use:\n  electricity: {amount: consumption * lifetime_distance, supply: grid:B}",
            "use:\n  fuel: {amount: 6 L/(100 km) * lifetime_distance, fuel: x}",
        )
        .replace(
            "  - id: battery\n    chemistry: X\n    capacity: 20 kWh\n"
            "    cell_plant_electricity: grid:A\n",
            "",
        )
    )
    assert "chemistry" not in text
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "tiny-fuel.yaml"
        p.write_text(text)
        return model_of(p)[1]


def test_model_pickles_for_dask_workers(uncertain):
    _, m = uncertain
    m2 = pickle.loads(pickle.dumps(m))
    x = draw(m.inputs, 1, 0, 100)
    assert np.array_equal(mc.evaluate(m, x).total, mc.evaluate(m2, x).total)


def test_dask_local_cluster_equals_local(uncertain):
    distributed = pytest.importorskip("distributed")
    _, m = uncertain
    n = 3 * BLOCK + 5
    local = mc.run(m, n, seed=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            remote = mc.run(m, n, seed=9, scheduler=client, chunk=BLOCK)
            by_address = mc.run(m, BLOCK, seed=9, scheduler=cluster.scheduler_address)
    assert np.array_equal(local.total, remote.total)
    assert np.array_equal(local.stages, remote.stages)
    assert np.array_equal(local.total[:BLOCK], by_address.total)


def test_parameter_distribution_in_wrong_units_is_located(tmp_path):
    text = UNCERTAIN.read_text().replace("sd: 1 kWh/100km", "sd: 1 kg")
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        model_of(p)
    assert "sd" in str(exc.value.path) and exc.value.line == 13
    assert "kilogram" in exc.value.message or "kg" in exc.value.message


# -- CLI -----------------------------------------------------------------------------------------
runner = CliRunner()


def test_cli_uncertainty_writes_report_chart_and_samples(tmp_path):
    out, npy = tmp_path / "out", tmp_path / "s.npy"
    args = [
        "uncertainty",
        str(UNCERTAIN),
        "-n",
        "3000",
        "--seed",
        "7",
        "--background",
        str(TINY_BG),
        "-o",
        str(out),
        "--samples-out",
        str(npy),
        "-q",
    ]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    rep = json.loads((out / "uncertainty.json").read_text())
    assert rep["n"] == 3000 and rep["seed"] == 7
    for key in (
        "total_kg_co2e",
        "per_km_g_co2e",
        *(f"stages_kg_co2e.{s}" for s in ("materials", "use", "end_of_life")),
    ):
        node = rep
        for part in key.split("."):
            node = node[part]
        assert set(node) == {"mean", "sd", "p2_5", "p5", "p25", "p50", "p75", "p95", "p97_5"}
    assert (out / "uncertainty.png").read_bytes()[:4] == b"\x89PNG"
    totals = np.load(npy)
    assert totals.shape == (3000,)
    assert totals.mean() == pytest.approx(rep["total_kg_co2e"]["mean"], rel=1e-12)
    # the export with the same seed and -n iterates the same samples in bw2calc
    zip_path = tmp_path / "dp.zip"
    r = runner.invoke(
        app,
        [
            "export",
            str(UNCERTAIN),
            "--format",
            "datapackage",
            "-n",
            "25",
            "--seed",
            "7",
            "--background",
            str(TINY_BG),
            "-o",
            str(zip_path),
        ],
    )
    assert r.exit_code == 0, r.output
    bw = brightway_sample_scores(load_datapackage_zip(zip_path), 25)
    np.testing.assert_allclose(bw, totals[:25], rtol=1e-9, atol=0)


def test_cli_sensitivity_methods(tmp_path):
    for method, extra in (("oat", []), ("sobol", ["-n", "256"]), ("morris", ["-n", "10"])):
        out = tmp_path / method
        r = runner.invoke(
            app,
            [
                "sensitivity",
                str(LINEAR),
                "--method",
                method,
                *extra,
                "--background",
                str(TINY_BG),
                "-o",
                str(out),
                "-q",
            ],
        )
        assert r.exit_code == 0, r.output
        res = json.loads((out / "sensitivity.json").read_text())
        assert res["method"] == method
        assert (out / f"sensitivity-{method}.png").exists()


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path):
    r = runner.invoke(
        app,
        [
            "sensitivity",
            str(LINEAR),
            "--method",
            "sobol",
            "-n",
            "1000",
            "--background",
            str(TINY_BG),
            "-o",
            str(tmp_path / "o"),
        ],
    )
    assert r.exit_code == 2 and "power of 2" in r.output
    r = runner.invoke(app, ["export", str(LINEAR), "--format", "nope", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_break_even_matches_compare_on_the_reference_cars():
    from lca.analysis.compare import break_even_km, curve
    from lca.analysis.pipeline import run_loaded
    from lca.calc.montecarlo import compile_model
    from lca.inputs.loader import load_input
    from lca.model.background import load_background
    from lca.model.system import build_system

    db = load_background()
    root = Path(__file__).resolve().parent.parent / "scenarios"
    models, results = [], []
    for name in ("compact-suv-bev-eu.yaml", "compact-suv-petrol.yaml"):
        loaded = load_input(root / name)
        models.append(compile_model(build_system(loaded, db), loaded.sources.error))
        results.append(run_loaded(loaded, background=db, measures=False))
    det = unc.break_even(models[0], models[1], 200, seed=3)["deterministic_km"]
    expected = break_even_km(curve(results[0]), curve(results[1]))
    assert det == pytest.approx(expected, rel=1e-9)
