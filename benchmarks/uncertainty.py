"""Benchmark of the uncertainty engine (not a test): ``python benchmarks/uncertainty.py``.

On the reference electric car (scenarios/compact-suv-bev-eu.yaml) with every uncertain input
varying: our engine for 10^6 samples, bw2calc for 10^3 samples (the same presampled values, fed
through the exported datapackage with ``use_arrays=True``), their samples/s and ratio, peak memory
of a 10^7-sample run, and the wall time of a Sobol analysis (first and total order, N = 8192).
Writes benchmarks/results-uncertainty.json (benchmarks/bench.py writes results.json). Targets
(issue 4, 2-core machine): 10^6 samples <= 1.5 s; >= 500x bw2calc's samples/s; 10^7 samples
<= 1 GB peak memory; Sobol N = 8192 <= 15 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lca.analysis import uncertainty as unc  # noqa: E402
from lca.calc import montecarlo as mc  # noqa: E402
from lca.calc.engine import brightway_sample_scores  # noqa: E402
from lca.inputs.loader import load_input  # noqa: E402
from lca.model.background import load_background  # noqa: E402
from lca.model.system import build_system  # noqa: E402
from lca.outputs.export import datapackage as dpx  # noqa: E402

TARGETS = {
    "engine_seconds_1e6": 1.5,
    "speed_ratio_vs_bw2calc": 500.0,
    "peak_memory_mb_1e7": 1024.0,
    "sobol_seconds_n8192": 15.0,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(ROOT / "scenarios" / "compact-suv-bev-eu.yaml"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "results-uncertainty.json"))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    loaded = load_input(args.file)
    system = build_system(loaded, load_background())
    model = mc.compile_model(system, loaded.sources.error)
    print(f"{system.name}: {len(model.inputs)} uncertain inputs, {len(system.exchanges)} exchanges")
    mc.run(model, 10_000, args.seed)  # warm-up (imports, thread pool)

    n1 = 10**6
    best = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = mc.run(model, n1, args.seed)
        best.append(time.perf_counter() - t0)
    t_engine = min(best)
    ours_rate = n1 / t_engine
    print(
        f"engine: 10^6 samples in {t_engine:.3f} s "
        f"(best of 3: {', '.join(f'{b:.3f}' for b in best)}) "
        f"= {ours_rate:,.0f} samples/s; mean {out.total.mean():,.0f} kg CO2e"
    )

    n_bw = 10**3
    dp = dpx.build(system, n_bw, args.seed)
    t0 = time.perf_counter()
    bw = brightway_sample_scores(dp, n_bw)
    t_bw = time.perf_counter() - t0
    bw_rate = n_bw / t_bw
    agree = float(np.max(np.abs(bw / out.total[:n_bw] - 1.0)))
    print(
        f"bw2calc: 10^3 presampled samples in {t_bw:.2f} s = {bw_rate:,.0f} samples/s; "
        f"max relative difference to our samples {agree:.1e}"
    )
    ratio = ours_rate / bw_rate
    print(f"ratio: {ratio:,.0f} x")

    n7 = 10**7
    tracemalloc.start()
    t0 = time.perf_counter()
    big = mc.run(model, n7, args.seed)
    stats = mc.summary(big.total)
    t_big = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # with forked workers (lca.calc.processes) the samples live in shared memory, which
    # tracemalloc does not see, and each worker has memory of its own. Bound: this process's
    # largest resident set (its own arrays, and the shared pages it read) plus, per worker, its
    # largest resident set less the shared pages it wrote (its share of the rows); pages a
    # worker only read from this process are counted twice, so this is an upper bound
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shared_mb = (big.total.nbytes + big.stages.nbytes + big.distance_km.nbytes) / 2**20
    workers = (os.cpu_count() or 1) if big.computed_on.endswith("processes") else 0
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if workers else 0.0
    del big
    if workers:
        peak_mb = rss_mb + workers * max(0.0, worker_mb - shared_mb / workers)
    else:
        peak_mb = peak / 2**20
    print(
        f"10^7 samples: {t_big:.1f} s, peak memory {peak_mb:,.0f} MB (at most; this process's "
        f"max RSS {rss_mb:,.0f} MB, traced {peak / 2**20:,.0f} MB, shared samples "
        f"{shared_mb:,.0f} MB, {workers} workers of at most {worker_mb:,.0f} MB RSS); "
        f"median {stats['p50']:,.0f} kg"
    )

    t0 = time.perf_counter()
    sob = unc.sobol(model, 8192, args.seed)
    t_sobol = time.perf_counter() - t0
    print(
        f"Sobol N=8192 ({sob['runs']:,} runs, {len(model.inputs)} inputs): {t_sobol:.2f} s "
        f"(model runs {sob['seconds_sampling_and_model']:.2f} s)"
    )

    results = {
        "file": os.path.relpath(args.file, ROOT),
        "uncertain_inputs": len(model.inputs),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "engine_seconds_1e6": t_engine,
        "engine_samples_per_second": ours_rate,
        "bw2calc_samples": n_bw,
        "bw2calc_seconds": t_bw,
        "bw2calc_samples_per_second": bw_rate,
        "bw2calc_mode": "presampled arrays (use_arrays=True, next(lca)), same samples as ours",
        "bw2calc_max_relative_difference": agree,
        "speed_ratio_vs_bw2calc": ratio,
        "seconds_1e7": t_big,
        "peak_memory_mb_1e7": peak_mb,
        "process_max_rss_mb": rss_mb,
        "sobol_seconds_n8192": t_sobol,
        "sobol_runs": sob["runs"],
        "targets": TARGETS,
        "met": {
            "engine_seconds_1e6": t_engine <= TARGETS["engine_seconds_1e6"],
            "speed_ratio_vs_bw2calc": ratio >= TARGETS["speed_ratio_vs_bw2calc"],
            "peak_memory_mb_1e7": peak_mb <= TARGETS["peak_memory_mb_1e7"],
            "sobol_seconds_n8192": t_sobol <= TARGETS["sobol_seconds_n8192"],
        },
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
