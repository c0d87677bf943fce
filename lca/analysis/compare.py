"""Comparing scenarios: the table, differences to a baseline, and break-even distances.

Everything works on result dictionaries (``Result.to_dict()`` or a loaded ``result.json``), so a
comparison can be rebuilt from saved results without recalculating. Pure functions.

Break-even convention (also written into ``comparison.json``):

* cumulative emissions at distance 0 are the production-side stages (materials, battery,
  manufacturing, logistics);
* the distance-driven stages (use, maintenance) grow linearly with distance; with a use profile
  the use phase grows year by year at each year's intensity (piecewise linear in distance);
* end of life is added as a step at the vehicle's lifetime distance;
* beyond the lifetime the last year's rate per km continues (a longer life, same use).

The break-even distance of an electric (or plug-in hybrid, fuel-cell) scenario against the
combustion reference is the first distance at which its cumulative emissions are at or below
the reference's; ``None`` if that does not happen within ``BREAK_EVEN_LIMIT_KM``.
``break_even_pairs`` does the same for every pair of scenarios (each against each): the one with
the higher production-side emissions at km 0 against the lower one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lca.calc.breakeven import (
    BREAK_EVEN_LIMIT_KM,
    DISTANCE_STAGES,
    END_OF_LIFE_STAGE,
    PRODUCTION_STAGES,
)
from lca.numbers import csv_number
from lca.stages import STAGES

if TYPE_CHECKING:  # not imported here: the chart workers import this module without the model
    from lca.calc.results import Result

SCHEMA_VERSION = "1.0"
ELECTRIC = ("battery-electric",)
COMBUSTION = ("petrol", "diesel", "hybrid-petrol", "hybrid-diesel")
CONVENTION = (
    "cumulative emissions against distance: production-side stages (materials, battery, "
    "manufacturing, logistics) at km 0; use and maintenance grow linearly with distance (the use "
    "phase year by year at each year's grid intensity when a use profile is given); end of life "
    "added as a step at the lifetime distance; beyond the lifetime the last rate per km "
    "continues. distance_km is the first distance at which the electric car's cumulative "
    "emissions are at or below the reference's, null if not within "
    f"{BREAK_EVEN_LIMIT_KM:,.0f} km."
)


def as_dict(result: Result | Mapping[str, Any]) -> Mapping[str, Any]:
    """A result as the dictionary of ``result.json``."""
    return result if isinstance(result, Mapping) else result.to_dict()


@dataclass(frozen=True)
class Segment:
    start_km: float
    end_km: float
    kg_per_km: float  # use and maintenance, kg CO2e per km
    year: int | None = None


@dataclass(frozen=True)
class Curve:
    """Cumulative emissions (kg CO2e) of one scenario against distance (km)."""

    name: str
    production_kg: float
    end_of_life_kg: float
    lifetime_km: float
    segments: tuple[Segment, ...]

    @property
    def tail_kg_per_km(self) -> float:
        return self.segments[-1].kg_per_km

    def at(self, km: float) -> float:
        """Cumulative kg CO2e after ``km`` (end of life included from the lifetime on)."""
        total = self.production_kg
        for seg in self.segments:
            if km <= seg.start_km:
                break
            total += seg.kg_per_km * (min(km, seg.end_km) - seg.start_km)
        if km > self.lifetime_km:
            total += self.tail_kg_per_km * (km - self.lifetime_km)
        if km >= self.lifetime_km:
            total += self.end_of_life_kg
        return total

    def breakpoints(self) -> list[float]:
        return [s.end_km for s in self.segments]

    def year_at(self, km: float) -> int | None:
        """Calendar year in which ``km`` is reached (within the use profile), else None."""
        for seg in self.segments:
            if seg.year is not None and seg.start_km <= km <= seg.end_km:
                return seg.year
        return None


def curve(result: Result | Mapping[str, Any]) -> Curve:
    """The cumulative-emissions curve of a result (see the module's convention)."""
    d = as_dict(result)
    stages = d["stages_kg_co2e"]
    life = float(d["lifetime_distance_km"])
    production = sum(float(stages.get(s, 0.0)) for s in PRODUCTION_STAGES)
    maintenance_rate = float(stages.get("maintenance", 0.0)) / life
    profile = d.get("use_profile") or []
    segs: list[Segment] = []
    if profile:
        start = 0.0
        profile_use = 0.0
        for row in profile:
            km = float(row["distance_km"])
            kg = float(row["kg_co2e"])
            profile_use += kg
            segs.append(Segment(start, start + km, kg / km + maintenance_rate, int(row["year"])))
            start += km
        # anything in the use stage outside the profile (fuel, say) is spread over the lifetime
        rest = (float(stages.get("use", 0.0)) - profile_use) / life
        segs = [Segment(s.start_km, s.end_km, s.kg_per_km + rest, s.year) for s in segs]
    else:
        rate = sum(float(stages.get(s, 0.0)) for s in DISTANCE_STAGES) / life
        segs.append(Segment(0.0, life, rate))
    return Curve(
        name=str(d["name"]),
        production_kg=production,
        end_of_life_kg=float(stages.get(END_OF_LIFE_STAGE, 0.0)),
        lifetime_km=life,
        segments=tuple(segs),
    )


def break_even_km(
    electric: Curve, reference: Curve, limit_km: float = BREAK_EVEN_LIMIT_KM
) -> float | None:
    """First distance (km) at which ``electric``'s cumulative emissions are at or below
    ``reference``'s; None if not within ``limit_km``.

    Both curves are piecewise linear and right-continuous (steps at end of life), so each piece
    is solved in closed form.
    """
    points = sorted(
        {0.0, limit_km}
        | {
            p
            for c in (electric, reference)
            for p in (*c.breakpoints(), c.lifetime_km)
            if 0.0 < p < limit_km
        }
    )
    for a, b in zip(points, points[1:], strict=False):
        da = electric.at(a) - reference.at(a)
        if da <= 0.0:
            return a
        # slope on [a, b): both curves are linear there
        mid = a + (b - a) / 2.0
        if mid <= a:
            continue  # two breakpoints a rounding error apart: no piece between them
        slope = (electric.at(mid) - reference.at(mid) - da) / (mid - a)
        if slope < 0.0:
            crossing = a + da / -slope
            if crossing < b:
                return crossing
    if electric.at(limit_km) - reference.at(limit_km) <= 0.0:
        return limit_km
    return None


def break_even_pairs(
    by_name: Mapping[str, Mapping[str, Any]], limit_km: float = BREAK_EVEN_LIMIT_KM
) -> list[dict[str, Any]]:
    """Break-even of each pair of scenarios: for every two, the one with the higher emissions
    at km 0 (``scenario``) against the other (``reference``); ``distance_km`` None when it never
    catches up within ``limit_km``. Pairs with equal emissions at km 0 are left out."""
    curves = {name: curve(d) for name, d in by_name.items()}
    out = []
    names = list(by_name)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ca, cb = curves[a], curves[b]
            if ca.at(0.0) == cb.at(0.0):
                continue
            hi, lo = (a, b) if ca.at(0.0) > cb.at(0.0) else (b, a)
            km = break_even_km(curves[hi], curves[lo], limit_km)
            out.append(
                {
                    "scenario": hi,
                    "reference": lo,
                    "distance_km": km,
                    "year": curves[hi].year_at(km) if km is not None else None,
                }
            )
    return out


def _kind(d: Mapping[str, Any]) -> str:
    p = d.get("vehicle", {}).get("powertrain", "")
    if p in ELECTRIC:
        return "electric"
    if p in COMBUSTION:
        return "combustion"
    return "other"


def compare(
    results: Sequence[Result | Mapping[str, Any]],
    *,
    baseline: str | None = None,
    reference: str | None = None,
    limit_km: float = BREAK_EVEN_LIMIT_KM,
) -> dict[str, Any]:
    """The comparison of ``results`` (the structure of ``comparison.json``).

    ``baseline``: name of the scenario differences are taken against (default: the reference,
    else the first petrol scenario, else the first combustion scenario, else the first).
    ``reference``: the combustion reference for break-even (default: the baseline if it is a
    combustion car, else the first combustion scenario). Raises ValueError on unknown names.
    """
    dicts = [as_dict(r) for r in results]
    if not dicts:
        raise ValueError("nothing to compare")
    names = [str(d["name"]) for d in dicts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"scenario names must be unique; repeated: {', '.join(dupes)}")
    by_name = dict(zip(names, dicts, strict=True))
    # the combustion reference: the first petrol car (the question most asked: does it beat
    # petrol), else the first combustion car of any fuel
    petrol = [n for n in names if by_name[n].get("vehicle", {}).get("powertrain") == "petrol"]
    combustion = [n for n in names if _kind(by_name[n]) == "combustion"]
    first_combustion = (petrol or combustion or [None])[0]
    base_name = baseline or reference or first_combustion or names[0]
    if base_name not in by_name:
        raise ValueError(f"baseline {base_name!r} is not among the scenarios: {', '.join(names)}")
    base = by_name[base_name]
    if reference is not None:
        if reference not in by_name:
            raise ValueError(f"reference {reference!r} is not among the scenarios")
        ref_name: str | None = reference
    elif _kind(base) == "combustion":
        ref_name = base_name
    else:
        ref_name = first_combustion
    rows = [_row(name, d, base) for name, d in by_name.items()]
    breaks = _break_evens(by_name, ref_name, limit_km)
    return {
        "schema_version": SCHEMA_VERSION,
        "baseline": base_name,
        "reference": ref_name,
        "unit": "kg CO2e per vehicle over its lifetime; per_km in g CO2e/km",
        "scenarios": rows,
        "break_even": breaks,
        "break_even_pairs": break_even_pairs(by_name, limit_km),
        "break_even_limit_km": limit_km,
        "break_even_convention": CONVENTION,
    }


def _row(name: str, d: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """One scenario's comparison row (kg CO2e, g CO2e/km; differences to ``base``)."""
    total = float(d["total_kg_co2e"])
    diff = total - float(base["total_kg_co2e"])
    return {
        "name": name,
        "description": d.get("description"),
        "powertrain": d.get("vehicle", {}).get("powertrain"),
        "lifetime_distance_km": float(d["lifetime_distance_km"]),
        "total_kg_co2e": total,
        "per_km_g_co2e": float(d["per_km_g_co2e"]),
        "stages_kg_co2e": {s: float(d["stages_kg_co2e"].get(s, 0.0)) for s in STAGES},
        "market_based_total_kg_co2e": float(d.get("market_based_total_kg_co2e", total)),
        "location_based_total_kg_co2e": float(d.get("location_based_total_kg_co2e", total)),
        "difference_to_baseline_kg_co2e": diff,
        "difference_to_baseline_percent": (
            100.0 * diff / float(base["total_kg_co2e"]) if base["total_kg_co2e"] else None
        ),
        "stages_difference_kg_co2e": {
            s: float(d["stages_kg_co2e"].get(s, 0.0)) - float(base["stages_kg_co2e"].get(s, 0.0))
            for s in STAGES
        },
    }


def _break_evens(
    by_name: Mapping[str, Mapping[str, Any]], ref_name: str | None, limit_km: float
) -> list[dict[str, Any]]:
    """Break-even of every electric scenario against the combustion reference ``ref_name``."""
    breaks = []
    if ref_name is not None:
        ref_curve = curve(by_name[ref_name])
        for name, d in by_name.items():
            if name == ref_name or _kind(d) == "combustion":
                continue
            ev = curve(d)
            km = break_even_km(ev, ref_curve, limit_km)
            breaks.append(
                {
                    "scenario": name,
                    "reference": ref_name,
                    "distance_km": km,
                    "year": ev.year_at(km) if km is not None else None,
                    "year_by_year": bool(d.get("use_profile")),
                }
            )
    return breaks


def comparison_csv(comparison: Mapping[str, Any]) -> str:
    """One row per scenario: totals, per km, each stage, difference to the baseline, break-even."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "name",
            "powertrain",
            "lifetime_distance_km",
            "total_kg_co2e",
            "per_km_g_co2e",
            *(f"{s}_kg_co2e" for s in STAGES),
            "difference_to_baseline_kg_co2e",
            "difference_to_baseline_percent",
            "location_based_total_kg_co2e",
            "break_even_km",
        ]
    )
    be = {b["scenario"]: b["distance_km"] for b in comparison["break_even"]}

    def num(v: float | None) -> str:
        return csv_number(v)

    for r in comparison["scenarios"]:
        w.writerow(
            [
                r["name"],
                r["powertrain"],
                num(r["lifetime_distance_km"]),
                num(r["total_kg_co2e"]),
                num(r["per_km_g_co2e"]),
                *(num(r["stages_kg_co2e"][s]) for s in STAGES),
                num(r["difference_to_baseline_kg_co2e"]),
                num(r["difference_to_baseline_percent"]),
                num(r["location_based_total_kg_co2e"]),
                num(be.get(r["name"])),
            ]
        )
    return buf.getvalue()
