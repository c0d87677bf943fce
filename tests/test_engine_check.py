"""The bw2calc cross-check: a tolerance that scales with the magnitudes, and a located failure."""

from __future__ import annotations

import numpy as np
import pytest

from lca.calc import engine
from lca.errors import CalculationError
from lca.inputs.loader import load_input
from lca.model.system import build_system

from .conftest import TINY_EV


@pytest.fixture
def system(tiny_db):
    return build_system(load_input(TINY_EV), tiny_db)


def test_tolerance_scales_with_the_magnitudes():
    assert engine.agreement_tolerance(np.array([0.5])) == pytest.approx(1e-9)
    big = np.array([1e12, -1e12 + 5.0])  # a large cancelling sum
    assert engine.agreement_tolerance(big) == pytest.approx(2e3)


def test_a_disagreement_names_the_largest_exchange(system, monkeypatch):
    monkeypatch.setenv("VLCA_NO_CACHE", "1")  # bw2calc itself, not a remembered result
    real = engine.bw2calc_scores

    def off(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        scores = real(*args, **kwargs)
        return [scores[0] * (1 + 1e-6), *scores[1:]]

    monkeypatch.setattr(engine, "bw2calc_scores", off)
    with pytest.raises(CalculationError) as exc:
        engine.calculate(system)
    calc_free = [ex for ex in system.exchanges if not ex.credit]
    assert "disagree on the total" in str(exc.value)
    assert "the largest exchange is" in str(exc.value)
    assert any(ex.label in str(exc.value) for ex in calc_free)


def test_agreement_within_the_tolerance_passes(system, monkeypatch):
    monkeypatch.setenv("VLCA_NO_CACHE", "1")
    real = engine.bw2calc_scores

    def nudged(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        scores = real(*args, **kwargs)
        return [scores[0] * (1 + 1e-12), *scores[1:]]

    monkeypatch.setattr(engine, "bw2calc_scores", nudged)
    assert engine.calculate(system).total > 0
