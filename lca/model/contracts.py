"""Contractual electricity instruments (market-based accounting) and their location-based
counterfactual.

ISO 14067 lets a footprint use supplier-specific (contractual) electricity under conditions and
asks for the location-based figure alongside. An inventory declares a contract where it names a
supply together with the grid of the place (``location_based_supply``) or buys a share of the
charging electricity as certified renewable (``use.electricity.renewable_share``). The
location-based counterfactual replaces every contract by that grid; the tool runs it, never
estimates it. Pure functions: data in, data out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from lca.schema.inventory import Inventory


@dataclass(frozen=True)
class Contract:
    """One contractual instrument: where, what is bought, and the grid it stands in for."""

    key_path: str
    supply: str
    location_based_supply: str
    share: str | None = None  # a renewable share of use-phase electricity (text as written)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def contracts(inv: Inventory) -> list[Contract]:
    """The contractual instruments of an inventory, in the order they appear."""
    out: list[Contract] = []
    for ci, comp in enumerate(inv.components):
        if comp.chemistry is not None and comp.cell_plant_location_based_supply is not None:
            if comp.cell_plant_location_based_supply != comp.cell_plant_electricity:
                out.append(
                    Contract(
                        f"components[{ci}].cell_plant_electricity",
                        str(comp.cell_plant_electricity),
                        comp.cell_plant_location_based_supply,
                    )
                )
    m = inv.manufacturing
    if m is not None and m.location_based_supply is not None:
        if m.location_based_supply != m.supply:
            out.append(Contract("manufacturing.supply", m.supply, m.location_based_supply))
    e = inv.use.electricity
    if e is not None and e.renewable_share is not None:
        out.append(
            Contract(
                "use.electricity.renewable_share",
                str(e.renewable_supply),
                e.supply,
                share=str(e.renewable_share),
            )
        )
    return out


def location_based_data(data: dict[str, Any], inv: Inventory) -> dict[str, Any] | None:
    """The raw inventory with every contract replaced by its location's grid (None if none)."""
    if not contracts(inv):
        return None
    out = copy.deepcopy(data)
    for ci, comp in enumerate(inv.components):
        loc = comp.cell_plant_location_based_supply
        if comp.chemistry is not None and loc is not None:
            out["components"][ci]["cell_plant_electricity"] = loc
    m = inv.manufacturing
    if m is not None and m.location_based_supply is not None:
        out["manufacturing"]["supply"] = m.location_based_supply
    e = inv.use.electricity
    if e is not None and e.renewable_share is not None:
        del out["use"]["electricity"]["renewable_share"]
        del out["use"]["electricity"]["renewable_supply"]
    return out
