"""Background file entries -> database objects: records (units and emissions checked),
sourced quantities, battery chemistries and grid trajectories, every error located."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lca.errors import InputError
from lca.inputs.yamlio import Document
from lca.model.database import (
    Chemistry,
    Fuel,
    FuelBlend,
    Quantity,
    Record,
    Trajectory,
    _suggest,
)
from lca.model.expressions import parse_quantity
from lca.model.units import parse_unit, registry
from lca.schema.background import RecordSpec, SourcedQuantity
from lca.schema.common import Source

PER_UNIT_CHECK = "mass per reference unit"


def convert_record(
    spec: RecordSpec, doc: Any, base: tuple, dataset: str, file: str
) -> tuple[Record, list]:
    """Check a record's units and convert its emissions to kg per reference unit.

    Returns the record (inputs not yet linked) and its raw inputs (id, quantity, key path).
    """
    ureg = registry()
    try:
        ref_unit = parse_unit(spec.unit)
    except InputError as exc:
        raise doc.error(exc.message, (*base, "unit")) from None
    target = ureg.kilogram / ref_unit
    emissions: dict[str, float] = {}
    for gas, text in spec.emissions.items():
        try:
            q = parse_quantity(text, what="emission")
            value = float(q.to(target).magnitude)
        except InputError as exc:
            raise doc.error(exc.message, (*base, "emissions", gas)) from None
        except Exception:
            raise doc.error(
                f"emission {text!r} must be a mass per {spec.unit} (for example "
                f"'1.2 kg/{spec.unit}')",
                (*base, "emissions", gas),
            ) from None
        emissions[gas] = value
    inputs = []
    for i, inp in enumerate(spec.inputs):
        try:
            q = parse_quantity(inp.amount, what="input amount")
        except InputError as exc:
            raise doc.error(exc.message, (*base, "inputs", i, "amount")) from None
        inputs.append((inp.record, q, (*base, "inputs", i)))
    if "co2e" in emissions and spec.gwp_basis is None:
        raise doc.error(
            "a record with 'co2e' must say which GWP set its source used "
            "(gwp_basis: AR4, AR5, AR6 or unknown)",
            (*base, "gwp_basis"),
        )
    return Record(
        id=spec.id,
        name=spec.name,
        category=spec.category,
        unit=spec.unit,
        emissions=emissions,
        geography=spec.geography,
        reference_year=spec.reference_year,
        source=spec.source,
        dataset=dataset,
        file=file,
        uncertainty=spec.uncertainty,
        data_quality=spec.data_quality,
        gwp_basis=spec.gwp_basis,
        estimate=spec.estimate,
        note=spec.note,
        aircraft=spec.aircraft,
        inputs=(),  # linked once every record is known (see _load_cached)
    ), [(rid, q, kp) for rid, q, kp in inputs]


def _sourced(sq: SourcedQuantity, unit: str, doc: Document, kp: tuple) -> Quantity:
    try:
        q = parse_quantity(sq.value)
        value = float(q.to(parse_unit(unit) if unit else registry().dimensionless).magnitude)
    except InputError as exc:
        raise doc.error(exc.message, (*kp, "value")) from None
    except Exception:
        raise doc.error(
            f"{sq.value!r} must be in units of {unit or 'a plain number'}", (*kp, "value")
        ) from None
    if value <= 0:
        raise doc.error("must be greater than zero", (*kp, "value"))
    return Quantity(value, unit, sq.source, sq.uncertainty, sq.estimate, sq.note)


def _chemistry(c: Any, doc: Document, kp: tuple) -> Chemistry:
    """A battery chemistry with its sourced constants unit-checked."""
    return Chemistry(
        id=c.id,
        name=c.name,
        cell_materials=c.cell_materials,
        pack_components=c.pack_components,
        cell_plant_electricity=_sourced(
            c.cell_plant_electricity, "kWh/kWh", doc, (*kp, "cell_plant_electricity")
        ),
        cell_plant_heat=_sourced(c.cell_plant_heat, "MJ/kWh", doc, (*kp, "cell_plant_heat")),
        pack_specific_energy=_sourced(
            c.pack_specific_energy, "kWh/kg", doc, (*kp, "pack_specific_energy")
        ),
        cell_mass_share=_sourced(c.cell_mass_share, "", doc, (*kp, "cell_mass_share")),
        cycle_life=(
            _sourced(c.cycle_life, "", doc, (*kp, "cycle_life"))
            if c.cycle_life is not None
            else None
        ),
    )


def _fuel(f: Any, doc: Document, kp: tuple) -> Fuel:
    """A fuel with its blend share (0 to 1) and electricity per unit checked."""
    blend = None
    if f.blend is not None:
        share = _sourced(f.blend.share, "", doc, (*kp, "blend", "share"))
        if not 0.0 <= share.value <= 1.0:
            raise doc.error("a blend share must be from 0 to 1", (*kp, "blend", "share"))
        blend = FuelBlend(f.blend.fuel, share)
    elec = None
    if f.electricity is not None:
        try:
            q = parse_quantity(f.electricity.value)
        except InputError as exc:
            raise doc.error(exc.message, (*kp, "electricity", "value")) from None
        per_kg = (q * registry()("kg")).check("[energy]")
        per_l = (q * registry()("L")).check("[energy]")
        if q.magnitude <= 0 or not (per_kg or per_l):
            raise doc.error(
                "electricity must be energy per unit of fuel (for example 55 kWh/kg)",
                (*kp, "electricity", "value"),
            )
        elec = str(f.electricity.value)
    return Fuel(
        f.id,
        f.name or f.id,
        f.upstream,
        f.combustion,
        f.carrier,
        blend,
        elec,
        f.electricity.source if f.electricity is not None else None,
    )


def convert_trajectory(t: Any, records: Mapping[str, Record], doc: Any, kp: tuple) -> Trajectory:
    """A trajectory of an inventory or scenario (``doc``: anything with ``error(message,
    key_path)``), checked against ``records`` like a background one."""
    return _trajectory(t, records, doc, kp)


def _source_text(src: Source | str) -> str:
    if isinstance(src, str):
        return src
    return ", ".join(str(b) for b in (src.publisher or src.authors, src.title, src.year) if b)


def _trajectory(t: Any, records: Mapping[str, Record], doc: Document, kp: tuple) -> Trajectory:
    """Check a trajectory against its record (units, co2e-only) and convert its points."""
    rec = records.get(t.record)
    if rec is None:
        raise doc.error(
            f"unknown record {t.record!r}{_suggest(t.record, records)}", (*kp, "record")
        )
    if set(rec.emissions) != {"co2e"}:
        raise doc.error(
            f"record {t.record!r} lists gases ({', '.join(sorted(rec.emissions))}); a trajectory "
            "needs a record characterised as co2e only",
            (*kp, "record"),
        )
    target = registry().kilogram / parse_unit(rec.unit)
    points = []
    last = None
    for i, pt in enumerate(t.points):
        pkp = (*kp, "points", i)
        try:
            value = float(parse_quantity(pt.value, what="intensity").to(target).magnitude)
        except InputError as exc:
            raise doc.error(exc.message, (*pkp, "value")) from None
        except Exception:
            raise doc.error(
                f"{pt.value!r} must be a mass per {rec.unit} (for example '250 g/{rec.unit}')",
                (*pkp, "value"),
            ) from None
        if value < 0:
            raise doc.error("an intensity must not be negative", (*pkp, "value"))
        if last is not None and pt.year <= last:
            raise doc.error("years must increase from point to point", (*pkp, "year"))
        last = pt.year
        text = _source_text(pt.source)
        if pt.estimate and "estimate" not in text:
            text += " (estimate)"
        points.append((pt.year, value, text))
    return Trajectory(
        id=t.id,
        record=t.record,
        name=t.name,
        unit=rec.unit,
        source=t.source,
        points=tuple(points),
        estimate=t.estimate or any(p.estimate for p in t.points),
        note=t.note,
    )


def _same_unit(a: str, b: str) -> bool:
    try:
        return parse_unit(a) == parse_unit(b) or (1 * parse_unit(a)).to(parse_unit(b)).m == 1
    except Exception:
        return False
