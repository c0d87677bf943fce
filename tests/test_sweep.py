"""Sweeps on the compiled engine: every variant equals a single run of the same overrides."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import run_loaded
from lca.analysis.sweep import grid_index, run_sweep
from lca.cli.app import app
from lca.errors import InputError
from lca.inputs.loader import load_scenarios, variant_grid
from lca.model.exchanges import STAGES

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "sweeps" / "bev-sweep-1e4.yaml"
BUNDLED = ROOT / "scenarios" / "sweeps" / "compact-suv-bev-grid-x-lifetime.yaml"
REL = 1e-9


def _variant(grid, sweep, i):  # noqa: ANN001, ANN202
    combo = {
        ax.dotted: (ax.labels[int(j)], ax.values[int(j)])
        for ax, j in zip(sweep.axes, sweep.index[i], strict=True)
    }
    return grid.load(combo)


def _assert_same(sweep, i, res):  # noqa: ANN001, ANN202
    assert sweep.name(i) == res.name
    assert sweep.total[i] == pytest.approx(res.total_kg_co2e, rel=REL)
    assert sweep.location_total[i] == pytest.approx(res.location_based_total, rel=REL)
    assert sweep.distance_km[i] == pytest.approx(res.lifetime_distance_km, rel=REL)
    for k, stage in enumerate(STAGES):
        value = res.stages_kg_co2e[stage]
        assert sweep.stages[k, i] == pytest.approx(value, rel=REL, abs=1e-9 * res.total_kg_co2e)


def test_grid_index_is_the_product_order():
    got = grid_index((2, 3), 0, 6).tolist()
    assert got == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    assert grid_index((2, 3), 4, 6).tolist() == [[1, 1], [1, 2]]


def test_bundled_sweep_equals_single_runs(bundled_db):
    grid = variant_grid(BUNDLED)
    sweep = run_sweep(grid, bundled_db)
    assert [a.parameter for a in sweep.axes] == [None, "lifetime_distance"]
    items = load_scenarios(BUNDLED)
    assert sweep.names() == [it.name for it in items]
    for i, item in enumerate(items):
        _assert_same(sweep, i, run_loaded(item, background=bundled_db, measures=False))


def test_random_variants_of_a_large_sweep_equal_single_runs(bundled_db):
    grid = variant_grid(BENCH)
    sweep = run_sweep(grid, bundled_db, chunk=1000, workers=2)
    assert sweep.count == 10_000 and sweep.structures == 10
    assert np.all(np.isfinite(sweep.total))
    rng = random.Random(20261202)
    for i in rng.sample(range(sweep.count), 12):
        item = _variant(grid, sweep, i)
        _assert_same(sweep, i, run_loaded(item, background=bundled_db, measures=False))


def _write_sweep(tmp_path: Path, lifetimes: list[str], supplies=("EU-27", "PL")) -> Path:  # noqa: ANN001
    base = ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml"
    text = (
        "scenario:\n  name: t-sweep\n"
        f"  base: {base}\n"
        "variants:\n"
        "  use.electricity.supply: {" + ", ".join(f"{s}: grid:{s}" for s in supplies) + "}\n"
        "  parameters.lifetime_distance: [" + ", ".join(lifetimes) + "]\n"
    )
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return path


def test_a_variant_that_a_single_run_rejects_gives_its_error(tmp_path, bundled_db):
    path = _write_sweep(tmp_path, ["150000 km", "0 km", "250000 km"])
    grid = variant_grid(path)
    with pytest.raises(InputError) as exc:
        run_sweep(grid, bundled_db)
    with pytest.raises(InputError) as single:
        run_loaded(
            grid.load(
                {
                    "use.electricity.supply": ("EU-27", "grid:EU-27"),
                    "parameters.lifetime_distance": ("0km", "0 km"),
                }
            ),
            background=bundled_db,
        )
    assert exc.value.message == single.value.message
    assert "lifetime_distance must be greater than zero" in exc.value.message


def test_compare_writes_a_large_sweep_as_tables(tmp_path):
    km = [f"{100000 + 1000 * i} km" for i in range(301)]  # 2 x 301 = 602 > 500 variants
    path = _write_sweep(tmp_path, km)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "compare",
            str(path),
            str(ROOT / "scenarios" / "compact-suv-petrol.yaml"),
            "-o",
            str(out),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    comparison = json.loads((out / "comparison.json").read_text())
    (entry,) = comparison["sweeps"]
    assert entry["variants"] == 602 and entry["structurally_distinct_systems"] == 2
    names = [r["name"] for r in comparison["scenarios"]]
    assert names[0] == "compact-suv-petrol" and len(names) == 603
    lines = (out / "comparison.csv").read_text().splitlines()
    assert len(lines) == 1 + 603
    import pyarrow.parquet as pq

    table = pq.read_table(out / "sweeps" / "t-sweep.parquet")
    assert table.num_rows == 602
    row = comparison["scenarios"][1]
    assert table.column("name")[0].as_py() == row["name"]
    assert table.column("total_kg_co2e")[0].as_py() == row["total_kg_co2e"]
    be = {b["scenario"]: b["distance_km"] for b in comparison["break_even"]}
    assert table.column("break_even_km")[0].as_py() == pytest.approx(be[row["name"]])
    assert (out / "charts" / "sweep-t-sweep.png").stat().st_size > 1000


@pytest.mark.slow
def test_dask_batches_equal_threads(bundled_db):
    distributed = pytest.importorskip("distributed")
    import warnings

    grid = variant_grid(BUNDLED)
    local = run_sweep(grid, bundled_db, chunk=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            remote = run_sweep(grid, bundled_db, chunk=4, scheduler=client)
    assert np.array_equal(local.total, remote.total)
    assert np.array_equal(local.stages, remote.stages)
    assert np.array_equal(local.location_total, remote.location_total)
