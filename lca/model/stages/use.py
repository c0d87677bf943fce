"""Stage "use": electricity (grid and certified renewable shares, per year of a use profile with
its trajectory records) and fuel."""

from __future__ import annotations

import math

import pint

from lca.errors import InputError
from lca.model.exchanges import DISTANCE_PARAMETER, MAX_PROFILE_YEARS
from lca.model.expressions import parse_expression
from lca.model.fuels import add_fuel
from lca.model.stages.builder import Builder, paren


def add_exchanges(b: Builder) -> None:
    """Use-phase exchanges: electricity (per year of a profile) and fuel (well to tank and
    tailpipe)."""
    use = b.inv.use
    if use.electricity is not None:
        use_electricity(b)
    if use.fuel is not None:
        add_fuel(b)  # lca.model.fuels: plain fuels, blends, electricity of hydrogen


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


def use_electricity(b: Builder) -> None:
    """Grid (and certified renewable) electricity, one pair of exchanges per profile year."""
    e = b.inv.use.electricity
    base = ("use", "electricity")
    b.record(e.supply, (*base, "supply"), "kWh")
    share_text = renewable_share_text(b)
    traj = trajectory(b)
    years = use_years_split(b)
    b.use_years = [(y, km) for y, _, km in years]
    chunks = [(None, "", "")] if not years else [(y, f" * {f}", f" {y}") for y, f, _ in years]
    for year, frac, when in chunks:
        rid = e.supply if traj is None or year is None else year_record(b, e.supply, traj.id, year)
        grid_amount = f"{paren(e.amount)}{frac}"
        if share_text is not None:
            grid_amount += f" * (1 - {share_text})"
        b.add(
            "use",
            None,
            rid,
            grid_amount,
            f"use: electricity{when} ({rid})",
            (*base, "amount"),
            kind="use-electricity",
            rec_kp=(*base, "supply"),
            year=year,
        )
        if share_text is not None:
            b.add(
                "use",
                None,
                e.renewable_supply,
                f"{paren(e.amount)}{frac} * {share_text}",
                f"use: electricity{when}, certified renewable ({e.renewable_supply})",
                (*base, "renewable_share"),
                kind="use-electricity",
                rec_kp=(*base, "renewable_supply"),
                year=year,
            )


def renewable_share_text(b: Builder) -> str | None:
    """Formula text of the certified renewable share (checked to be from 0 to 1), or None."""
    e = b.inv.use.electricity
    base = ("use", "electricity")
    if e.renewable_share is None:
        return None
    b.record(e.renewable_supply, (*base, "renewable_supply"), "kWh")
    kp = (*base, "renewable_share")
    try:
        q = parse_expression(e.renewable_share).evaluate(b.values)
        share = float(q.to("").magnitude)
    except InputError as exc:
        raise b.err(exc.message, kp) from None
    except pint.DimensionalityError:
        raise b.err("renewable_share must be a plain number from 0 to 1", kp) from None
    if not 0.0 <= share <= 1.0:
        raise b.err(f"renewable_share must be from 0 to 1 (got {share:g})", kp)
    return paren(e.renewable_share)


def trajectory(b: Builder):  # noqa: ANN201
    """The use profile's grid-intensity trajectory (checked against the supply), or None."""
    e = b.inv.use.electricity
    base = ("use", "electricity")
    prof = e.profile
    traj = None
    if prof is not None and prof.trajectory is not None:
        traj = b.db.trajectories.get(prof.trajectory)
        tkp = (*base, "profile", "trajectory")
        if traj is None:
            raise b.err(
                f"unknown trajectory {prof.trajectory!r}; known: "
                f"{', '.join(sorted(b.db.trajectories)) or 'none'}",
                tkp,
            )
        if traj.record != e.supply:
            raise b.err(
                f"trajectory {traj.id!r} is for {traj.record}, but the supply is {e.supply}",
                tkp,
            )
    return traj
