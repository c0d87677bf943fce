"""Chunks on forked worker processes (lca.calc.processes): the same rows as threads and a serial
run, bit for bit; a chunk whose worker fails is computed again here, so the error is the serial
one; no worker is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

from lca.calc import chunks, processes
from lca.calc import montecarlo as mc
from lca.calc.sampling import BLOCK
from lca.errors import CalculationError
from lca.inputs.loader import load_input
from lca.model.background import load_background
from lca.model.system import build_system
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="forked workers are used on Linux only"
)


def _no_children_left() -> bool:
    """No child process of this one, running or a zombie (every worker was waited for)."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture(scope="module")
def model() -> mc.Model:
    path = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
    return mc.compile_model(build_system(load_input(path), load_background()))


@pytest.fixture
def fork_anyway(monkeypatch):
    """Forked workers even if an earlier test left a thread running (Dask's offload thread,
    idle, holds no lock): these tests are about the workers, not about when to use them."""
    monkeypatch.setattr(chunks, "can_fork", lambda n: True)


def test_forked_samples_equal_threads_and_serial(model, monkeypatch, fork_anyway) -> None:
    n = 3 * BLOCK + 123  # a partial last block
    serial = mc.run(model, n, 7, workers=1)
    forked = mc.run(model, n, 7, chunk=BLOCK)
    monkeypatch.setattr(chunks, "can_fork", lambda n: False)
    threads = mc.run(model, n, 7, chunk=BLOCK)
    for other in (forked, threads):
        assert np.array_equal(serial.total, other.total)
        assert np.array_equal(serial.stages, other.stages)
        assert np.array_equal(serial.distance_km, other.distance_km)
    assert _no_children_left()


def test_shared_memory_is_seen_by_this_process(fork_anyway) -> None:
    out = processes.shared_empty((3, 40), np.int64)
    pid = processes.shared_empty(40, np.int64)
    seen: list[int] = []

    def work(lo: int, hi: int) -> None:
        out[:, lo:hi] = np.arange(lo, hi) * np.array([[1], [2], [3]])
        pid[lo:hi] = os.getpid()

    chunks.fill_chunks(work, chunks.bounds_of(40, 7), workers=2, progress=seen.append)
    assert np.array_equal(out, np.arange(40) * np.array([[1], [2], [3]]))
    assert os.getpid() not in set(pid.tolist())  # computed by the workers
    assert sorted(seen) == sorted(hi - lo for lo, hi in chunks.bounds_of(40, 7))
    assert _no_children_left()


def test_a_failing_chunk_raises_the_serial_error_here() -> None:
    out = processes.shared_empty(100, np.float64)
    where: list[int] = []

    def work(lo: int, hi: int) -> None:
        where.append(os.getpid())
        if lo == 50:
            raise CalculationError("chunk 50 gives a non-finite footprint")
        out[lo:hi] = 1.0

    with pytest.raises(CalculationError, match="chunk 50"):
        processes.fill_forked(work, chunks.bounds_of(100, 10), 2)
    assert where == [os.getpid()]  # here, only the failed chunk (recomputed, raising)
    assert np.all(out[:50] == 1.0)
    assert _no_children_left()


def test_a_killed_worker_loses_nothing() -> None:
    out = processes.shared_empty(64, np.float64)
    parent = os.getpid()

    def work(lo: int, hi: int) -> None:
        if lo == 16 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        out[lo:hi] = np.arange(lo, hi)

    processes.fill_forked(work, chunks.bounds_of(64, 8), 2)
    assert np.array_equal(out, np.arange(64))
    assert _no_children_left()


def test_another_thread_means_threads(model) -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not processes.can_fork(4)
        pids: set[int] = set()
        chunks.fill_chunks(lambda lo, hi: pids.add(os.getpid()), chunks.bounds_of(8, 2))
        assert pids == {os.getpid()}
    finally:
        stop.set()
        t.join()


def test_non_finite_sample_error_comes_from_this_process(model, fork_anyway) -> None:
    bad = mc.Model(**{**model.__dict__, "stage_const": model.stage_const + np.inf})
    with pytest.raises(CalculationError, match="non-finite"):
        mc.run(bad, 2 * BLOCK, 0, chunk=BLOCK)
    assert _no_children_left()


def test_what_a_worker_writes_is_kept_and_not_doubled():
    code = (
        "import sys\n"
        "from lca.calc import chunks, processes\n"
        "sys.stderr.write('before ')\n"  # buffered here when the workers are forked
        "def work(lo, hi):\n"
        "    sys.stderr.write(f'[{lo}]')\n"
        "processes.fill_forked(work, chunks.bounds_of(4, 1), 2)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stderr buffered
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert proc.stderr.count("before") == 1
    assert sorted(proc.stderr.replace("before ", "").strip("[]").split("][")) == list("0123")


def test_the_command_samples_on_forked_workers(tmp_path):
    """In a fresh ``vlca uncertainty`` process (one thread) the samples come from forked
    workers, and the report says so."""
    import json

    out = tmp_path / "mc"
    proc = subprocess.run(
        [sys.executable, "-m", "lca.cli", "uncertainty", str(ROOT / "scenarios" /
         "compact-suv-bev-eu.yaml"), "-n", str(8 * BLOCK + 1), "-o", str(out), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, proc.stderr
    engine = json.loads((out / "uncertainty.json").read_text())["engine"]
    assert engine["scheduler"] == "this machine: " + chunks.FORKED


def test_more_chunks_than_one_pipe_write_run_on_threads():
    out = np.zeros(processes.MAX_CHUNKS + 1)

    def work(lo: int, hi: int) -> None:
        out[lo:hi] = 1.0

    how = chunks.fill_chunks(work, chunks.bounds_of(len(out), 1), workers=2)
    assert how == chunks.THREADS and np.all(out == 1.0)  # threads share this array
