"""Streamed Monte Carlo: the statistics of the kept run, in constant memory."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from lca.analysis import uncertainty_stream as ust
from lca.calc import montecarlo as mc
from lca.calc.stream import Accumulator, stream
from lca.cli.app import app
from lca.inputs.loader import load_input
from lca.model.system import build_system

from .conftest import ROOT

FILE = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"


@pytest.fixture(scope="module")
def model(bundled_db):
    loaded = load_input(FILE)
    return mc.compile_model(build_system(loaded, bundled_db), loaded.sources.error)


def test_accumulator_matches_numpy_on_known_values():
    rng = np.random.default_rng(3)
    v = rng.lognormal(3.0, 0.4, 200_001)
    acc = Accumulator(v[:1000])
    for part in np.array_split(v, 7):
        acc.add(part)
    s = acc.summary()
    assert s["mean"] == pytest.approx(v.mean(), rel=1e-12)
    assert s["sd"] == pytest.approx(v.std(ddof=1), rel=1e-9)
    for key, q in (("p2_5", 2.5), ("p50", 50), ("p97_5", 97.5)):
        assert abs(s[key] - np.percentile(v, q)) <= acc.width
    assert acc.min == v.min() and acc.max == v.max()


def test_values_beyond_the_pilot_range_are_counted_not_lost():
    v = np.arange(1000.0)
    acc = Accumulator(np.array([499.0, 501.0]))  # range 497-503
    acc.add(v)
    assert (acc.under, acc.over, acc.n) == (497, 497, 1000)
    assert acc.percentile(0) == 0.0 and acc.percentile(100) == 999.0
    assert abs(acc.percentile(50) - 499.5) <= acc.width


def test_stream_equals_the_kept_run(model, tmp_path):
    n = 300_000
    full = mc.run(model, n, 11)
    out = tmp_path / "totals.npy"
    s = stream(model, n, 11, float(full.total.mean()), keep=5000, samples_out=out)
    assert np.array_equal(np.load(out), full.total)
    assert np.array_equal(s.kept.total, full.total[:5000])
    ref = mc.summary(full.total)
    got = s.total.summary()
    assert got["mean"] == pytest.approx(ref["mean"], rel=1e-12)
    assert got["sd"] == pytest.approx(ref["sd"], rel=1e-9)
    for key in ("p2_5", "p5", "p25", "p50", "p75", "p95", "p97_5"):
        assert abs(got[key] - ref[key]) <= s.total.width
    assert s.above == int(np.sum(full.total > full.total.mean()))


def test_cli_streams_large_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(ust, "STREAM_FROM", 50_000)
    res = CliRunner().invoke(
        app,
        [
            "uncertainty",
            str(FILE),
            "-n",
            "60000",
            "-o",
            str(tmp_path),
            "--quiet",
            "--samples-out",
            str(tmp_path / "s.npy"),
        ],
    )
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "uncertainty.json").read_text())
    assert report["n"] == 60000 and "streamed" in report["engine"]
    assert np.load(tmp_path / "s.npy").shape == (60000,)
    assert not list(tmp_path.glob("*.part"))
