"""The two engines: bw2calc (Brightway 2.5, in-memory datapackage) and the numpy path."""

from __future__ import annotations

import numpy as np
import pytest

from lca.calc import engine
from lca.calc.matrices import ROOT_ID, datapackage, entries, registry_for
from lca.errors import CalculationError
from lca.inputs.loader import load_input
from lca.model.system import build_system
from tests.conftest import ROOT, TINY_EV

VEHICLES = sorted((ROOT / "inventories" / "vehicles").glob("*.yaml"))


@pytest.mark.parametrize("path", VEHICLES, ids=lambda p: p.name)
def test_bw2calc_equals_numpy_engine(bundled_db, path):
    system = build_system(load_input(path), bundled_db)
    calc = engine.calculate(system)
    credit = np.array([ex.credit for ex in system.exchanges])
    assert calc.total == pytest.approx(calc.contributions[~credit].sum(), rel=1e-9)
    assert calc.credits == pytest.approx(calc.contributions[credit].sum(), rel=1e-9)


def test_datapackage_is_float64_and_needs_no_project(tiny_db):
    system = build_system(load_input(TINY_EV), tiny_db)
    reg = registry_for(system)
    ent = entries(system, reg)
    dp = datapackage(system, reg, ent)
    arrays = [r for r in dp.resources if r["name"].endswith(".data")]
    assert arrays
    for res in arrays:
        assert dp.get_resource(res["name"])[0].dtype == np.float64
    bc = engine.bw2calc()
    lca = bc.LCA({ROOT_ID: 1.0}, data_objs=[dp])
    lca.lci()
    lca.lcia()
    assert lca.score == pytest.approx(4783.581, rel=1e-9)


def test_disagreement_is_caught(tiny_db, monkeypatch):
    system = build_system(load_input(TINY_EV), tiny_db)
    real = engine.solve_unit_scores

    def skewed(*args, **kwargs):
        us = real(*args, **kwargs)
        return engine.UnitScores(us.score * (1 + 1e-6), us.inventory, us.aircraft)

    monkeypatch.setattr(engine, "solve_unit_scores", skewed)
    with pytest.raises(CalculationError, match="disagree"):
        engine.calculate(system)
