"""The charts of ``vlca run`` drawn in forked worker processes while the footprint is calculated.

Importing matplotlib and drawing four charts (PNG and SVG each) costs over a second in one
process. :class:`ChartWorkers` forks the command process when it is entered, at the start of
the command: the chart modules import none of the model (:mod:`lca.stages`, a light
:mod:`lca.analysis.compare`), so the child imports them and matplotlib (on the other core) while
the command imports, loads and calculates, then forks a second worker from itself (no second
import), and both wait for the result.
:meth:`ChartWorkers.submit` sends each worker its share of the charts and
:meth:`ChartWorkers.files` collects the PNG and SVG bytes of
:func:`lca.outputs.chartstyle.figure_files`: the same code as drawing here, so the same files.
On a busy machine (:func:`cores_idle`), where the platform cannot fork, or where a worker fails
in any way, the charts are drawn in the command's own process.

The workers run in their own process group: Ctrl-C in a terminal reaches only the command,
which then stops the group (:meth:`ChartWorkers.__exit__`); a worker whose command is gone
reads the end of its request pipe and exits.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

WORKERS = 2  # the machine this targets has 2 cores; the command itself only waits meanwhile
# the workers cost about the CPU time of drawing here (they import only the charts), so they
# lose only to scheduling on a machine with no core to spare: from this 1-minute load average
# per core on, the charts are drawn in the command's process. Measured on 2 cores shared with
# other jobs (vlca run of the reference BEV, median of 5 wall, workers against in-process):
# load 2.1-2.8 2.72 s / 1.97 s, load 2.4-2.8 2.10 s / 2.24 s, load 1.6-3.2 2.12 s / 2.42 s
BUSY_LOAD_PER_CORE = 1.5
# what the first worker imports while the command calculates
PRELOAD = (
    "lca.outputs.charts",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "PIL.PngImagePlugin",
)
# the charts of each worker: about the same drawing time each (hotspots is the slowest)
SHARES = (("hotspots", "stages"), ("components", "cumulative"))
# set to anything to draw every chart in the command's own process
NO_WORKERS_ENV = "VLCA_NO_CHART_WORKERS"

Task = tuple[str, Mapping[str, Any], Path]  # (chart stem, result dictionary, folder)


def cores_idle() -> bool:
    """Whether the machine has a core to spare for chart workers (:data:`BUSY_LOAD_PER_CORE`)."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average on this system
        return True
    return load < BUSY_LOAD_PER_CORE * (os.cpu_count() or 1)


def render(stem: str, result: Mapping[str, Any], folder: Path, size: str = "a4") -> dict:
    """PNG and SVG bytes of one scenario chart (``folder/stem.png|svg``)."""
    from lca.outputs.charts import SCENARIO_CHARTS
    from lca.outputs.chartstyle import figure_files

    return figure_files(SCENARIO_CHARTS[stem](result, size), folder / stem)


def _read(fd: int) -> Any:
    with os.fdopen(fd, "rb") as f:
        return pickle.load(f)


