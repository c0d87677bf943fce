"""The fuel part of the use stage: a plain fuel, a blend (e.g. B7: 7 % FAME in diesel) or a
fuel that takes electricity on the way (hydrogen by electrolysis on a chosen grid), and the
checks a powertrain asks for (a plug-in hybrid's utility factor, a fuel-cell car's hydrogen).

Exchanges are added through the product-system builder (``lca.model.system``). Pure.
"""

from __future__ import annotations

from typing import Any

import pint

from lca.errors import InputError
from lca.model.expressions import parse_expression
from lca.schema.inventory import PLUG_IN_HYBRIDS, UTILITY_FACTOR

BLEND_SHARE_PARAMETER = "fuel_blend_share"  # built-in: the blend share in use


def _p(text: object) -> str:
    if isinstance(text, float | int) and not isinstance(text, bool):
        return f"({float(text)!r})"
    return f"({text})"


def check_powertrain(inv: Any, db: Any, err: Any) -> None:
    """What each powertrain needs: a plug-in hybrid a utility factor (parameter
    ``utility_factor``) and both energies; a fuel-cell car a hydrogen pathway."""
    pt = inv.vehicle.powertrain
    if pt in PLUG_IN_HYBRIDS:
        if UTILITY_FACTOR not in inv.parameters:
            raise err(
                f"a plug-in hybrid needs parameter '{UTILITY_FACTOR}' (the share of distance "
                "driven on electricity, 0 to 1, with its source: WLTP or real-world)",
                ("parameters",),
            )
        if inv.use.electricity is None or inv.use.fuel is None:
            raise err(
                "a plug-in hybrid's use stage needs both 'electricity' (charge-depleting) and "
                "'fuel' (charge-sustaining)",
                ("use",),
            )
    if pt == "fuel-cell-electric":
        hydrogen = sorted(k for k, f in db.fuels.items() if f.carrier == "hydrogen")
        f = inv.use.fuel
        if f is None:
            raise err(
                "a fuel-cell car's use stage needs 'fuel' with a hydrogen pathway (known: "
                f"{', '.join(hydrogen) or 'none'})",
                ("use",),
            )
        fuel = db.fuels.get(f.fuel)
        if fuel is None or fuel.carrier != "hydrogen":
            raise err(
                f"unknown hydrogen pathway {f.fuel!r}; known: {', '.join(hydrogen) or 'none'}",
                ("use", "fuel", "fuel"),
            )


def blend_share_text(inv: Any, db: Any, err: Any) -> tuple[str, tuple] | None:
    """Expression of the built-in ``fuel_blend_share`` (the use's ``blend_share``, else the fuel
    record's default) with its key path; None for a fuel that is not a blend."""
    f = inv.use.fuel
    if f is None:
        return None
    fuel = db.fuels.get(f.fuel)
    if fuel is None:
        return None  # reported with the use stage
    if fuel.blend is None:
        if f.blend_share is not None:
            raise err(
                f"fuel {f.fuel!r} is not a blend; blend_share applies to blends only (known: "
                f"{', '.join(sorted(k for k, v in db.fuels.items() if v.blend)) or 'none'})",
                ("use", "fuel", "blend_share"),
            )
        return None
    if f.blend_share is not None:
        return str(f.blend_share), ("use", "fuel", "blend_share")
    return repr(fuel.blend.share.value), ("use", "fuel", "fuel")


def _check_share(b: Any) -> None:
    kp = ("use", "fuel", "blend_share")
    q = b.values[BLEND_SHARE_PARAMETER]
    try:
        share = float(q.to("").magnitude)
    except pint.DimensionalityError:
        raise b.err("blend_share must be a plain number from 0 to 1", kp) from None
    if not 0.0 <= share <= 1.0:
        raise b.err(f"blend_share must be from 0 to 1 (got {share:g})", kp)


