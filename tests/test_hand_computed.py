"""A small product system whose footprint is added up on paper (tests/data/tiny-ev.yaml with
tests/data/tiny-background): every stage matched to 1e-9 relative."""

from __future__ import annotations

import pytest

from lca.analysis.pipeline import run_file
from tests.conftest import TINY_EV

REL = 1e-9
CH4_AR6, N2O_AR6 = 29.8, 273.0
CH4_AR5, N2O_AR5 = 30.0, 265.0


def grid_a(ch4: float) -> float:
    """kg CO2e per kWh of test grid A: 400 g CO2 + 1 g CH4."""
    return 0.4 + 0.001 * ch4


def expected(ch4: float, n2o: float) -> dict[str, float]:
    a = grid_a(ch4)
    return {
        # 600 kg primary steel x 2 + 200 kg recycled x 0.5
        "materials": 600 * 2.0 + 200 * 0.5,
        # cells 20 kWh x 50; plant electricity 20 x 10 kWh of grid A; heat 20 x 20 MJ x 0.07;
        # pack components: 20 kWh / 0.2 kWh/kg = 100 kg pack, 25 % outside cells, x 10 kg/kg
        "battery": 20 * 50.0 + 200 * a + 400 * 0.07 + 25 * 10.0,
        # 500 kWh grid A + 1000 MJ heat x 0.07
        "manufacturing": 500 * a + 1000 * 0.07,
        # truck 1 t x 1000 km x 0.1 + air 0.1 t x 100 km x 1.0
        "logistics": 100.0 + 10.0,
        # 15 kWh/100km x 100,000 km = 15,000 kWh of grid B at 0.1 kg CO2e (already characterised)
        "use": 15000 * 0.1,
        # 60 kg tyres x (3 kg CO2 + 1 g N2O)
        "maintenance": 60 * (3.0 + 0.001 * n2o),
        # shredding 900 kg (curb 1000 - battery 100) x (0.01 + 0.05 kWh grid A): a record input
        "end_of_life": 900 * (0.01 + 0.05 * a),
    }


@pytest.mark.parametrize("gwp,ch4,n2o", [("AR6", CH4_AR6, N2O_AR6), ("AR5", CH4_AR5, N2O_AR5)])
def test_stages_match_paper(tiny_db, gwp, ch4, n2o):
    result = run_file(TINY_EV, background=tiny_db, gwp=gwp)
    exp = expected(ch4, n2o)
    for stage, value in exp.items():
        assert result.stages_kg_co2e[stage] == pytest.approx(value, rel=REL), stage
    assert result.total_kg_co2e == pytest.approx(sum(exp.values()), rel=REL)
    assert result.per_km_g_co2e == pytest.approx(1000 * sum(exp.values()) / 100000, rel=REL)


def test_hand_computed_total_ar6(tiny_db):
    # written out once as a plain number, to catch a mistake shared by code and formula above
    result = run_file(TINY_EV, background=tiny_db)
    assert result.total_kg_co2e == pytest.approx(4783.581, rel=REL)


def test_gases_origin_aircraft_credits(tiny_db):
    r = run_file(TINY_EV, background=tiny_db)
    assert r.gases_kg["ch4_fossil"] == pytest.approx(0.001 * (200 + 500 + 900 * 0.05), rel=REL)
    assert r.gases_kg["n2o"] == pytest.approx(0.06, rel=REL)
    assert r.gases_kg["co2e"] == pytest.approx(1500.0, rel=REL)
    assert r.fossil_kg_co2e == pytest.approx(r.total_kg_co2e, rel=REL)
    assert r.biogenic_kg_co2e == 0
    assert r.aircraft_kg_co2e == pytest.approx(10.0, rel=REL)
    # avoided burden for 700 kg recovered steel: -(2.0 - 0.5) x 700, not in the total
    assert r.credits_kg_co2e == pytest.approx(-1050.0, rel=REL)


def test_components_and_hotspots(tiny_db):
    r = run_file(TINY_EV, background=tiny_db)
    exp = expected(CH4_AR6, N2O_AR6)
    assert r.components_kg_co2e == pytest.approx(
        {"body": exp["materials"], "battery": exp["battery"]}, rel=REL
    )
    assert r.hotspots[0].record == "grid:B"
    assert r.hotspots[0].kg_co2e == pytest.approx(1500.0, rel=REL)
    assert len(r.hotspots) == 10
    assert [h.kg_co2e for h in r.hotspots] == sorted((h.kg_co2e for h in r.hotspots), reverse=True)


def test_measures_are_computed(tiny_db):
    r = run_file(TINY_EV, background=tiny_db)
    m = {x.id: x for x in r.measures}
    # 200 kg recycled steel instead of primary: 200 x (2.0 - 0.5)
    assert m["recycled-steel"].saving_kg_co2e == pytest.approx(300.0, rel=REL)
    assert m["recycled-steel"].details["recycled_mass_kg"] == pytest.approx(200.0)
    # 1 kWh/100km over 100,000 km = 1,000 kWh of grid B at 0.1
    assert m["efficient-inverter"].saving_kg_co2e == pytest.approx(100.0, rel=REL)
    assert m["efficient-inverter"].details["use_electricity_saved_kwh"] == pytest.approx(1000.0)


def test_measure_not_included_is_subtracted(tiny_db, tmp_path):
    text = TINY_EV.read_text().replace(
        "applies_to: consumption}", "applies_to: consumption, already_included: false}"
    )
    p = tmp_path / "m.yaml"
    p.write_text(text)
    r = run_file(p, background=tiny_db)
    # 14 kWh/100km over 100,000 km of grid B at 0.1 kg/kWh
    assert r.stages_kg_co2e["use"] == pytest.approx(1400.0, rel=REL)
    m = {x.id: x for x in r.measures}
    assert m["efficient-inverter"].saving_kg_co2e == pytest.approx(100.0, rel=REL)


def test_measure_on_unknown_parameter_is_an_error(tiny_db, tmp_path):
    from lca.errors import InputError

    p = tmp_path / "m.yaml"
    p.write_text(TINY_EV.read_text().replace("applies_to: consumption", "applies_to: consumptn"))
    with pytest.raises(InputError, match="consumptn"):
        run_file(p, background=tiny_db)


def test_material_mass_builtin(tiny_db, tmp_path):
    text = TINY_EV.read_text().replace(
        "{material: steel, mass: 700 kg}", "{material: steel, mass: mass_steel}"
    )
    p = tmp_path / "m.yaml"
    p.write_text(text)
    r = run_file(p, background=tiny_db)
    # all 800 kg of steel recovered: -(2.0 - 0.5) x 800, reported apart from the total
    assert r.credits_kg_co2e == pytest.approx(-1200.0, rel=REL)
    assert r.parameters["mass_steel"]["value"] == pytest.approx(800.0)
    p.write_text(
        text.replace("mass: 800 kg, recycled_mass: 200 kg", "mass: 1000 kg, recycled_mass: 200 kg")
    )
    assert run_file(p, background=tiny_db).credits_kg_co2e == pytest.approx(-1500.0, rel=REL)
