"""Fuel blends (share a parameter), fuel electricity (hydrogen by electrolysis on a chosen grid),
infrastructure items, and the bundled blend against the data partner's premixed E10 record."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from lca.analysis.pipeline import run_file
from lca.model.background import load_background
from tests.conftest import ROOT, TINY_BACKGROUND, TINY_EV

REL = 1e-9
CH4, N2O = 29.8, 273.0
A = 0.4 + 0.001 * CH4  # kg CO2e per kWh of test grid A

EXTRA = """\
dataset: test-fuels
version: "1"
records:
  - id: fuel:bio-wtt
    name: test biofuel upstream
    category: fuel
    unit: L
    emissions: {co2e: 0.2 kg/L}
    gwp_basis: AR6
    geography: GLO
    reference_year: 2023
    source: {title: test value}
  - id: combustion:bio
    name: test biofuel tailpipe
    category: fuel
    unit: L
    emissions: {co2_biogenic: 1.5 kg/L}
    geography: GLO
    reference_year: 2023
    source: {title: test value}
  - id: h2:delivery
    name: test hydrogen delivery
    category: fuel
    unit: kg
    emissions: {co2e: 1 kg/kg}
    gwp_basis: AR6
    geography: GLO
    reference_year: 2023
    source: {title: test value}
  - id: combustion:h2
    name: test hydrogen use
    category: fuel
    unit: kg
    emissions: {co2_fossil: 0 kg/kg}
    geography: GLO
    reference_year: 2023
    source: {title: test value}
  - id: fuel:y-wtt
    name: test fuel Y upstream
    category: fuel
    unit: L
    emissions: {co2e: 0.5 kg/L}
    gwp_basis: AR6
    geography: GLO
    reference_year: 2023
    source: {title: test value}
  - id: road:test
    name: test road
    category: other
    unit: km
    emissions: {co2e: 2 g/km}
    gwp_basis: AR6
    geography: GLO
    reference_year: 2023
    source: {title: test value}
fuels:
  - {id: bio, upstream: fuel:bio-wtt, combustion: combustion:bio}
  - {id: y, upstream: fuel:y-wtt, combustion: combustion:x}
  - id: x-blend
    upstream: fuel:x-wtt
    combustion: combustion:x
    blend: {fuel: bio, share: {value: 0.1, source: {title: test value}}}
  - id: h2-grid
    upstream: h2:delivery
    combustion: combustion:h2
    carrier: hydrogen
    electricity: {value: 50 kWh/kg, source: {title: test value}}
