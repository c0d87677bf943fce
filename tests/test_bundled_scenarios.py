"""Every bundled scenario file runs (variants files: every variant)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lca.analysis.pipeline import run_loaded
from lca.inputs.loader import load_scenarios

ROOT = Path(__file__).parent.parent / "scenarios"
FILES = sorted(ROOT.rglob("*.yaml"))


def test_there_are_bundled_scenarios():
    names = {p.name for p in FILES}
    for required in (
        "compact-suv-bev-eu.yaml",
        "compact-suv-bev-cn.yaml",
        "compact-suv-bev-no.yaml",
        "compact-suv-bev-pl.yaml",
        "compact-suv-petrol.yaml",
    ):
        assert required in names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bundled_scenario_runs(path):
    items = load_scenarios(path)
    assert items
    for item in items:
        res = run_loaded(item, measures=False)
        assert res.total_kg_co2e > 0
        assert sum(res.stages_kg_co2e.values()) == pytest.approx(res.total_kg_co2e, rel=1e-9)
        if res.contracts:
            assert res.location_based_total_kg_co2e is not None
