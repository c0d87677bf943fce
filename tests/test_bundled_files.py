"""Every bundled file validates and runs; every background record is sourced and dimensioned."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import run_file
from lca.cli.app import app
from tests.conftest import ROOT

INVENTORIES = sorted((ROOT / "inventories" / "vehicles").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REQUIRED_GRIDS = ["WORLD", "CN", "EU-27", "DE", "FR", "NO", "SE", "PL", "US", "UK", "JP"]


def test_background_records_are_sourced(bundled_db):
    assert len(bundled_db.records) >= 50
    for rec in bundled_db.records.values():
        assert rec.source.title and rec.source.year, rec.id
        assert rec.geography and rec.reference_year, rec.id
        assert rec.unit and rec.emissions, rec.id
        assert all(v >= 0 for v in rec.emissions.values()), rec.id
        assert rec.uncertainty is not None, f"{rec.id} lacks an uncertainty"
        if rec.estimate:
            assert rec.note, f"{rec.id} is an estimate without a stated basis"


def test_required_background_coverage(bundled_db):
    ids = set(bundled_db.records)
    for g in REQUIRED_GRIDS:
        assert f"grid:{g}" in ids
    for chem in ("NMC811", "NMC622", "LFP"):
        assert chem in bundled_db.chemistries
    for mode in ("truck", "rail", "container-ship", "air-freight"):
        assert f"transport:{mode}" in ids
    assert bundled_db.records["transport:air-freight"].aircraft
    assert {"petrol", "diesel"} <= set(bundled_db.fuels)
    for fam in ("steel", "aluminium", "copper"):
        assert bundled_db.materials[fam].secondary is not None
    assert set(bundled_db.gwp_sets) >= {"AR6", "AR5"} and bundled_db.default_gwp_set == "AR6"


def test_grid_intensities_match_their_sources(bundled_db):
    # Ember 2023 life-cycle generation intensity divided by (1 - T&D losses): within 15 %
    ember = {"CN": 0.582, "FR": 0.056, "DE": 0.381, "NO": 0.030, "SE": 0.0407, "PL": 0.662}
    for region, gen in ember.items():
        v = bundled_db.records[f"grid:{region}"].emissions["co2e"]
        assert gen <= v <= gen * 1.15, region


@pytest.mark.parametrize("path", INVENTORIES + SCENARIOS, ids=lambda p: p.name)
def test_bundled_file_validates_and_runs(path, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.stderr
    res = runner.invoke(
        app, ["run", str(path), "--output", str(tmp_path), "--quiet", "--no-charts"]
    )
    assert res.exit_code == 0, res.stderr
    data = json.loads((tmp_path / "result.json").read_text())
    for key in (
        "total_kg_co2e",
        "per_km_g_co2e",
        "lifetime_distance_km",
        "stages_kg_co2e",
        "components_kg_co2e",
        "gases_kg_co2e",
        "fossil_kg_co2e",
        "biogenic_kg_co2e",
        "aircraft_kg_co2e",
        "credits_kg_co2e",
        "hotspots",
        "measures",
        "provenance",
    ):
        assert key in data, key
    assert (tmp_path / "result.csv").read_text().startswith("group,key,kg_co2e")
    prov = data["provenance"]
    assert all(len(i["sha256"]) == 64 for i in prov["inputs"])
    assert prov["gwp_set"] == "AR6" and prov["datasets"]


def test_reference_bev_measures_and_plausibility(bundled_db):
    r = run_file(ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml", background=bundled_db)
    m = {x.id: x for x in r.measures}
    assert m["recycled-steel"].details["recycled_mass_kg"] == pytest.approx(130.0)
    assert m["recycled-aluminium-cn"].details["recycled_mass_kg"] == pytest.approx(40.0)
    # 130 kg x (primary - EAF) steel and 40 kg x (primary - secondary) aluminium, by hand
    steel = bundled_db.records
    assert m["recycled-steel"].saving_kg_co2e == pytest.approx(
        130
        * (
            steel["steel:primary-bf-bof"].emissions["co2_fossil"]
            - steel["steel:secondary-eaf"].emissions["co2_fossil"]
        ),
        rel=1e-9,
    )
    assert m["recycled-aluminium-cn"].saving_kg_co2e == pytest.approx(
        40
        * (
            steel["aluminium:primary-cn"].emissions["co2e"]
            - steel["aluminium:secondary"].emissions["co2e"]
        ),
        rel=1e-9,
    )
    # SiC: 0.6 kWh/100 km over 200,000 km = 1,200 kWh at the plug
    assert m["sic-inverter"].details["use_electricity_saved_kwh"] == pytest.approx(1200.0)
    assert m["sic-inverter"].saving_kg_co2e > 1200 * 0.2
    # published compact BEVs on the EU grid: 18-28 t over 200,000 km (docs/published-lcas.md)
    assert 18_000 < r.total_kg_co2e < 28_000
    battery_per_kwh = r.stages_kg_co2e["battery"] / 66
    assert 60 < battery_per_kwh < 110


def test_reference_petrol_plausibility(bundled_db):
    r = run_file(
        ROOT / "inventories" / "vehicles" / "compact-suv-petrol.yaml", background=bundled_db
    )
    assert r.stages_kg_co2e["battery"] == 0
    assert 200 < r.per_km_g_co2e < 290  # ICCT 2025 EU petrol 235 g/km; OEM LCAs 225-290


def test_schema_command_prints_json_schema():
    res = CliRunner().invoke(app, ["schema"])
    assert res.exit_code == 0
    sch = json.loads(res.stdout)
    assert sch["additionalProperties"] is False
    assert {"vehicle", "components", "use"} <= set(sch["required"])
    res = CliRunner().invoke(app, ["schema", "nonsense"])
    assert res.exit_code == 2
