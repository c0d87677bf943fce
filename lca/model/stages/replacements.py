"""Replaced components and infrastructure: exchanges added after the life-cycle stages are
built (the last steps of :data:`lca.model.stages.STAGE_STEPS`).

A component replaced ``n`` times gets, next to its own production exchanges, a copy of each
multiplied by ``n`` (same stage: ``materials`` or ``battery``, labelled "replacement"), and in
``end_of_life`` ``n`` x its mass of its end-of-life record. Infrastructure items with
``include: true`` are added as components of their own stage. Pure: no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pint

from lca.errors import InputError, KeyPath
from lca.model.expressions import parse_expression
from lca.model.lifetimes import battery_wear, replacements_for_life
from lca.model.stages import battery
from lca.model.stages.builder import paren, scaled

SERVICE_LIFE_PARAMETER = "service_life"  # optional parameter: the vehicle's years of service
REPLACEMENT_KIND = "replacement"
PRODUCTION_STAGES = ("materials", "battery")


@dataclass(frozen=True)
class Replacement:
    """``count`` replacements of component ``component`` and how the count came about."""

    component: str
    count: int
    basis: str


def _quantity(b: Any, text: object, kp: KeyPath, unit: str, what: str) -> float:
    """``text`` evaluated with the deterministic parameter values, in ``unit``."""
    try:
        q = parse_expression(text).evaluate(b.values)
        value = float(q.to(unit).magnitude)
    except InputError as exc:
        raise b.err(exc.message, kp) from None
    except pint.DimensionalityError:
        raise b.err(f"{what} must be in {unit} or a compatible unit (got {text!r})", kp) from None
    if value <= 0:
        raise b.err(f"{what} must be greater than zero", kp)
    return value


def service_years(b: Any) -> float | None:
    """The vehicle's years of service: parameter ``service_life``, else the use profile's."""
    if SERVICE_LIFE_PARAMETER in b.values:
        kp = ("parameters", SERVICE_LIFE_PARAMETER, "value")
        return _quantity(b, SERVICE_LIFE_PARAMETER, kp, "year", "service_life")
    if b.use_years:
        return float(len(b.use_years))
    return None


def lifetime_distance_km(b: Any) -> float:
    return float(b.values["lifetime_distance"].to("km").magnitude)


def count_replacements(b: Any, ci: int, comp: Any) -> Replacement | None:
    """Replacements of component ``comp`` (index ``ci``) from ``replacements`` or ``lifetime``."""
    base = ("components", ci)
    if comp.lifetime is not None:
        return _by_lifetime(b, base, comp)
    if comp.replacements is None:
        return None
    if comp.replacements == "auto":
        return _auto(b, base, comp)
    return Replacement(comp.id, int(comp.replacements), "replacements as declared")


def _by_lifetime(b: Any, base: KeyPath, comp: Any) -> Replacement:
    kp = (*base, "lifetime")
    try:
        q = parse_expression(comp.lifetime).evaluate(b.values)
    except InputError as exc:
        raise b.err(exc.message, kp) from None
    if q.check("[length]"):
        part = _quantity(b, comp.lifetime, kp, "km", "lifetime")
        life = lifetime_distance_km(b)
        n = replacements_for_life(life, part)
        return Replacement(comp.id, n, f"lifetime {part:,.0f} km against {life:,.0f} km: {n}")
    if q.check("[time]"):
        part = _quantity(b, comp.lifetime, kp, "year", "lifetime")
        if part < 1.0:
            raise b.err(
                f"lifetime {comp.lifetime!r} is a calendar life under one year; for operating "
                "hours write a distance, hours times an average speed (for example "
                "4000 h * 46.5 km/h)",
                kp,
            )
        years = service_years(b)
        if years is None:
            raise b.err(
                "a lifetime in years needs the vehicle's years of service: add parameter "
                f"'{SERVICE_LIFE_PARAMETER}' (for example 15 year) or a use profile",
                kp,
            )
        n = replacements_for_life(years, part)
        return Replacement(comp.id, n, f"lifetime {part:g} years against {years:g} years: {n}")
    raise b.err(f"lifetime must be a distance or a time (got {comp.lifetime!r})", kp)


def _auto(b: Any, base: KeyPath, comp: Any) -> Replacement:
    kp = (*base, "replacements")
    if comp.chemistry is None:
        raise b.err(
            "replacements: auto needs a battery (a component with 'chemistry'); give a number "
            "or a 'lifetime' for other components",
            kp,
        )
    chem = b.db.chemistries[comp.chemistry]
    if comp.cycle_life is not None:
        cycle_life = _quantity(b, comp.cycle_life, (*base, "cycle_life"), "", "cycle_life")
    elif chem.cycle_life is not None:
        cycle_life = chem.cycle_life.value
    else:
        raise b.err(
            f"replacements: auto needs a cycle life: chemistry {chem.id!r} has none; add "
            "'cycle_life' (equivalent full cycles) to the component or the chemistry",
            kp,
        )
    usable_text = comp.usable_capacity or comp.capacity
    usable_kp = (*base, "usable_capacity" if comp.usable_capacity else "capacity")
    usable = _quantity(b, usable_text, usable_kp, "kWh", "usable capacity")
    throughput = _throughput(b, base, comp, kp)
    calendar = None
    years = None
    if comp.calendar_life is not None:
        ckp = (*base, "calendar_life")
        calendar = _quantity(b, comp.calendar_life, ckp, "year", "calendar_life")
        years = service_years(b)
        if years is None:
            raise b.err(
                "a calendar life needs the vehicle's years of service: add parameter "
                f"'{SERVICE_LIFE_PARAMETER}' (for example 15 year) or a use profile",
                ckp,
            )
    wear = battery_wear(throughput, usable, cycle_life, calendar, years)
    return Replacement(comp.id, wear.replacements, wear.basis())


def _throughput(b: Any, base: KeyPath, comp: Any, kp: KeyPath) -> float:
    """Energy through the battery over the life (kWh): the component's ``throughput``, else
    the use stage's electricity (at the socket: a slight overestimate of the cells' share)."""
    if comp.throughput is not None:
        return _quantity(b, comp.throughput, (*base, "throughput"), "kWh", "throughput")
    e = b.inv.use.electricity
    if e is None:
        raise b.err(
            "replacements: auto needs the energy through the battery: the use stage takes no "
            "electricity, so give 'throughput' (for example 40000 kWh)",
            kp,
        )
    return _quantity(b, e.amount, ("use", "electricity", "amount"), "kWh", "use electricity")


def component_mass_text(b: Any, comp: Any) -> str:
    """Mass of one unit of ``comp`` as an expression (a battery's pack mass, else the sum of its
    material lines with their scale)."""
    if comp.chemistry is not None:
        return battery.mass_text(b.db, comp)
    lines = [scaled(b.inv, comp, m.mass) for m in comp.materials]
    return " + ".join(lines) if lines else "0 kg"


def add_exchanges(b: Any) -> None:
    """Copies of each replaced component's production exchanges and its end of life; the
    counts go to ``b.replacements``."""
    out = b.replacements
    for ci, comp in enumerate(b.inv.components):
        rep = count_replacements(b, ci, comp)
        if rep is None:
            continue
        out.append(rep)
        if rep.count == 0:
            continue
        own = [
            ex
            for ex, _ in list(b.exchanges)
            if ex.component == comp.id and ex.stage in PRODUCTION_STAGES and not ex.credit
        ]
        for ex in own:
            b.add(
                ex.stage,
                comp.id,
                ex.record,
                f"{rep.count} * {paren(ex.amount.text)}",
                f"{ex.label} - replacement x{rep.count}",
                ex.path,
                kind=f"{REPLACEMENT_KIND}:{ex.kind}",
            )
        _replacement_end_of_life(b, ci, comp, rep)


def _replacement_end_of_life(b: Any, ci: int, comp: Any, rep: Replacement) -> None:
    base = ("components", ci)
    record = comp.end_of_life
    if record is None and comp.chemistry is not None:
        record = _battery_treatment(b)
    if record is None:
        raise b.err(
            f"component {comp.id!r} is replaced {rep.count} time(s): name the end of life of "
            "each replaced part with 'end_of_life' (a record per kg, for example "
            "eol:battery-recycling-hydro)",
            (*base, "replacements" if comp.replacements is not None else "lifetime"),
        )
    b.record(record, (*base, "end_of_life"), "kg")
    b.add(
        "end_of_life",
        comp.id,
        record,
        f"{rep.count} * ({component_mass_text(b, comp)})",
        f"end of life: {comp.id} - replacement x{rep.count} ({record})",
        (*base, "end_of_life" if comp.end_of_life else "replacements"),
        kind=f"{REPLACEMENT_KIND}:eol-treatment",
    )


def _battery_treatment(b: Any) -> str | None:
    """The end-of-life record the inventory gives its traction batteries: the treatment whose
    amount is ``battery_mass`` (only when there is exactly one)."""
    hits = [
        t.record
        for t in b.inv.end_of_life.treatments
        if str(t.amount).replace(" ", "") == "battery_mass"
    ]
    return hits[0] if len(hits) == 1 else None


def add_infrastructure(b: Any) -> None:
    """Infrastructure items with ``include: true``, each reported as its own component."""
    for i, item in enumerate(b.inv.infrastructure):
        if not item.include:
            continue
        kp = ("infrastructure", i)
        b.add(
            item.stage,
            item.id,
            item.record,
            b.raw(item.amount, (*kp, "amount")),
            f"infrastructure: {item.description or item.id}",
            (*kp, "amount"),
            kind="infrastructure",
            rec_kp=(*kp, "record"),
        )
