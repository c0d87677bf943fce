"""How many times a component is replaced over the vehicle's life. Pure functions, no I/O.

A part that lasts ``L`` (a distance or a time) on a vehicle that lasts ``V`` is fitted
``ceil(V / L)`` times: the first one plus ``ceil(V / L) - 1`` replacements (a part whose life
equals the vehicle's is never replaced). A traction battery with ``replacements: auto`` is
replaced for whichever wears it out first: its cycle life (equivalent full cycles, the energy
throughput over the vehicle's life divided by the usable capacity) or its calendar life.
Counts are whole numbers fixed at the deterministic values (Monte Carlo keeps them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# a life within this relative margin of the vehicle's counts as the vehicle's own (no
# replacement for a part rated for exactly the vehicle's life)
TOLERANCE = 1e-9


def fitted(vehicle_life: float, part_life: float) -> int:
    """Number of parts fitted over ``vehicle_life`` when one lasts ``part_life`` (same unit)."""
    if part_life <= 0:
        raise ValueError("a part's life must be greater than zero")
    if vehicle_life <= 0:
        return 1
    return max(1, math.ceil(vehicle_life / part_life - TOLERANCE))


def replacements_for_life(vehicle_life: float, part_life: float) -> int:
    """Replacements of a part lasting ``part_life`` over ``vehicle_life`` (same unit)."""
    return fitted(vehicle_life, part_life) - 1


@dataclass(frozen=True)
class BatteryWear:
    """What ``replacements: auto`` of a battery was computed from (for provenance).

    ``cycles``: equivalent full cycles over the vehicle's life (throughput / usable capacity);
    ``by_cycles`` / ``by_calendar``: replacements each limit asks for (None: not given).
    """

    throughput_kwh: float
    usable_kwh: float
    cycle_life: float
    cycles: float
    by_cycles: int
    calendar_life_years: float | None
    service_years: float | None
    by_calendar: int | None

    @property
    def replacements(self) -> int:
        return max(self.by_cycles, self.by_calendar or 0)

    def basis(self) -> str:
        """One sentence saying how the count came about."""
        text = (
            f"{self.throughput_kwh:,.0f} kWh over the life / {self.usable_kwh:g} kWh usable = "
            f"{self.cycles:,.0f} full cycles against a cycle life of {self.cycle_life:,.0f}: "
            f"{self.by_cycles} replacement(s)"
        )
        if self.by_calendar is not None:
            text += (
                f"; calendar life {self.calendar_life_years:g} years against "
                f"{self.service_years:g} years of service: {self.by_calendar}"
            )
        return text + f"; counted: {self.replacements}"


def battery_wear(
    throughput_kwh: float,
    usable_kwh: float,
    cycle_life: float,
    calendar_life_years: float | None = None,
    service_years: float | None = None,
) -> BatteryWear:
    """Replacements of a traction battery from its cycle life and, when both are given, its
    calendar life against the vehicle's years of service."""
    if usable_kwh <= 0 or cycle_life <= 0:
        raise ValueError("usable capacity and cycle life must be greater than zero")
    cycles = throughput_kwh / usable_kwh
    by_cycles = replacements_for_life(cycles, cycle_life)
    by_calendar = None
    if calendar_life_years is not None and service_years is not None:
        by_calendar = replacements_for_life(service_years, calendar_life_years)
    return BatteryWear(
        throughput_kwh,
        usable_kwh,
        cycle_life,
        cycles,
        by_cycles,
        calendar_life_years,
        service_years,
        by_calendar,
    )
