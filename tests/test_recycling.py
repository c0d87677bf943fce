"""Recycling approaches on the tiny EV, checked against hand arithmetic.

Tiny background: steel primary Ev = 2 kg CO2e/kg, recycling route Erec = 0.5 kg CO2e/kg.
Tiny EV: 800 kg steel of which 200 kg recycled (R1 = 0.25); 700 kg steel recovered.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lca.analysis.pipeline import run_file
from lca.errors import InputError
from lca.model.background import load_background

DATA = Path(__file__).parent / "data"
TINY_BG = DATA / "tiny-background"
TINY_EV = DATA / "inventories" / "tiny-ev.yaml"


@pytest.fixture(scope="module")
def db():
    return load_background(TINY_BG)


def _run(tmp_path: Path, db, **eol) -> object:
    data = yaml.safe_load(TINY_EV.read_text())
    data["end_of_life"].update(eol)
    f = tmp_path / "inv.yaml"
    f.write_text(yaml.safe_dump(data))
    return run_file(f, background=db)


def test_cut_off_is_the_default_and_credits_stay_apart(tmp_path, db):
    r = _run(tmp_path, db)
    assert r.approach == "cut-off"
    assert r.stages_kg_co2e["materials"] == pytest.approx(600 * 2 + 200 * 0.5)
    assert r.credits_kg_co2e == pytest.approx(-700 * 2 + 700 * 0.5)
    ra = r.recycling_approaches
    assert ra["selected"] == "cut-off"
    assert ra["cut-off"]["total_kg_co2e"] == pytest.approx(r.total_kg_co2e, rel=1e-12)


def test_avoided_burden_charges_recycled_content_as_virgin(tmp_path, db):
    cut = _run(tmp_path, db)
    r = _run(tmp_path, db, approach="avoided-burden")
    assert r.stages_kg_co2e["materials"] == pytest.approx(800 * 2)
    assert r.total_kg_co2e == pytest.approx(cut.total_kg_co2e + 200 * (2 - 0.5))
    assert r.credits_kg_co2e == pytest.approx(-700 * (2 - 0.5))
    # the recycled-content measure saves nothing when recycled content is charged as virgin
    rc = [m for m in r.measures if m.id == "recycled-steel"][0]
    assert rc.saving_kg_co2e == pytest.approx(0.0, abs=1e-9)


def test_cff_defaults_match_the_formula(tmp_path, db):
    cut = _run(tmp_path, db)
    r = _run(tmp_path, db, approach="cff")
    a, q = 0.2, 1.0
    # (1 - R1) Ev + R1 (A Erec + (1 - A) Ev Qsin/Qp), times 800 kg
    materials = 600 * 2 + 200 * (a * 0.5 + (1 - a) * 2 * q)
    # (1 - A) R2 (ErecEoL - E*v Qsout/Qp), R2 x mass = 700 kg
    eol_term = (1 - a) * 700 * (0.5 - 2 * q)
    assert r.stages_kg_co2e["materials"] == pytest.approx(materials)
    assert r.total_kg_co2e == pytest.approx(
        cut.total_kg_co2e - cut.stages_kg_co2e["materials"] + materials + eol_term
    )
    assert r.credits_kg_co2e == 0.0
    par = r.recycling_approaches["cff"]["parameters"]["steel"]
    assert par["R1"] == pytest.approx(0.25)
    assert par["R2"] == pytest.approx(700 / 800)
    assert par["A"] == a


def test_cff_inventory_parameters_override_the_defaults(tmp_path, db):
    cut = _run(tmp_path, db)
    cff = {"steel": {"a": 0.5, "qsin_qp": 0.9, "qsout_qp": 0.8, "source": "test"}}
    r = _run(tmp_path, db, approach="cff", cff=cff)
    materials = 600 * 2 + 200 * (0.5 * 0.5 + 0.5 * 2 * 0.9)
    eol_term = 0.5 * 700 * (0.5 - 2 * 0.8)
    assert r.total_kg_co2e == pytest.approx(
        cut.total_kg_co2e - cut.stages_kg_co2e["materials"] + materials + eol_term
    )
    # all three approaches are reported whichever is selected
    ra = r.recycling_approaches
    assert ra["selected"] == "cff"
    assert ra["cut-off"]["total_kg_co2e"] == pytest.approx(cut.total_kg_co2e)
    assert ra["avoided-burden"]["total_kg_co2e"] == pytest.approx(
        cut.total_kg_co2e + 200 * (0.9 * 2 - 0.5)
    )


def test_cff_with_a_equal_one_is_cut_off(tmp_path, db):
    cut = _run(tmp_path, db)
    cff = {"steel": {"a": 1.0, "qsin_qp": 1.0, "qsout_qp": 1.0, "source": "test"}}
    r = _run(tmp_path, db, approach="cff", cff=cff)
    assert r.total_kg_co2e == pytest.approx(cut.total_kg_co2e, rel=1e-12)


def test_unknown_approach_and_missing_cff_parameters_are_located(tmp_path, db):
    with pytest.raises(InputError) as exc:
        _run(tmp_path, db, approach="netted")
    assert "end_of_life.approach" in exc.value.render()
    data = yaml.safe_load(TINY_EV.read_text())
    data["end_of_life"]["approach"] = "cff"
    data["components"][0]["materials"][0]["material"] = "steel"
    bg = load_background(TINY_BG)
    # a family without bundled defaults: rename steel's family in a copy of the background
    (tmp_path / "bg").mkdir()
    for p in TINY_BG.glob("*.yaml"):
        text = p.read_text().replace("{id: steel, name: steel", "{id: acier, name: acier")
        (tmp_path / "bg" / p.name).write_text(text)
    del bg
    for section in (data["components"][0]["materials"], data["end_of_life"]["recovered"]):
        section[0]["material"] = "acier"
    f = tmp_path / "inv.yaml"
    f.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as exc:
        run_file(f, background=load_background(tmp_path / "bg"))
    assert "end_of_life.cff.acier" in exc.value.message
    assert "components[0].materials[0].material" in exc.value.render()


def test_cut_off_reference_scenario_unchanged_by_the_other_approaches():
    r = run_file(Path(__file__).parent.parent / "scenarios" / "compact-suv-bev-eu.yaml")
    ra = r.recycling_approaches
    assert ra["cut-off"]["total_kg_co2e"] == r.total_kg_co2e
    # avoided burden charges recycled content as virgin: higher; CFF nets part of the credit
    assert ra["avoided-burden"]["total_kg_co2e"] > r.total_kg_co2e > ra["cff"]["total_kg_co2e"]
