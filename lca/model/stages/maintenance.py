"""Stage "maintenance": replacement parts and fluids over the lifetime."""

from __future__ import annotations

from lca.model.stages.builder import Builder, paren


def add_exchanges(b: Builder) -> None:
    """The maintenance exchanges of the inventory, in order."""
    for i, item in enumerate(b.inv.maintenance):
        kp = ("maintenance", i)
        b.add(
            "maintenance",
            None,
            item.record,
            paren(item.amount),
            f"maintenance: {item.description or item.id}",
            (*kp, "amount"),
            kind="maintenance",
            rec_kp=(*kp, "record"),
        )
