"""Nothing written is ever wrong or lost (lca.outputs.files and the CLI's one error wrapper):
a folder holds exactly one run's files, a second concurrent run is refused, an output never
overwrites an input, JSON is strict, and every failure is a message with an exit code."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca.cli.app import app
from lca.errors import CalculationError, InputError
from lca.outputs import files as outfiles
from lca.outputs.jsonfile import dumps
from tests.conftest import DATA, TINY_BACKGROUND, TINY_EV

runner = CliRunner()
UNCERTAIN = DATA / "inventories" / "tiny-ev-uncertain.yaml"


def cli(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def run_tiny(out: Path, *extra: str, file: Path = TINY_EV):
    return cli("run", file, "-o", out, "--background", TINY_BACKGROUND, "-q", *extra)


def flat(text: str) -> str:
    """One line of words (without the frame rich draws around click's errors)."""
    return " ".join(text.replace("\u2502", " ").split())


# -- one run's files per folder -------------------------------------------------------------------


def test_no_charts_into_an_old_folder_leaves_no_old_charts(tmp_path):
    out = tmp_path / "out"
    assert run_tiny(out).exit_code == 0
    assert any((out / "charts").glob("*.png"))
    assert run_tiny(out, "--no-charts").exit_code == 0
    assert not (out / "charts").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        ".vlca-output",
        "inventory.csv",
        "result.csv",
        "result.json",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failure_while_writing_leaves_the_old_folder_whole(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    outfiles.write_outputs({folder / "a.json": "1\n", folder / "b.csv": "old"}, folders=[folder])
    calls = {"n": 0}
    real = outfiles._write_new

    def dies_on_second(path, data, mode):  # a kill between two writes
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(path, data, mode)

    monkeypatch.setattr(outfiles, "_write_new", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        outfiles.write_outputs(
            {folder / "a.json": "2\n", folder / "c.csv": "new"}, folders=[folder]
        )
    assert (folder / "a.json").read_text() == "1\n" and (folder / "b.csv").read_text() == "old"
    assert not (folder / "c.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp folder


def test_a_kill_between_the_two_renames_is_recovered(tmp_path):
    folder = tmp_path / "out"
    outfiles.write_outputs({folder / "result.json": "1\n"}, folders=[folder])
    # the state a kill after "old folder moved aside" leaves: no folder, the old one aside
    new, old = outfiles._names(folder)
    os.rename(folder, old)
    new.mkdir()
    (new / "half.json").write_text("{")
    outfiles.write_outputs({folder / "extra.json": "2\n"}, folders=[folder], merge=True)
    assert (folder / "result.json").read_text() == "1\n"  # the old run came back, then merged
    assert (folder / "extra.json").read_text() == "2\n"
    assert not new.exists() and not old.exists()


def test_merge_keeps_the_files_there_and_never_writes_through_a_link(tmp_path):
    folder = tmp_path / "out"
    outfiles.write_outputs(
        {folder / "result.json": "1\n", folder / "u.json": "1\n"}, folders=[folder]
    )
    before = (folder / "u.json").stat().st_ino
    outfiles.write_outputs({folder / "u.json": "2\n"}, folders=[folder], merge=True)
    assert (folder / "result.json").read_text() == "1\n"
    assert (folder / "u.json").read_text() == "2\n"
    assert (folder / "u.json").stat().st_ino != before


def test_uncertainty_into_a_run_folder_keeps_the_run(tmp_path):
    out = tmp_path / "out"
    assert run_tiny(out, "--no-charts", file=UNCERTAIN).exit_code == 0
    r = cli("uncertainty", UNCERTAIN, "-n", "200", "-o", out, "--background", TINY_BACKGROUND, "-q")
    assert r.exit_code == 0, r.output
    assert (out / "result.json").exists() and (out / "uncertainty.json").exists()


def test_a_folder_vlca_did_not_write_is_not_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    r = run_tiny(out)
    assert r.exit_code == 2
    assert "holds files vlca did not write (thesis.docx)" in flat(r.stderr)
    assert (out / "thesis.docx").read_text() == "years of work"


# -- a second concurrent run ----------------------------------------------------------------------


def test_a_second_concurrent_run_into_the_same_folder_fails(tmp_path):
    out = tmp_path / "out"
    fd = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first run, still writing
        r = run_tiny(out)
    finally:
        os.close(fd)
    assert r.exit_code == 2
    assert "another vlca command is writing here" in flat(r.stderr)
    assert not out.exists()
    assert run_tiny(out).exit_code == 0  # once the first has finished


def test_chart_into_a_run_folder_and_run_take_the_same_lock(tmp_path, monkeypatch):
    """``vlca chart`` into ``out/charts`` and ``vlca run`` into ``out`` lock the output root
    ``out``: a run swapping ``out`` and a chart writing ``out/charts`` exclude each other."""
    import subprocess
    import sys

    import lca.outputs.charts as charts_module

    out = tmp_path / "out"
    assert run_tiny(out).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "charts").iterdir()}
    assert outfiles.output_root(out / "charts", True) == out
    assert outfiles.output_root(out / "charts" / "a.png", False) == out
    fd = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a vlca run into out, still writing
        r = cli("chart", out / "result.json", "-o", out / "charts", "-q")
    finally:
        os.close(fd)
    assert r.exit_code == 2, r.output
    assert "another vlca command is writing here" in flat(r.stderr)
    assert {p.name: p.read_bytes() for p in (out / "charts").iterdir()} == before

    real = charts_module.scenario_charts
    seen = []

    def run_meanwhile(*a, **k):  # while vlca chart holds its lock, a vlca run into out starts
        if outfiles.HELD and not seen:
            args = ["run", str(TINY_EV), "-o", str(out), "--background", str(TINY_BACKGROUND)]
            code = (
                f"import sys; sys.argv = ['vlca', *{args!r}]; from lca.cli.app import main; main()"
            )
            seen.append(
                subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            )
        return real(*a, **k)

    monkeypatch.setattr(charts_module, "scenario_charts", run_meanwhile)
    r = cli("chart", out / "result.json", "-o", out / "charts", "-q")
    assert r.exit_code == 0, r.output
    assert seen and seen[0].returncode == 2, seen[0].stderr if seen else "no run started"
    assert "another vlca command is writing here" in flat(seen[0].stderr)


# -- outputs never overwrite inputs ---------------------------------------------------------------


def _scenario_on_copy(tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "inputs" / "ev.yaml"
    base.parent.mkdir()
    shutil.copy(TINY_EV, base)
    scen = tmp_path / "inputs" / "s.yaml"
    scen.write_text("scenario: {name: s, base: ev.yaml}\noverrides: {}\n")
    return base, scen


@pytest.mark.parametrize(
    "args",
    [
        ["run", "{scen}", "-o", "{scen}"],
        ["run", "{scen}", "-o", "{base}"],  # the base the scenario reads
        ["run", "{scen}", "-o", "{inputs}"],  # a folder holding the inputs: replaced whole
        ["run", "{scen}", "-o", "{base}/x"],
        ["export", "{scen}", "-f", "pact", "-o", "{base}"],
        [
            "uncertainty",
            "{uncertain}",
            "-n",
            "100",
            "-o",
            "{tmp}/o",
            "--samples-out",
            "{uncertain}",
        ],
    ],
)
def test_an_output_onto_an_input_is_refused(tmp_path, args):
    base, scen = _scenario_on_copy(tmp_path)
    uncertain = tmp_path / "inputs" / "u.yaml"
    shutil.copy(UNCERTAIN, uncertain)
    before = {p: p.read_bytes() for p in (base, scen, uncertain)}
    names = {
        "scen": scen,
        "base": base,
        "inputs": base.parent,
        "uncertain": uncertain,
        "tmp": tmp_path,
    }
    r = cli(*[a.format(**names) for a in args], "--background", TINY_BACKGROUND)
    assert r.exit_code == 2, r.output
    assert "input" in r.stderr and "Traceback" not in r.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_the_working_folder_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run_tiny(Path("."))
    assert r.exit_code == 2 and "working folder" in flat(r.stderr)


# -- output paths that cannot be written: exit 2 naming the path ----------------------------------


def test_output_folder_that_is_a_file(tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    for args in (
        ["run", TINY_EV, "-o", f],
        ["uncertainty", UNCERTAIN, "-n", "100", "-o", f],
        ["report", TINY_EV, "-o", f],
        ["sensitivity", UNCERTAIN, "-o", f],
        ["export", TINY_EV, "-f", "csv", "-o", f],
        ["export", TINY_EV, "-f", "pact", "--company", "C", "-o", f / "x.json"],
    ):
        r = cli(*args, "--background", TINY_BACKGROUND)
        assert r.exit_code == 2, (args, r.output)
        assert str(f) in flat(r.stderr) and "Traceback" not in r.stderr
        assert f.read_text() == "x"


def test_a_name_too_long(tmp_path):
    r = run_tiny(tmp_path / ("x" * 300))
    assert r.exit_code == 2
    assert "file name is too long" in flat(r.stderr)


# -- strict JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_json_is_strict(bad, tmp_path):
    with pytest.raises(CalculationError, match=r"'stages\.use\[1\]' is not a finite number"):
        dumps({"stages": {"use": [1.0, bad]}})
    target = tmp_path / "out" / "x.json"
    with pytest.raises(CalculationError, match="would not be valid JSON"):
        outfiles.write_outputs({target: json.dumps({"a": bad})}, folders=[target.parent])
    assert not target.parent.exists()


def test_result_json_never_writes_null_for_a_non_finite_number():
    from lca.calc.results import _clean

    with pytest.raises(CalculationError, match=r"'a\.b\[0\]'"):
        _clean({"a": {"b": [float("nan")]}})


# -- the one error wrapper ------------------------------------------------------------------------


def test_an_internal_error_is_a_short_message_and_exit_1(tmp_path, monkeypatch):
    import lca.analysis.pipeline as pipeline

    def broken(*a, **k):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(pipeline, "run_loaded", broken)
    r = run_tiny(tmp_path / "o")
    assert r.exit_code == 1
    assert "internal error: ZeroDivisionError" in r.stderr and "-v" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_tiny(tmp_path / "o", "-v")
    assert r.exit_code == 1 and "Traceback" in r.stderr


def test_paths_with_brackets_print_literally(tmp_path):
    out = tmp_path / "[bold]x[/]"
    r = cli("run", TINY_EV, "-o", out, "--background", TINY_BACKGROUND, "--no-charts")
    assert r.exit_code == 0, r.output
    assert f"wrote {out}/result.json" in flat(r.stdout)
    missing = tmp_path / "[red]no.yaml"
    r = cli("run", missing)
    assert r.exit_code == 2 and "[red]no.yaml" in r.stderr


def test_a_huge_sample_count_is_refused_before_allocating():
    r = runner.invoke(app, ["uncertainty", str(UNCERTAIN), "-n", "10000000000"])
    assert r.exit_code == 2
    assert "10,000,000,000 is more samples than vlca draws in one run" in flat(r.stderr)


def test_errors_are_raised_as_input_errors_not_os_errors(tmp_path):
    with pytest.raises(InputError, match="is a folder, expected a file path"):
        outfiles.write_outputs({tmp_path: b"x"})


def test_an_old_output_folder_without_marker_is_replaced_only_if_all_vlca(tmp_path):
    old = tmp_path / "old"
    (old / "charts").mkdir(parents=True)
    (old / "result.json").write_text("{}")
    (old / "charts" / "stages.png").write_bytes(b"x")
    assert run_tiny(old, "--no-charts").exit_code == 0  # a folder vlca wrote before the marker
    assert not (old / "charts").exists()
    mine = tmp_path / "mine"
    (mine / "charts").mkdir(parents=True)
    (mine / "result.json").write_text("{}")
    (mine / "charts" / "notes.txt").write_text("mine")
    r = run_tiny(mine)
    assert r.exit_code == 2 and "(charts/notes.txt)" in flat(r.stderr)
    assert (mine / "charts" / "notes.txt").read_text() == "mine"


def test_an_output_folder_given_as_a_link_keeps_the_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert run_tiny(link, "--no-charts").exit_code == 0
    assert run_tiny(link, "--no-charts").exit_code == 0
    assert link.is_symlink() and (real / "result.json").exists()


def test_samples_out_onto_a_file_the_command_writes_is_refused(tmp_path):
    out = tmp_path / "o"
    r = cli(
        "uncertainty",
        UNCERTAIN,
        "-n",
        "100",
        "-o",
        out,
        "--samples-out",
        out / "uncertainty.json",
        "--background",
        TINY_BACKGROUND,
    )
    assert r.exit_code == 2 and "--samples-out names a file this command writes" in flat(r.stderr)


def test_a_device_or_fifo_as_output_file_is_refused(tmp_path):
    import stat

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (Path("/dev/null"), fifo):
        r = cli("export", TINY_EV, "-f", "pact", "--company", "C", "-o", target,
                "--background", TINY_BACKGROUND)  # fmt: skip
        assert r.exit_code == 2 and "is not a regular file (a device" in flat(r.stderr)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_the_lock_is_held_while_computing_so_a_second_run_stops_before_it(tmp_path, monkeypatch):
    import subprocess
    import sys

    import lca.analysis.pipeline as pipeline

    out = tmp_path / "out"
    real = pipeline.run_loaded
    seen = []

    def second_run_meanwhile(*a, **k):  # while the first computes, a second process starts
        if not seen:
            args = ["run", str(TINY_EV), "-o", str(out), "--background", str(TINY_BACKGROUND)]
            code = (
                f"import sys; sys.argv = ['vlca', *{args!r}]; from lca.cli.app import main; main()"
            )
            seen.append(
                subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            )
        return real(*a, **k)

    monkeypatch.setattr(pipeline, "run_loaded", second_run_meanwhile)
    r = run_tiny(out)
    assert r.exit_code == 0, r.output
    assert seen[0].returncode == 2, seen[0].stderr
    assert "another vlca command is writing here" in flat(seen[0].stderr)


def test_an_os_error_anywhere_is_exit_2_naming_the_path(tmp_path, monkeypatch):
    import lca.analysis.pipeline as pipeline

    def unreadable(*a, **k):
        raise PermissionError(13, "Permission denied", "/srv/[data]/grid.yaml")

    monkeypatch.setattr(pipeline, "run_loaded", unreadable)
    r = run_tiny(tmp_path / "o")
    assert r.exit_code == 2
    assert "error: /srv/[data]/grid.yaml: Permission denied" in flat(r.stderr)
    assert "Traceback" not in r.stderr
