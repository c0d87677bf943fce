"""Battery replacements, component lifetimes, scale and scenario parameters, added up on paper
on the tiny test system (tests/data/inventories/tiny-ev.yaml with tests/data/tiny-background)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lca.analysis.pipeline import analyse_file, run_file
from lca.model.lifetimes import battery_wear, fitted, replacements_for_life
from tests.conftest import TINY_EV

REL = 1e-9
CH4 = 29.8  # AR6, the tiny background's default
A = 0.4 + 0.001 * CH4  # kg CO2e per kWh of test grid A
BATTERY = 20 * 50.0 + 200 * A + 400 * 0.07 + 25 * 10.0  # one 20 kWh pack (100 kg)
SHREDDING = 0.01 + 0.05 * A  # kg CO2e per kg shredded
EOL = 900 * SHREDDING
MATERIALS = 600 * 2.0 + 200 * 0.5


def scenario(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(f"scenario: {{name: s, base: {TINY_EV}}}\n" + textwrap.dedent(body))
    return p


def test_counts_on_paper():
    assert fitted(200000, 200000) == 1
    assert replacements_for_life(200000, 200000) == 0
    assert replacements_for_life(200000, 150000) == 1
    assert replacements_for_life(200000, 45000) == 4  # 4.44 -> 5 sets fitted
    wear = battery_wear(36000, 60, 500, calendar_life_years=10, service_years=15)
    assert wear.cycles == pytest.approx(600)
    assert (wear.by_cycles, wear.by_calendar, wear.replacements) == (1, 1, 1)
    assert battery_wear(36000, 60, 1000).replacements == 0


def test_one_battery_replacement_adds_one_pack_and_its_end_of_life(tiny_db, tmp_path):
    s = scenario(
        tmp_path,
        """\
        overrides:
          components.battery.replacements: 1
          components.battery.end_of_life: eol:shredding
        """,
    )
    base = run_file(TINY_EV, background=tiny_db)
    run = analyse_file(s, background=tiny_db)
    r = run.result
    assert r.stages_kg_co2e["battery"] == pytest.approx(2 * BATTERY, rel=REL)
    # 100 kg pack (20 kWh / 0.2 kWh/kg) shredded once more
    assert r.stages_kg_co2e["end_of_life"] == pytest.approx(EOL + 100 * SHREDDING, rel=REL)
    assert r.total_kg_co2e - base.total_kg_co2e == pytest.approx(BATTERY + 100 * SHREDDING, rel=REL)
    # reported per component: the battery's share holds both packs and the second one's end
    assert r.components_kg_co2e["battery"] == pytest.approx(2 * BATTERY + 100 * SHREDDING, rel=REL)
    assert [(x.component, x.count) for x in run.system.replacements] == [("battery", 1)]
    assert r.provenance["replacements"] == [
        {"component": "battery", "count": 1, "basis": "replacements as declared"}
    ]


def test_auto_from_cycle_and_calendar_life(tiny_db, tmp_path):
    # 15,000 kWh / 20 kWh = 750 full cycles: under the chemistry's 2,000, no replacement
    s0 = scenario(tmp_path, "overrides: {components.battery.replacements: auto}\n", "a.yaml")
    assert analyse_file(s0, background=tiny_db).system.replacements[0].count == 0
    # a 500-cycle life: 750 / 500 -> 2 packs fitted -> 1 replacement
    s1 = scenario(
        tmp_path,
        """\
        overrides:
          components.battery.replacements: auto
          components.battery.cycle_life: 500
          components.battery.end_of_life: eol:shredding
        """,
        "b.yaml",
    )
    run = analyse_file(s1, background=tiny_db)
    assert run.system.replacements[0].count == 1
    assert run.result.stages_kg_co2e["battery"] == pytest.approx(2 * BATTERY, rel=REL)
    # calendar life 7 years over 15 years of service: 3 packs -> 2 replacements
    s2 = scenario(
        tmp_path,
        """\
        parameters:
          service_life: {value: 15 year, source: test}
        overrides:
          components.battery.replacements: auto
          components.battery.calendar_life: 7 year
          components.battery.end_of_life: eol:shredding
        """,
        "c.yaml",
    )
    run = analyse_file(s2, background=tiny_db)
    assert run.system.replacements[0].count == 2
    assert run.result.stages_kg_co2e["battery"] == pytest.approx(3 * BATTERY, rel=REL)


def test_lifetime_of_a_component(tiny_db, tmp_path):
    # a body lasting 40,000 km on a 100,000 km car: 3 fitted, 2 replacements, each 800 kg
    s = scenario(
        tmp_path,
        """\
        overrides:
          components.body.lifetime: 40000 km
          components.body.end_of_life: eol:shredding
        """,
    )
    r = run_file(s, background=tiny_db)
    assert r.stages_kg_co2e["materials"] == pytest.approx(3 * MATERIALS, rel=REL)
    assert r.stages_kg_co2e["end_of_life"] == pytest.approx(EOL + 2 * 800 * SHREDDING, rel=REL)


def test_charging_loss_parameter_changes_use_as_the_formula_says(tiny_db, tmp_path):
    s = scenario(
        tmp_path,
        """\
        parameters:
          charging_loss:
            value: 0.12
            source: "test: 12 % losses between grid and battery"
            uncertainty: {distribution: uniform, low: 0.08, high: 0.15}
        overrides:
          use.electricity.amount: consumption * lifetime_distance * (1 + charging_loss)
        """,
    )
    r = run_file(s, background=tiny_db)
    # 15 kWh/100km x 100,000 km x 1.12 x 0.1 kg CO2e/kWh
    assert r.stages_kg_co2e["use"] == pytest.approx(15000 * 1.12 * 0.1, rel=REL)
    assert r.stages_kg_co2e["battery"] == pytest.approx(BATTERY, rel=REL)


def test_scale_multiplies_masses_and_recycled_masses(tiny_db, tmp_path):
    s = scenario(tmp_path, "overrides: {components.body.scale: 1.25}\n")
    run = analyse_file(s, background=tiny_db)
    assert run.result.stages_kg_co2e["materials"] == pytest.approx(1.25 * MATERIALS, rel=REL)
    labels = [ex.label for ex in run.system.exchanges if ex.component == "body"]
    assert all("x1.25 scale" in label for label in labels), labels
    assert run.result.provenance["scale"] == {"body": 1.25}
    s2 = scenario(tmp_path, "overrides: {scale: 0.5}\n", "whole.yaml")
    r2 = run_file(s2, background=tiny_db)
    assert r2.stages_kg_co2e["materials"] == pytest.approx(0.5 * MATERIALS, rel=REL)
    assert r2.stages_kg_co2e["battery"] == pytest.approx(BATTERY, rel=REL)  # by capacity


def test_per_battery_cell_share_and_pack_energy(tiny_db, tmp_path):
    s = scenario(
        tmp_path,
        """\
        overrides:
          components.battery.pack_specific_energy: 0.25 kWh/kg
          components.battery.cell_mass_share: 0.6
        """,
    )
    r = run_file(s, background=tiny_db)
    # 20 kWh / 0.25 = 80 kg pack, 40 % outside the cells x 10 kg CO2e/kg
    expected = 20 * 50.0 + 200 * A + 400 * 0.07 + 80 * 0.4 * 10.0
    assert r.stages_kg_co2e["battery"] == pytest.approx(expected, rel=REL)
    # the end of life follows the lighter pack: curb mass - battery_mass
    assert r.stages_kg_co2e["end_of_life"] == pytest.approx(920 * SHREDDING, rel=REL)


def test_scenario_trajectory(tiny_db, tmp_path):
    s = scenario(
        tmp_path,
        """\
        trajectories:
          - id: grid-b-falling
            record: grid:B
            name: test grid B, falling
            source: {title: test}
            points:
              - {year: 2025, value: 100 g/kWh, source: test}
              - {year: 2027, value: 50 g/kWh, source: test}
        overrides:
          use.electricity.profile: {start_year: 2025, years: 2, trajectory: grid-b-falling}
        """,
    )
    r = run_file(s, background=tiny_db)
    # 7,500 kWh in 2025 at 0.1 and 7,500 in 2026 at 0.075 (interpolated)
    assert r.stages_kg_co2e["use"] == pytest.approx(7500 * 0.1 + 7500 * 0.075, rel=REL)
