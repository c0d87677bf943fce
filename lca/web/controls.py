"""The controls of the workbench for one loaded input: which key paths a what-if may set, and how.

A control is a key path of the scenario override mechanism (``lca.inputs.overrides``) with the
values it accepts: a parameter with an uncertainty (a number in the parameter's unit, slider over
the uncertainty range), a supply or chemistry or approach (one of a fixed list), or a recycled
mass (a number in kg). User values are only ever numbers or members of a list; nothing a user
types is parsed as an expression.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from lca.inputs.loader import LoadedInput
from lca.model.background import Database
from lca.model.recycling import APPROACH_LABELS, APPROACHES

SUPPLY_PREFIXES = ("grid:", "electricity:")


@dataclass(frozen=True)
class Control:
    """One control. ``kind``: ``parameter`` (fast path: compiled-model override), ``choice``
    or ``mass`` (structural: a rebuilt system, cached). ``value`` is the value as loaded."""

    path: str
    kind: str
    label: str
    group: str
    value: Any
    unit: str = ""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
    source: str = ""
    parameter: str | None = None
    si_factor: float = 1.0  # SI base magnitude of one unit of ``unit``
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("si_factor")
        return d


def split_quantity(value: Any) -> tuple[float, str] | None:
    """(number, unit text) of ``"16.8 kWh/100km"`` or a plain number; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), ""
    if not isinstance(value, str):
        return None
    head, _, unit = value.strip().partition(" ")
    try:
        number = float(head)
    except ValueError:
        return None
    return (number, unit.strip()) if math.isfinite(number) else None


def si_factor(unit: str) -> float:
    """SI base magnitude of one ``unit`` (1 for a dimensionless number)."""
    if not unit:
        return 1.0
    from lca.model.expressions import parse_expression

    q = parse_expression(f"1 {unit}").evaluate({})
    return float(q.to_base_units().magnitude)


def _in_unit(text: Any, unit: str) -> float | None:
    """``text`` (a quantity string or number) as a number in ``unit``."""
    q = split_quantity(text)
    if q is None:
        return None
    number, u = q
    if u == unit:
        return number
    return number * si_factor(u) / si_factor(unit)


def _source_text(spec: dict[str, Any]) -> str:
    src = spec.get("source")
    if isinstance(src, dict):
        parts = [str(src.get(k)) for k in ("title", "publisher", "year") if src.get(k)]
        src = ", ".join(parts)
    basis = (spec.get("uncertainty") or {}).get("basis")
    text = str(src or "no source given")
    return f"{text} (range: {basis})" if basis else text


def _range(spec: dict[str, Any], value: float, unit: str) -> tuple[float, float] | None:
    unc = spec.get("uncertainty")
    if not isinstance(unc, dict):
        return None
    kind = unc.get("distribution")
    if kind in ("triangular", "uniform"):
        lo, hi = _in_unit(unc.get("low"), unit), _in_unit(unc.get("high"), unit)
    elif kind == "normal" and unc.get("sd") is not None:
        sd = _in_unit(unc.get("sd"), unit)
        lo, hi = (value - 3 * sd, value + 3 * sd) if sd is not None else (None, None)
    elif kind == "lognormal" and unc.get("gsd") is not None:
        gsd = float(unc["gsd"])
        lo, hi = value / gsd**2, value * gsd**2
    else:
        return None
    if lo is None or hi is None or not hi > lo:
        return None
    return min(lo, value), max(hi, value)


def _step(lo: float, hi: float) -> float:
    span = hi - lo
    return 10 ** math.floor(math.log10(span / 200)) if span > 0 else 1.0


def parameter_controls(data: dict[str, Any]) -> list[Control]:
    out = []
    for name, spec in (data.get("parameters") or {}).items():
        if not isinstance(spec, dict) or "uncertainty" not in spec:
            continue
        q = split_quantity(spec.get("value"))
        if q is None:
            continue
        value, unit = q
        rng = _range(spec, value, unit)
        if rng is None:
            continue
        out.append(
            Control(
                path=f"parameters.{name}",
                kind="parameter",
                label=name.replace("_", " "),
                group="Parameters",
                value=value,
                unit=unit,
                low=rng[0],
                high=rng[1],
                step=_step(*rng),
                source=_source_text(spec),
                parameter=name,
                si_factor=si_factor(unit),
            )
        )
    return out


