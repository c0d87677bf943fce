"""The study around an inventory: the stage names, the system boundary with its exclusions,
infrastructure, the method, the critical review and the study's commissioner and purpose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lca.schema.common import Id, SourceRef, Strict
from lca.schema.vehicle import Amount

StageName = Literal[
    "materials", "battery", "manufacturing", "logistics", "use", "maintenance", "end_of_life"
]


class Exclusion(Strict):
    """Something left out of the system boundary, with its estimated share of the total.

    ``category``: ``process`` (a cut-off inside the product system: PACT counts it in
    ``exemptedEmissionsPercent``), ``capital-goods`` or ``overheads`` (outside the boundary of
    PACT and the GHG Protocol product standard by rule)."""

    id: Id
    description: str
    stages: list[StageName] = Field(min_length=1)
    category: Literal["process", "capital-goods", "overheads"] = "process"
    estimated_share_percent: float = Field(ge=0.0, le=100.0)
    basis: str
    source: SourceRef | None = None
    estimate: bool = True


class Boundary(Strict):
    """Cut-off criteria and exclusions (ISO 14067: explicit, each with its estimated share)."""

    cut_off_criteria: str | None = None
    exclusions: list[Exclusion] = Field(default_factory=list)


class InfrastructureItem(Strict):
    """Road or charging infrastructure attributed to the vehicle: ``amount`` of ``record`` in
    ``stage``, reported as its own component (``id``). ``include`` (default false): peer tools
    count it, the ISO 14067 reference leaves it out (list it under ``boundary.exclusions``)."""

    id: Id
    record: Id
    amount: Amount
    include: bool = False
    stage: StageName = "use"
    description: str | None = None
    source: SourceRef | None = None


class Method(Strict):
    gwp: Id | None = None


class CriticalReview(Strict):
    """Who reviewed the CFP study and when (ISO 14067, 6.7), or ``reviewed: false``."""

    reviewed: bool = False
    by: str | None = None
    date: str | None = None
    statement: str | None = None

    @model_validator(mode="after")
    def _who_and_when(self) -> CriticalReview:
        if self.reviewed and not (self.by and self.date):
            raise ValueError("a critical review needs 'by' (reviewer) and 'date'")
        return self


class Study(Strict):
    """What only the user knows about the CFP study, printed in the report (ISO 14067, clause
    7): the commissioner, the practitioner, the product category rules followed (or ``none``),
    the period the CFP represents, the intended application and audience, the critical review.
    ``title`` names the study (and scenario) for readers; fields left out are reported as not
    stated."""

    title: str | None = None
    commissioner: str | None = None
    practitioner: str | None = None
    pcr: str = "none"
    reference_period: str | None = None
    intended_application: str | None = None
    intended_audience: str | None = None
    critical_review: CriticalReview = Field(default_factory=CriticalReview)
