"""Stage "manufacturing": vehicle assembly electricity and heat."""

from __future__ import annotations

from lca.model.stages.builder import Builder, paren


def add_exchanges(b: Builder) -> None:
    """The manufacturing exchanges of the inventory, in order."""
    m = b.inv.manufacturing
    if m is None:
        return
    base = ("manufacturing",)
    b.record(m.supply, (*base, "supply"), "kWh")
    if m.location_based_supply is not None:
        b.record(m.location_based_supply, (*base, "location_based_supply"), "kWh")
    b.add(
        "manufacturing",
        None,
        m.supply,
        paren(m.electricity),
        f"vehicle assembly: electricity ({m.supply})",
        (*base, "electricity"),
        kind="assembly-electricity",
        rec_kp=(*base, "supply"),
    )
    if m.heat is not None:
        b.record(m.heat_supply, (*base, "heat_supply"), "MJ")
        b.add(
            "manufacturing",
            None,
            m.heat_supply,
            paren(m.heat),
            f"vehicle assembly: heat ({m.heat_supply})",
            (*base, "heat"),
            kind="assembly-heat",
            rec_kp=(*base, "heat_supply"),
        )
