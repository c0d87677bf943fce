"""Use phase year by year on a grid trajectory, worked out by hand; contracts and the
location-based total."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lca.analysis.pipeline import run_loaded
from lca.calc.engine import calculate
from lca.errors import InputError
from lca.inputs.loader import load_input
from lca.model.background import load_background
from lca.model.system import build_system

DATA = Path(__file__).parent / "data"
TINY_EV = DATA / "inventories" / "tiny-ev.yaml"

TRAJ = """dataset: traj
version: "t"
trajectories:
  - id: B-down
    record: grid:B
    name: test trajectory
    source: {title: test}
    points:
      - {year: 2020, value: 100 g/kWh, source: test}
      - {year: 2030, value: 0 g/kWh, source: test}
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bg")
    for f in (DATA / "tiny-background").glob("*.yaml"):
        shutil.copy(f, folder)
    (folder / "traj.yaml").write_text(TRAJ)
    return load_background(folder)


def test_interpolation(db):
    t = db.trajectories["B-down"]
    assert t.value(2019) == pytest.approx(0.1)
    assert t.value(2025) == pytest.approx(0.05)
    assert t.value(2040) == pytest.approx(0.0)


def with_use(tmp_path: Path, use: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(
        f"scenario: {{name: s, base: {TINY_EV}}}\noverrides:\n  use.electricity:\n{use}", "utf-8"
    )
    return p


def test_year_by_year_by_hand(tmp_path, db):
    # 100,000 km at 40,000 km a year: 2028 and 2029 full (0.4 of the energy each), 2030 the rest
    # (0.2). Energy 15 kWh/100km x 100,000 km = 15,000 kWh. Intensities 0.02, 0.01, 0 kg/kWh.
    # use = 15,000 x (0.4 x 0.02 + 0.4 x 0.01 + 0.2 x 0) = 180 kg
    p = with_use(
        tmp_path,
        "    amount: consumption * lifetime_distance\n    supply: grid:B\n"
        "    profile: {start_year: 2028, annual_distance: 40000 km, trajectory: B-down}\n",
    )
    system = build_system(load_input(p), db)
    use = [ex for ex in system.exchanges if ex.kind == "use-electricity"]
    assert [ex.record for ex in use] == ["grid:B@2028", "grid:B@2029", "grid:B@2030"]
    calc = calculate(system)
    kg = [c for ex, c in zip(system.exchanges, calc.contributions, strict=True) if ex.year]
    assert kg == pytest.approx([120.0, 60.0, 0.0], rel=1e-12)
    res = run_loaded(load_input(p), background=db, measures=False)
    assert res.stages_kg_co2e["use"] == pytest.approx(180.0, rel=1e-12)
    assert [r["distance_km"] for r in res.use_profile] == pytest.approx([40000, 40000, 20000])
    assert res.use_profile[1]["intensity_g_co2e_per_kwh"] == pytest.approx(10.0)


def test_static_profile_equals_the_static_total(tmp_path, db):
    static = run_loaded(load_input(TINY_EV), background=db, measures=False)
    p = with_use(
        tmp_path,
        "    amount: consumption * lifetime_distance\n    supply: grid:B\n"
        "    profile: {start_year: 2025, years: 7}\n",
    )
    res = run_loaded(load_input(p), background=db, measures=False)
    assert res.total_kg_co2e == pytest.approx(static.total_kg_co2e, rel=1e-12)
    assert len(res.use_profile) == 7


def test_trajectory_for_another_record_is_an_error(tmp_path, db):
    p = with_use(
        tmp_path,
        "    amount: consumption * lifetime_distance\n    supply: grid:A\n"
        "    profile: {start_year: 2025, years: 5, trajectory: B-down}\n",
    )
    with pytest.raises(InputError, match="is for grid:B, but the supply is grid:A"):
        build_system(load_input(p), db)


def test_renewable_share_reports_market_and_location_based(tmp_path, db):
    # 30 % of 15,000 kWh from grid:A (0.4 kg CO2 + 1 g CH4 per kWh) instead of grid:B (0.1)
    p = with_use(
        tmp_path,
        "    amount: consumption * lifetime_distance\n    supply: grid:B\n"
        "    renewable_share: 0.3\n    renewable_supply: grid:A\n",
    )
    res = run_loaded(load_input(p), background=db, measures=False)
    static = run_loaded(load_input(TINY_EV), background=db, measures=False)
    ch4 = db.gwp_sets[db.default_gwp_set].factors["ch4_fossil"]
    expected = 0.3 * 15000 * (0.4 + 0.001 * ch4 - 0.1)
    assert res.total_kg_co2e - static.total_kg_co2e == pytest.approx(expected, rel=1e-9)
    assert res.location_based_total_kg_co2e == pytest.approx(static.total_kg_co2e, rel=1e-12)
    d = res.to_dict()
    assert d["market_based_total_kg_co2e"] == d["total_kg_co2e"]
    assert d["total_basis"] == "market-based"
    assert d["contracts"][0]["key_path"] == "use.electricity.renewable_share"


def test_no_contract_location_equals_market(db):
    d = run_loaded(load_input(TINY_EV), background=db, measures=False).to_dict()
    assert d["location_based_total_kg_co2e"] == d["market_based_total_kg_co2e"]
    assert d["contracts"] == []
