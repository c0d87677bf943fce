"""Stage "use": electricity (grid and certified renewable shares, per year of a use profile with
its trajectory records) and fuel."""

from __future__ import annotations

import pint

from lca.errors import InputError
from lca.model.expressions import parse_expression
from lca.model.fuels import add_fuel
from lca.model.stages.builder import Builder, paren
from lca.model.stages.years import use_years_split, year_record


def add_exchanges(b: Builder) -> None:
    """Use-phase exchanges: electricity (per year of a profile) and fuel (well to tank and
    tailpipe)."""
    use = b.inv.use
    if use.electricity is not None:
        use_electricity(b)
    if use.fuel is not None:
        add_fuel(b)  # lca.model.fuels: plain fuels, blends, electricity of hydrogen


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
