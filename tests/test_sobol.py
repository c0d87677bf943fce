"""The Sobol analysis (lca.analysis.sobol) gives SALib's numbers and the old design's values."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from lca.analysis import sobol as sb
from lca.calc import montecarlo as mc
from lca.calc.sampling import from_unit_hypercube
from lca.inputs.loader import load_input
from lca.model.background import load_background
from lca.model.system import build_system

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model():
    path = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
    loaded = load_input(path)
    return mc.compile_model(build_system(loaded, load_background()), loaded.sources.error)


def test_design_totals_equal_evaluating_the_whole_mapped_design(model):
    """Mapping only A and B to values, then laying out the rows chunk by chunk, gives the totals
    of mapping and evaluating the full design (bit for bit)."""
    d, n = len(model.inputs), 64
    u = sb.saltelli_design(d, n, 7)
    expected = mc.evaluate_design(model, from_unit_hypercube(model.inputs, u)).total
    old_chunk = sb.CHUNK_ROWS
    try:
        sb.CHUNK_ROWS = 5 * (d + 2)  # several chunks, one shorter
        got = sb.design_totals(model, n, 7)
    finally:
        sb.CHUNK_ROWS = old_chunk
    assert got.shape == expected.shape == (n * (d + 2),)
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("seed", [1, 12345])
def test_indices_equal_salib(model, seed):
    from SALib.analyze import sobol as analyze

    d, n = len(model.inputs), 128
    y = sb.design_totals(model, n, seed)
    problem = {"num_vars": d, "names": [i.key for i in model.inputs], "bounds": [[0, 1]] * d}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=50, conf_level=0.9, seed=seed
        )
    got = sb.sobol_indices(y, d, 50, 0.9, seed)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.array_equal(got[key], np.asarray(ref[key])), key


def test_seed_zero_is_reproducible(model):
    y = sb.design_totals(model, 32, 0)
    a, b = (
        sb.sobol_indices(y, len(model.inputs), 20, 0.95, 0),
        sb.sobol_indices(y, len(model.inputs), 20, 0.95, 0),
    )
    assert all(np.array_equal(a[k], b[k]) for k in a)
