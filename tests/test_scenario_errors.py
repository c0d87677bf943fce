"""Errors point where the user typed: an override's error names the scenario file and line
(with the base line it replaced), every bad override path is reported at once, a base outside
the scenario's folder is read only if it is an inventory or scenario, and a plain-value override
of a sourced parameter records the scenario as its source. Also: did-you-mean for unknown keys,
and provenance paths relative to the input file's folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca.cli.app import app
from lca.errors import InputError, InputErrors
from lca.inputs.loader import load_input
from lca.model.background import load_background
from lca.model.system import build_system
from tests.conftest import TINY_BACKGROUND, TINY_EV


@pytest.fixture(scope="module")
def db():
    return load_background(TINY_BACKGROUND)


@pytest.fixture
def ev(tmp_path) -> Path:
    base = tmp_path / "inv" / "ev.yaml"
    base.parent.mkdir()
    shutil.copy(TINY_EV, base)
    return base


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_override_error_names_the_scenario_line_and_the_base_line(tmp_path, ev, db):
    s = write(
        tmp_path / "inv" / "s.yaml",
        "scenario: {name: s, base: ev.yaml}\noverrides:\n  vehicle.curb_mass: abc\n",
    )
    with pytest.raises(InputError) as exc:
        build_system(load_input(s), db)
    e = exc.value
    assert (e.file, e.line, e.path) == (str(s), 3, ("vehicle", "curb_mass"))
    assert f"(this override replaces {ev}:2)" in e.message


def test_an_error_elsewhere_caused_by_an_override_names_the_override(tmp_path, ev, db):
    # the base's measure saves kWh/100km; the scenario makes consumption a length
    s = write(
        tmp_path / "inv" / "s.yaml",
        "scenario: {name: s, base: ev.yaml}\noverrides:\n  parameters.consumption: 15 km\n",
    )
    with pytest.raises(InputError) as exc:
        build_system(load_input(s), db)
    assert exc.value.file == str(ev)  # the measure's own line, in the base
    assert f"consumption is set by {s}:3" in exc.value.message


def test_every_bad_override_path_is_reported_at_once(tmp_path, ev):
    s = write(
        tmp_path / "inv" / "s.yaml",
        "scenario: {name: s, base: ev.yaml}\n"
        "overrides:\n"
        "  use.electricity.supply: grid:A\n"
        "  components.body.materialz: 1\n"
        "  components.bodyy.mass: 1 kg\n"
        "  vehicle.nam: x\n",
    )
    with pytest.raises(InputErrors) as exc:
        load_input(s)
    got = [(e.line, e.message) for e in exc.value.errors]
    assert [line for line, _ in got] == [4, 5, 6]
    assert "did you mean 'materials'?" in got[0][1]
    assert "no entry 'bodyy' in components; did you mean 'body'?" in got[1][1]
    assert "did you mean 'name'?" in got[2][1]
    assert all(e.file == str(s) for e in exc.value.errors)


@pytest.mark.parametrize(
    "target",
    ["/etc/passwd", "../../../../../../../../etc/hostname", "{tmp}/elsewhere/notes.yaml"],
)
def test_a_base_outside_the_folder_must_be_an_inventory(tmp_path, target):
    write(tmp_path / "elsewhere" / "notes.yaml", "shopping: [milk, eggs]\n")
    if target.startswith("/etc") and not Path(target).exists():
        pytest.skip(f"{target} missing")
    s = write(
        tmp_path / "scen" / "s.yaml",
        f"scenario:\n  name: s\n  base: {target.format(tmp=tmp_path)}\n",
    )
    with pytest.raises(InputError) as exc:
        load_input(s)
    e = exc.value
    assert (e.file, e.line, e.path) == (str(s), 3, ("scenario", "base"))
    assert "lies outside the scenario's folder" in e.message
    assert "shopping" not in e.message and ":0:0:" not in e.message  # its content stays out


def test_a_base_outside_the_folder_that_is_an_inventory_is_read(tmp_path, ev):
    s = write(tmp_path / "scen" / "s.yaml", "scenario: {name: s, base: ../inv/ev.yaml}\n")
    assert load_input(s).files == (s.parent / "../inv/ev.yaml", s)


def test_a_base_name_too_long_names_the_scenario_key(tmp_path):
    s = write(tmp_path / "s.yaml", f"scenario: {{name: s, base: {'a' * 300}.yaml}}\n")
    with pytest.raises(InputError) as exc:
        load_input(s)
    assert exc.value.path == ("scenario", "base") and "too long" in exc.value.message


def test_unknown_keys_get_a_did_you_mean(tmp_path, db):
    text = TINY_EV.read_text().replace("curb_mass: 1000 kg", "curbmass: 1000 kg")
    text = text.replace("{value: 100000 km, source: test}", "{value: 100000 km, sorce: test}")
    inv = write(tmp_path / "ev.yaml", text)
    with pytest.raises(InputErrors) as exc:
        build_system(load_input(inv), db)
    msgs = {e.path: e.message for e in exc.value.errors}
    assert "did you mean 'curb_mass'?" in msgs[("vehicle", "curbmass")]
    assert "Allowed here: curb_mass, description," in msgs[("vehicle", "curbmass")]
    assert "did you mean 'source'?" in msgs[("parameters", "lifetime_distance", "sorce")]
    s = write(tmp_path / "s.yaml", f"scenario: {{name: s, base: {TINY_EV}, rationle: x}}\n")
    with pytest.raises(InputError, match="did you mean 'rationale'.*docs/scenarios.md"):
        load_input(s)


def test_provenance_paths_are_relative_to_the_input_folder(tmp_path, ev, monkeypatch):
    s = write(tmp_path / "scen" / "s.yaml", "scenario: {name: s, base: ../inv/./ev.yaml}\n")
    runner = CliRunner()
    seen = []
    for cwd in (tmp_path, tmp_path / "scen", ev.parent):
        monkeypatch.chdir(cwd)
        out = tmp_path / f"out-{len(seen)}"
        args = ["run", os.path.relpath(s, cwd), "-o", str(out), "--no-charts", "-q"]
        r = runner.invoke(app, [*args, "--background", str(TINY_BACKGROUND)])
        assert r.exit_code == 0, r.output
        prov = json.loads((out / "result.json").read_text())["provenance"]
        seen.append([i["file"] for i in prov["inputs"]])
    assert seen == [["../inv/ev.yaml", "s.yaml"]] * 3
