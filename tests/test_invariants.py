"""Invariants that hold for any inventory: stages sum to the total, per-km times distance is the
total, doubling the distance changes only distance-driven stages, units are only notation."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca.analysis.pipeline import run_loaded
from lca.inputs.loader import load_input
from tests.conftest import ROOT, TINY_EV

REL = 1e-9
BEV = ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml"
PETROL = ROOT / "inventories" / "vehicles" / "compact-suv-petrol.yaml"


def with_data(loaded, data):
    return replace(loaded, data=data)


def run(loaded, db, data=None):
    return run_loaded(
        with_data(loaded, data) if data is not None else loaded, background=db, measures=False
    )


@pytest.mark.parametrize("path", [BEV, PETROL])
def test_stages_sum_and_per_km(bundled_db, path):
    r = run(load_input(path), bundled_db)
    assert sum(r.stages_kg_co2e.values()) == pytest.approx(r.total_kg_co2e, rel=REL)
    assert set(r.stages_kg_co2e) == {
        "materials",
        "battery",
        "manufacturing",
        "logistics",
        "use",
        "maintenance",
        "end_of_life",
    }
    assert r.per_km_g_co2e * r.lifetime_distance_km / 1000 == pytest.approx(
        r.total_kg_co2e, rel=REL
    )
    assert sum(r.gases_kg_co2e.values()) == pytest.approx(r.total_kg_co2e, rel=REL)
    assert r.fossil_kg_co2e + r.biogenic_kg_co2e + r.land_use_change_kg_co2e == pytest.approx(
        r.total_kg_co2e, rel=REL
    )


@pytest.mark.parametrize("path", [BEV, PETROL])
def test_doubling_distance_changes_only_distance_driven_stages(bundled_db, path):
    loaded = load_input(path)
    base = run(loaded, bundled_db)
    data = copy.deepcopy(loaded.data)
    data["parameters"]["lifetime_distance"]["value"] = "400000 km"
    doubled = run(loaded, bundled_db, data)
    for stage in ("materials", "battery", "manufacturing", "logistics", "end_of_life"):
        assert doubled.stages_kg_co2e[stage] == pytest.approx(base.stages_kg_co2e[stage], rel=REL)
    # use scales exactly; maintenance grows (tyre sets: lifetime / tyre life - 1)
    assert doubled.stages_kg_co2e["use"] == pytest.approx(2 * base.stages_kg_co2e["use"], rel=REL)
    assert doubled.stages_kg_co2e["maintenance"] > base.stages_kg_co2e["maintenance"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steel_t=st.floats(min_value=0.3, max_value=2.0),
    recycled_share=st.floats(min_value=0.0, max_value=1.0),
    km=st.floats(min_value=10_000, max_value=500_000),
)
def test_invariants_hold_for_random_inventories(tiny_db, steel_t, recycled_share, km):
    loaded = load_input(TINY_EV)
    data = copy.deepcopy(loaded.data)
    mat = data["components"][0]["materials"][0]
    mat["mass"] = f"{steel_t!r} t"
    mat["recycled_mass"] = f"{steel_t * recycled_share!r} t"
    data["parameters"]["lifetime_distance"]["value"] = f"{km!r} km"
    r = run(loaded, tiny_db, data)
    assert sum(r.stages_kg_co2e.values()) == pytest.approx(r.total_kg_co2e, rel=REL)
    assert r.per_km_g_co2e * km / 1000 == pytest.approx(r.total_kg_co2e, rel=REL)
    # materials by hand: primary 2 kg/kg, recycled 0.5 kg/kg
    primary = steel_t * 1000 * (1 - recycled_share)
    recycled = steel_t * 1000 * recycled_share
    assert r.stages_kg_co2e["materials"] == pytest.approx(
        2 * primary + 0.5 * recycled, rel=1e-9, abs=1e-9
    )


@pytest.mark.parametrize(
    "old,new",
    [
        ("mass: 800 kg", "mass: 0.8 t"),
        ("distance: 1000 km", "distance: 1000000 m"),
        ("heat: 1000 MJ", "heat: 277.77777777777777 kWh"),
        ("electricity: 500 kWh", "electricity: 1800 MJ"),
        (
            "lifetime_distance: {value: 100000 km",
            "lifetime_distance: {value: 62137.11922373339 mile",
        ),
        ("consumption: {value: 15 kWh/100km", "consumption: {value: 0.15 kWh/km"),
    ],
)
def test_another_unit_changes_nothing(tiny_db, tmp_path, old, new):
    text = TINY_EV.read_text()
    assert old in text
    p = tmp_path / "alt.yaml"
    p.write_text(text.replace(old, new, 1))
    a = run(load_input(TINY_EV), tiny_db)
    b = run(load_input(p), tiny_db)
    assert b.total_kg_co2e == pytest.approx(a.total_kg_co2e, rel=1e-9)
    for stage, v in a.stages_kg_co2e.items():
        assert b.stages_kg_co2e[stage] == pytest.approx(v, rel=1e-9, abs=1e-9)


def test_percent_is_a_unit(tiny_db, tmp_path):
    text = TINY_EV.read_text().replace(
        "consumption: {value: 15 kWh/100km, source: test}",
        "consumption: {value: 15 kWh/100km * share, source: test}\n"
        "  share: {value: 50 %, source: test}",
    )
    p = tmp_path / "pct.yaml"
    p.write_text(text)
    r = run(load_input(p), tiny_db)
    # half the consumption: 7,500 kWh of grid B at 0.1 kg/kWh
    assert r.stages_kg_co2e["use"] == pytest.approx(750.0, rel=1e-9)
