"""The rules of the PACT Technical Specification 3.0.3 that its JSON schema cannot express,
checked on exported ProductFootprint lists (plain JSON data)."""

from __future__ import annotations

from typing import Any

# PACT methodology: exempted emissions at most 5 % (ADR 30 moved the limit out of the schema)
PACT_MAX_EXEMPTED_PERCENT = 5.0

RULES_ABSENT_WHEN_FALSE = {
    "packagingEmissionsIncluded": ("packagingGhgEmissions",),
    "ccsTechnologicalCO2CaptureIncluded": (
        "ccsTechnologicalCO2Capture",
        "technologicalCO2Removals",
        "technologicalCO2CaptureOrigin",
    ),
}


def rule_violations(data: list[dict[str, Any]]) -> list[str]:
    """The PACT 3.0.3 rules a JSON schema does not express, broken by ``data`` (empty if
    none): exemptions at most 5 %, DQRs 1 to 3, fields that must be undefined when their flag
    is false, pcfIncludingBiogenicUptake = excluding + biogenicCO2Uptake, referencePeriod order."""
    out = []
    for i, fp in enumerate(data):
        pcf = fp["pcf"]
        where = f"[{i}] {fp.get('productNameCompany', '')}"
        if float(pcf["exemptedEmissionsPercent"]) > PACT_MAX_EXEMPTED_PERCENT:
            out.append(f"{where}: exemptedEmissionsPercent above {PACT_MAX_EXEMPTED_PERCENT:g}")
        for k, v in (pcf.get("dqi") or {}).items():
            if not 1.0 <= float(v) <= 3.0:
                out.append(f"{where}: dqi.{k} = {v} outside 1..3")
        for flag, fields in RULES_ABSENT_WHEN_FALSE.items():
            if pcf.get(flag) is False:
                out += [f"{where}: {f} given though {flag} is false" for f in fields if f in pcf]
        incl = float(pcf["pcfExcludingBiogenicUptake"]) + float(pcf.get("biogenicCO2Uptake", 0))
        if abs(incl - float(pcf["pcfIncludingBiogenicUptake"])) > 2e-3:
            out.append(f"{where}: pcfIncludingBiogenicUptake != excluding + biogenicCO2Uptake")
        if pcf["referencePeriodStart"] >= pcf["referencePeriodEnd"]:
            out.append(f"{where}: referencePeriodStart not before referencePeriodEnd")
        if not 0.0 <= float(pcf.get("primaryDataShare", 0)) <= 100.0:
            out.append(f"{where}: primaryDataShare outside 0..100")
    return out
