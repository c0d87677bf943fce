"""Rows of the report's tables, from a run: sources and names as a reader reads them,
electricity supplies, recycling approaches, parameters, and the scope text of each stage.
Units: kg CO2e unless named (g CO2e/km, kWh)."""

from __future__ import annotations

from typing import Any

from lca.analysis.pipeline import Run
from lca.model.recycling import APPROACH_LABELS, APPROACHES
from lca.outputs.palette import STAGE_LABELS, humanise
from lca.outputs.report.interpretation import N_
from lca.outputs.report.notes import strip_working_notes

STAGE_SCOPE = {
    "materials": N_(
        "extraction and production of the materials and parts of the vehicle body, "
        "chassis, interior, electrics and drive (material-gate data)"
    ),
    "battery": N_(
        "traction battery: cell materials and processing, cell plant electricity and "
        "heat, pack housing, BMS, cooling and wiring"
    ),
    "manufacturing": N_("body shop, paint shop and final assembly: electricity and heat"),
    "logistics": N_("delivery of the finished vehicle from the plant to the dealer"),
    "use": N_(
        "energy for driving over the lifetime distance, with its upstream supply and grid "
        "losses (tailpipe emissions for fuels)"
    ),
    "maintenance": N_(
        "replacement parts and fluids over the life (tyres, 12 V battery, coolant, "
        "brake pads, refrigerant losses)"
    ),
    "end_of_life": N_(
        "depollution, dismantling, shredding, battery recycling, incineration and "
        "landfill of residues"
    ),
}


def source_label(source: Any) -> str:
    if source is None:
        return ""
    if isinstance(source, str):
        text = source
    elif isinstance(source, dict):
        bits = [source.get("publisher") or source.get("authors") or "", source.get("title", "")]
        year = source.get("year")
        text = ", ".join(b for b in bits if b) + (f" ({year})" if year else "")
    else:
        bits = [source.publisher or source.authors or "", source.title]
        text = ", ".join(b for b in bits if b) + (f" ({source.year})" if source.year else "")
    return strip_working_notes(text)[0]


def clean(text: Any) -> str:
    return strip_working_notes(str(text) if text is not None else "")[0]


def electricity_rows(run: Run) -> list[dict[str, Any]]:
    """Every electricity exchange: supply record, kWh, factor and the basis of the factor."""
    sys = run.system
    rows = []
    for ex, a, c in zip(sys.exchanges, sys.amounts, run.calculation.contributions, strict=True):
        rec = sys.database.records[ex.record]
        if rec.category != "electricity" or ex.credit:
            continue
        location = ex.record.startswith("grid:") and not rec.primary_data
        rows.append(
            {
                "label": ex.label,
                "stage": STAGE_LABELS[ex.stage],
                "record": ex.record,
                "name": rec.name,
                "kwh": float(a),
                "g_per_kwh": 1000.0 * float(c) / float(a) if a else float("nan"),
                "kg": float(c),
                "location": location,
                "geography": rec.geography,
                "year": rec.reference_year,
                "source": source_label(rec.source),
            }
        )
    return rows


def exchange_label(e: dict[str, Any]) -> str:
    """An exchange's label for a reader: recovered-material rows say what they are (the
    avoided primary production is the credit; the recycling route is a burden inside it)."""
    label = str(e["label"])
    if not e.get("credit"):
        return label
    label = label.removeprefix("credit: ")
    if label.endswith(", avoided primary"):
        return label.removesuffix(", avoided primary") + ": avoided primary production"
    if label.endswith(", recycling route"):
        return label.removesuffix(", recycling route") + ": burden of the recycling route"
    return label


def named_label(label: str, record: str, db: Any) -> str:
    """``use: electricity (grid:EU-27)`` -> ``use: electricity (Electricity, consumption mix,
    European Union (27), life cycle)``: records by name, not by id."""
    rec = db.records.get(record)
    if rec is not None and f"({record})" in label:
        return label.replace(f"({record})", f"({rec.name})")
    return label


def named_hotspot(h: Any, db: Any) -> Any:
    """A hotspot whose label names its record by name, not by id."""
    from dataclasses import replace as _replace

    return _replace(h, label=named_label(h.label, h.record, db))


def approach_rows(res: Any, total: float) -> list[dict[str, Any]]:
    out = []
    for a in APPROACHES:
        e = res.recycling_approaches.get(a, {})
        out.append(
            {
                "id": a,
                "label": APPROACH_LABELS[a],
                "selected": a == res.approach,
                "available": bool(e.get("available")),
                "reason": clean(e.get("reason", "")),
                "total": e.get("total_kg_co2e"),
                "per_km": e.get("per_km_g_co2e"),
                "materials": e.get("materials_kg_co2e"),
                "eol": e.get("end_of_life_kg_co2e"),
                "credits": e.get("credits_kg_co2e"),
                "delta": (e["total_kg_co2e"] - total) / total
                if e.get("available") and total
                else None,
            }
        )
    return out


def parameter_rows(res: Any, inv: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": humanise(k),
            "id": k,
            "value": v["value"],
            "unit": v["unit"],
            "expression": v["expression"],
            "source": source_label(v["source"]),
            "uncertain": bool(inv.parameters[k].uncertainty) if k in inv.parameters else False,
        }
        for k, v in res.parameters.items()
    ]


def stage_rows(res: Any) -> list[dict[str, Any]]:
    """One row per stage: label, scope text, kg CO2e, share of the total, g CO2e/km."""
    total = res.total_kg_co2e
    return [
        {
            "id": s,
            "label": STAGE_LABELS[s],
            "scope": STAGE_SCOPE[s],
            "kg": v,
            "share": v / total if total else 0.0,
            "g_per_km": 1000.0 * v / res.lifetime_distance_km,
        }
        for s, v in res.stages_kg_co2e.items()
    ]


def exclusion_rows(excl: Any, total: float) -> list[dict[str, Any]]:
    """One row per excluded process: its estimated share (percent) and kg CO2e of ``total``."""
    return [
        {
            "id": e.id,
            "description": e.description,
            "stages": ", ".join(STAGE_LABELS[s] for s in e.stages),
            "category": e.category,
            "share": e.estimated_share_percent,
            "kg": e.estimated_share_percent / 100.0 * total,
            "basis": clean(e.basis),
            "estimate": e.estimate,
        }
        for e in excl
    ]


def gas_rows(res: Any, db: Any, gset: Any) -> list[dict[str, Any]]:
    """One row per greenhouse gas, largest CO2e first: kg, GWP100 factor, kg CO2e."""
    return [
        {
            "id": f,
            "name": db.flows[f].name,
            "origin": db.flows[f].origin,
            "kg": res.gases_kg[f],
            "factor": gset.factors[f],
            "kg_co2e": res.gases_kg_co2e[f],
        }
        for f in sorted(res.gases_kg, key=lambda f: -abs(res.gases_kg_co2e[f]))
    ]


def record_rows(records: Any) -> list[dict[str, Any]]:
    """One row per background record of the data-quality assessment (``assess``)."""
    return [
        {
            "record": r.record,
            "name": r.name,
            "source": source_label(r.source),
            "weight": r.weight,
            "kg_co2e": r.kg_co2e,
            "scores": r.scores,
            "dqr": r.dqr,
            "estimate": r.estimate,
            "primary_data": r.primary_data,
            "geography": r.geography,
            "reference_year": r.reference_year,
        }
        for r in records
    ]