def _supplies(db: Database) -> tuple[str, ...]:
    return tuple(sorted(r for r in db.records if r.startswith(SUPPLY_PREFIXES)))


def _choice(path: str, label: str, group: str, value: str, options, source: str, names=None):  # noqa: ANN001, ANN202
    opts = tuple(options)
    if value not in opts:
        opts = (value, *opts)
    return Control(
        path=path,
        kind="choice",
        label=label,
        group=group,
        value=value,
        options=opts,
        option_labels=tuple((names or {}).get(o, o) for o in opts),
        source=source,
    )


def choice_controls(data: dict[str, Any], db: Database) -> list[Control]:
    """Grid and cell-plant supply, battery chemistry, recycling approach, recycled masses."""
    out: list[Control] = []
    supplies = _supplies(db)
    names = {r: f"{r} ({db.records[r].name})" for r in supplies}
    elec = ((data.get("use") or {}).get("electricity")) or {}
    # with a use profile the trajectory fixes the grid (the loader refuses another supply)
    if isinstance(elec, dict) and isinstance(elec.get("supply"), str) and not elec.get("profile"):
        out.append(
            _choice("use.electricity.supply", "charging electricity supply", "Supplies",
                    elec["supply"], supplies, "background records grid:* and electricity:*",
                    names)
        )
    for comp in data.get("components") or []:
        if not isinstance(comp, dict):
            continue
        cid = comp.get("id")
        if isinstance(comp.get("cell_plant_electricity"), str):
            out.append(
                _choice(f"components.{cid}.cell_plant_electricity",
                        f"{cid} cell-plant electricity supply", "Supplies",
                        comp["cell_plant_electricity"], supplies,
                        "background records grid:* and electricity:*", names)
            )
        if isinstance(comp.get("chemistry"), str):
            out.append(
                _choice(f"components.{cid}.chemistry", f"{cid} chemistry", "Battery",
                        comp["chemistry"], tuple(db.chemistries),
                        "inventories/background/batteries.yaml (the pack mass stays as given)")
            )
        out.extend(_recycled(comp))
    eol = data.get("end_of_life") or {}
    if isinstance(eol, dict) and isinstance(eol.get("approach"), str):
        out.append(
            _choice("end_of_life.approach", "recycling approach", "End of life",
                    eol["approach"], APPROACHES, "ISO 14067 6.4.9.4; PEF CFF", APPROACH_LABELS)
        )
    return out


def _recycled(comp: dict[str, Any]) -> list[Control]:
    """Recycled-mass lines of steel and aluminium materials of one component."""
    out = []
    lines = [m for m in comp.get("materials") or [] if isinstance(m, dict)]
    for m in lines:
        mat = str(m.get("material", ""))
        if not mat.startswith(("steel", "aluminium")) or "recycled_mass" not in m:
            continue
        if sum(1 for x in lines if x.get("material") == mat) != 1:
            continue  # the key path would be ambiguous
        rec, total = split_quantity(m["recycled_mass"]), split_quantity(m.get("mass"))
        if rec is None or total is None or rec[1] != total[1]:
            continue
        out.append(
            Control(
                path=f"components.{comp.get('id')}.materials.{mat}.recycled_mass",
                kind="mass",
                label=f"recycled {mat} in {comp.get('id')}",
                group="Recycled content",
                value=rec[0],
                unit=rec[1],
                low=0.0,
                high=total[0],
                step=1.0,
                source=str(m.get("source") or "no source given"),
            )
        )
    return out


def controls_for(loaded: LoadedInput, db: Database) -> list[Control]:
    return parameter_controls(loaded.data) + choice_controls(loaded.data, db)


def yaml_value(control: Control, value: Any) -> Any:
    """The override value written to a scenario for ``value`` (a number or an option)."""
    if control.kind == "choice":
        return value
    number = float(value)
    return f"{number!r} {control.unit}" if control.unit else number
