"""bw2calc's scores remembered by the exact matrices they were computed from.

The key is the SHA-256 of every array of the datapackage bw2calc solves (technosphere and
biosphere indices, data and flip, characterisation indices and data, each with its dtype and
shape), the demanded nodes, the cache format and the bw2calc and numpy versions. A hit means
bw2calc solved these very matrices before, so its scores are reused without importing bw2calc;
the numpy engine is computed and compared afresh every run, so a cached check fails exactly
when a fresh one would. Entries live in the user's cache folder
(:func:`lca.model.background_cache.folder`: ``VLCA_CACHE_DIR``, off with ``VLCA_NO_CACHE=1``);
one that cannot be read, holds another key or a wrong number of scores is ignored and
replaced. Writes are atomic (temporary file and rename); the newest :data:`MAX_ENTRIES` are
kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from lca.calc.matrices import Entries
from lca.model import background_cache

FORMAT = "1"
MAX_ENTRIES = 2000  # the oldest entries beyond this are removed when one is written


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Versions of the check's engine, read from the installed packages' metadata (no import
    of bw2calc or bw_processing)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("bw2calc", "bw_processing"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    out["numpy"] = np.__version__
    return out


@dataclass(frozen=True)
class Check:
    """How bw2calc's scores of one evaluation were obtained."""

    sha256: str  # of the matrices, demands and versions (the cache key)
    computed_utc: str  # when bw2calc computed them
    cached: bool  # True: reused from the cache, not computed by this run
    nodes: int  # demanded nodes (alternatives' roots and credits)

    def describe(self) -> str:
        v = versions()
        if not self.cached:
            return f"bw2calc {v['bw2calc']}, computed now"
        return (
            f"bw2calc {v['bw2calc']} result for identical matrices, sha256 {self.sha256}, "
            f"cached {self.computed_utc}"
        )


def key(ent: Entries, demands: Sequence[int]) -> str:
    """SHA-256 of the exact datapackage arrays, the demands and the engines' versions."""
    v = versions()
    h = hashlib.sha256()
    h.update(f"vehicle-lca check {FORMAT}\0bw2calc {v['bw2calc']}\0numpy {v['numpy']}\0".encode())
    arrays = {
        "technosphere.rows": ent.tech_rows,
        "technosphere.cols": ent.tech_cols,
        "technosphere.data": ent.tech_data,
        "technosphere.flip": ent.tech_flip,
        "biosphere.rows": ent.bio_rows,
        "biosphere.cols": ent.bio_cols,
        "biosphere.data": ent.bio_data,
        "characterization.ids": ent.cf_ids,
        "characterization.data": ent.cf_data,
        "demands": np.asarray(demands, dtype=np.int64),
    }
    for name, arr in arrays.items():
        a = np.ascontiguousarray(arr)
        h.update(f"{name} {a.dtype.str} {a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _path(k: str) -> Path | None:
    base = background_cache.folder()
    return None if base is None else base / f"check-{k[:40]}.json"


def read(k: str, n: int) -> tuple[list[float], str] | None:
    """The cached scores (``n`` finite floats) and their computation time for key ``k``, or
    None (no entry, caching off, or an entry that is corrupt or not for this key)."""
    path = _path(k)
    if path is None or not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        scores = [float(x) for x in entry["scores"]]
        when = str(entry["computed_utc"])
        ok = entry["key"] == k and len(scores) == n and all(map(math.isfinite, scores))
        dt.datetime.fromisoformat(when)
    except Exception:  # noqa: BLE001 - corrupt or foreign: recompute
        return None
    return (scores, when) if ok else None


def write(k: str, scores: Sequence[float], when: str) -> None:
    """Store bw2calc's ``scores`` under key ``k`` (silently skipped if caching is off or the
    folder cannot be written)."""
    path = _path(k)
    if path is None:
        return
    entry = {
        "key": k,
        "scores": [float(x) for x in scores],
        "computed_utc": when,
        **{f"{name}_version": ver for name, ver in versions().items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".check-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Keep the newest :data:`MAX_ENTRIES` check entries (a sweep or the web app writes one
    per distinct system; each is small, but they need not pile up forever)."""
    entries = list(folder.glob("check-*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    dated = []
    for p in entries:
        try:
            dated.append((p.stat().st_mtime, p))
        except OSError:
            continue
    for _, p in sorted(dated)[: len(dated) - MAX_ENTRIES]:
        p.unlink(missing_ok=True)


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
