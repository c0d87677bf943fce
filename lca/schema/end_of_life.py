"""End of life in an inventory file: recovered materials and the recycling approach (cut-off,
avoided burden or the Circular Footprint Formula with its parameters).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lca.schema.common import Id, SourceRef, Strict
from lca.schema.vehicle import Amount, Input


class Recovered(Strict):
    material: Id
    mass: Amount
    source: SourceRef | None = None


RecyclingApproach = Literal["cut-off", "avoided-burden", "cff"]
RECYCLING_APPROACHES: tuple[str, ...] = ("cut-off", "avoided-burden", "cff")


class CffParameters(Strict):
    """Circular footprint formula parameters of one material family (all dimensionless).

    ``a``: allocation factor A (1 behaves like cut-off, 0 like avoided burden);
    ``qsin_qp`` / ``qsout_qp``: quality of recycled input / recycled output relative to primary.
    R1 and R2 are not data here: they follow from ``recycled_mass`` and ``end_of_life.recovered``.
    """

    a: float = Field(ge=0.0, le=1.0)
    qsin_qp: float = Field(gt=0.0, le=1.0)
    qsout_qp: float = Field(gt=0.0, le=1.0)
    source: SourceRef
    confirmed: bool = True
    note: str | None = None


class EndOfLife(Strict):
    """End of life. ``approach`` selects how recycling is modelled:

    ``cut-off`` (default): recycled content at the burden of the recycling route, no credit in
    the total (credits for ``recovered`` are reported apart); ``avoided-burden``: recycled
    content at the burden of primary material (times Qsin/Qp), credits for ``recovered``
    (times Qsout/Qp) reported apart, never netted; ``cff``: the circular footprint formula, its
    end-of-life term inside the total. ``cff`` overrides the bundled CFF defaults per family.
    """

    approach: RecyclingApproach = "cut-off"
    treatments: list[Input] = Field(default_factory=list)
    recovered: list[Recovered] = Field(default_factory=list)
    cff: dict[Id, CffParameters] = Field(default_factory=dict)
    note: str | None = None
