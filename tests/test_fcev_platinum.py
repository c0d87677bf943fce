"""The fuel-cell car counts its stack's platinum once per stack (issue 10 follow-up)."""

from __future__ import annotations

import pytest

from lca.analysis.pipeline import run_file
from tests.conftest import ROOT


def test_platinum_once_per_stack(bundled_db):
    res = run_file(ROOT / "scenarios" / "compact-suv-fcev.yaml", measures=False)
    stacks = [e for e in res.exchanges if e["record"] == "part:fuel-cell-stack"]
    pt = [e for e in res.exchanges if e["record"] == "material:platinum"]
    assert len(stacks) == 2  # the first stack and one replacement (4,000 h x 46.5 km/h)
    assert len(pt) == len(stacks)
    assert all(e["component"] == "fuel-cell-stack" for e in pt)
    # 95 kW x 0.59 g/kW = 56.05 g of platinum per stack, and nowhere else
    assert sum(e["amount"] for e in pt) == pytest.approx(2 * 95 * 0.59e-3, rel=1e-12)
    # the per-kW stack record is the published stack minus its platinum share (63.5 %)
    stack = bundled_db.records["part:fuel-cell-stack"]
    assert "EXCLUDING the platinum" in stack.name
    assert stack.emissions["co2e"] == pytest.approx(1160 * (1 - 0.635) / 48, abs=0.05)
