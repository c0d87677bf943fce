"""Monte Carlo reports in constant memory (10^7 samples and more): the report of
:func:`lca.analysis.uncertainty.monte_carlo_report` from statistics accumulated chunk by chunk
(:mod:`lca.calc.stream`). kg CO2e, g CO2e/km, km."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from lca.analysis.uncertainty import describe_input, report_head
from lca.calc.montecarlo import Model, evaluate
from lca.calc.sampling import SAMPLING, deterministic_row

#: from this many samples on, the CLI streams (statistics accumulated chunk by chunk)
STREAM_FROM = 10_000_000


def monte_carlo_report_streamed(
    model: Model,
    n: int,
    seed: int,
    *,
    progress: Callable[[int], None] | None = None,
    samples_out: Any = None,
    keep: int = 1_000_000,
) -> tuple[dict[str, Any], Any]:
    """Like :func:`monte_carlo_report` in constant memory (see :mod:`lca.calc.stream`): the
    report, and the first ``keep`` samples (for the chart)."""
    from lca.calc.stream import stream

    det = evaluate(model, deterministic_row(model.inputs))
    t0 = time.perf_counter()
    s = stream(
        model, n, seed, float(det.total[0]), keep=keep, samples_out=samples_out, progress=progress
    )
    seconds = time.perf_counter() - t0
    sd = s.total.summary()["sd"]
    report: dict[str, Any] = {
        **report_head(model, n, seed, det),
        "total_kg_co2e": s.total.summary(),
        "per_km_g_co2e": s.per_km.summary(),
        "stages_kg_co2e": {st: s.stages[i].summary() for i, st in enumerate(model.stages)},
        "lifetime_distance_km": s.distance_km.summary(),
        "probability_above_deterministic": s.above / n,
        "monte_carlo_standard_error_kg_co2e": sd / np.sqrt(n),
        "inputs": [describe_input(i) for i in model.inputs],
        "engine": {
            "seconds": seconds,
            "samples_per_second": n / seconds if seconds > 0 else None,
            "scheduler": "local threads, streamed",
            "streamed": {
                "percentiles": "from fixed-width histograms accumulated chunk by chunk, to one "
                "bin width",
                "bin_width": s.resolution(),
                "chart_samples": int(s.kept.total.size),
            },
            "sampling": SAMPLING,
        },
    }
    return report, s.kept
