"""The forked chart workers of ``vlca run``: the same files as drawn in the command's process,
in the same order; a failed or killed worker's charts drawn there instead; no process left
behind, also after Ctrl-C (exit 130)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lca.analysis.pipeline import analyse_file
from lca.outputs import chart_workers
from lca.outputs.chart_workers import ChartWorkers
from lca.outputs.charts import as_dict, scenario_charts
from lca.outputs.chartstyle import figure_files

ROOT = Path(__file__).parent.parent
BEV = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
PETROL = ROOT / "scenarios" / "compact-suv-petrol.yaml"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the workers fork")


@pytest.fixture(autouse=True)
def idle(monkeypatch):
    """Workers whatever the load of the machine running the tests."""
    monkeypatch.setattr(chart_workers, "cores_idle", lambda: True)


def drawn_here(path: Path, folder: Path) -> tuple[dict, dict[Path, bytes]]:
    result = as_dict(analyse_file(path).result)
    here: dict[Path, bytes] = {}
    for stem, fig in scenario_charts(result).items():
        here.update(figure_files(fig, folder / stem))
    return result, here


def gone(pgid: int) -> bool:
    """No live process in the process group ``pgid`` (zombies are reaped by init)."""
    for _ in range(100):
        alive = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == pgid and fields[0] != "Z":
                    alive.append(d.name)
        if not alive:
            return True
        time.sleep(0.02)
    return False


def test_workers_give_the_files_drawn_here_in_order():
    bev, bev_files = drawn_here(BEV, Path("a"))
    petrol, petrol_files = drawn_here(PETROL, Path("b"))
    with ChartWorkers() as workers:
        pid = workers.pid
        assert pid  # forked
        drawn = workers.files([(bev, Path("a")), (petrol, Path("b"))])
    assert workers.pid == 0  # reaped on exit
    assert gone(pid)
    here = {**bev_files, **petrol_files}
    assert list(drawn) == list(here)
    assert drawn == here


def test_a_failed_worker_is_drawn_here(monkeypatch):
    result, here = drawn_here(BEV, Path("out"))
    command = os.getpid()
    real = chart_workers.render

    def failing(stem, *args, **kw):  # noqa: ANN001, ANN002, ANN003
        if os.getpid() != command and stem == "hotspots":
            raise RuntimeError("worker failure")
        return real(stem, *args, **kw)

    monkeypatch.setattr(chart_workers, "render", failing)
    with ChartWorkers() as workers:
        assert workers.pid
        assert workers.files([(result, Path("out"))]) == here
    monkeypatch.setattr(chart_workers, "render", real)
    with ChartWorkers() as workers:  # the worker group killed before it is asked
        assert workers.pid
        os.killpg(workers.pid, signal.SIGKILL)
        assert workers.files([(result, Path("out"))]) == here
    with ChartWorkers(workers=0) as none:
        assert none.pid == 0
        assert none.files([(result, Path("out"))]) == here
    monkeypatch.setattr(chart_workers, "cores_idle", lambda: False)
    with ChartWorkers() as busy:
        assert busy.pid == 0
        assert busy.files([(result, Path("out"))]) == here


def test_workers_never_asked_exit():
    with ChartWorkers() as workers:
        pid = workers.pid
    assert gone(pid)
    with pytest.raises(KeyError), ChartWorkers() as workers:  # an error in the command
        pid = workers.pid
        raise KeyError("x")
    assert gone(pid)


def _group_members(parent: int) -> list[int]:
    """Processes (not zombies) whose parent is ``parent`` or one of its children."""
    kids: list[int] = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                kids.append(int(d.name))
    return kids


def test_ctrl_c_while_charts_are_drawn_leaves_no_process(tmp_path):
    """SIGINT once both workers exist (the second is forked after the imports): exit 130,
    the workers' group is gone, nothing written."""
    code = (
        "import sys; from lca.outputs import chart_workers as c; c.cores_idle = lambda: True; "
        "from lca.cli.app import main; sys.argv[0] = 'vlca'; main()"
    )
    cmd = [sys.executable, "-c", code, "run", str(BEV), "-o", str(tmp_path / "o")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    leader = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        kids = _group_members(proc.pid)
        if kids and _group_members(kids[0]):  # the first worker has forked the second
            leader = kids[0]
            break
        time.sleep(0.005)
    assert leader, "the workers were never both running"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert gone(leader)
    assert not (tmp_path / "o").exists()


def test_early_workers_are_the_commands_and_unused_ones_stop():
    chart_workers.start_early()
    early = list(chart_workers._early)
    assert len(early) == 1 and early[0].pid
    taken = chart_workers.for_command(True)
    assert taken is early[0] and not chart_workers._early
    with taken as workers:  # entered once more by the command: the same processes
        assert workers.pid == early[0].pid
        pid = workers.pid
    assert gone(pid)
    chart_workers.start_early()
    pid = chart_workers._early[0].pid
    none = chart_workers.for_command(False)  # --no-charts after all: the early ones stop
    assert not chart_workers._early and none.pid == 0
    assert gone(pid)


def _console(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``vlca ARGS`` through the console-script entry point (lca.cli.main), workers allowed."""
    code = (
        "import sys; from lca.outputs import chart_workers as c; c.cores_idle = lambda: True\n"
        "start = c.start_early\n"
        "def early():\n"
        "    start(); sys.stderr.write(f'EARLY {c._early[0].pid}\\n'); sys.stderr.flush()\n"
        "c.start_early = early\n"
        "import lca.cli; sys.argv[0] = 'vlca'; lca.cli.main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, cwd=cwd, timeout=120
    )


def test_console_script_run_gives_the_charts_drawn_here(tmp_path):
    _, here = drawn_here(BEV, tmp_path / "o" / "charts")
    proc = _console(["run", str(BEV), "-o", str(tmp_path / "o"), "--quiet"], ROOT)
    assert proc.returncode == 0, proc.stderr
    written = {p: p.read_bytes() for p in sorted((tmp_path / "o" / "charts").iterdir())}
    assert written == dict(sorted(here.items()))


def test_console_script_run_of_a_bad_file_stops_its_early_workers(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("vehicle: [\n")
    t0 = time.monotonic()
    proc = _console(["run", str(bad), "-o", str(tmp_path / "o")], ROOT)
    assert proc.returncode == 2, proc.stderr
    assert b"Traceback" not in proc.stderr and b"bad.yaml" in proc.stderr + proc.stdout
    assert time.monotonic() - t0 < 30
    assert not (tmp_path / "o").exists()
    pid = int(proc.stderr.split(b"EARLY ")[1].split()[0])
    assert gone(pid)


def test_console_script_forks_early_only_for_charts_of_run(tmp_path):
    for args in (["run", str(BEV), "--no-charts", "-o", str(tmp_path / "o")], ["run", "--help"],
                 ["validate", str(BEV)]):
        proc = _console(args, ROOT)
        assert proc.returncode == 0, proc.stderr
        assert b"EARLY" not in proc.stderr
