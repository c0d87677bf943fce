"""A supplier's product footprint in the PACT format (Technical Specification 3.0.x).

``read_footprint`` reads a ProductFootprint, a list of them or a PACT API response (``data``),
picks one (by ``product_id``: one of its ``productIds`` or its ``id``), validates it against the
schema derived from the official OpenAPI document (``lca/data/pact-3.0.3-productfootprint
.schema.json``, see the NOTICE beside it) and applies the specification's rules:

- ``status`` other than ``Active`` (``Deprecated`` SHOULD NOT be used by data recipients): error;
- the validity period ended (without one: 3 years after ``referencePeriodEnd``): error;
- a declared unit other than ``piece`` or ``kilogram`` cannot stand for a vehicle part: error
  (the caller checks that the unit fits the place it is used);
- a reference period that does not cover the study's reference year: a warning (PACT
  footprints are usually of a past year; the report names it);
- no ``primaryDataShare`` (a SHALL of the methodology): a warning, counted as 0 % primary.

Values are kg CO2e per one unit of ``declaredUnitOfMeasurement`` (the file's figures divided by
``declaredUnitAmount``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lca.datafiles import data_file
from lca.errors import InputError, InputErrors

SCHEMA_FILE = data_file("pact-3.0.3-productfootprint.schema.json")
UNITS = {"piece": "piece", "kilogram": "kg"}  # PACT declared unit -> unit of this tool
VALIDITY_WITHOUT_PERIOD_YEARS = 3  # spec: valid for 3 years after referencePeriodEnd
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class SupplierFootprint:
    """One checked PACT footprint, values per one declared unit (``unit``: piece or kg)."""

    file: str
    pf_id: str
    company: str
    product: str
    product_ids: tuple[str, ...]
    unit: str
    kg_co2e: float  # pcfExcludingBiogenicUptake per one unit
    land_use_change_kg_co2e: float  # landUseChangeGhgEmissions per one unit (part of kg_co2e)
    mass_kg: float | None  # productMassPerDeclaredUnit per one unit (None when 0 / not relevant)
    primary_data_share: float | None  # 0..1 (file: percent)
    dqi: dict[str, float] | None  # technological, geographical, temporal DQR (1..5)
    reference_period: tuple[str, str]
    validity_end: str
    ipcc_factors: tuple[str, ...]
    spec_version: str
    verified: bool
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        """Plain-data description for result.json and the report."""
        return {
            "file": Path(self.file).name,
            "footprint_id": self.pf_id,
            "company": self.company,
            "product": self.product,
            "product_ids": list(self.product_ids),
            "declared_unit": self.unit,
            "kg_co2e_per_unit": self.kg_co2e,
            "product_mass_kg_per_unit": self.mass_kg,
            "primary_data_share": self.primary_data_share,
            "dqi": self.dqi,
            "reference_period": list(self.reference_period),
            "validity_end": self.validity_end,
            "ipcc_characterization_factors": list(self.ipcc_factors),
            "spec_version": self.spec_version,
            "verified": self.verified,
        }


@lru_cache(maxsize=1)
def _validator():  # noqa: ANN202
    import jsonschema

    schema = json.loads(Path(SCHEMA_FILE).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _json_path(parts: Any) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _load(path: Path) -> Any:
    if not path.exists():
        raise InputError("supplier footprint file not found", file=path)
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"file is over {MAX_BYTES:,} bytes; a footprint file is smaller",
                         file=path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; a PACT file is UTF-8 JSON", file=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None


def _candidates(data: Any, path: Path) -> list[tuple[str, dict]]:
    """(JSON path, object) of every ProductFootprint in the file."""
    if isinstance(data, dict) and "data" in data and "pcf" not in data:
        items, prefix = data["data"], "$.data"
    elif isinstance(data, list):
        items, prefix = data, "$"
    elif isinstance(data, dict):
        return [("$", data)]
    else:
        raise InputError("expected a PACT ProductFootprint, a list of them or an API response "
                         "with 'data'", file=path)
    if not isinstance(items, list) or not items:
        raise InputError(f"{prefix} must be a non-empty list of ProductFootprints", file=path)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"{prefix}[{i}] is not a ProductFootprint object", file=path)
        out.append((f"{prefix}[{i}]", item))
    return out


def _pick(cands: list[tuple[str, dict]], product_id: str | None, path: Path) -> tuple[str, dict]:
    def names(pf: dict) -> list[str]:
        ids = pf.get("productIds") if isinstance(pf.get("productIds"), list) else []
        return [str(pf.get("id"))] + [str(x) for x in ids]

    if product_id is None:
        if len(cands) == 1:
            return cands[0]
        listed = "; ".join(f"{jp}: {', '.join(names(pf)[1:]) or names(pf)[0]}"
                           for jp, pf in cands[:10])
        raise InputError(
            f"the file holds {len(cands)} footprints; choose one with 'product_id' (one of its "
            f"productIds or its id): {listed}", file=path,
        )
    hits = [(jp, pf) for jp, pf in cands if product_id in names(pf)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        listed = "; ".join(", ".join(names(pf)) for _, pf in cands[:10])
        raise InputError(f"no footprint with product id or id {product_id!r} (there are: "
                         f"{listed})", file=path)
    raise InputError(f"{len(hits)} footprints match {product_id!r}; use the footprint's id",
                     file=path)


def _date(text: str, where: str, path: Path) -> dt.datetime:
    try:
        d = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: not an RFC 3339 date-time: {text!r}", file=path) from None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _schema_errors(pf: dict, jp: str, path: Path) -> None:
    errors = sorted(_validator().iter_errors(pf), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    found = [
        InputError(
            f"{jp}{_json_path(e.absolute_path)[1:]}: {e.message[:300]} (PACT 3.0.3 schema)",
            file=path,
        )
        for e in errors[:20]
    ]
    raise found[0] if len(found) == 1 else InputErrors(found)


def read_footprint(
    path: str | Path,
    product_id: str | None = None,
    *,
    study_year: int | None = None,
    today: dt.date | None = None,
) -> SupplierFootprint:
    """The checked footprint of ``path`` (see the module docstring for the rules)."""
    path = Path(path)
    jp, pf = _pick(_candidates(_load(path), path), product_id, path)
    _schema_errors(pf, jp, path)
    pcf = pf["pcf"]
    unit = _checked_unit(pf, jp, path)
    ref_start, ref_end, valid_end = _periods(pf, jp, path, today)
    warnings = _coverage_warnings(path, ref_start, ref_end, study_year)
    amount = float(pcf["declaredUnitAmount"])
    share, dqi = _quality(pcf, jp, path, warnings)
    mass = float(pcf["productMassPerDeclaredUnit"]) / amount
    return SupplierFootprint(
        file=str(path),
        pf_id=str(pf["id"]),
        company=str(pf["companyName"]),
        product=str(pf["productNameCompany"]),
        product_ids=tuple(str(x) for x in pf["productIds"]),
        unit=unit,
        kg_co2e=float(pcf["pcfExcludingBiogenicUptake"]) / amount,
        land_use_change_kg_co2e=float(pcf.get("landUseChangeGhgEmissions", "0")) / amount,
        mass_kg=mass if mass > 0 else None,
        primary_data_share=None if share is None else float(share) / 100.0,
        dqi=dqi,
        reference_period=(str(pcf["referencePeriodStart"]), str(pcf["referencePeriodEnd"])),
        validity_end=valid_end.isoformat(),
        ipcc_factors=tuple(str(x) for x in pcf["ipccCharacterizationFactors"]),
        spec_version=str(pf["specVersion"]),
        verified=bool(pcf.get("verification")),
        warnings=tuple(warnings),
    )


def _checked_unit(pf: dict, jp: str, path: Path) -> str:
    """The declared unit (piece or kg) of an Active PACT 3.x footprint; otherwise an error."""
    pcf = pf["pcf"]
    if pf["status"] != "Active":
        raise InputError(
            f"{jp}.status is {pf['status']!r}: a footprint that is not Active must not be used "
            "(ask the supplier for the current one)", file=path,
        )
    if not str(pf["specVersion"]).startswith("3."):
        raise InputError(f"{jp}.specVersion {pf['specVersion']!r}: expected 3.x", file=path)
    unit = UNITS.get(pcf["declaredUnitOfMeasurement"])
    if unit is None:
        raise InputError(
            f"{jp}.pcf.declaredUnitOfMeasurement is {pcf['declaredUnitOfMeasurement']!r}: a "
            "vehicle part's footprint must be per piece or per kilogram", file=path,
        )
    return unit


def _periods(pf: dict, jp: str, path: Path, today: dt.date | None) -> tuple:
    """(reference start, reference end, validity end) as datetimes; an expired footprint
    (validityPeriodEnd, else some years after the reference period) is an error."""
    pcf = pf["pcf"]
    ref_start = _date(pcf["referencePeriodStart"], f"{jp}.pcf.referencePeriodStart", path)
    ref_end = _date(pcf["referencePeriodEnd"], f"{jp}.pcf.referencePeriodEnd", path)
    if "validityPeriodEnd" in pf:
        valid_end = _date(pf["validityPeriodEnd"], f"{jp}.validityPeriodEnd", path)
        basis = "validityPeriodEnd"
    else:
        valid_end = ref_end.replace(year=ref_end.year + VALIDITY_WITHOUT_PERIOD_YEARS)
        basis = (
            f"no validity period: {VALIDITY_WITHOUT_PERIOD_YEARS} years after referencePeriodEnd"
        )
    now = today or dt.datetime.now(dt.UTC).date()
    if valid_end.date() < now:
        raise InputError(
            f"{jp}: the footprint expired on {valid_end.date()} ({basis}); ask the supplier for "
            "a current one", file=path,
        )
    return ref_start, ref_end, valid_end


def _coverage_warnings(path: Path, ref_start: Any, ref_end: Any, study_year: int | None) -> list:
    """A warning when the reference period does not cover the study's reference year."""
    warnings = []
    covers = study_year is not None and (
        ref_start.date() <= dt.date(study_year, 1, 1) < dt.date(study_year, 12, 31) < ref_end.date()
    )
    if study_year is not None and not covers:
        warnings.append(
            f"{path.name}: the supplier's reference period {ref_start.date()} to {ref_end.date()} "
            f"does not cover the study's reference year {study_year}"
        )
    return warnings


def _quality(pcf: dict, jp: str, path: Path, warnings: list) -> tuple:
    """(primary data share in percent or None, {indicator: DQR 1-5} or None), checked; a
    missing share adds a warning."""
    share = pcf.get("primaryDataShare")
    if share is None:
        warnings.append(f"{path.name}: no primaryDataShare; counted as 0 % primary data")
    elif not 0.0 <= float(share) <= 100.0:
        raise InputError(f"{jp}.pcf.primaryDataShare must be 0 to 100 (got {share})", file=path)
    dqi = pcf.get("dqi")
    if dqi is not None:
        dqi = {k.replace("DQR", ""): float(v) for k, v in dqi.items() if k.endswith("DQR")}
        bad = [k for k, v in dqi.items() if not 1.0 <= v <= 5.0]
        if bad:
            raise InputError(f"{jp}.pcf.dqi: {', '.join(bad)}DQR must be from 1 to 5", file=path)
    return share, dqi
