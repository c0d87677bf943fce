"""Bill of materials from a spreadsheet: the reference car rebuilt from its own BOM (CSV and XLSX)
gives the same materials stage; malformed sheets exit 2 naming the file and row, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import analyse_file
from lca.cli.app import app

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "supplier-data"
BASE = ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml"
HEADER = "Part Number,Assembly,Material,Weight (g),Qty\n"


def _import(tmp_path: Path, bom: Path, *extra: str):
    out = tmp_path / "new.yaml"
    res = CliRunner().invoke(
        app, ["bom", "import", str(bom), "--base", str(BASE), "--output", str(out), *extra]
    )
    return res, out


@pytest.fixture(scope="module")
def reference():
    return analyse_file(BASE).result


@pytest.mark.parametrize("name", ["bom.csv", "bom.xlsx"])
def test_reference_car_rebuilt_from_its_bom(tmp_path, reference, name):
    res, out = _import(tmp_path, EXAMPLE / name, "--mapping", str(EXAMPLE / "mapping.yaml"))
    assert res.exit_code == 0, res.output
    assert "curb mass 1,790.0 kg" in res.output
    rebuilt = analyse_file(out).result
    ref = reference.stages_kg_co2e
    for stage, value in rebuilt.stages_kg_co2e.items():
        assert value == pytest.approx(ref[stage], rel=1e-6, abs=1e-9), stage
    assert rebuilt.components_kg_co2e == pytest.approx(reference.components_kg_co2e, rel=1e-6)


def test_material_keys_need_no_mapping_and_units_convert(tmp_path):
    bom = tmp_path / "b.csv"
    bom.write_text(
        "component;material;mass;unit;recycled content (%)\n"
        "body;Steel;455000;g;28.571428571428573\nbody;aluminium-cn;31;kg;\n"
    )
    res, out = _import(tmp_path, bom)
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "material: steel" in text and "mass: 455 kg" in text
    assert "recycled_mass: 130 kg" in text
    # components with materials not in the BOM are dropped and named
    assert "left out: chassis, interior, electrics, e-drive, inverter" in res.output


def test_unmapped_names_listed_at_once_with_close_matches(tmp_path):
    bom = tmp_path / "b.csv"
    bom.write_text(HEADER + "1,body,Stel,1000,1\n2,body,PA66-GF30,500,1\n3,body,Stel,10,1\n")
    res, out = _import(tmp_path, bom)
    assert res.exit_code == 2
    assert "2 material name(s)" in res.output
    assert "'Stel' in row(s) 2, 4 (close: steel" in res.output
    assert "'PA66-GF30' in row(s) 3 (close: pa66" in res.output
    assert not out.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("Part Number,Assembly,Weight (g)\n1,body,100\n", "missing column(s): material"),
        (HEADER + "1,body,steel,heavy,1\n", "b.csv:2: mass in g must be a number"),
        (HEADER + "1,body,steel,100,1\n2,body,steel,-5,1\n", "b.csv:3: mass in g is negative"),
        (
            HEADER + "7,body,steel,100,1\n8,body,pp,5,1\n7,chassis,steel,120,1\n",
            "b.csv:4: part number '7' is listed with 0.12 kg here and 0.1 kg in row 2",
        ),
        ("", "the sheet is empty"),
        (HEADER, "the sheet has a header but no rows"),
        ("component,material,mass\nbody,steel,12\n", "give a unit"),
    ],
)
def test_malformed_sheets_exit_2_nothing_written(tmp_path, text, message):
    bom = tmp_path / "b.csv"
    bom.write_text(text)
    res, out = _import(tmp_path, bom)
    assert res.exit_code == 2, res.output
    assert message in res.output.replace("\n", " "), res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_all_bad_rows_reported_together(tmp_path):
    bom = tmp_path / "b.csv"
    bom.write_text(HEADER + "1,body,steel,x,1\n2,body,steel,-1,1\n")
    res, _ = _import(tmp_path, bom)
    assert res.exit_code == 2
    assert "b.csv:2:" in res.output and "b.csv:3:" in res.output


def test_output_never_overwrites_an_input(tmp_path):
    bom = tmp_path / "bom.csv"
    shutil.copy(EXAMPLE / "bom.csv", bom)
    base = tmp_path / "base.yaml"
    shutil.copy(BASE, base)
    before = base.read_bytes()
    for target in (base, bom):
        res = CliRunner().invoke(
            app, ["bom", "import", str(bom), "--base", str(base), "--output", str(target),
                  "--mapping", str(EXAMPLE / "mapping.yaml"), "--force"],
        )
        assert res.exit_code == 2 and "must be a new file" in res.output
    assert base.read_bytes() == before


def test_xlsx_unknown_sheet_is_a_clear_error(tmp_path):
    res, out = _import(tmp_path, EXAMPLE / "bom.xlsx", "--sheet", "Nope")
    assert res.exit_code == 2 and "bom.xlsx" in res.output and "Nope" in res.output
    assert not out.exists()


def test_supplier_footprint_paths_of_the_base_follow_the_output(tmp_path):
    base = tmp_path / "in" / "base.yaml"
    base.parent.mkdir()
    text = BASE.read_text().replace(
        "    chemistry: NMC811\n",
        "    chemistry: NMC811\n    supplier_footprint: cells.json\n",
    )
    base.write_text(text)
    shutil.copy(EXAMPLE / "battery-cells.json", base.parent / "cells.json")
    out = tmp_path / "out" / "sub" / "new.yaml"
    res = CliRunner().invoke(
        app, ["bom", "import", str(EXAMPLE / "bom.csv"), "--base", str(base), "--mapping",
              str(EXAMPLE / "mapping.yaml"), "--output", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert "supplier_footprint: ../../in/cells.json" in out.read_text()
    assert analyse_file(out).result.stages_kg_co2e["battery"] == pytest.approx(4620.0)
