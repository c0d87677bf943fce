"""WBCSD PACT Technical Specification 3.0.3: a list of ProductFootprint objects, one for the
vehicle and one per traction battery, declared unit ``piece``, cradle-to-gate (materials,
battery, vehicle manufacturing; use, maintenance and end of life are outside; the delivery to
the dealer is reported as outbound logistics, outside the PCF).

Decimals are JSON strings. The tests validate the output against the official OpenAPI schema
(``tests/data/pact/openapi-3.0.3.yaml``) and :func:`rule_violations` (the spec's rules that a
schema cannot express). Carbon contents come from the bill of materials
(:mod:`lca.outputs.export.carbon`); unknown BIO fields are omitted, as the spec asks.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess
from lca.datafiles import data_file
from lca.errors import InputError
from lca.model.system import Exchange
from lca.outputs.export import ExportRequest, target
from lca.outputs.export.carbon import CarbonContent, carbon_content
from lca.outputs.export.footprint import (
    CRADLE_TO_GATE_STAGES,
    Part,
    battery_components,
    cradle_to_gate,
    decimal,
    part,
)
from lca.outputs.export.pact_rules import (  # noqa: F401 (rule_violations: public here too)
    PACT_MAX_EXEMPTED_PERCENT,
    rule_violations,
)

SPEC_VERSION = "3.0.3"  # PACT Technical Specification 3.0.3, 18 Nov 2025
URN_COMPANY = "urn:pathfinder:company:customcode:vendor-assigned:"
NAMESPACE = uuid.UUID("6f1c2a4e-7d1b-5c55-9a59-2f9b1e0c7a11")  # vehicle-lca's uuid5 namespace
STAGE_TEXT = {
    "materials": "production of the materials and parts of the vehicle (excluding the battery)",
    "battery": "traction battery production (cell materials, cell plant energy, pack)",
    "manufacturing": "vehicle manufacturing (body shop, paint shop, assembly: electricity, heat)",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"


def _company(run: Run, request: ExportRequest) -> tuple[str, list[str]]:
    name = request.options.get("company") or run.system.inventory.vehicle.manufacturer
    if not name:
        raise InputError(
            "the PACT export needs the company name: give --company NAME or set "
            "vehicle.manufacturer in the inventory",
            file=run.loaded.files[0],
            path=("vehicle", "manufacturer"),
        )
    ids = request.options.get("company_ids") or [URN_COMPANY + _slug(name)]
    for cid in ids:
        if not str(cid).startswith("urn:"):
            raise InputError(f"company id {cid!r} must be a URN (urn:...)")
    return str(name), [str(c) for c in ids]


def reference_year(run: Run) -> int:
    """The reference year: the vehicle's model year, else the newest background data year."""
    inv = run.system.inventory
    if inv.vehicle.model_year:
        return inv.vehicle.model_year
    used = {ex.record for ex in run.system.exchanges}
    return max(run.system.database.records[r].reference_year for r in used)


def _exempted(run: Run, stages: tuple[str, ...], base_total: float) -> tuple[float, str]:
    """Exempted emissions in % of ``base_total``: the inventory's process exclusions in
    ``stages`` (capital goods and overheads are outside PACT's boundary, not exemptions)."""
    total = run.result.total_kg_co2e
    kg = 0.0
    lines = []
    for ex in run.system.inventory.boundary.exclusions:
        if ex.category == "process" and set(ex.stages) & set(stages):
            kg += ex.estimated_share_percent / 100.0 * total
            lines.append(
                f"{ex.description} (about {ex.estimated_share_percent:g} % of the "
                f"cradle-to-grave total; {ex.basis})"
            )
    pct = 100.0 * kg / base_total if base_total else 0.0
    return pct, "; ".join(lines) or "none"


CO2_PER_C = 44.0095 / 12.011  # kg CO2 per kg C (IUPAC 2021 atomic weights)


@lru_cache(maxsize=1)
def _classifications() -> dict[str, Any]:
    return yaml.safe_load(data_file("product-classifications.yaml").read_text(encoding="utf-8"))


def data_quality_fields(run: Run, keep: Callable[[Exchange], bool]) -> dict[str, Any]:
    """``primaryDataShare`` (SHALL, % of pcfExcludingBiogenicUptake) and ``dqi`` (SHALL from
    2027): the one place the PACT data-quality fields are set."""
    from lca.calc.primary import combined_dqi

    q = assess(run.system, run.calculation.contributions, keep)
    # weighted DQRs: the background's pedigree and the suppliers' own DQIs (lca.calc.primary)
    dqi = combined_dqi(
        run.system, run.calculation.contributions, keep, q.pact_dqr(), q.scored_share
    )
    return {
        "primaryDataShare": decimal(100.0 * q.primary_data_share, 1),
        "dqi": {k: decimal(v, 2) for k, v in dqi.items()},
    }


