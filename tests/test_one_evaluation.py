"""A run's alternatives as columns of one evaluation: the same numbers as separate runs, shared
background nodes only where the content is the same, one bw2calc datapackage with a root per
alternative and a disagreement that names the alternative."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lca.analysis.alternatives import plan
from lca.analysis.pipeline import evaluate_plan
from lca.calc import engine
from lca.calc.union import build_union, groups
from lca.errors import CalculationError
from lca.inputs.loader import load_input, load_scenarios
from lca.model.system import build_system

from .conftest import ROOT, TINY_EV

SUV = ROOT / "scenarios" / "compact-suv-bev-targets-2025.yaml"  # measures and contracts


def _same(a: engine.Calculation, b: engine.Calculation) -> None:
    assert a.total == pytest.approx(b.total, rel=1e-9, abs=1e-9)
    assert a.credits == pytest.approx(b.credits, rel=1e-9, abs=1e-9)
    assert a.registry == b.registry
    np.testing.assert_allclose(a.contributions, b.contributions, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.gases, b.gases, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.aircraft, b.aircraft, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def suv_plan(bundled_db):
    (loaded,) = load_scenarios(SUV)
    system = build_system(loaded, bundled_db)
    return plan(loaded, system, bundled_db, None)


def test_the_suv_run_has_every_kind_of_alternative(suv_plan):
    assert suv_plan.measures and suv_plan.location
    assert len(suv_plan.approaches) + len(suv_plan.unavailable) == 3


def test_one_evaluation_equals_a_calculation_per_alternative(suv_plan):
    together = evaluate_plan(suv_plan)
    assert set(together) == set(suv_plan.systems)
    for label, system in suv_plan.systems.items():
        _same(together[label], engine.calculate(system))
    # one evaluation: one union, one check for all of them
    assert len({id(c.check) for c in together.values()}) == 1
    (members,) = groups(list(suv_plan.systems.values()))
    assert len(members) == len(suv_plan.systems)


def test_the_selected_approach_reuses_the_run_s_own_system(suv_plan):
    selected = suv_plan.systems["deterministic"].inventory.end_of_life.approach
    assert suv_plan.approaches[selected] == "deterministic"


def test_records_are_shared_only_where_their_content_is_the_same(tiny_db):
    system = build_system(load_input(TINY_EV), tiny_db)
    grid = tiny_db.records["grid:A"]
    dirtier = replace(grid, emissions={k: 2 * v for k, v in grid.emissions.items()})
    other = replace(system, database=system.database.with_records([dirtier]))
    union = build_union(["a", "b"], [system, other])
    ids = [r.id for r in union.records]
    # grid:A differs, and so does eol:shredding, which uses it; everything else is shared
    assert ids.count("grid:A") == 2 and ids.count("eol:shredding") == 2
    assert ids.count("steel:primary") == 1
    a, b = engine.evaluate([("a", system), ("b", other)])
    _same(a, engine.calculate(system))
    _same(b, engine.calculate(other))
    assert b.total > a.total


def test_another_gwp_set_is_a_group_of_its_own(bundled_db):
    loaded = load_input(ROOT / "inventories" / "vehicles" / "compact-suv-bev.yaml")
    sets = sorted(bundled_db.gwp_sets)
    systems = [build_system(loaded, bundled_db, g) for g in sets[:2]]
    factors = [s.database.gwp_sets[s.gwp_set].factors for s in systems]
    if factors[0] == factors[1]:
        pytest.skip("the bundled GWP sets have the same factors")
    assert groups(systems) == [[0], [1]]
    calcs = engine.evaluate([(g, s) for g, s in zip(sets, systems, strict=False)])
    for calc, system in zip(calcs, systems, strict=True):
        _same(calc, engine.calculate(system))


def test_bw2calc_solves_every_alternative_from_one_datapackage(suv_plan, monkeypatch):
    monkeypatch.setenv("VLCA_NO_CACHE", "1")
    calls = []
    real = engine.bw2calc_scores

    def spy(ent, nodes):  # noqa: ANN001, ANN202
        calls.append(nodes)
        return real(ent, nodes)

    monkeypatch.setattr(engine, "bw2calc_scores", spy)
    together = evaluate_plan(suv_plan)
    assert len(calls) == 1
    distinct = {id(s) for s in suv_plan.systems.values()}
    assert len(calls[0]) >= len(distinct)  # a root per alternative (and its credits node)
    assert not next(iter(together.values())).check.cached


def test_a_disagreement_names_the_alternative(suv_plan, monkeypatch):
    monkeypatch.setenv("VLCA_NO_CACHE", "1")
    real = engine.bw2calc_scores

    def off(ent, nodes):  # noqa: ANN001, ANN202
        scores = real(ent, nodes)
        return [*scores[:-1], scores[-1] * (1 + 1e-6)]  # the last alternative's last score

    monkeypatch.setattr(engine, "bw2calc_scores", off)
    with pytest.raises(CalculationError) as exc:
        evaluate_plan(suv_plan)
    msg = str(exc.value)
    assert "disagree on the" in msg and "the largest exchange is" in msg
    last = [label for label in suv_plan.systems if label != "deterministic"][-1]
    assert last in msg
