"""Scenario files: each kind of override, extension chains, cycles, variants, scenario records."""

from __future__ import annotations

from pathlib import Path

import pytest

from lca.analysis.pipeline import run_loaded
from lca.errors import InputError
from lca.inputs.loader import load_input, load_scenarios
from lca.model.background import load_background
from lca.model.system import build_system

DATA = Path(__file__).parent / "data"
TINY_BG = DATA / "tiny-background"
TINY_EV = DATA / "inventories" / "tiny-ev.yaml"


@pytest.fixture(scope="module")
def db():
    return load_background(TINY_BG)


def scenario(tmp_path: Path, name: str, body: str, base: str | None = None) -> Path:
    head = f"scenario:\n  name: {name}\n  base: {base or TINY_EV}\n"
    p = tmp_path / f"{name}.yaml"
    p.write_text(head + body, encoding="utf-8")
    return p


def total(loaded, db) -> float:
    return run_loaded(loaded, background=db, measures=False).total_kg_co2e


def test_supply_override_changes_the_use_record(tmp_path, db):
    p = scenario(tmp_path, "s", "overrides:\n  use.electricity.supply: grid:A\n")
    system = build_system(load_input(p), db)
    use = [ex for ex in system.exchanges if ex.kind == "use-electricity"]
    assert [ex.record for ex in use] == ["grid:A"]


def test_parameter_override_is_set_by_the_scenario_and_scales_use(tmp_path, db):
    base = total(load_input(TINY_EV), db)
    p = scenario(tmp_path, "s", "overrides:\n  parameters.lifetime_distance: 200000 km\n")
    loaded = load_input(p)
    assert loaded.data["parameters"]["lifetime_distance"] == {
        "value": "200000 km",
        "source": "set by s.yaml line 5 (scenario s)",
        "note": "replaces 100000 km from test",
    }
    # use: 15 kWh/100km x 100,000 km more x 0.1 kg/kWh = 1,500 kg more
    assert total(loaded, db) - base == pytest.approx(1500.0, rel=1e-9)


def test_recycled_mass_override(tmp_path, db):
    base = total(load_input(TINY_EV), db)
    p = scenario(
        tmp_path, "s", "overrides:\n  components.body.materials.steel.recycled_mass: 400 kg\n"
    )
    # 200 kg more recycled: 200 x (2 - 0.5) kg saved
    assert base - total(load_input(p), db) == pytest.approx(300.0, rel=1e-9)


def test_chemistry_override_is_validated(tmp_path, db):
    p = scenario(tmp_path, "s", "overrides:\n  components.battery.chemistry: NOPE\n")
    with pytest.raises(InputError, match="unknown battery chemistry 'NOPE'"):
        build_system(load_input(p), db)


def test_scenario_record_replaces_a_background_record(tmp_path, db):
    base = total(load_input(TINY_EV), db)
    body = """records:
  - id: grid:B
    name: Grid B, supplier-specific
    category: electricity
    unit: kWh
    emissions: {co2e: 0.05 kg/kWh}
    gwp_basis: AR5
    geography: GLO
    reference_year: 2024
    source: {title: supplier declaration}
"""
    loaded = load_input(scenario(tmp_path, "s", body))
    # use electricity 15,000 kWh at 0.05 kg/kWh less
    assert base - total(loaded, db) == pytest.approx(750.0, rel=1e-9)
    system = build_system(loaded, db)
    assert system.database.records["grid:B"].primary_data


def test_scenario_record_error_names_the_scenario_file(tmp_path, db):
    body = """records:
  - id: grid:B
    name: bad
    category: electricity
    unit: kWh
    emissions: {co2e: 5 kg}
    gwp_basis: AR5
    geography: GLO
    reference_year: 2024
    source: {title: x}
"""
    p = scenario(tmp_path, "s", body)
    with pytest.raises(InputError) as exc:
        build_system(load_input(p), db)
    assert str(p) in exc.value.render() and ".yaml:9 " in exc.value.render()


def test_unknown_key_path_is_an_error_not_an_addition(tmp_path):
    p = scenario(tmp_path, "s", "overrides:\n  use.electricity.suply: grid:A\n")
    with pytest.raises(InputError) as exc:
        load_input(p)
    assert "'suply' does not exist in the base at use.electricity" in exc.value.message
    assert "did you mean 'supply'?" in exc.value.message
    assert exc.value.line == 5 and exc.value.file == str(p)


def test_override_renaming_what_it_addresses(tmp_path, db):
    p = scenario(
        tmp_path,
        "s",
        "overrides:\n  components.body.materials.steel.material: steel\n"
        "  components.body.materials.steel.mass: 900 kg\n",
    )
    assert load_input(p).data["components"][0]["materials"][0]["mass"] == "900 kg"


def test_extension_chain(tmp_path, db):
    a = scenario(tmp_path, "a", "overrides:\n  use.electricity.supply: grid:A\n")
    b = tmp_path / "b.yaml"
    b.write_text(
        "scenario: {name: b, extends: a.yaml}\n"
        "overrides:\n  parameters.lifetime_distance: 50000 km\n"
    )
    c = tmp_path / "c.yaml"
    c.write_text("scenario: {name: c, extends: b.yaml}\n")
    loaded = load_input(c)
    assert loaded.chain == ("a", "b", "c")
    assert loaded.files == (TINY_EV, a, b, c)
    assert loaded.data["use"]["electricity"]["supply"] == "grid:A"
    assert loaded.data["parameters"]["lifetime_distance"]["value"] == "50000 km"
    # errors in a value set by b point at b's line
    assert loaded.sources.locate(("parameters", "lifetime_distance")) == (b, 3)


def test_extension_cycle_is_an_error(tmp_path):
    (tmp_path / "x.yaml").write_text("scenario: {name: x, extends: y.yaml}\n")
    (tmp_path / "y.yaml").write_text("scenario: {name: y, extends: x.yaml}\n")
    with pytest.raises(InputError, match="cycle: x.yaml -> y.yaml -> x.yaml"):
        load_input(tmp_path / "x.yaml")


def test_variants_expand_into_named_scenarios(tmp_path, db):
    body = (
        "variants:\n"
        "  use.electricity.supply: [grid:A, grid:B]\n"
        "  parameters.lifetime_distance: {short: 50000 km, long: 150000 km, longer: 200000 km}\n"
    )
    p = scenario(tmp_path, "grid", body)
    items = load_scenarios(p)
    assert [i.name for i in items] == [
        "grid-grid-A-short",
        "grid-grid-A-long",
        "grid-grid-A-longer",
        "grid-grid-B-short",
        "grid-grid-B-long",
        "grid-grid-B-longer",
    ]
    assert items[4].data["use"]["electricity"]["supply"] == "grid:B"
    assert items[4].data["parameters"]["lifetime_distance"]["value"] == "150000 km"
    with pytest.raises(InputError, match="defines 6 variants"):
        load_input(p)


def test_variant_with_bad_path_names_the_line(tmp_path):
    p = scenario(tmp_path, "g", "variants:\n  parameters.nope: [1, 2]\n")
    with pytest.raises(InputError) as exc:
        load_scenarios(p)
    assert exc.value.line == 5 and "does not exist" in exc.value.message
