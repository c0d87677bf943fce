"""The use phase year by year: the split of the lifetime distance over the years of a use
profile, and the derived per-year records of a trajectory (shared by electricity and fuel)."""

from __future__ import annotations

import math

import pint

from lca.errors import InputError
from lca.model.exchanges import DISTANCE_PARAMETER, MAX_PROFILE_YEARS
from lca.model.expressions import parse_expression
from lca.model.stages.builder import Builder, paren


def use_years_split(
    b: Builder,
    prof=None,
    kp: tuple = ("use", "electricity", "profile"),  # noqa: ANN001
) -> list[tuple[int, str, float]]:
    """(year, share-of-lifetime expression, km) of each year of the use profile (the
    electricity's, or ``prof`` at key path ``kp``: the fuel's).

    Full years take ``annual_distance / lifetime_distance`` and the last year the rest, so the
    shares stay expressions of the parameters and always sum to one.
    """
    if prof is None:
        e = b.inv.use.electricity
        prof = e.profile if e is not None else None
    if prof is None:
        return []
    life = float(b.values[DISTANCE_PARAMETER].to("km").magnitude)
    if prof.years is not None:
        n = prof.years
        return [(prof.start_year + i, f"(1 / {n})", life / n) for i in range(n)]
    try:
        q = parse_expression(prof.annual_distance).evaluate(b.values)
        annual = float(q.to("km").magnitude)
    except InputError as exc:
        raise b.err(exc.message, (*kp, "annual_distance")) from None
    except pint.DimensionalityError:
        raise b.err(
            f"annual_distance must be a distance (got {q.units:~P})", (*kp, "annual_distance")
        ) from None
    if annual <= 0:
        raise b.err("annual_distance must be greater than zero", (*kp, "annual_distance"))
    n = max(1, math.ceil(life / annual - 1e-9))
    if n > MAX_PROFILE_YEARS:
        raise b.err(
            f"the lifetime takes {n} years at this annual distance (at most {MAX_PROFILE_YEARS})",
            (*kp, "annual_distance"),
        )
    a = paren(prof.annual_distance)
    out = [(prof.start_year + i, f"({a} / {DISTANCE_PARAMETER})", annual) for i in range(n - 1)]
    out.append(
        (
            prof.start_year + n - 1,
            f"(1 - {n - 1} * {a} / {DISTANCE_PARAMETER})",
            life - (n - 1) * annual,
        )
    )
    return out


def year_record(b: Builder, supply: str, trajectory_id: str, year: int) -> str:
    """The derived record ``<supply>@<year>`` holding the trajectory's value of ``year``."""
    from dataclasses import replace

    traj = b.db.trajectories[trajectory_id]
    rid = f"{supply}@{year}"
    if rid not in b.db.records:
        base = b.db.record(supply)
        rec = replace(
            base,
            id=rid,
            name=f"{base.name}, {year} ({traj.name})",
            emissions={"co2e": traj.value(year)},
            reference_year=year,
            source=traj.source,
            estimate=base.estimate or traj.estimate,
            note=f"trajectory {traj.id}: {traj.basis(year)}",
        )
        b.db = b.db.with_records([rec])
    return rid
