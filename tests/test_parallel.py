"""Forked helpers: scenarios on worker processes (lca.analysis.parallel) and the chart worker
(lca.cli.chart_worker) give what the serial code gives, and fail the way it fails; the
uncertainty chart's vectorised violin densities equal matplotlib's."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from lca.analysis.parallel import fork_map, workers_for
from lca.cli.chart_worker import ChartWorker, _files
from lca.errors import InputError


def _square_or_fail(i: int) -> tuple[int, int]:
    if i == 3:
        raise InputError("item 3 is bad", file=Path("x.yaml"))
    return i, os.getpid()


def test_fork_map_keeps_order_and_uses_workers():
    got = fork_map(lambda i: (i * i, os.getpid()), 6, workers=2)
    assert [v for v, _ in got] == [i * i for i in range(6)]
    assert got[0][1] == os.getpid()  # the first here (warming imports and caches)
    assert os.getpid() not in {pid for _, pid in got[1:]}  # the others in the workers
    assert workers_for(1) == 1


def test_fork_map_reraises_the_serial_error_here():
    done = []
    with pytest.raises(InputError, match="item 3 is bad"):
        fork_map(_square_or_fail, 6, workers=2, done=done.append)
    assert done == [0, 1, 2]


def _figure(values: np.ndarray, title: str):  # noqa: ANN202
    from lca.outputs.chartstyle import figure

    fig = figure("a4", 2.0)
    ax = fig.add_subplot()
    ax.plot(values)
    ax.set_title(title)
    return fig


def _broken(values: np.ndarray):  # noqa: ANN202
    raise RuntimeError("cannot draw")


def test_chart_worker_gives_the_bytes_drawn_here():
    args = (np.linspace(0, 1, 50) ** 2, "a chart")
    with ChartWorker() as charts:
        assert charts.pid  # forked
        charts.submit(_figure, args, Path("out/chart"))
        files = charts.result()
    assert files == _files(_figure, args, Path("out/chart"))
    assert set(files) == {Path("out/chart.png"), Path("out/chart.svg")}


def test_chart_worker_failure_is_raised_here():
    with ChartWorker() as charts, pytest.raises(RuntimeError, match="cannot draw"):
        charts.submit(_broken, (np.zeros(3),), Path("c"))
        charts.result()


def test_unused_chart_worker_exits():
    with ChartWorker() as charts:
        pid = charts.pid
    assert pid and charts.pid == 0
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_violin_density_equals_matplotlib(dtype):
    from matplotlib import cbook

    from lca.outputs.uncertainty_charts import _violin_stats

    rng = np.random.default_rng(5)
    data = [(rng.lognormal(0, 0.3, 3000) / 1000).astype(dtype) for _ in range(3)]
    data.append(np.full(10, 2.0, dtype=dtype))  # a constant stage
    expected = cbook.violin_stats(data, ("GaussianKDE", None), points=100)
    got = _violin_stats(data)
    for e, g in zip(expected, got, strict=True):
        assert g["vals"].dtype == e["vals"].dtype
        assert np.array_equal(g["vals"], e["vals"])
        assert np.array_equal(g["coords"], e["coords"])


def test_violin_samples_sent_are_the_ones_drawn():
    from lca.cli import uncertainty as cli
    from lca.outputs import uncertainty_charts

    assert cli.VIOLIN_SAMPLES == uncertainty_charts.VIOLIN_SAMPLES


@pytest.mark.parametrize("n", [2, 7, 1001, 100_000])
def test_chart_percentiles_are_the_summary_ones(n):
    from lca.calc.montecarlo import summary
    from lca.cli.uncertainty import CHART_PERCENTILES, chart_percentiles

    x = np.random.default_rng(n).lognormal(10, 0.3, n)
    s = summary(x)
    assert chart_percentiles(x) == {k: s[k] for k in CHART_PERCENTILES}


def test_chart_helper_draws_without_importing_the_calculation():
    """The helper forks before the model is loaded: importing lca.calc.montecarlo for the
    chart would cost it a third of a second after the samples are drawn."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from lca.cli.uncertainty import distribution_figure\n"
        "x = np.random.default_rng(0).lognormal(10, 0.2, (3, 500))\n"
        "distribution_figure('t', x.sum(0), x.astype(np.float32), ('materials', 'use', "
        "'end_of_life'), 3e4, None, None)\n"
        "print('lca.calc.montecarlo' in sys.modules, 'lca.calc.compile' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
