"""Exports: PACT 3.0.3 (validated against the official OpenAPI schema), battery declaration,
CSV/XLSX, and the CLI's handling of them."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from lca.analysis.pipeline import analyse_file
from lca.analysis.quality import assess
from lca.cli.app import app
from lca.outputs.export import FORMATS, ExportRequest, export
from lca.outputs.export.pact import rule_violations

ROOT = Path(__file__).parent.parent
SCENARIO = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
# the official PACT 3.0.3 OpenAPI description, verbatim (tests/data/pact/README.md)
PACT_OPENAPI = ROOT / "tests" / "data" / "pact" / "openapi-3.0.3.yaml"


@lru_cache(maxsize=1)
def bev():
    return analyse_file(SCENARIO)


@lru_cache(maxsize=1)
def _validator():
    """A JSON Schema 2020-12 validator for a list of ProductFootprint, built in memory from the
    OpenAPI 3.1 components (OpenAPI 3.1 schemas are JSON Schema 2020-12)."""
    spec = yaml.safe_load(PACT_OPENAPI.read_text(encoding="utf-8"))
    assert spec["info"]["version"] == "3.0.3"
    schemas = spec["components"]["schemas"]
    # the ProductFootprint schema and the schemas it refers to (the API's event schemas are
    # not needed and hold OpenAPI-only constructs)
    keep, todo = set(), ["ProductFootprint"]
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo += re.findall(r"#/components/schemas/(\w+)", json.dumps(schemas[name]))
    text = json.dumps({k: schemas[k] for k in keep}).replace("#/components/schemas/", "#/$defs/")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "array",
        "items": {"$ref": "#/$defs/ProductFootprint"},
        "$defs": json.loads(text),
    }
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
    assert v.is_valid(data) and rule_violations(data) == []
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
    bad[0]["pcf"]["biogenicCO2Uptake"] = "20.7"  # an uptake is <= 0
    assert not v.is_valid(bad)
    # the rules the schema cannot express
    bad = json.loads(json.dumps(data))
    bad[0]["pcf"]["dqi"]["technologicalDQR"] = "3.5"
    bad[0]["pcf"]["exemptedEmissionsPercent"] = "6.8"  # the methodology allows 0 to 5
    bad[0]["pcf"]["packagingGhgEmissions"] = "1"  # packagingEmissionsIncluded is false
    bad[1]["pcf"]["ccsTechnologicalCO2Capture"] = "-1"  # ccs...Included is false
    bad[1]["pcf"]["pcfIncludingBiogenicUptake"] = "1"
    assert v.is_valid(bad)
    found = "\n".join(rule_violations(bad))
    for text in ("technologicalDQR", "exemptedEmissionsPercent", "packagingGhgEmissions",
                 "ccsTechnologicalCO2Capture", "pcfIncludingBiogenicUptake"):  # fmt: skip
        assert text in found, found


def _shall_fields(spec: dict, name: str) -> set[str]:
    schema = spec["components"]["schemas"][name]
    rules = {k for k, p in schema["properties"].items() if p.get("x-rule") == "SHALL"}
    return rules | set(schema.get("required", []))


def test_pact_gives_every_shall_field_and_the_current_spec_version(tmp_path):
    spec = yaml.safe_load(PACT_OPENAPI.read_text(encoding="utf-8"))
    for fp in _pact(tmp_path, company="Example Motors"):
        assert fp["specVersion"] == spec["info"]["version"] == "3.0.3"
        assert _shall_fields(spec, "ProductFootprint") <= set(fp)
        assert _shall_fields(spec, "CarbonFootprint") <= set(fp["pcf"])
        assert fp["pcf"]["ccsTechnologicalCO2CaptureIncluded"] is False
        assert fp["productClassifications"]


def test_pact_carbon_contents_by_hand(tmp_path):
    """Carbon from the bill of materials of the reference BEV, by hand from
    lca/data/carbon-content.yaml (kg C)."""
    vehicle, battery = _pact(tmp_path, company="Example Motors")
    pcf = vehicle["pcf"]
    plastics = (80 * 0.856 + 20 * 0.637 + 25 * 0.621 + 25 * 0.857 + 15 * 0.384 + 10 * 0.856
                + 8 * 0.756 + 20 * 0.625 + (12 + 29 + 8 + 8) * 0.744)  # fmt: skip
    rubber = 20 * 0.72 + 46 * 0.51 + 10 * 0.625  # seals, tyres, polyester textile
    fluids = 2.4 * 0.85 + 10 * 0.194
    metals = (325 + 130 + 130 + 105 + 63.5) * 0.002 + 40 * 0.035
    pack = 140 * 0.089  # non-cell pack parts (400 kg x (1 - 0.65))
    fossil = plastics + rubber + fluids + metals + pack
    assert float(pcf["fossilCarbonContent"]) == pytest.approx(fossil, abs=2e-3)
    assert float(battery["pcf"]["fossilCarbonContent"]) == pytest.approx(pack, abs=2e-3)
    # natural rubber of the tyres is the biogenic carbon; its uptake is -44/12 of it
    assert float(pcf["biogenicCarbonContent"]) == pytest.approx(46 * 0.123, abs=1e-3)
    uptake = -46 * 0.123 * 44.0095 / 12.011
    assert float(pcf["biogenicCO2Uptake"]) == pytest.approx(uptake, abs=2e-3)
    assert float(pcf["pcfIncludingBiogenicUptake"]) == pytest.approx(
        float(pcf["pcfExcludingBiogenicUptake"]) + uptake, abs=3e-3
    )
    # recycled: 130 kg secondary steel (aluminium holds no carbon)
    assert float(pcf["recycledCarbonContent"]) == pytest.approx(130 * 0.002, abs=1e-3)
    assert "lower bound" in vehicle["comment"] and "battery:cell-materials-nmc811" in (
        vehicle["comment"]
    )
    # delivery to the dealer, outside the PCF
    assert float(pcf["outboundLogisticsGhgEmissions"]) == pytest.approx(
        bev().result.stages_kg_co2e["logistics"], abs=1e-3
    )
    assert "outboundLogisticsGhgEmissions" not in battery["pcf"]
    assert vehicle["productNameCompany"] == "Compact electric SUV"
    assert battery["productNameCompany"] == "NMC811 traction battery, 66 kWh (Compact electric SUV)"
    assert vehicle["productClassifications"] == ["urn:pact:wcoomd.org:hs-code:870380"]
    assert battery["productClassifications"] == ["urn:pact:wcoomd.org:hs-code:850760"]


def test_pact_leaves_out_an_unknown_biogenic_carbon_content(tmp_path, monkeypatch):
    from lca.outputs.export import carbon

    table = {k: dict(v) for k, v in carbon.fractions().items()}
    table["tyre"]["biogenic"] = None
    monkeypatch.setattr(carbon, "fractions", lambda: table)
    vehicle, _ = _pact(tmp_path, company="Example Motors")
    assert "biogenicCarbonContent" not in vehicle["pcf"]
    assert "biogenicCO2Uptake" not in vehicle["pcf"]
    assert vehicle["pcf"]["pcfIncludingBiogenicUptake"] == (
        vehicle["pcf"]["pcfExcludingBiogenicUptake"]
    )
    assert "biogenic carbon content unknown" in vehicle["comment"]
    _validator().validate([vehicle])


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
    res = bev().result
    ws = wb["results"]
    header = [c.value for c in ws[1]]
    assert header == ["scenario", "group", "key", "label", "value", "unit", "share_percent",
                      "gwp_set"]  # fmt: skip
    rows = {(row[1], row[2], row[5]): row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[("total", "total", "kg CO2e")][4] == pytest.approx(res.total_kg_co2e)
    # per km in its own unit, not in a kg column
    assert rows[("total", "per_km", "g CO2e/km")][4] == pytest.approx(res.per_km_g_co2e)
    assert rows[("stage", "battery", "kg CO2e")][3] == "Traction battery"
    # gases as mass and as CO2e
    assert rows[("gas_mass", "n2o", "kg")][4] == pytest.approx(res.gases_kg["n2o"])
    assert rows[("gas", "n2o", "kg CO2e")][4] == pytest.approx(res.gases_kg["n2o"] * 273.0)
    assert rows[("gas", "n2o", "kg CO2e")][3] == "Dinitrogen monoxide"
    shares = sum(r[6] for k, r in rows.items() if k[0] == "stage")
    assert shares == pytest.approx(100.0)
    # a table a person can use: filter, frozen header, number formats, provenance
    for name in ("results", "inventory", "parameters", "data_quality"):
        assert wb[name].auto_filter.ref and wb[name].auto_filter.ref.startswith("A1:")
        assert wb[name].freeze_panes == "A2"
    total_cell = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "total")[4]
    assert total_cell.number_format == "#,##0"
    assert next(r for r in ws.iter_rows(min_row=2) if r[2].value == "total")[6].number_format == (
        "0.0"
    )
    about = {r[0]: r[1] for r in wb["about"].iter_rows(values_only=True)}
    assert about["scenario"] == "compact-suv-bev-eu"
    assert "sha256" in about["input file"] and "/work" not in str(about)
    assert about["background data"].startswith("transport 2026.11")


def test_csv_numbers_are_rounded_without_float_noise(tmp_path):
    import csv as csvlib

    files = export(bev(), "csv", ExportRequest(output=tmp_path / "t"))
    text = files[tmp_path / "t" / "results.csv"]
    rows = list(csvlib.DictReader(text.splitlines()))
    res = bev().result
    by_key = {(r["group"], r["key"], r["unit"]): r for r in rows}
    total = by_key[("total", "total", "kg CO2e")]["value"]
    assert float(total) == pytest.approx(res.total_kg_co2e, rel=5e-6)
    logistics = by_key[("stage", "logistics", "kg CO2e")]["value"]
    assert float(logistics) == pytest.approx(res.stages_kg_co2e["logistics"], rel=5e-6)
    for cell in (total, logistics):  # six significant digits, no float noise
        assert len(cell.replace(".", "").replace("-", "").strip("0")) <= 6, cell
    for name, content in files.items():
        for cell in (c for line in content.splitlines()[1:] for c in next(csvlib.reader([line]))):
            try:
                float(cell)
            except ValueError:
                continue
            digits = cell.lstrip("-").replace(".", "").lstrip("0")
            assert len(digits) <= 6 and "e" not in cell.lower(), (name, cell)


def test_csv_number():
    from lca.numbers import csv_number

    assert csv_number(889.0214000000001) == "889.021"
    assert csv_number(0.1 + 0.2) == "0.3"
    assert csv_number(-0.0) == "0" and csv_number(100.0) == "100"
    assert csv_number(1.23456789e-5) == "0.0000123457"
    assert csv_number(None) == "" and csv_number(float("nan")) == ""
    assert csv_number(-3.14159265) == "-3.14159"


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


def test_datapackage_carries_labels(tmp_path):
    from lca.calc.engine import load_datapackage_zip
    from lca.calc.matrices import CREDITS_ID, ROOT_ID

    files = export(bev(), "datapackage", ExportRequest(output=tmp_path / "dp.zip"))
    path = tmp_path / "dp.zip"
    path.write_bytes(next(iter(files.values())))
    meta = load_datapackage_zip(path).metadata["vehicle_lca"]
    nodes, flows = meta["labels"]["nodes"], meta["labels"]["flows"]
    assert nodes[str(ROOT_ID)]["kind"] == "root"
    assert nodes[str(CREDITS_ID)]["kind"] == "credits"
    kinds = {n["kind"] for n in nodes.values()}
    assert kinds == {"root", "credits", "foreground", "background"}
    battery = [n for n in nodes.values() if n.get("stage") == "battery"]
    assert battery and battery[0]["name"].startswith("Traction battery")
    grid = [n for n in nodes.values() if n.get("record") == "grid:CN"]
    assert grid and grid[0]["unit"] == "kWh"
    assert {f["id"] for f in flows.values()} >= {"co2_fossil", "n2o"}
    assert all(f["unit"] == "kg" and f["name"] for f in flows.values())


def test_brightway_formulas_and_uncertainty_without_brightway():
    """The exchange formulas (plain numbers, SI base units) give our amounts; uncertainty in
    stats_arrays terms; Brightway's unit, location and method names."""
    import math
    import string

    from lca.outputs.export import bw_convert as bwc
    from lca.schema.common import Distribution

    system = bev().system
    params = set(system.parameters.order)
    values = {k: bwc.si_value(v) for k, v in system.parameter_values.items()}
    checked = 0
    for ex, amount in zip(system.exchanges, system.amounts, strict=True):
        f = bwc.exchange_formula(ex.amount, ex.unit, params)
        if f is not None:
            allowed = set(string.ascii_letters + string.digits + "._+-*/() ")
            assert "__" not in f and set(f) <= allowed
            got = eval(f, {"__builtins__": {}}, values)  # our own formula text, checked above
            assert got == pytest.approx(float(amount), rel=1e-12)
            checked += 1
    assert checked > 10
    # pint reads kWh/100km as kWh / (100 km): 604.8 J/m
    assert values["consumption"] == pytest.approx(604.8)
    q = system.parameter_values["consumption"]
    tri = bwc.parameter_uncertainty(
        Distribution(distribution="triangular", low="15.5 kWh/100km", mode="16.8 kWh/100km",
                     high="19.5 kWh/100km"), q)  # fmt: skip
    assert tri == {"uncertainty type": 5, "loc": pytest.approx(604.8),
                   "minimum": pytest.approx(558.0), "maximum": pytest.approx(702.0)}  # fmt: skip
    ln = bwc.record_uncertainty(Distribution(distribution="lognormal", gsd=1.15), 2.32)
    assert ln["uncertainty type"] == 2 and ln["loc"] == pytest.approx(math.log(2.32))
    assert ln["scale"] == pytest.approx(math.log(1.15)) and ln["negative"] is False
    uni = bwc.record_uncertainty(Distribution(distribution="uniform", low=0.8, high=1.2), -10.0)
    assert uni == {"uncertainty type": 4, "minimum": -12.0, "maximum": -8.0}
    assert [bwc.unit_name(u) for u in ("kg", "t*km", "kWh", "MJ", "unit")] == [
        "kilogram", "ton kilometer", "kilowatt hour", "megajoule", "unit"]  # fmt: skip
    assert bwc.location("EU-27") == "RER" and bwc.location("CN") == "CN"
    assert bwc.method_name("AR6") == (
        "IPCC 2021", "climate change", "global warming potential (GWP100)")  # fmt: skip