def add_fuel(b: Any) -> None:
    """Well-to-tank and tank-to-wheel exchanges of the use stage's fuel (both parts of a blend),
    and the electricity of a fuel that takes some."""
    f = b.inv.use.fuel
    fuel = b.db.fuels.get(f.fuel)
    if fuel is None:
        raise b.err(
            f"unknown fuel {f.fuel!r}; known: {', '.join(sorted(b.db.fuels))}",
            ("use", "fuel", "fuel"),
        )
    kp = ("use", "fuel", "amount")
    amount = _p(f.amount)
    years = _fuel_years(b, fuel)
    if fuel.blend is None:
        _fuel_pair(b, fuel, amount, kp, years=years)
    else:
        _check_share(b)
        other = b.db.fuels[fuel.blend.fuel]
        share = BLEND_SHARE_PARAMETER
        own = f"{amount} * (1 - {share})"
        _fuel_pair(b, fuel, own, kp, f" ({fuel.name}: fossil part)", years=years)
        _fuel_pair(b, other, f"{amount} * {share}", kp, f" (blended into {fuel.name})")
    _fuel_electricity(b, fuel, amount)


def _fuel_years(b: Any, fuel: Any) -> list[tuple[int, str, str]] | None:
    """(year, share expression, record) of each profile year of the fuel's upstream record on
    its trajectory; None without a fuel profile."""
    from lca.model.stages.years import use_years_split, year_record

    prof = b.inv.use.fuel.profile
    if prof is None:
        return None
    kp = ("use", "fuel", "profile")
    traj = None
    if prof.trajectory is not None:
        traj = b.db.trajectories.get(prof.trajectory)
        if traj is None:
            raise b.err(
                f"unknown trajectory {prof.trajectory!r}; known: "
                f"{', '.join(sorted(b.db.trajectories)) or 'none'}",
                (*kp, "trajectory"),
            )
        if traj.record != fuel.upstream:
            raise b.err(
                f"trajectory {traj.id!r} is for {traj.record}, but the fuel's well-to-tank "
                f"record is {fuel.upstream}",
                (*kp, "trajectory"),
            )
    split = use_years_split(b, prof, kp)
    if not b.use_years:
        b.use_years = [(y, km) for y, _, km in split]
    return [
        (y, frac, fuel.upstream if traj is None else year_record(b, fuel.upstream, traj.id, y))
        for y, frac, _ in split
    ]


def _fuel_pair(
    b: Any, fuel: Any, amount: str, kp: tuple, tag: str = "", years: list | None = None
) -> None:
    """Well to tank (one exchange per profile year when ``years`` is given) and tailpipe."""
    for year, frac, rid in years or [(None, "", fuel.upstream)]:
        b.add(
            "use",
            None,
            rid,
            f"{amount} * {frac}" if frac else amount,
            f"use: {fuel.name}, well to tank{f' {year}' if year else ''}{tag}",
            kp,
            kind="use-fuel-upstream",
            year=year,
        )
    b.add(
        "use",
        None,
        fuel.combustion,
        amount,
        f"use: {fuel.name}, combustion (tailpipe){tag}",
        kp,
        kind="use-fuel-combustion",
    )


def _fuel_electricity(b: Any, fuel: Any, amount: str) -> None:
    f = b.inv.use.fuel
    kp = ("use", "fuel", "supply")
    if fuel.electricity is None:
        if f.supply is not None:
            raise b.err(
                f"fuel {fuel.id!r} takes no electricity; 'supply' applies to fuels that do "
                "(hydrogen by electrolysis)",
                kp,
            )
        return
    if f.supply is None:
        raise b.err(
            f"fuel {fuel.id!r} takes {fuel.electricity} of electricity: choose its grid with "
            "use.fuel.supply (for example grid:DE)",
            ("use", "fuel"),
        )
    b.record(f.supply, kp, "kWh")
    try:
        parse_expression(fuel.electricity)
    except InputError as exc:  # checked with the background; kept for safety
        raise b.err(exc.message, kp) from None
    b.add(
        "use",
        None,
        f.supply,
        f"{amount} * ({fuel.electricity})",
        f"use: {fuel.name}, electricity for production ({f.supply})",
        kp,
        kind="use-fuel-electricity",
    )
