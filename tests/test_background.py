"""Loading the background data: units checked, references resolved, problems located."""

from __future__ import annotations

import shutil

import pytest

from lca.errors import InputError
from lca.model.background import load_background
from tests.conftest import TINY_BACKGROUND


def record(rid: str, emissions: str, extra: str = "") -> str:
    """One background record in YAML (the fields every record needs)."""
    return f"""  - id: {rid}
    name: {rid}
    category: material
    unit: kg
    emissions: {emissions}
    geography: GLO
    reference_year: 2023
    source: {{title: t}}
{extra}"""


HEADER = 'dataset: extra\nversion: "1"\nrecords:\n'


def folder_with(tmp_path, extra: str):
    d = tmp_path / "bg"
    shutil.copytree(TINY_BACKGROUND, d)
    (d / "extra.yaml").write_text(extra)
    return d


def test_emissions_converted_to_kg_per_reference_unit(tiny_db):
    assert tiny_db.records["grid:A"].emissions == {"co2_fossil": 0.4, "ch4_fossil": 0.001}
    assert tiny_db.records["transport:truck"].emissions["co2_fossil"] == pytest.approx(0.1)
    assert tiny_db.records["eol:shredding"].inputs == (("grid:A", 0.05),)


def test_all_problems_reported_with_file_and_line(tmp_path):
    d = folder_with(
        tmp_path,
        HEADER
        + record("x:wrong-dimension", "{co2_fossil: 2 kWh/kg}")
        + record("x:unknown-gas", "{co3: 1 kg/kg}")
        + record("steel:primary", "{co2_fossil: 1 kg/kg}")
        + "materials:\n  - {id: fam, primary: no:such-record}\n",
    )
    with pytest.raises(InputError) as exc:
        load_background(d)
    text = exc.value.render()
    assert "extra.yaml:8" in text and "records[0].emissions.co2_fossil" in text
    assert "duplicate record id 'steel:primary'" in text


def test_unknown_gas_and_reference(tmp_path):
    d = folder_with(
        tmp_path,
        HEADER
        + record("x:unknown-gas", "{co3: 1 kg/kg}")
        + "materials:\n  - {id: fam, primary: no:such-record}\n",
    )
    with pytest.raises(InputError) as exc:
        load_background(d)
    text = exc.value.render()
    assert "unknown gas 'co3'" in text and "extra.yaml:8" in text
    assert "unknown record 'no:such-record'" in text and "materials[0].primary" in text


def test_co2e_needs_gwp_basis(tmp_path):
    d = folder_with(
        tmp_path,
        HEADER + record("x:co2e", "{co2e: 1 kg/kg}"),
    )
    with pytest.raises(InputError, match="gwp_basis"):
        load_background(d)