def _carbon_fields(cc: CarbonContent) -> dict[str, str]:
    """Carbon contents (kg C per piece) and the biogenic uptake they imply (kg CO2, <= 0)."""
    out = {"fossilCarbonContent": decimal(cc.fossil)}
    if cc.biogenic is not None:
        out["biogenicCarbonContent"] = decimal(cc.biogenic)
        # temporary uptake of the biomass carbon held in the product at the gate
        out["biogenicCO2Uptake"] = decimal(-cc.biogenic * CO2_PER_C)
    if cc.recycled is not None:
        out["recycledCarbonContent"] = decimal(cc.recycled)
    return out


def _sources(run: Run, keep: Callable[[Exchange], bool]) -> list[dict[str, str]]:
    """The background datasets whose records the product uses (with their inputs)."""
    db = run.system.database
    stack = [ex.record for ex in run.system.exchanges if keep(ex) and not ex.credit]
    seen: set[str] = set()
    while stack:
        rid = stack.pop()
        if rid not in seen:
            seen.add(rid)
            stack.extend(i for i, _ in db.records[rid].inputs)
    used = {db.records[r].dataset for r in seen}
    return [
        {"name": f"vehicle-lca background: {d.dataset}", "version": d.version}
        for d in db.datasets
        if d.dataset in used
    ]


def _allocation(run: Run) -> str:
    if run.system.inventory.end_of_life.approach == "cut-off":
        return (
            "recycled content: cut-off (recycled material carries the burden of its recycling "
            "route); no credits for end-of-life recycling"
        )
    return (
        f"recycling approach: {run.system.inventory.end_of_life.approach} (see the CFP study "
        "report); end-of-life credits are outside the cradle-to-gate boundary"
    )


def _pcf(run: Run, item: _Item, year: int) -> dict:
    """The CarbonFootprint object of one product (kg CO2e and kg C per piece)."""
    p, stages = item.part, item.stages
    cc = carbon_content(run, item.keep)
    carbon = _carbon_fields(cc)
    excl = p.total  # fossil + land-use change + biogenic CO2 and non-CO2 emissions, no credits
    uptake = float(carbon.get("biogenicCO2Uptake", "0"))
    exempt_pct, exempt_text = _exempted(run, stages, p.total)
    if exempt_pct > PACT_MAX_EXEMPTED_PERCENT:
        raise run.loaded.sources.error(
            f"the process exclusions in the cradle-to-gate stages come to {exempt_pct:.1f} % of "
            f"the cradle-to-gate footprint; PACT allows at most {PACT_MAX_EXEMPTED_PERCENT:g} % "
            "of exempted emissions: model them (for example as a component's 'processing') or "
            "revise their estimated shares",
            ("boundary", "exclusions"),
        )
    sys = run.system
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": "piece",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": decimal(item.mass_kg),
        "referencePeriodStart": f"{year}-01-01T00:00:00Z",
        "referencePeriodEnd": f"{year + 1}-01-01T00:00:00Z",
        "pcfExcludingBiogenicUptake": decimal(excl),
        "pcfIncludingBiogenicUptake": decimal(excl + uptake),
        "fossilGhgEmissions": decimal(p.fossil),
        **carbon,
        "landUseChangeGhgEmissions": decimal(p.land_use_change),
        "biogenicNonCO2Emissions": decimal(p.biogenic_non_co2),
        "aircraftGhgEmissions": decimal(p.aircraft),
        "packagingEmissionsIncluded": False,
        "ccsTechnologicalCO2CaptureIncluded": False,  # no CCS in the product system
        "ipccCharacterizationFactors": [sys.gwp_set],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": decimal(exempt_pct),
        "exemptedEmissionsDescription": exempt_text,
        "boundaryProcessesDescription": "cradle-to-gate: "
        + "; ".join(STAGE_TEXT[s] for s in stages if s in STAGE_TEXT),
        "allocationRulesDescription": _allocation(run),
        **data_quality_fields(run, item.keep),
    }
    sources = _sources(run, item.keep)
    if sources:  # none when every emission of the product is a supplier's footprint
        pcf["secondaryEmissionFactorSources"] = sources
    if item.outbound_kg_co2e is not None:
        pcf["outboundLogisticsGhgEmissions"] = decimal(item.outbound_kg_co2e)
    country = sys.inventory.vehicle.production_country
    if country and re.fullmatch(r"[A-Z]{2}", country):
        pcf["geographyCountry"] = country
    return pcf


@dataclass(frozen=True)
class _Item:
    """One product of the export: names, footprint part, mass (kg) and selection."""

    key: str
    name: str
    description: str
    part: Part
    mass_kg: float
    stages: tuple[str, ...]
    keep: Callable[[Exchange], bool]
    classification: str
    outbound_kg_co2e: float | None
    carbon_note: str = ""