def _write(fd: int, obj: Any) -> None:
    with os.fdopen(fd, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def _serve(req: int, res: int) -> None:
    """One worker: read a list of tasks, answer ``{(stem, folder): files}`` (or the error)."""
    try:
        tasks: list[Task] = _read(req)
    except EOFError:  # the command ended without charts (an input error, an interrupt)
        return
    try:
        answer: tuple[bool, Any] = (True, {(s, f): render(s, r, f) for s, r, f in tasks})
    except BaseException as exc:  # noqa: BLE001 - the command draws them itself
        answer = (False, repr(exc))
    _write(res, answer)


def _first_worker(pipes: list[tuple[int, int]], mine: list[int]) -> None:
    """The forked child: import the chart modules, fork the other workers, serve the first
    pipe pair, reap the workers it forked. Closes every fd of ``mine`` it does not use."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command stops the group
    os.setpgid(0, 0)
    for fd in mine:
        os.close(fd)
    for name in PRELOAD:
        importlib.import_module(name)
    kids = []
    for k in range(1, len(pipes)):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                for j, pair in enumerate(pipes):
                    if j != k:
                        os.close(pair[0])
                        os.close(pair[1])
                _serve(*pipes[k])
            except BaseException:  # noqa: BLE001 - the command draws these itself
                code = 1
            finally:
                os._exit(code)
        kids.append(pid)
        os.close(pipes[k][0])
        os.close(pipes[k][1])
    try:
        _serve(*pipes[0])
    finally:
        for pid in kids:
            os.waitpid(pid, 0)


_early: list[ChartWorkers] = []  # the workers start_early() forked, until a command takes them


def start_early() -> None:
    """Fork the workers now, at the very start of ``vlca run`` (before the command line's own
    imports, a tenth of a second): they then import matplotlib while the command imports,
    loads and calculates. :func:`for_command` hands them to the command; unused (the command
    line turned out to be wrong, ``--help``), they are told to exit when this process exits."""
    import atexit

    workers = ChartWorkers()
    workers.__enter__()
    if workers.pid:
        _early.append(workers)
        atexit.register(_drop_early)


def _drop_early() -> None:
    while _early:
        _early.pop().stop()


def for_command(enabled: bool) -> ChartWorkers:
    """The command's chart workers (a context manager): those :func:`start_early` forked when
    charts are wanted, else new ones (or none, with ``enabled`` false)."""
    if _early and enabled:
        return _early.pop()
    _drop_early()
    return ChartWorkers(enabled=enabled)


class ChartWorkers:
    """Forked chart workers, started on entry (use as a context manager).

    ``files(results)`` gives the chart files of each result, as :func:`render` of each chart;
    with ``enabled=False`` no process is started and nothing may be asked."""

    def __init__(self, enabled: bool = True, workers: int = WORKERS) -> None:
        self.enabled = enabled
        self.workers = max(0, min(workers, len(SHARES)))
        self.pid = 0  # the first worker (the leader of the workers' process group)
        self._send: list[int] = []  # the command's ends: requests to each worker
        self._recv: list[int] = []  # answers from each worker
        self._sent = [False] * self.workers  # which workers were given their share
        self._asked: list | None = None  # what submit() sent
        self._sender: Any = None  # the thread sending the requests

    def __enter__(self) -> ChartWorkers:
        if self.pid:  # started early (start_early): entered once more by the command
            return self
        if not (self.enabled and self.workers and hasattr(os, "fork")):
            return self
        if os.environ.get(NO_WORKERS_ENV) or not cores_idle():
            return self
        child: list[tuple[int, int]] = []  # (request read, answer write) of each worker
        for _ in range(self.workers):
            req_r, req_w = os.pipe()
            res_r, res_w = os.pipe()
            child.append((req_r, res_w))
            self._send.append(req_w)
            self._recv.append(res_r)
        try:
            pid = os.fork()
        except OSError as e:
            log.info("chart workers not started (%s); charts are drawn in this process", e)
            self._close([fd for pair in child for fd in pair])
            self._close_own()
            return self
        if pid == 0:  # the first worker: never returns into the command
            code = 0
            try:
                _first_worker(child, self._send + self._recv)
            except BaseException:  # noqa: BLE001 - the command draws the charts itself
                code = 1
            finally:
                os._exit(code)
        self.pid = pid
        try:  # also here: the group must exist before __exit__ may stop it
            os.setpgid(pid, pid)
        except OSError:
            pass
        self._close([fd for pair in child for fd in pair])
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None and self._sender is not None:
            self._sender.join()
        if kind is not None:  # an error or Ctrl-C: stop the workers now, not after their charts
            self.stop()
            return
        self._close_own()  # idle workers read the end of their requests and exit
        if self.pid:
            self._reap()

    def stop(self) -> None:
        """Stop the workers at once (whatever they are doing) and wait for them."""
        self._close_own()
        if not self.pid:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._reap()

    def _reap(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = 0

    @staticmethod
    def _close(fds: list[int]) -> None:
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def _close_own(self) -> None:
        self._close(self._send + self._recv)
        self._send, self._recv = [], []

    def submit(self, results: list[tuple[Mapping[str, Any], Path]]) -> None:
        """Send each worker its share of the charts of ``(result dictionary, folder)`` pairs, on
        a thread (a worker still importing reads later): the command meanwhile goes on."""
        import threading

        self._asked = results
        if not self._send:  # no workers: files() draws every chart here
            return
        shares: list[list[Task]] = [[] for _ in SHARES]
        for r, folder in results:
            for k, stems in enumerate(SHARES):
                shares[k % max(len(self._send), 1)] += [(s, r, folder) for s in stems]
        send, self._send = self._send, []  # each fd is closed once, by _write or here
        self._sender = threading.Thread(target=self._send_all, args=(send, shares), daemon=True)
        self._sender.start()

    def _send_all(self, send: list[int], shares: list[list[Task]]) -> None:
        for k, fd in enumerate(send):
            if not shares[k]:  # a worker given nothing exits
                self._close([fd])
                continue
            try:
                _write(fd, shares[k])
                self._sent[k] = True
            except OSError as e:  # the worker is gone
                log.info("a chart worker is gone (%s); its charts are drawn here", e)

    def files(self, results: list[tuple[Mapping[str, Any], Path]]) -> dict[Path, bytes]:
        """The chart files of each ``(result dictionary, folder)``, in the order of
        :data:`lca.outputs.charts.SCENARIO_CHARTS` within a folder (sent now unless
        :meth:`submit` sent these already)."""
        from lca.outputs.charts import SCENARIO_CHARTS

        if self._asked is not results:
            self.submit(results)
        done = self._collect()
        out: dict[Path, bytes] = {}
        for r, folder in results:
            for stem in SCENARIO_CHARTS:
                key = (stem, folder)
                out.update(done[key] if key in done else render(stem, r, folder))
        return out

    def _collect(self) -> dict[tuple[str, Path], dict]:
        """What the workers drew, ``{(stem, folder): files}`` (nothing from a failed one)."""
        if self._sender is not None:
            self._sender.join()
            self._sender = None
        done: dict[tuple[str, Path], dict] = {}
        recv, self._recv = self._recv, []  # each fd is closed once, by _read or here
        for k, fd in enumerate(recv):
            if not self._sent[k]:
                self._close([fd])
                continue
            try:
                answer = _read(fd)
            except (EOFError, OSError, pickle.UnpicklingError) as e:
                answer = (False, repr(e))
            except BaseException:  # Ctrl-C while waiting: the answers not read are dropped
                self._close(recv[k + 1 :])
                raise
            if answer[0]:
                done.update(answer[1])
            else:
                log.info("a chart worker failed (%s); its charts are drawn here", answer[1])
        return done
