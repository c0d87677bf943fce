"""Server-side update latencies of the workbench: ``python -m lca.web.latency`` (from the
repository folder). Medians over slider positions of ``parameters.consumption``; milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from lca.model.background import load_background
from lca.web.app import _evaluate, _uncertainty
from lca.web.workbench import Workbench


def _median_ms(fn: Callable[[int], object], n: int) -> float:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def main(n: int = 50) -> None:
    wb = Workbench([Path("scenarios"), Path("inventories/vehicles")], load_background())
    s, r = wb.default_pair()

    def body(ov: dict) -> dict:
        return {"scenario": s, "reference": r, "overrides": ov}

    def cons(i: int) -> float:
        return 15.5 + 2.5 * i / n

    _evaluate(wb, body({}))  # bw2calc imported, defaults compiled (vlca serve does this first)
    rows = [
        ("slider move, the what-if alone",
         _median_ms(lambda i: wb.evaluate(s, {"parameters.consumption": cons(i)}), n)),
        ("slider move, every figure of the page",
         _median_ms(lambda i: _evaluate(wb, body({"parameters.consumption": cons(i)})), n)),
    ]
    t = time.perf_counter()
    _evaluate(wb, body({"use.electricity.supply": "grid:PL"}))
    rows.append(("new structure (grid:PL), first time", 1000 * (time.perf_counter() - t)))
    rows.append(("slider move on the cached grid:PL structure", _median_ms(
        lambda i: _evaluate(wb, body({"use.electricity.supply": "grid:PL",
                                      "parameters.consumption": cons(i)})), n)))
    t = time.perf_counter()
    _uncertainty(wb, body({}))
    rows.append(("Monte Carlo 2 x 10^4 + tornado, first time", 1000 * (time.perf_counter() - t)))
    rows.append(("Monte Carlo 2 x 10^4 + tornado, warm", _median_ms(
        lambda i: _uncertainty(wb, body({"parameters.consumption": cons(i)})), 10)))
    for label, ms in rows:
        print(f"{label:50s} {ms:9.2f} ms")


if __name__ == "__main__":
    main()
