"""Stage "logistics": delivery legs (t*km of transport per leg)."""

from __future__ import annotations

from lca.model.stages.builder import Builder, paren


def add_exchanges(b: Builder) -> None:
    """The logistics exchanges of the inventory, in order."""
    for i, leg in enumerate(b.inv.logistics):
        kp = ("logistics", i)
        rid = leg.record or f"transport:{leg.mode}"
        rkp = (*kp, "record" if leg.record else "mode")
        b.record(rid, rkp, "t*km")
        load = "curb_mass" if str(leg.load).strip() == "vehicle" else paren(leg.load)
        what = leg.description or f"{leg.mode or rid}"
        b.add(
            "logistics",
            None,
            rid,
            f"({load}) * {paren(leg.distance)}",
            f"delivery: {what}",
            (*kp, "distance"),
            kind="transport",
            rec_kp=rkp,
        )
