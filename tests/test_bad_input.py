"""Bad input: one clear message naming the file, key path and line; exit 2; no traceback; no
output written; no memory blow-up."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca.cli.app import app
from tests.conftest import ROOT, TINY_BACKGROUND, TINY_EV

runner = CliRunner()
BEV = ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml"


def run_cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=True)


def check_error(tmp_path: Path, file: Path, *fragments: str, background: bool = True):
    out_dir = tmp_path / "out"
    args = ["run", str(file), "--output", str(out_dir)]
    if background:
        args += ["--background", str(TINY_BACKGROUND)]
    res = run_cli(*args)
    text = res.stderr
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert "Traceback" not in text and "Traceback" not in res.stdout
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    assert not out_dir.exists(), "no output may be written after an error"
    flat = " ".join(text.split())
    for frag in fragments:
        assert frag in flat, f"{frag!r} not in {flat!r}"
    return flat


def variant(tmp_path: Path, old: str, new: str, name: str = "bad.yaml") -> Path:
    text = TINY_EV.read_text()
    assert old in text, old
    p = tmp_path / name
    p.write_text(text.replace(old, new, 1))
    return p


def test_yaml_syntax_error(tmp_path):
    p = variant(tmp_path, "components:\n", "components: [\n")
    check_error(tmp_path, p, "bad.yaml:", "YAML syntax error")


def test_unknown_key_names_path_and_line(tmp_path):
    p = variant(tmp_path, "recycled_mass: 200 kg", "recyled_mass: 200 kg")
    msg = check_error(
        tmp_path, p, "bad.yaml:9", "components[0].materials[0].recyled_mass", "unknown key"
    )
    assert "recyled_mass" in msg


def test_wrong_unit_dimension(tmp_path):
    p = variant(tmp_path, "mass: 800 kg", "mass: 800 kWh")
    check_error(tmp_path, p, "bad.yaml:9", "components[0].materials[0].mass", "kWh")


def test_unknown_unit(tmp_path):
    p = variant(tmp_path, "mass: 800 kg", "mass: 800 kgs")
    check_error(tmp_path, p, "bad.yaml:9", "components[0].materials[0].mass", "kgs")


def test_unit_less_mass(tmp_path):
    p = variant(tmp_path, "mass: 800 kg", "mass: 800")
    check_error(tmp_path, p, "components[0].materials[0].mass", "plain number (no unit)")


def test_negative_amount(tmp_path):
    p = variant(tmp_path, "amount: 2 * 30 kg", "amount: -60 kg")
    check_error(tmp_path, p, "maintenance[0].amount", "negative")


@pytest.mark.parametrize("value", [".nan", ".inf", "nan kg", "inf kg", "1e400 kg"])
def test_non_finite(tmp_path, value):
    p = variant(tmp_path, "mass: 800 kg", f"mass: {value}")
    check_error(tmp_path, p, "components[0].materials[0].mass", "finite")


def test_unknown_background_id(tmp_path):
    p = variant(tmp_path, "supply: grid:B", "supply: grid:Q")
    check_error(tmp_path, p, "bad.yaml:19", "use.electricity.supply", "grid:Q")


def test_unknown_name_in_expression(tmp_path):
    p = variant(tmp_path, "consumption * lifetime_distance", "consumptoin * lifetime_distance")
    check_error(tmp_path, p, "bad.yaml:19", "use.electricity.amount", "consumptoin")


def test_division_by_zero(tmp_path):
    p = variant(tmp_path, "amount: 2 * 30 kg", "amount: 60 kg / (lifetime_distance - 100000 km)")
    check_error(tmp_path, p, "maintenance[0].amount", "division by zero")


def test_parameter_cycle(tmp_path):
    p = variant(
        tmp_path,
        "consumption: {value: 15 kWh/100km, source: test}",
        "consumption: {value: 15 kWh/100km * lifetime_distance / lifetime_distance "
        "* x, source: test}\n  x: {value: consumption / consumption, source: test}",
    )
    check_error(tmp_path, p, "cycle")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_text("# only a comment\n")
    check_error(tmp_path, p, "empty.yaml", "empty")


def test_missing_file(tmp_path):
    check_error(tmp_path, tmp_path / "nope.yaml", "nope.yaml", "file not found")


def test_not_yaml_binary(tmp_path):
    p = tmp_path / "image.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    check_error(tmp_path, p, "image.yaml", "binary")


def test_not_yaml_text(tmp_path):
    p = tmp_path / "notes.yaml"
    p.write_text("This is a shopping list, not an inventory.\n")
    check_error(tmp_path, p, "notes.yaml", "mapping")


def test_alias_bomb(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n")
    assert p.stat().st_size < 4096  # expands to 9^10 = 3.5e9 strings
    check_error(tmp_path, p, "bomb.yaml", "alias bomb")


def test_duplicate_key(tmp_path):
    p = variant(
        tmp_path,
        "manufacturing:",
        "manufacturing: {electricity: 1 kWh, supply: grid:A}\nmanufacturing:",
    )
    check_error(tmp_path, p, "duplicate key 'manufacturing'")


def test_wrong_type(tmp_path):
    p = variant(tmp_path, "components:\n", "components: 12\ncomponentz:\n")
    check_error(tmp_path, p, "bad.yaml")


def test_missing_lifetime_distance(tmp_path):
    p = variant(tmp_path, "  lifetime_distance: {value: 100000 km, source: test}\n", "")
    check_error(tmp_path, p, "lifetime_distance")


def test_recycled_more_than_mass(tmp_path):
    p = variant(tmp_path, "recycled_mass: 200 kg", "recycled_mass: 900 kg")
    check_error(tmp_path, p, "components[0].materials[0].recycled_mass", "more than")


def test_validate_reports_every_file_and_exits_2(tmp_path):
    bad = variant(tmp_path, "mass: 800 kg", "mass: 800 kWh")
    res = run_cli("validate", str(TINY_EV), str(bad), "--background", str(TINY_BACKGROUND))
    assert res.exit_code == 2
    assert "ok:" in res.stdout and "bad.yaml" in res.stderr


def test_yes_no_stay_strings(tmp_path):
    # YAML 1.1 would read the country code NO as false
    p = variant(tmp_path, "curb_mass: 1000 kg}", "curb_mass: 1000 kg, production_country: NO}")
    res = run_cli(
        "run",
        str(p),
        "--output",
        str(tmp_path / "o"),
        "--background",
        str(TINY_BACKGROUND),
        "--quiet",
    )
    assert res.exit_code == 0, res.stderr


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    from lca.outputs import files

    calls = {"n": 0}
    real = files.os.replace

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        files.write_files_atomically({tmp_path / "a.json": "1", tmp_path / "b.csv": "2"})
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert all(not n.endswith(".tmp") for n in leftovers), leftovers


def test_scenario_override_of_missing_path(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(
        textwrap.dedent(f"""\
        scenario: {{name: s, base: {TINY_EV}}}
        overrides:
          use.electricity.suply: grid:A
        """)
    )
    check_error(tmp_path, s, "s.yaml:3", "suply", "does not exist")


@pytest.mark.parametrize("depth", [200, 3000])
def test_deeply_nested_document(tmp_path, depth):
    # 3000 is past libyaml's own limit (1000), 200 below it: both get our message
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * depth + "]" * depth + "\n")
    check_error(tmp_path, p, "deep.yaml:1", "nested too deeply", "more than 64 levels")


def test_deeply_nested_block_document(tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text("".join(" " * i + f"k{i}:\n" for i in range(100)) + " " * 100 + "v: 1\n")
    check_error(tmp_path, p, "deep.yaml:", "nested too deeply")


def test_nesting_at_the_limit_is_read(tmp_path):
    from lca.inputs.yamlio import MAX_DEPTH, parse_yaml_text

    doc = parse_yaml_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), tmp_path / "x")
    assert "a" in doc.data


def test_quantity_without_unit(tmp_path):
    p = variant(tmp_path, "value: 100000 km", "value: 100000")
    check_error(
        tmp_path, p, "bad.yaml:4", "parameters.lifetime_distance.value", "plain number without unit"
    )


def test_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = run_cli(
        "run", str(TINY_EV), "--output", str(blocker / "out"), "--background", str(TINY_BACKGROUND)
    )
    assert res.exit_code == 2
    assert "cannot write output" in res.stderr and "Traceback" not in res.stderr


# -- issue 11: powertrains, replacements, scale, scenario parameters ---------------------------


def test_plug_in_hybrid_without_utility_factor(tmp_path):
    p = variant(tmp_path, "powertrain: battery-electric", "powertrain: plug-in-hybrid-petrol")
    check_error(tmp_path, p, "bad.yaml:3", "parameters", "needs parameter 'utility_factor'")


def test_fuel_cell_car_with_unknown_hydrogen_pathway(tmp_path):
    p = variant(tmp_path, "powertrain: battery-electric", "powertrain: fuel-cell-electric")
    p.write_text(
        p.read_text().replace(
            "  electricity: {amount: consumption * lifetime_distance, supply: grid:B}\n",
            "  fuel: {amount: 1 kg/(100 km) * lifetime_distance, fuel: x}\n",
        )
    )
    check_error(tmp_path, p, "bad.yaml:", "use.fuel.fuel", "unknown hydrogen pathway 'x'")


def test_replacements_auto_without_cycle_life(tmp_path):
    import shutil

    bg = tmp_path / "bg"
    shutil.copytree(TINY_BACKGROUND, bg)
    tiny = bg / "tiny.yaml"
    text = tiny.read_text()
    line = "    cycle_life: {value: 2000, source: {title: test value}}\n"
    assert line in text
    tiny.write_text(text.replace(line, ""))
    s = tmp_path / "s.yaml"
    s.write_text(
        f"scenario: {{name: s, base: {TINY_EV}}}\n"
        "overrides:\n"
        "  components.battery.replacements: auto\n"
    )
    out_dir = tmp_path / "out"
    res = run_cli("run", str(s), "--output", str(out_dir), "--background", str(bg))
    flat = " ".join(res.stderr.split())
    assert res.exit_code == 2, res.output
    assert "s.yaml:3" in flat and "components[1].replacements" in flat, flat
    assert "needs a cycle life" in flat, flat
    assert not out_dir.exists()


@pytest.mark.parametrize("value", ["0", "-1.2", "big"])
def test_scale_must_be_a_positive_number(tmp_path, value):
    s = tmp_path / "s.yaml"
    s.write_text(
        f"scenario: {{name: s, base: {TINY_EV}}}\noverrides:\n  components.body.scale: {value}\n"
    )
    check_error(tmp_path, s, "s.yaml:3", "components[0].scale")


def test_scenario_parameter_shadowing_a_builtin(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(
        f"scenario: {{name: s, base: {TINY_EV}}}\n"
        "parameters:\n"
        "  battery_mass: {value: 100 kg, source: test}\n"
    )
    check_error(tmp_path, s, "s.yaml:3", "parameters.battery_mass", "built-in name")


def test_scenario_parameter_already_in_base(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(
        f"scenario: {{name: s, base: {TINY_EV}}}\n"
        "parameters:\n"
        "  consumption: {value: 14 kWh/100km, source: test}\n"
    )
    check_error(tmp_path, s, "s.yaml:3", "already in the base", "overrides")
