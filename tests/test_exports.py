"""Exports: PACT 3.0 (validated against our JSON Schema), battery declaration, CSV/XLSX, and
the CLI's handling of them."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import analyse_file
from lca.analysis.quality import assess
from lca.cli.app import app
from lca.outputs.export import FORMATS, ExportRequest, export

ROOT = Path(__file__).parent.parent
SCENARIO = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
SCHEMA = ROOT / "lca" / "data" / "pact-3.0-productfootprint-list.schema.json"


@lru_cache(maxsize=1)
def bev():
    return analyse_file(SCENARIO)


def _validator():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _pact(tmp_path, **options):
    files = export(bev(), "pact", ExportRequest(output=tmp_path / "p.json", options=options))
    return json.loads(next(iter(files.values())))


def test_pact_validates_and_adds_up(tmp_path):
    data = _pact(tmp_path, company="Example Motors")
    _validator().validate(data)
    assert len(data) == 2
    vehicle, battery = data
    res = bev().result
    c2g = sum(res.stages_kg_co2e[s] for s in ("materials", "battery", "manufacturing"))
    assert float(vehicle["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(c2g, abs=1e-3)
    assert float(battery["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(
        res.stages_kg_co2e["battery"], abs=1e-3
    )
    assert vehicle["pcf"]["declaredUnitOfMeasurement"] == "piece"
    assert vehicle["pcf"]["crossSectoralStandards"] == ["ISO14067"]
    assert vehicle["pcf"]["ipccCharacterizationFactors"] == ["AR6"]
    assert float(battery["pcf"]["productMassPerDeclaredUnit"]) == pytest.approx(400.0)
    # process exclusions only (capital goods and overheads are outside PACT's boundary, and the
    # reference car models part forming and steel finishing instead of excluding them)
    assert float(vehicle["pcf"]["exemptedEmissionsPercent"]) == 0.0
    assert vehicle["id"] != battery["id"]
    # same inputs, same ids
    assert _pact(tmp_path, company="Example Motors")[0]["id"] == vehicle["id"]


def test_pact_schema_rejects_what_the_spec_forbids(tmp_path):
    data = _pact(tmp_path, company="Example Motors")
    v = _validator()
    bad = json.loads(json.dumps(data))
    bad[0]["pcf"]["fossilGhgEmissions"] = 12.5  # a number, not a decimal string
    assert not v.is_valid(bad)
    bad = json.loads(json.dumps(data))
    del bad[1]["pcf"]["ipccCharacterizationFactors"]
    assert not v.is_valid(bad)
    bad = json.loads(json.dumps(data))
    bad[0]["pcf"]["geographyRegionOrSubregion"] = "Europe"  # with geographyCountry: not both
    assert not v.is_valid(bad)
    bad = json.loads(json.dumps(data))
    bad[0]["pcf"]["dqi"]["technologicalDQR"] = "5.5"  # PACT 3.0.3: 1 to 5
    assert not v.is_valid(bad)
    bad = json.loads(json.dumps(data))
    bad[0]["pcf"]["exemptedEmissionsPercent"] = "6.8"  # PACT allows 0 to 5
    assert not v.is_valid(bad)


def test_pact_refuses_more_than_five_percent_exempted(tmp_path):
    import textwrap

    s = tmp_path / "s.yaml"
    s.write_text(
        textwrap.dedent(f"""\
        scenario: {{name: big-exclusion, extends: {SCENARIO}}}
        overrides:
          boundary.exclusions.capital-goods.category: process
          boundary.exclusions.capital-goods.estimated_share_percent: 4.0
        """)
    )
    out = tmp_path / "p.json"
    r = CliRunner().invoke(app, ["export", str(s), "-f", "pact", "--company", "X", "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert "at most 5 %" in r.stderr and "boundary.exclusions" in r.stderr
    assert not out.exists()


def test_pact_needs_a_company(tmp_path):
    r = CliRunner().invoke(app, ["export", str(SCENARIO), "-f", "pact", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2
    assert "--company" in r.output
    assert not (tmp_path / "x").exists()


def test_battery_declaration(tmp_path):
    files = export(bev(), "battery-declaration", ExportRequest(output=tmp_path / "b.json"))
    d = json.loads(next(iter(files.values())))
    fu = d["functional_unit"]
    assert fu["inputs"] == {
        "usable_capacity_kwh": 62.0,
        "full_equivalent_cycles_per_year": 60.0,
        "service_life_years": 8.0,
        "service_life_basis": "the warranty period in years",
    }
    assert fu["total_energy_kwh"] == pytest.approx(62 * 60 * 8)
    stages = {s["id"]: s for s in d["stages"]}
    assert list(stages) == [
        "raw-material-acquisition",
        "main-product-production",
        "distribution",
        "end-of-life",
    ]
    res = bev().result
    assert (
        stages["raw-material-acquisition"]["kg_co2e"] + stages["main-product-production"]["kg_co2e"]
    ) == pytest.approx(res.stages_kg_co2e["battery"])
    assert stages["distribution"]["kg_co2e"] == pytest.approx(
        res.stages_kg_co2e["logistics"] * 400 / 1790
    )
    eol = [e for e in res.exchanges if e["record"] == "eol:battery-recycling-hydro"]
    assert stages["end-of-life"]["kg_co2e"] == pytest.approx(sum(e["kg_co2e"] for e in eol))
    total = sum(s["kg_co2e"] for s in d["stages"])
    assert d["kg_co2e_per_kwh"] == pytest.approx(total / (62 * 60 * 8))
    assert d["electricity"]["national_consumption_mix_of_the_plant_country"] is True


def test_battery_declaration_needs_usable_capacity(tmp_path):
    text = (ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml").read_text()
    f = tmp_path / "inv.yaml"
    f.write_text(text.replace("    usable_capacity: 62 kWh\n", ""))
    r = CliRunner().invoke(app, ["export", str(f), "-f", "battery-declaration"])
    assert r.exit_code == 2
    assert "usable_capacity" in r.output and "inv.yaml" in r.output


def test_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    runner = CliRunner()
    r = runner.invoke(app, ["export", str(SCENARIO), "-f", "csv", "-o", str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    inv = (tmp_path / "t" / "inventory.csv").read_text().splitlines()
    assert len(inv) == 1 + len(bev().result.exchanges)
    r = runner.invoke(app, ["export", str(SCENARIO), "-f", "xlsx", "-o", str(tmp_path / "t.xlsx")])
    assert r.exit_code == 0, r.output
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["about", "results", "inventory", "parameters", "data_quality"]
    rows = {(row[0], row[1]): row[2] for row in wb["results"].iter_rows(values_only=True)}
    assert rows[("total", "total")] == pytest.approx(bev().result.total_kg_co2e)


def test_unknown_format_lists_the_formats():
    r = CliRunner().invoke(app, ["export", str(SCENARIO), "-f", "nope"])
    assert r.exit_code == 2
    for name in FORMATS:
        assert name in r.output


def test_quality_weights_and_primary_data(tmp_path):
    q = assess(bev().system, bev().calculation.contributions)
    assert sum(r.weight for r in q.records) == pytest.approx(1.0)
    assert 1.0 <= q.dqr <= 5.0
    assert q.primary_data_share == 0.0
    # declaring the use stage's amounts as primary data makes its share primary
    text = (ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml").read_text()
    f = tmp_path / "inv.yaml"
    f.write_text(text + "\nprimary_data: [use, components.battery]\n")
    run = analyse_file(f)
    q2 = assess(run.system, run.calculation.contributions)
    res = run.result
    expected = (res.stages_kg_co2e["use"] + res.stages_kg_co2e["battery"]) / sum(
        abs(e["kg_co2e"]) for e in res.exchanges if not e["credit"]
    )
    assert q2.primary_activity_data_share == pytest.approx(expected)
    f.write_text(text + "\nprimary_data: [components.nope]\n")
    r = CliRunner().invoke(app, ["validate", str(f)])
    assert r.exit_code == 2 and "primary_data" in r.output


def test_as_writer_adapts_to_a_loaded_system_registry(tmp_path):
    from types import SimpleNamespace

    from lca.outputs.export import as_writer

    run = bev()
    opts = SimpleNamespace(output=tmp_path / "b.json", extra={})
    files = as_writer("battery-declaration")(run.loaded, run.system, opts)
    d = json.loads(files[tmp_path / "b.json"])
    assert d["functional_unit"]["total_energy_kwh"] == pytest.approx(62 * 60 * 8)
