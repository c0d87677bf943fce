"""WBCSD PACT Technical Specification 3.0: a list of ProductFootprint objects, one for the
vehicle and one per traction battery, declared unit ``piece``, cradle-to-gate (materials,
battery, vehicle manufacturing; delivery, use, maintenance and end of life are outside).

Decimals are JSON strings. Schema: ``lca/data/pact-3.0-productfootprint-list.schema.json``.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess
from lca.errors import InputError
from lca.outputs.export import ExportRequest, target
from lca.outputs.export.footprint import (
    CRADLE_TO_GATE_STAGES,
    Part,
    battery_components,
    cradle_to_gate,
    decimal,
    part,
)

SPEC_VERSION = "3.0.0"
URN_COMPANY = "urn:pathfinder:company:customcode:vendor-assigned:"
URN_PRODUCT = "urn:pathfinder:product:customcode:vendor-assigned:"
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


# PACT Technical Specification: exemptedEmissionsPercent is a number from 0 to 5
PACT_MAX_EXEMPTED_PERCENT = 5.0


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


def _pcf(run: Run, p: Part, mass_kg: float, stages: tuple[str, ...], year: int, keep) -> dict:  # noqa: ANN001
    q = assess(run.system, run.calculation.contributions, keep)
    excl = p.fossil + p.land_use_change + p.biogenic_non_co2
    incl = excl + p.biogenic_co2  # biogenic CO2 uptake is not modelled (0)
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
        "productMassPerDeclaredUnit": decimal(mass_kg),
        "referencePeriodStart": f"{year}-01-01T00:00:00Z",
        "referencePeriodEnd": f"{year + 1}-01-01T00:00:00Z",
        "pcfExcludingBiogenicUptake": decimal(excl),
        "pcfIncludingBiogenicUptake": decimal(incl),
        "fossilGhgEmissions": decimal(p.fossil),
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "landUseChangeGhgEmissions": decimal(p.land_use_change),
        "biogenicNonCO2Emissions": decimal(p.biogenic_non_co2),
        "biogenicCO2Uptake": "0",
        "aircraftGhgEmissions": decimal(p.aircraft),
        "packagingEmissionsIncluded": False,
        "ipccCharacterizationFactors": [sys.gwp_set],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": decimal(exempt_pct),
        "exemptedEmissionsDescription": exempt_text,
        "boundaryProcessesDescription": "cradle-to-gate: "
        + "; ".join(STAGE_TEXT[s] for s in stages if s in STAGE_TEXT),
        "allocationRulesDescription": (
            "recycled content: cut-off (recycled material carries the burden of its recycling "
            "route); no credits for end-of-life recycling"
            if sys.inventory.end_of_life.approach == "cut-off"
            else f"recycling approach: {sys.inventory.end_of_life.approach} "
            "(see the CFP study report)"
        ),
        "primaryDataShare": decimal(100.0 * q.primary_data_share, 1),
        "dqi": {k: decimal(v, 2) for k, v in _dqi(run, q, keep).items()},
        "secondaryEmissionFactorSources": [
            {"name": f"vehicle-lca background: {d.dataset}", "version": d.version}
            for d in sys.database.datasets
        ],
    }
    country = sys.inventory.vehicle.production_country
    if country and re.fullmatch(r"[A-Z]{2}", country):
        pcf["geographyCountry"] = country
    return pcf


def _dqi(run: Run, q, keep) -> dict[str, float]:  # noqa: ANN001
    """Weighted DQRs: the background's pedigree and the suppliers' own DQIs (lca.calc.primary)."""
    from lca.calc.primary import combined_dqi

    return combined_dqi(
        run.system, run.calculation.contributions, keep, q.pact_dqr(), q.scored_share
    )


def footprints(run: Run, request: ExportRequest) -> list[dict[str, Any]]:
    """The ProductFootprint objects (plain JSON data) for the vehicle and its batteries."""
    res = run.result
    inv = run.system.inventory
    company, company_ids = _company(run, request)
    year = reference_year(run)
    created = res.provenance.get("timestamp_utc", "1970-01-01T00:00:00+00:00").replace(
        "+00:00", "Z"
    )
    digest = "".join(i["sha256"] for i in res.provenance.get("inputs", []))
    v = inv.vehicle
    curb = float(run.system.parameter_values["curb_mass"].to("kg").magnitude)
    out = []
    c2g = cradle_to_gate(run)

    def in_c2g(ex) -> bool:  # noqa: ANN001
        return ex.stage in CRADLE_TO_GATE_STAGES

    items = [
        (
            v.name,
            f"{v.name} ({v.powertrain}), one vehicle, cradle-to-gate"
            + (f"; {v.description.strip()}" if v.description else ""),
            c2g,
            curb,
            CRADLE_TO_GATE_STAGES,
            res.name,
            in_c2g,
        )
    ]
    for comp in battery_components(run):

        def in_battery(ex, cid=comp.id) -> bool:  # noqa: ANN001
            return ex.stage == "battery" and ex.component == cid

        bp = part(run, in_battery)
        mass = sum(
            float(a)
            for ex, a in zip(run.system.exchanges, run.system.amounts, strict=True)
            if ex.component == comp.id and ex.kind == "battery-pack"
        )
        chem = run.system.database.chemistries[comp.chemistry]
        share = chem.cell_mass_share.value
        pack_mass = mass / (1.0 - share) if share < 1 else mass
        items.append(
            (
                f"{v.name}: traction battery {comp.id}",
                f"{comp.description or comp.id} ({chem.name}, {comp.capacity}), one pack, "
                "cradle-to-gate",
                bp,
                pack_mass,
                ("battery",),
                f"{res.name}:{comp.id}",
                in_battery,
            )
        )
    for name, description, p, mass, stages, key, keep in items:
        fid = uuid.uuid5(NAMESPACE, f"{key}|{digest}|{run.system.gwp_set}")
        out.append(
            {
                "id": str(fid),
                "specVersion": SPEC_VERSION,
                "created": created,
                "status": "Active",
                "companyName": company,
                "companyIds": company_ids,
                "productDescription": description,
                "productIds": [URN_PRODUCT + _slug(key)],
                "productNameCompany": name,
                "comment": (
                    "Computed with vehicle-lca (ISO 14067 CFP, climate change only); kg CO2e per "
                    "piece. Fossil and biogenic carbon content of the product were not assessed "
                    "(reported as 0). Biogenic CO2 uptake is not modelled. Outbound logistics, use "
                    "and end of life are outside the cradle-to-gate boundary."
                ),
                "pcf": _pcf(run, p, mass, stages, year, keep),
            }
        )
    return out


def export_pact(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    data = footprints(run, request)
    return {target(request, run, "pact"): json.dumps(data, indent=2, ensure_ascii=False) + "\n"}
