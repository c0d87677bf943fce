"""A sweep's files: the variant table as CSV rows (the columns of comparison.csv) and Parquet,
and a heatmap of g CO2e/km over the two most influential axes (mean over the other axes)."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from lca.analysis.sweep_table import SweepTable, influence
from lca.model.exchanges import STAGES


def _num(v: float) -> str:
    return "" if v != v else repr(float(v))  # NaN -> empty, as comparison.csv


def csv_rows(t: SweepTable) -> str:
    """The variants as comparison.csv rows (no header; append to comparison_csv's text)."""
    s = t.sweep
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names, pt = s.names(), t.powertrains()
    cols = [
        s.distance_km,
        s.total,
        s.per_km,
        *(s.stages[k] for k in range(len(STAGES))),
        t.difference,
        t.difference_percent,
        s.location_total,
        t.break_even_km,
    ]
    numbers = np.column_stack(cols).tolist()
    w.writerows(
        [name, p, *(_num(v) for v in row)] for name, p, row in zip(names, pt, numbers, strict=True)
    )
    return buf.getvalue()


def parquet_bytes(t: SweepTable) -> bytes:
    """The variant table as Parquet: name, one label column per axis, the figures."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    s = t.sweep
    arrays: dict[str, Any] = {"name": pa.array(s.names(), type=pa.string())}
    for k, ax in enumerate(s.axes):
        arrays[f"axis:{ax.dotted}"] = pa.DictionaryArray.from_arrays(
            pa.array(s.index[:, k]), pa.array(list(ax.labels), type=pa.string())
        )
    arrays["powertrain"] = pa.array(list(t.powertrains()), type=pa.string())
    arrays["lifetime_distance_km"] = s.distance_km
    arrays["total_kg_co2e"] = s.total
    arrays["per_km_g_co2e"] = s.per_km
    for k, st in enumerate(STAGES):
        arrays[f"{st}_kg_co2e"] = s.stages[k]
    arrays["difference_to_baseline_kg_co2e"] = t.difference
    arrays["difference_to_baseline_percent"] = t.difference_percent
    arrays["location_based_total_kg_co2e"] = s.location_total
    arrays["break_even_km"] = t.break_even_km
    table = pa.table(arrays)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def heatmap(t: SweepTable):  # noqa: ANN201
    """Mean g CO2e/km over the two most influential axes (one axis: a bar row)."""
    import matplotlib.pyplot as plt

    s = t.sweep
    order = [a["axis"] for a in influence(s)]
    pos = {ax.dotted: k for k, ax in enumerate(s.axes)}
    ky = pos[order[0]]
    kx = pos[order[1]] if len(order) > 1 else None
    ny = len(s.axes[ky])
    nx = len(s.axes[kx]) if kx is not None else 1
    cell = s.index[:, ky].astype(np.int64) * nx + (s.index[:, kx] if kx is not None else 0)
    sums = np.bincount(cell, weights=s.per_km, minlength=ny * nx)
    counts = np.bincount(cell, minlength=ny * nx)
    grid = (sums / np.maximum(counts, 1)).reshape(ny, nx)
    fig, axm = plt.subplots(figsize=(min(5 + 0.5 * nx, 12), min(3 + 0.35 * ny, 10)))
    im = axm.imshow(grid, aspect="auto", cmap="viridis", origin="lower", interpolation="nearest")
    fig.colorbar(im, ax=axm, label="g CO2e/km")
    _ticks(axm.set_yticks, axm.set_yticklabels, s.axes[ky].labels)
    axm.set_ylabel(s.axes[ky].dotted)
    if kx is not None:
        _ticks(axm.set_xticks, axm.set_xticklabels, s.axes[kx].labels, rotation=45, ha="right")
        axm.set_xlabel(s.axes[kx].dotted)
    else:
        axm.set_xticks([])
    if nx * ny <= 100:
        for i in range(ny):
            for j in range(nx):
                axm.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", color="w", fontsize=8)
    others = "" if len(s.axes) <= 2 else ", mean over the other axes"
    axm.set_title(
        f"{s.grid.name}: {s.count:,} variants, g CO2e/km{others}", loc="left", fontsize=10
    )
    fig.tight_layout()
    return fig


def _ticks(set_ticks, set_labels, labels: tuple[str, ...], **kw: Any) -> None:  # noqa: ANN001
    """At most ~12 labelled ticks."""
    step = max(1, -(-len(labels) // 12))
    idx = list(range(0, len(labels), step))
    set_ticks(idx)
    set_labels([labels[i] for i in idx], fontsize=7, **kw)
