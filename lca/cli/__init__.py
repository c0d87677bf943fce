"""The ``vlca`` command line (typer).

Before anything imports numpy, one BLAS thread is asked for (unless the user set
``OPENBLAS_NUM_THREADS``): the tool's matrices are small, and OpenBLAS's extra threads spin while
waiting, taking about 0.25 CPU-s per command from the chart workers and the sampling threads
on a 2-core machine.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from lca.cli.app import app, main  # noqa: E402

__all__ = ["app", "main"]
