"""The command line as a newcomer meets it: --version, choices for every enumerated option (the
GWP set in any case), one seed default, help texts, did-you-mean for commands, fast --help."""

from __future__ import annotations

import enum
import subprocess
import sys

import typer
import yaml
from typer.testing import CliRunner

from lca import __version__
from lca.cli.app import app
from lca.cli.common import DEFAULT_SEED, Gwp
from lca.cli.report import ExportFormat
from tests.conftest import ROOT, TINY_BACKGROUND, TINY_EV

runner = CliRunner()
GROUP = typer.main.get_command(app)


def flat(text: str) -> str:
    return " ".join(text.replace("\u2502", " ").split())


def params(command: str) -> dict:
    return {p.name: p for p in GROUP.commands[command].params}


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"vlca (vehicle-lca) {__version__}"


def test_gwp_is_a_choice_of_the_bundled_sets_in_any_case(tmp_path):
    bundled = yaml.safe_load((ROOT / "inventories/background/characterisation.yaml").read_text())
    assert {g.value for g in Gwp} == {g["id"] for g in bundled["gwp_sets"]}
    out = tmp_path / "o"
    bg = ["--background", str(TINY_BACKGROUND)]
    r = runner.invoke(
        app, ["run", str(TINY_EV), "--gwp", "ar5", "-o", str(out), "--no-charts", *bg]
    )
    assert r.exit_code == 0, r.output
    assert "GWP100 AR5" in r.stdout
    r = runner.invoke(app, ["run", str(TINY_EV), "--gwp", "ar7"])
    assert r.exit_code == 2
    assert "'ar7' is not a GWP100 set vlca knows; choose AR6 or AR5" in flat(r.stderr)
    for c in GROUP.commands:
        if "gwp" in params(c):
            assert params(c)["gwp"].metavar == "[AR6|AR5]", c


def test_every_enumerated_option_has_choices():
    from lca.outputs.export import FORMATS

    assert {f.value for f in ExportFormat} == set(FORMATS)
    for command, name in [
        ("export", "format"),
        ("sensitivity", "method"),
        ("compare", "fmt"),
        ("schema", "kind"),
    ]:
        kind = params(command)[name].type_descriptor.annotation
        assert isinstance(kind, type) and issubclass(kind, enum.Enum), (command, name)
    r = runner.invoke(app, ["sensitivity", str(TINY_EV), "--method", "SOBOL", "--help"])
    assert r.exit_code == 0


def test_one_seed_default_for_every_command_that_samples():
    sampling = {c for c in GROUP.commands if "seed" in params(c)}
    assert sampling == {"uncertainty", "sensitivity", "compare", "report", "export"}
    for c in sampling:
        seed = params(c)["seed"]
        assert seed.default == DEFAULT_SEED, c
        assert "one default for every vlca command that samples" in seed.help, c


def test_help_texts_read_as_sentences():
    baseline = params("compare")["baseline"].help
    assert baseline.startswith("Name of the scenario that differences are taken against")
    assert params("run")["verbose"].help  # -v says what it does
    for c, cmd in GROUP.commands.items():
        for p in cmd.params:
            if p.name != "help" and not p.name.startswith("file"):
                assert p.help and p.help.rstrip().endswith((".", ")")), (c, p.name, p.help)


def test_unknown_command_suggests_the_closest():
    r = runner.invoke(app, ["uncertainy"])
    assert r.exit_code == 2 and "Did you mean 'uncertainty'?" in r.stderr


def test_help_and_version_import_no_heavy_module():
    code = (
        "import sys, lca.cli.app; "
        "heavy = [m for m in ('numpy', 'matplotlib', 'pandas', 'bw2calc', 'pint', 'pydantic', "
        "'scipy', 'yaml') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