"""


@pytest.fixture(scope="module")
def fuel_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bg")
    shutil.copytree(TINY_BACKGROUND, folder, dirs_exist_ok=True)
    (folder / "test-fuels.yaml").write_text(EXTRA)
    return load_background(folder)


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


# per litre of fuel X: 0.5 kg upstream + 2.3 kg CO2 + 1 g biogenic CH4 (AR6 27.0)
X_PER_L = 0.5 + 2.3 + 0.001 * 27.0


def combustion_car(tmp_path: Path, fuel: str, extra: str = "") -> Path:
    text = TINY_EV.read_text()
    text = text.replace("powertrain: battery-electric", "powertrain: petrol")
    text = text.replace(
        "  electricity: {amount: consumption * lifetime_distance, supply: grid:B}\n",
        f"  fuel: {{amount: 5 L/(100 km) * lifetime_distance, fuel: {fuel}{extra}}}\n",
    )
    text = text.replace(
        "    - {id: efficient-inverter, description: a better inverter, saves: "
        "1 kWh/100km, applies_to: consumption}\n",
        "",
    )
    text = text.replace("  measures:\n", "")
    p = tmp_path / "car.yaml"
    p.write_text(text)
    return p


def test_blend_splits_each_litre_by_the_share(fuel_db, tmp_path):
    # 5,000 L: 4,500 L of fuel X and 500 L of the biofuel (0.2 upstream + 1.5 biogenic CO2)
    r = run_file(combustion_car(tmp_path, "x-blend"), background=fuel_db)
    assert r.stages_kg_co2e["use"] == pytest.approx(4500 * X_PER_L + 500 * 1.7, rel=REL)
    assert r.biogenic_kg_co2e == pytest.approx(500 * 1.5 + 4500 * 0.001 * 27.0, rel=REL)


def test_blend_share_from_a_scenario_parameter(fuel_db, tmp_path):
    base = combustion_car(tmp_path, "x-blend")
    s = write(
        tmp_path,
        f"""\
        scenario: {{name: s, base: {base}}}
        parameters:
          bio_share: {{value: 0.25, source: test}}
        overrides:
          use.fuel.blend_share: bio_share
        """,
    )
    r = run_file(s, background=fuel_db)
    assert r.stages_kg_co2e["use"] == pytest.approx(3750 * X_PER_L + 1250 * 1.7, rel=REL)


def test_blend_share_out_of_range_and_on_a_plain_fuel(fuel_db, tmp_path):
    from lca.errors import InputError

    with pytest.raises(InputError, match="from 0 to 1"):
        run_file(combustion_car(tmp_path, "x-blend", ", blend_share: 1.5"), background=fuel_db)
    with pytest.raises(InputError, match="not a blend"):
        run_file(combustion_car(tmp_path, "x", ", blend_share: 0.1"), background=fuel_db)


def test_hydrogen_electrolysis_on_the_chosen_grid(fuel_db, tmp_path):
    text = TINY_EV.read_text().replace(
        "powertrain: battery-electric", "powertrain: fuel-cell-electric"
    )
    text = text.replace(
        "  electricity: {amount: consumption * lifetime_distance, supply: grid:B}\n",
        "  fuel: {amount: 1 kg/(100 km) * lifetime_distance, fuel: h2-grid, supply: grid:A}\n",
    )
    # the tiny car's measure stays: its effect is computed for a car that burns kilograms
    p = tmp_path / "fcev.yaml"
    p.write_text(text)
    r = run_file(p, background=fuel_db)
    # 1,000 kg H2: 1 kg CO2e/kg delivery + 50 kWh/kg of grid A
    assert r.stages_kg_co2e["use"] == pytest.approx(1000 * (1.0 + 50 * A), rel=REL)
    p.write_text(text.replace("fuel: h2-grid, supply: grid:A", "fuel: h2-grid"))
    from lca.errors import InputError

    with pytest.raises(InputError, match="choose its grid with use.fuel.supply"):
        run_file(p, background=fuel_db)


def test_infrastructure_off_by_default_on_when_included(fuel_db, tmp_path):
    text = TINY_EV.read_text() + textwrap.dedent("""\
        infrastructure:
          - {id: road, record: road:test, amount: lifetime_distance}
        """)
    base = tmp_path / "infra.yaml"
    base.write_text(text)
    off = run_file(base, background=fuel_db)
    plain = run_file(TINY_EV, background=fuel_db)
    assert off.total_kg_co2e == pytest.approx(plain.total_kg_co2e, rel=REL)
    s = write(
        tmp_path,
        f"""\
        scenario: {{name: s, base: {base}}}
        overrides:
          infrastructure.road.include: true
        """,
    )
    on = run_file(s, background=fuel_db)
    # 100,000 km x 2 g/km, in the use stage, reported as component "road"
    assert on.total_kg_co2e - plain.total_kg_co2e == pytest.approx(200.0, rel=REL)
    assert on.components_kg_co2e["road"] == pytest.approx(200.0, rel=REL)
    assert on.stages_kg_co2e["use"] - plain.stages_kg_co2e["use"] == pytest.approx(200.0)


def test_bundled_e10_blend_matches_the_premixed_record(tmp_path):
    """Independent path: the blend fuel at 10 % ethanol against the data's premixed E10 records
    (which round each gas to three digits): within 0.1 %."""
    petrol = ROOT / "inventories" / "vehicles" / "compact-suv-petrol.yaml"
    totals = {}
    for fuel in ("petrol-e10", "petrol-blend"):
        s = write(
            tmp_path,
            f"scenario: {{name: {fuel}, base: {petrol}}}\noverrides: {{use.fuel.fuel: {fuel}}}\n",
            f"{fuel}.yaml",
        )
        totals[fuel] = run_file(s).stages_kg_co2e["use"]
    assert totals["petrol-blend"] == pytest.approx(totals["petrol-e10"], rel=1e-3)


def test_fuel_trajectory_by_year(fuel_db, tmp_path):
    base = combustion_car(tmp_path, "y")
    s = write(
        tmp_path,
        f"""\
        scenario: {{name: s, base: {base}}}
        trajectories:
          - id: y-falling
            record: fuel:y-wtt
            name: fuel Y well to tank, falling
            source: {{title: test}}
            points:
              - {{year: 2025, value: 0.5 kg/L, source: test}}
              - {{year: 2027, value: 0.3 kg/L, source: test}}
        overrides:
          use.fuel.profile: {{start_year: 2025, years: 2, trajectory: y-falling}}
        """,
    )
    r = run_file(s, background=fuel_db)
    # 5,000 L: 2,500 L in 2025 at 0.5 and 2,500 in 2026 at 0.4 upstream; tailpipe unchanged
    assert r.stages_kg_co2e["use"] == pytest.approx(
        2500 * 0.5 + 2500 * 0.4 + 5000 * (2.3 + 0.001 * 27.0), rel=REL
    )
