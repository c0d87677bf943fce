"""The ``vlca`` command line (typer; the commands are in :mod:`lca.cli.app` and the modules
it imports).

Before anything imports numpy, one BLAS thread is asked for (unless the user set
``OPENBLAS_NUM_THREADS``): the tool's matrices are small, and OpenBLAS's extra threads spin while
waiting, taking about 0.25 CPU-s per command from the chart workers and the sampling threads
on a 2-core machine. This package imports nothing else: :func:`main`, the console script, forks
the chart workers of ``vlca run`` before the command line's own imports.
"""

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

#: options after ``vlca run`` that mean no chart will be drawn (the workers are not forked early)
NO_CHART_OPTIONS = frozenset({"--no-charts", "--help"})


def main() -> None:
    """Console-script entry point (``vlca``): ``lca.cli.app.main``, with the chart workers of
    ``vlca run`` forked first (:func:`lca.outputs.chart_workers.start_early`)."""
    if sys.argv[1:2] == ["run"] and not NO_CHART_OPTIONS & set(sys.argv[2:]):
        from lca.outputs.chart_workers import start_early

        start_early()
    from lca.cli.app import main as run_app

    run_app()


__all__ = ["main"]