def _carbon_note(run: Run, keep: Callable[[Exchange], bool]) -> str:
    cc = carbon_content(run, keep)
    text = (
        f"Carbon contents from the bill of materials ({cc.assessed_kg:.0f} kg of materials with a "
        "known carbon fraction" + (", partly estimated" if cc.estimate else "") + ")"
    )
    if cc.fossil_unknown_kg > 0:
        text += (
            f"; the carbon of {cc.fossil_unknown_kg:.0f} kg ({', '.join(cc.unknown_records)}) is "
            "not known, so fossilCarbonContent is a lower bound"
        )
    if cc.biogenic is None:
        text += "; biogenic carbon content unknown (left out)"
    return text + "."


def _items(run: Run) -> list[_Item]:
    inv, res = run.system.inventory, run.result
    v = inv.vehicle
    cls = _classifications()
    curb = float(run.system.parameter_values["curb_mass"].to("kg").magnitude)

    def in_c2g(ex: Exchange) -> bool:
        return ex.stage in CRADLE_TO_GATE_STAGES

    delivery = part(run, lambda ex: ex.stage == "logistics").total
    items = [
        _Item(
            key=res.name,
            name=v.name,
            description=f"{v.name} ({v.powertrain}), one vehicle, cradle-to-gate"
            + (f"; {v.description.strip()}" if v.description else ""),
            part=cradle_to_gate(run),
            mass_kg=curb,
            stages=CRADLE_TO_GATE_STAGES,
            keep=in_c2g,
            classification=cls["powertrain"][v.powertrain]["code"],
            # the manufacturer ships the car to the dealer (the inventory's logistics legs)
            outbound_kg_co2e=delivery if inv.logistics else None,
        )
    ]
    for comp in battery_components(run):

        def in_battery(ex: Exchange, cid: str = comp.id) -> bool:
            return ex.stage == "battery" and ex.component == cid

        chem = run.system.database.chemistries[comp.chemistry]
        share = chem.cell_mass_share.value
        parts_kg = sum(
            float(a)
            for ex, a in zip(run.system.exchanges, run.system.amounts, strict=True)
            if ex.component == comp.id and ex.kind == "battery-pack"
        )
        capacity = f"{comp.capacity}" if comp.capacity else ""
        items.append(
            _Item(
                key=f"{res.name}:{comp.id}",
                name=f"{chem.id} traction battery"
                + (f", {capacity}" if capacity else "")
                + f" ({v.name})",
                description=f"{comp.description or chem.name + ' traction battery'} "
                f"({chem.name}, {capacity}), one pack, cradle-to-gate",
                part=part(run, in_battery),
                mass_kg=parts_kg / (1.0 - share) if share < 1 else parts_kg,
                stages=("battery",),
                keep=in_battery,
                classification=cls["battery"]["lithium-ion"]["code"],
                outbound_kg_co2e=None,  # pack delivery to the car plant is not modelled
            )
        )
    return items


def footprints(run: Run, request: ExportRequest) -> list[dict[str, Any]]:
    """The ProductFootprint objects (plain JSON data) for the vehicle and its batteries."""
    res = run.result
    company, company_ids = _company(run, request)
    year = reference_year(run)
    created = res.provenance.get("timestamp_utc", "1970-01-01T00:00:00+00:00").replace(
        "+00:00", "Z"
    )
    digest = "".join(i["sha256"] for i in res.provenance.get("inputs", []))
    prefix = _classifications()["urn_prefix"]
    out = []
    for item in _items(run):
        fid = uuid.uuid5(NAMESPACE, f"{item.key}|{digest}|{run.system.gwp_set}")
        product = uuid.uuid5(NAMESPACE, f"product|{company}|{item.key}")
        out.append(
            {
                "id": str(fid),
                "specVersion": SPEC_VERSION,
                "created": created,
                "status": "Active",
                "companyName": company,
                "companyIds": company_ids,
                "productDescription": item.description,
                "productIds": [f"urn:uuid:{product}"],
                "productClassifications": [prefix + item.classification],
                "productNameCompany": item.name,
                "comment": (
                    "Computed with vehicle-lca (ISO 14067 CFP, climate change only); kg CO2e and "
                    "kg C per piece. "
                    + _carbon_note(run, item.keep)
                    + " biogenicCO2Uptake is the CO2 held in the biomass carbon of the product "
                    "(biogenicCarbonContent x 44/12). Use, maintenance and end of life are "
                    "outside the cradle-to-gate boundary"
                    + (
                        "; outboundLogisticsGhgEmissions is the delivery to the dealer, not "
                        "part of the PCF."
                        if item.outbound_kg_co2e is not None
                        else "."
                    )
                ),
                "pcf": _pcf(run, item, year),
            }
        )
    return out


def export_pact(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    data = footprints(run, request)
    return {target(request, run, "pact"): json.dumps(data, indent=2, ensure_ascii=False) + "\n"}
