"""Data quality of a calculation: pedigree scores weighted by contribution, and the share of
the footprint that rests on primary data.

Weights are each exchange's absolute contribution (kg CO2e) to the total, credits excluded;
the record's own pedigree scores stand for its whole cumulative contribution (inputs included).
Conventions and their sources: ``lca/data/data-quality.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from lca.calc.primary import primary_fraction
from lca.datafiles import data_file
from lca.inputs.yamlio import load_yaml
from lca.model.system import Exchange, ProductSystem, primary_activity

INDICATORS = ("reliability", "completeness", "temporal", "geographical", "technological")
CONVENTIONS_FILE = data_file("data-quality.yaml")


@lru_cache(maxsize=1)
def conventions() -> dict[str, Any]:
    """The DQR conventions (PEF indicators and levels, PACT scale) with their sources."""
    return load_yaml(CONVENTIONS_FILE).data


@dataclass(frozen=True)
class RecordQuality:
    record: str
    name: str
    kg_co2e: float  # contribution to the total
    weight: float  # share of the absolute contributions, 0..1
    scores: dict[str, int] | None  # pedigree 1..5, None when the record has none
    dqr: float | None  # PEF-style DQR of the record, 1..5
    primary_data: bool  # inventory-specific (supplier) record
    source: str
    geography: str
    reference_year: int
    estimate: bool


@dataclass(frozen=True)
class QualitySummary:
    """Contribution-weighted data quality of a footprint (scores 1 best .. 5 worst)."""

    weighted: dict[str, float]  # indicator -> weighted pedigree score (scored records only)
    dqr: float  # PEF-style DQR, weighted
    level: str  # PEF quality level of ``dqr``
    scored_share: float  # share of the footprint with pedigree scores, 0..1
    estimate_share: float  # share resting on records marked estimate, 0..1
    primary_data_share: float  # share from primary data (emission data or activity data), 0..1
    primary_emission_data_share: float  # share from inventory-specific records, 0..1
    primary_activity_data_share: float  # share whose amounts are declared primary, 0..1
    records: tuple[RecordQuality, ...] = field(default=())

    def pact_dqr(self) -> dict[str, float]:
        """PACT DQRs (1 good .. 3 poor) from the weighted pedigree scores (linear map)."""
        sc = conventions()["pact_dqr_scale"]
        span = (sc["pact_max"] - sc["pact_min"]) / (sc["pedigree_max"] - sc["pedigree_min"])

        def m(x: float) -> float:
            return sc["pact_min"] + (x - sc["pedigree_min"]) * span

        return {
            "technologicalDQR": m(self.weighted["technological"]),
            "temporalDQR": m(self.weighted["temporal"]),
            "geographicalDQR": m(self.weighted["geographical"]),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "weighted_pedigree": dict(self.weighted),
            "dqr": self.dqr,
            "level": self.level,
            "scored_share": self.scored_share,
            "estimate_share": self.estimate_share,
            "primary_data_share": self.primary_data_share,
            "primary_emission_data_share": self.primary_emission_data_share,
            "primary_activity_data_share": self.primary_activity_data_share,
            "records": [r.__dict__ for r in self.records],
        }


def _dqr(scores: dict[str, int]) -> float:
    keys = conventions()["pef_dqr_indicators"]
    return float(sum(scores[k] for k in keys)) / len(keys)


def level_of(dqr: float) -> str:
    """PEF data-quality level of a DQR (1..5)."""
    for band in conventions()["pef_levels"]:
        if dqr <= band["max"]:
            return str(band["level"])
    return str(conventions()["pef_levels"][-1]["level"])


def assess(
    system: ProductSystem,
    contributions: np.ndarray,
    keep: Callable[[Exchange], bool] | None = None,
) -> QualitySummary:
    """Weighted data quality of ``system`` given each exchange's contribution (kg CO2e),
    over the exchanges ``keep`` selects (default: all but credits)."""
    db = system.database
    inv = system.inventory
    by_record: dict[str, float] = {}
    abs_total = 0.0
    primary_em = primary_act = primary_any = 0.0
    for ex, c in zip(system.exchanges, contributions, strict=True):
        if ex.credit or (keep is not None and not keep(ex)):
            continue
        w = abs(float(c))
        abs_total += w
        by_record[ex.record] = by_record.get(ex.record, 0.0) + float(c)
        rec = db.records[ex.record]
        act = primary_activity(inv, ex)
        primary_em += w * rec.primary_share if rec.primary_data else 0.0
        primary_act += w if act else 0.0
        primary_any += w * primary_fraction(system, ex)  # suppliers: by their own share
    records = []
    weighted = {k: 0.0 for k in INDICATORS}
    scored = estimate = 0.0
    for rid, c in sorted(by_record.items(), key=lambda kv: -abs(kv[1])):
        rec = db.records[rid]
        w = abs(c) / abs_total if abs_total else 0.0
        scores = rec.data_quality.model_dump() if rec.data_quality else None
        if scores:
            scored += w
            for k in INDICATORS:
                weighted[k] += w * scores[k]
        if rec.estimate:
            estimate += w
        s = rec.source
        records.append(
            RecordQuality(
                record=rid,
                name=rec.name,
                kg_co2e=c,
                weight=w,
                scores=scores,
                dqr=_dqr(scores) if scores else None,
                primary_data=rec.primary_data,
                source=", ".join(b for b in (s.publisher or s.authors or "", s.title) if b),
                geography=rec.geography,
                reference_year=rec.reference_year,
                estimate=rec.estimate,
            )
        )
    if scored:
        weighted = {k: v / scored for k, v in weighted.items()}
    dqr = _dqr(weighted) if scored else float("nan")
    return QualitySummary(
        weighted=weighted,
        dqr=dqr,
        level=level_of(dqr) if scored else "not scored",
        scored_share=scored,
        estimate_share=estimate,
        primary_data_share=primary_any / abs_total if abs_total else 0.0,
        primary_emission_data_share=primary_em / abs_total if abs_total else 0.0,
        primary_activity_data_share=primary_act / abs_total if abs_total else 0.0,
        records=tuple(records),
    )
