"""Footprints of parts of the product system (cradle-to-gate, battery) split by origin, for
the exports. All figures in kg CO2e (GWP100 of the run's GWP set)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lca.analysis.pipeline import Run
from lca.model.system import Exchange

CRADLE_TO_GATE_STAGES = ("materials", "battery", "manufacturing")
BIOGENIC_CO2_FLOWS = ("co2_biogenic",)
DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Part:
    """The footprint of a selection of exchanges (credits never included)."""

    total: float
    fossil: float
    biogenic_co2: float
    biogenic_non_co2: float
    land_use_change: float
    aircraft: float
    by_stage: dict[str, float]


def part(run: Run, keep: Callable[[Exchange], bool]) -> Part:
    """Sum the exchanges ``keep`` selects, with the gases split by origin."""
    system, calc = run.system, run.calculation
    mask = np.array([keep(ex) and not ex.credit for ex in system.exchanges], dtype=bool)
    factors = system.database.gwp_sets[system.gwp_set].factors
    flows = calc.registry.flows
    gases = calc.gases[mask].sum(axis=0) if mask.any() else np.zeros(len(flows))
    origin = {f: system.database.flows[f].origin for f in flows}
    co2e = {f: float(m) * factors[f] for f, m in zip(flows, gases, strict=True)}
    by_stage: dict[str, float] = {}
    for ex, c, m in zip(system.exchanges, calc.contributions, mask, strict=True):
        if m:
            by_stage[ex.stage] = by_stage.get(ex.stage, 0.0) + float(c)
    return Part(
        total=float(calc.contributions[mask].sum()),
        fossil=sum(v for f, v in co2e.items() if origin[f] == "fossil"),
        biogenic_co2=sum(v for f, v in co2e.items() if f in BIOGENIC_CO2_FLOWS),
        biogenic_non_co2=sum(
            v for f, v in co2e.items() if origin[f] == "biogenic" and f not in BIOGENIC_CO2_FLOWS
        ),
        land_use_change=sum(v for f, v in co2e.items() if origin[f] == "land-use-change"),
        aircraft=float(calc.aircraft[mask].sum()),
        by_stage=by_stage,
    )


def cradle_to_gate(run: Run) -> Part:
    return part(run, lambda ex: ex.stage in CRADLE_TO_GATE_STAGES)


def battery_components(run: Run) -> list:
    return [c for c in run.system.inventory.components if c.chemistry is not None]


def decimal(value: float, places: int = 3) -> str:
    """A JSON decimal string (``^[+-]?\\d+(\\.\\d+)?$``), no exponent, no negative zero."""
    text = f"{value:.{places}f}"
    if float(text) == 0.0:
        text = f"{0.0:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    assert DECIMAL.match(text), text
    return text
