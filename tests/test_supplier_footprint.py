"""Suppliers' PACT footprints as primary data: the battery stage equals a per-piece footprint, a
per-kg footprint scales with the mass, the primary-data share follows the supplier's own share,
and bad files (schema, status, validity, unit) are clear errors naming the file."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import analyse_file
from lca.cli.app import app
from lca.errors import InputError
from lca.inputs.pact import read_footprint

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "supplier-data"
BASE = ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml"
CELLS = json.loads((EXAMPLE / "battery-cells.json").read_text())
CASTINGS = json.loads((EXAMPLE / "aluminium-castings.json").read_text())["data"][0]


def _scenario(tmp_path: Path, overrides: dict, files: dict[str, object]) -> Path:
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data))
    lines = "\n".join(f"  {k}: {json.dumps(v)}" for k, v in overrides.items())
    p = tmp_path / "s.yaml"
    p.write_text(f"scenario:\n  name: s\n  base: {BASE}\noverrides:\n{lines}\n")
    return p


@pytest.fixture(scope="module")
def reference():
    return analyse_file(BASE).result


def test_battery_stage_equals_the_suppliers_footprint(tmp_path, reference):
    s = _scenario(tmp_path, {"components.battery.supplier_footprint": "cells.json"},
                  {"cells.json": CELLS})
    res = analyse_file(s).result
    assert res.stages_kg_co2e["battery"] == pytest.approx(4620.0, rel=1e-12)
    assert res.components_kg_co2e["battery"] == pytest.approx(4620.0, rel=1e-12)
    # everything else unchanged
    for stage in ("materials", "manufacturing", "use", "end_of_life"):
        assert res.stages_kg_co2e[stage] == pytest.approx(reference.stages_kg_co2e[stage])
    # hand-computed share: 4620 kg at the supplier's 48.5 % over the sum of |contributions|
    basis = sum(abs(e["kg_co2e"]) for e in res.exchanges if not e["credit"])
    assert res.primary_data["share"] == pytest.approx(4620.0 * 0.485 / basis, rel=1e-12)
    assert res.to_dict()["primary_data_share"] > 0
    assert res.primary_data["by_stage"]["battery"]["share"] == pytest.approx(0.485)
    (sup,) = res.primary_data["suppliers"]
    assert sup["company"] == "Example Cells Co. (illustrative)" and sup["declared_unit"] == "piece"
    assert reference.to_dict()["primary_data_share"] == 0.0


def test_per_kg_footprint_on_a_material_line_scales_with_mass(tmp_path):
    s = _scenario(
        tmp_path,
        {"components.chassis.materials.aluminium-cn.supplier_footprint": "al.json"},
        {"al.json": CASTINGS},
    )
    run = analyse_file(s)
    lines = [e for e in run.result.exchanges if e["record"].startswith("supplier:chassis")]
    assert len(lines) == 1
    assert lines[0]["amount"] == pytest.approx(69.0) and lines[0]["unit"] == "kg"
    assert lines[0]["kg_co2e"] == pytest.approx(69.0 * 8.4, rel=1e-12)
    assert run.result.primary_data["share"] > 0


def test_per_kg_footprint_on_a_component_takes_the_component_mass(tmp_path):
    pf = copy.deepcopy(CASTINGS)
    s = _scenario(tmp_path, {"components.inverter.supplier_footprint": "al.json"},
                  {"al.json": pf})
    res = analyse_file(s).result
    # inverter: 3 + 5 + 2 kg of material lines
    assert res.components_kg_co2e["inverter"] == pytest.approx(10.0 * 8.4, rel=1e-12)


def test_the_example_runs_and_has_a_primary_data_share(tmp_path):
    res = CliRunner().invoke(
        app, ["run", str(EXAMPLE / "supplier-scenario.yaml"), "-o", str(tmp_path / "o"),
              "--no-charts", "-q"],
    )
    assert res.exit_code == 0, res.output
    d = json.loads((tmp_path / "o" / "result.json").read_text())
    assert d["stages_kg_co2e"]["battery"] == pytest.approx(4620.0)
    assert 0.1 < d["primary_data_share"] < 0.2
    assert d["primary_data"]["by_stage"]["manufacturing"]["share"] == 1.0  # measured: true
    assert {s["company"] for s in d["primary_data"]["suppliers"]} == {
        "Example Cells Co. (illustrative)", "Example Castings Co. (illustrative)"}


def test_shipped_example_inventory_is_the_bom_import_output(tmp_path):
    out = tmp_path / "car.yaml"
    res = CliRunner().invoke(
        app, ["bom", "import", str(EXAMPLE / "bom.xlsx"), "--base", str(BASE), "--mapping",
              str(EXAMPLE / "mapping.yaml"), "--output", str(out)],
    )
    assert res.exit_code == 0, res.output
    shipped = (EXAMPLE / "car-from-bom.yaml").read_text()
    assert out.read_text().split("\n", 2)[2] == shipped.split("\n", 2)[2]


def _bad(tmp_path, pf, *, product_id=None) -> str:
    files = {"cells.json": pf}
    ov = {"components.battery.supplier_footprint": "cells.json"}
    if product_id:
        ov["components.battery.product_id"] = product_id
    s = _scenario(tmp_path, ov, files)
    res = CliRunner().invoke(app, ["run", str(s), "-o", str(tmp_path / "o"), "--no-charts"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()
    return " ".join(res.output.split())


def test_schema_failure_names_the_json_path(tmp_path):
    pf = copy.deepcopy(CELLS)
    del pf["pcf"]["declaredUnitAmount"]
    pf["pcf"]["pcfExcludingBiogenicUptake"] = 4620.0  # a number, the spec wants a string
    text = _bad(tmp_path, pf)
    assert "cells.json" in text and "components[7].supplier_footprint" in text
    assert "$.pcf: 'declaredUnitAmount' is a required property" in text
    assert "$.pcf.pcfExcludingBiogenicUptake: 4620.0 is not of type 'string'" in text


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": "Deprecated"}, "status is 'Deprecated'"),
        ({"validityPeriodEnd": "2020-01-01T00:00:00Z"}, "expired on 2020-01-01"),
        ({"pcf.declaredUnitOfMeasurement": "liter"}, "must be per piece or per kilogram"),
    ],
)
def test_spec_rules_are_errors(tmp_path, change, message):
    pf = copy.deepcopy(CELLS)
    for k, v in change.items():
        node = pf
        *head, last = k.split(".")
        for h in head:
            node = node[h]
        node[last] = v
    assert message in _bad(tmp_path, pf)


def test_per_piece_footprint_on_a_material_line_is_an_error(tmp_path):
    s = _scenario(
        tmp_path,
        {"components.chassis.materials.aluminium-cn.supplier_footprint": "cells.json"},
        {"cells.json": CELLS},
    )
    res = CliRunner().invoke(app, ["validate", str(s)])
    assert res.exit_code == 2
    assert "a material line needs a footprint per kilogram" in " ".join(res.output.split())


def test_several_footprints_need_product_id(tmp_path):
    other = copy.deepcopy(CELLS)
    other["id"] = "00000000-0000-4000-8000-000000000001"
    other["productIds"] = ["urn:pact:product:customcode:buyer-assigned:OTHER"]
    other["pcf"]["pcfExcludingBiogenicUptake"] = "1000"
    other["pcf"]["pcfIncludingBiogenicUptake"] = "1000"
    other["pcf"]["fossilGhgEmissions"] = "1000"
    text = _bad(tmp_path, {"data": [CELLS, other]})
    assert "holds 2 footprints; choose one with 'product_id'" in text
    s = _scenario(
        tmp_path,
        {"components.battery.supplier_footprint": "two.json",
         "components.battery.product_id": "urn:pact:product:customcode:buyer-assigned:OTHER"},
        {"two.json": [CELLS, other]},
    )
    assert analyse_file(s).result.stages_kg_co2e["battery"] == pytest.approx(1000.0)


def test_reference_period_and_missing_share_are_warnings(tmp_path):
    pf = copy.deepcopy(CELLS)
    del pf["pcf"]["primaryDataShare"]
    p = tmp_path / "c.json"
    p.write_text(json.dumps(pf))
    fp = read_footprint(p, study_year=2027, today=dt.date(2026, 6, 1))
    assert fp.primary_data_share is None
    text = " ".join(fp.warnings)
    assert "does not cover the study's reference year 2027" in text
    assert "no primaryDataShare; counted as 0 % primary data" in text
    assert not read_footprint(p, study_year=2025, today=dt.date(2026, 6, 1)).warnings[1:]


def test_validity_defaults_to_three_years_after_the_reference_period(tmp_path):
    pf = copy.deepcopy(CELLS)
    del pf["validityPeriodEnd"], pf["validityPeriodStart"]
    p = tmp_path / "c.json"
    p.write_text(json.dumps(pf))
    read_footprint(p, today=dt.date(2028, 12, 31))
    with pytest.raises(InputError, match="expired on 2029-01-01"):
        read_footprint(p, today=dt.date(2029, 1, 2))


def test_official_examples_validate():
    from lca.inputs.pact import _validator

    assert not list(_validator().iter_errors(CELLS))
    assert not list(_validator().iter_errors(CASTINGS))


def test_pact_export_of_the_example_uses_the_computed_share_and_suppliers_dqi(tmp_path):
    from lca.inputs.pact import _validator

    out = tmp_path / "pact.json"
    res = CliRunner().invoke(
        app, ["export", str(EXAMPLE / "supplier-scenario.yaml"), "--format", "pact",
              "--company", "Example Motors", "-o", str(out)],
    )
    assert res.exit_code == 0, res.output
    items = json.loads(out.read_text())
    for pf in items:  # each ProductFootprint against the official 3.0.3 constraints
        assert not list(_validator().iter_errors(pf))
    battery = [pf for pf in items if "battery" in pf["productNameCompany"]][0]
    # the battery pack is the supplier's footprint: its share and DQIs, not fixed values
    assert battery["pcf"]["primaryDataShare"] == "48.5"
    assert battery["pcf"]["dqi"] == {
        "technologicalDQR": "1.8", "geographicalDQR": "1.4", "temporalDQR": "1.5"}
    assert float(items[0]["pcf"]["primaryDataShare"]) > 0


def test_a_per_piece_footprint_of_another_mass_is_a_warning(tmp_path):
    pf = copy.deepcopy(CELLS)
    pf["pcf"]["productMassPerDeclaredUnit"] = "520"
    s = _scenario(tmp_path, {"components.battery.supplier_footprint": "cells.json"},
                  {"cells.json": pf})
    warnings = " ".join(analyse_file(s).result.warnings)
    assert "footprint is for 520.0 kg per piece, the inventory's mass is 400.0 kg" in warnings
