"""Fuzz the loader and the whole run with N mutated inputs; write a summary JSON.

    python tests/fuzz/run_fuzz.py [-n 100000] [--workers 2] [--time-limit 20] [--seed 0]
                                  [--summary fuzz-summary.json]

Case ``i`` is built from seed ``seed + i`` only (tests/fuzz/mutate.py), in process, by worker
processes; a case running longer than ``--time-limit`` seconds is a hang: its worker is killed
and restarted after it. A crash is any exception other than our InputError (exit 2). The summary
lists counts (cases, clean errors, successes, crashes, hangs) and examples of each crash kind,
with the seed that rebuilds the case: ``python tests/fuzz/run_fuzz.py --replay SEED``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import multiprocessing.connection
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.mutate import describe, make_case, run_case, unlocated, warm_up  # noqa: E402


def _worker(seeds: list[int], progress, current, conn) -> None:  # noqa: ANN001
    os.environ.setdefault("MPLBACKEND", "Agg")
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="vlca-fuzz-", dir=shm if shm.is_dir() else None))
    for seed in seeds:
        current.value = seed
        try:
            case = make_case(seed)
        except Exception as exc:  # a bug of the mutator, not of the package
            conn.send((seed, "harness", {"seed": seed, "error": repr(exc)[:300]}))
            continue
        progress.value = time.monotonic()
        try:
            outcome, error = run_case(case, folder)
            info = None
            if error is not None and unlocated(error):
                outcome = "unlocated"
                info = {"seed": seed, "error": unlocated(error)[0][:300], **describe(case)}
        except Exception as exc:  # a crash: anything but our InputError
            tb = traceback.extract_tb(exc.__traceback__)
            where = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in tb[-4:]]
            info = {
                "seed": seed,
                "error": f"{type(exc).__name__}: {str(exc)[:300]}",
                "where": where,
                **describe(case),
            }
            outcome = "crash"
        progress.value = 0.0
        conn.send((seed, outcome, info))
    conn.close()


def run(n: int, workers: int, time_limit: float, seed0: int) -> dict:
    # workers are forked from here and inherit the loaded package and backgrounds
    warm_up(cache_files=True)
    ctx = mp.get_context("fork")
    pending = [list(range(seed0 + w, seed0 + n, workers)) for w in range(workers)]
    done: dict[int, tuple] = {}
    hangs: list[dict] = []
    procs: list = [None] * workers
    conns: list = [None] * workers  # one pipe per worker: a killed worker takes only its own
    progress = [ctx.Value("d", 0.0) for _ in range(workers)]
    current = [ctx.Value("q", -1) for _ in range(workers)]
    finished = [False] * workers

    def start(w: int) -> None:
        remaining = [s for s in pending[w] if s not in done]
        if not remaining:
            finished[w] = True
            return
        pending[w] = remaining
        progress[w].value = 0.0
        reader, writer = ctx.Pipe(duplex=False)
        procs[w] = ctx.Process(target=_worker, args=(remaining, progress[w], current[w], writer))
        procs[w].start()
        writer.close()
        conns[w] = reader

    def receive(w: int) -> None:
        try:
            while conns[w].poll():
                seed, outcome, info = conns[w].recv()
                done[seed] = (outcome, info)
        except (EOFError, OSError):
            pass

    for w in range(workers):
        start(w)
    t0 = time.monotonic()
    last_report = t0
    while not all(finished):
        live = [conns[w] for w in range(workers) if not finished[w]]
        mp.connection.wait(live, timeout=0.5)
        now = time.monotonic()
        for w in range(workers):
            if finished[w]:
                continue
            receive(w)
            started = progress[w].value
            if started and now - started > time_limit:
                procs[w].kill()
                procs[w].join()
                conns[w].close()
                hung = current[w].value
                case = make_case(hung)
                again = _reproduces(hung, time_limit)
                hangs.append({"seed": hung, "reproduced_alone": again, **describe(case)})
                done[hung] = ("hang" if again else "timeout_not_reproduced", None)
                start(w)
            elif not procs[w].is_alive():
                procs[w].join()
                receive(w)
                conns[w].close()
                start(w)
        if now - last_report > 60:
            last_report = now
            print(f"{len(done):,}/{n:,} cases, {now - t0:.0f} s", flush=True)
    return _summary(n, done, hangs, time.monotonic() - t0, time_limit, workers, seed0)


def _reproduces(seed: int, time_limit: float) -> bool:
    """Does case ``seed`` exceed ``time_limit`` again, alone in a fresh process?

    The package is imported first (not timed), so only the case counts.
    """
    code = (
        "import sys, time, tempfile; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from tests.fuzz.mutate import make_case, run_case, warm_up; warm_up();"
        "c = make_case(int(sys.argv[2])); print('start', flush=True); t = time.monotonic();"
        "run_case(c, Path(tempfile.mkdtemp()));"
        "sys.exit(3 if time.monotonic() - t > float(sys.argv[3]) else 0)"
    )
    args = [sys.executable, "-c", code, str(Path(__file__).resolve().parents[2]), str(seed),
            str(time_limit)]
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=time_limit + 120)
    except subprocess.TimeoutExpired:
        return True
    return proc.returncode == 3


def _summary(n, done, hangs, seconds, time_limit, workers, seed0) -> dict:  # noqa: ANN001
    counts = {"clean": 0, "success": 0, "crash": 0, "hang": 0, "unlocated": 0, "harness": 0,
              "timeout_not_reproduced": 0}
    kinds: dict[str, dict] = {}
    unlocated_examples: list[dict] = []
    for outcome, info in done.values():
        counts[outcome] += 1
        if outcome == "unlocated" and len(unlocated_examples) < 10:
            unlocated_examples.append(info)
        if outcome == "crash":
            key = info["error"].split(":")[0] + " @ " + (info["where"][-1] if info["where"] else "")
            entry = kinds.setdefault(key, {"count": 0, "examples": []})
            entry["count"] += 1
            if len(entry["examples"]) < 3:
                entry["examples"].append(info)
    return {
        "cases": len(done),
        "requested": n,
        "clean_errors": counts["clean"] + counts["unlocated"],
        "clean_errors_naming_no_file": counts["unlocated"],
        "successes": counts["success"],
        "crashes": counts["crash"],
        "hangs": counts["hang"],
        "crash_kinds": kinds,
        "hang_examples": hangs[:10],
        "unlocated_examples": unlocated_examples,
        "mutator_errors": counts["harness"],
        "timeouts_not_reproduced_alone": counts["timeout_not_reproduced"],
        "seconds": round(seconds, 1),
        "time_limit_s": time_limit,
        "workers": workers,
        "first_seed": seed0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="number of cases (default 100000)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=20.0, help="seconds per case")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first case")
    ap.add_argument("--summary", type=Path, default=Path("fuzz-summary.json"))
    ap.add_argument("--replay", type=int, help="run the case of this seed and show its outcome")
    args = ap.parse_args()
    if args.replay is not None:
        case = make_case(args.replay)
        print(json.dumps(describe(case), indent=2))
        outcome, error = run_case(case, Path(tempfile.mkdtemp(prefix="vlca-fuzz-")))
        print(outcome, error or "")
        return
    summary = run(args.n, args.workers, args.time_limit, args.seed)
    args.summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    keys = ("cases", "clean_errors", "successes", "crashes", "hangs")
    keys += ("timeouts_not_reproduced_alone",)
    brief = {k: summary[k] for k in keys}
    print(json.dumps(brief), f"in {summary['seconds']} s; summary: {args.summary}")
    sys.exit(1 if summary["crashes"] or summary["hangs"] else 0)


if __name__ == "__main__":
    main()
