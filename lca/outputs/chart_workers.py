"""The charts of ``vlca run`` drawn in worker processes while the footprint is calculated.

Importing matplotlib and drawing four charts (PNG and SVG each) costs about a second in one
process. :class:`ChartWorkers` starts its workers at once, so they import matplotlib and load
the fonts while the caller calculates; the charts are then drawn in parallel. Workers fork from
a ``forkserver`` that has imported the chart modules, so the imports happen once. The bytes are
the same as drawn in this process (:func:`lca.outputs.chartstyle.figure_files`). On a busy
machine (:func:`cores_idle`), or if no worker process can be started (or one dies), the charts
are drawn here instead: same files.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

WORKERS = 2  # the machine this targets has 2 cores; more workers only add start-up
# workers cost about a second more CPU than drawing here (a second interpreter's imports): they
# pay only while a core is idle. From this 1-minute load average per core on, the charts are
# drawn in this process. Measured on 2 cores shared with other jobs (median of 5, extra seconds
# over --no-charts): load 1.6-1.8 workers +0.74, here +1.28; load 2.1-2.4 workers +2.3, here +1.8
BUSY_LOAD_PER_CORE = 1.0
# modules a worker needs, imported once in the forkserver
PRELOAD = ["lca.outputs.charts", "matplotlib.figure", "matplotlib.backends.backend_agg"]
# the order charts are handed out, slowest first, so two workers finish close together
ORDER = ("hotspots", "components", "cumulative", "stages")


def _warm() -> None:
    """Load what a first chart needs (fonts, tick and legend code, the SVG and PNG writers) in
    a fresh worker: one small bar chart drawn to bytes and dropped."""
    from lca.outputs.chartstyle import figure, figure_files, style_axes, titles

    fig = figure("a4", 1.0)
    ax = fig.add_subplot()
    ax.barh([0, 1], [1.0, 2.0], label="warm-up")
    ax.set_yticks([0, 1], ["a", "b"])
    style_axes(ax, "a4")
    titles(fig, ax, "warm-up", "warm-up", "a4")
    fig.legend(loc="outside lower center", frameon=False)
    figure_files(fig, "warm-up")


def cores_idle() -> bool:
    """Whether the machine has a core to spare for chart workers (:data:`BUSY_LOAD_PER_CORE`)."""
    import os

    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average on this system
        return True
    return load < BUSY_LOAD_PER_CORE * (os.cpu_count() or 1)


def _start_forkserver() -> None:
    """Start the forkserver (it imports :data:`PRELOAD`) with Ctrl-C ignored, so that it and the
    workers it forks leave an interrupt to this process (which stops them) instead of each
    printing a traceback. Only the main thread may change signal handlers: elsewhere the
    server starts with the handlers as they are."""
    import multiprocessing
    import signal
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        old = None
    try:
        forkserver.ensure_running()
    except Exception as e:  # noqa: BLE001 - the pool then fails to start and charts are drawn here
        log.info("forkserver not started (%s)", e)
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)


def _ready() -> bool:
    return True


def render(stem: str, result: Mapping[str, Any], folder: Path, size: str = "a4") -> dict:
    """PNG and SVG bytes of one scenario chart (``folder/stem.png|svg``)."""
    from lca.outputs.charts import SCENARIO_CHARTS
    from lca.outputs.chartstyle import figure_files

    return figure_files(SCENARIO_CHARTS[stem](result, size), folder / stem)


class ChartWorkers:
    """A pool of chart workers, started on entry (use as a context manager).

    ``files(result, folder)`` gives the chart files of a result, as :func:`render` of each
    chart; with ``enabled=False`` no process is started and nothing may be asked."""

    def __init__(self, enabled: bool = True, workers: int = WORKERS) -> None:
        self.enabled = enabled
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None

    def __enter__(self) -> ChartWorkers:
        if self.enabled and cores_idle():
            _start_forkserver()
            # the first worker waits for the forkserver's imports: start in the background
            self._starting = threading.Thread(target=self._start, name="chart-workers")
            self._starting.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._wait_started()
        if self._pool is None:
            return
        if kind is not None:  # an error or Ctrl-C: stop the workers now, not after their task
            for proc in list(getattr(self._pool, "_processes", {}).values()):
                proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def _start(self) -> None:
        import multiprocessing

        try:
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_warm)
            for _ in range(self.workers):  # workers start on demand: ask for all of them now
                self._pool.submit(_ready)
        except Exception as e:  # noqa: BLE001 - no worker processes here: draw in-process
            log.info("chart workers not started (%s); charts are drawn in this process", e)
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _wait_started(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None

    def files(self, results: list[tuple[Mapping[str, Any], Path]]) -> dict[Path, bytes]:
        """The chart files of each ``(result dictionary, folder)``, in the order of
        :data:`lca.outputs.charts.SCENARIO_CHARTS` within a folder."""
        from lca.outputs.charts import SCENARIO_CHARTS

        tasks = [(stem, r, folder) for r, folder in results for stem in ORDER]
        done: dict[tuple[str, Path], dict] = {}
        self._wait_started()
        if self._pool is not None:
            try:
                futures: list[Future] = [self._pool.submit(render, *t) for t in tasks]
                for t, f in zip(tasks, futures, strict=True):
                    done[(t[0], t[2])] = f.result()
            except (BrokenProcessPool, OSError) as e:
                log.info("chart workers failed (%s); charts are drawn in this process", e)
                done.clear()
        for t in tasks:
            if (t[0], t[2]) not in done:
                done[(t[0], t[2])] = render(*t)
        out: dict[Path, bytes] = {}
        for _, folder in results:
            for stem in SCENARIO_CHARTS:
                out.update(done[(stem, folder)])
        return out
