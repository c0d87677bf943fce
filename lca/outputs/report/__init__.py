"""The ISO 14067 CFP study report: one self-contained HTML file (SVG charts inline, print CSS)
and the same content as Markdown, from Jinja2 templates in ``templates/``; optionally a PDF
printed by headless Chromium.

:func:`context` gathers everything the templates show (pure); :func:`render` returns the files;
:func:`print_pdf` is the only function that starts a process.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess, conventions
from lca.model.recycling import APPROACH_LABELS, APPROACHES
from lca.outputs.palette import STAGE_LABELS

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"
STAGE_SCOPE = {
    "materials": "extraction and production of the materials and parts of the vehicle body, "
    "chassis, interior, electrics and drive (material-gate data)",
    "battery": "traction battery: cell materials and processing, cell plant electricity and "
    "heat, pack housing, BMS, cooling and wiring",
    "manufacturing": "body shop, paint shop and final assembly: electricity and heat",
    "logistics": "delivery of the finished vehicle from the plant to the dealer",
    "use": "energy for driving over the lifetime distance, with its upstream supply and grid "
    "losses (tailpipe emissions for fuels)",
    "maintenance": "replacement parts and fluids over the life (tyres, 12 V battery, coolant, "
    "brake pads, refrigerant losses)",
    "end_of_life": "depollution, dismantling, shredding, battery recycling, incineration and "
    "landfill of residues",
}
CHART_CALLS = (
    ("stages_chart", "Footprint by life-cycle stage", "list"),
    ("components_chart", "Production emissions by vehicle component", "one"),
    ("hotspots_chart", "The largest single contributions", "one"),
)
RECORD_ROWS = 25


class ReportUnavailable(Exception):
    """A requested part of the report needs a module or program that is not installed."""


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _num(value: Any, significant: int = 4) -> str:
    """A value with about ``significant`` significant digits and thousands separators
    (200,000 rather than 200,000.000; 0.1820 rather than 0.182)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    v = float(value)
    if v == 0 or abs(v) >= 10 ** (significant - 1):
        return f"{v:,.0f}"
    digits = max(0, significant - 1 - math.floor(math.log10(abs(v))))
    return f"{v:,.{digits}f}".rstrip("0").rstrip(".")


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{100.0 * value:.{digits}f} %"


def _src(source: Any) -> str:
    if source is None:
        return ""
    if isinstance(source, str):
        return source
    if isinstance(source, dict):
        bits = [source.get("publisher") or source.get("authors") or "", source.get("title", "")]
        year = source.get("year")
        return ", ".join(b for b in bits if b) + (f" ({year})" if year else "")
    bits = [source.publisher or source.authors or "", source.title]
    return ", ".join(b for b in bits if b) + (f" ({source.year})" if source.year else "")


def charts(run: Run) -> list[dict[str, str]]:
    """Charts from ``lca.charts`` as inline SVG (empty when that module is not installed)."""
    try:
        from lca.outputs import charts as ch  # type: ignore[attr-defined]
    except ImportError:
        log.info("lca.charts not available: the report has no matplotlib charts")
        return []
    out = []
    for name, title, arity in CHART_CALLS:
        fn = getattr(ch, name, None)
        if fn is None:
            continue
        fig = fn([run.result]) if arity == "list" else fn(run.result)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        svg = buf.getvalue()
        svg = svg[svg.find("<svg") :]
        out.append({"title": title, "svg": svg})
    return out


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
                "basis": "location-based (consumption mix of the grid)"
                if location
                else "market-based / supplier-specific (contractual)",
                "geography": rec.geography,
                "year": rec.reference_year,
                "source": _src(rec.source),
            }
        )
    return rows


def context(
    run: Run,
    *,
    uncertainty: dict[str, Any] | None = None,
    sensitivity: dict[str, Any] | None = None,
    with_charts: bool = True,
) -> dict[str, Any]:
    """Everything the templates show (plain data)."""
    res = run.result
    sys = run.system
    inv = sys.inventory
    db = sys.database
    total = res.total_kg_co2e
    q = assess(sys, run.calculation.contributions)
    stages = [
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
    max_stage = max((abs(s["kg"]) for s in stages), default=1.0) or 1.0
    for s in stages:
        s["bar"] = 100.0 * abs(s["kg"]) / max_stage
    excl = inv.boundary.exclusions
    exclusions = [
        {
            "id": e.id,
            "description": e.description,
            "stages": ", ".join(STAGE_LABELS[s] for s in e.stages),
            "category": e.category,
            "share": e.estimated_share_percent,
            "kg": e.estimated_share_percent / 100.0 * total,
            "basis": e.basis + (" (estimate)" if e.estimate and "stimate" not in e.basis else ""),
        }
        for e in excl
    ]
    gset = db.gwp_sets[sys.gwp_set]
    used_flows = set(res.gases_kg)
    gases = [
        {
            "id": f,
            "name": db.flows[f].name,
            "origin": db.flows[f].origin,
            "kg": res.gases_kg[f],
            "factor": gset.factors[f],
            "kg_co2e": res.gases_kg_co2e[f],
        }
        for f in sorted(used_flows, key=lambda f: -abs(res.gases_kg_co2e[f]))
    ]
    ra = res.recycling_approaches
    approaches = []
    for a in APPROACHES:
        e = ra.get(a, {})
        approaches.append(
            {
                "id": a,
                "label": APPROACH_LABELS[a],
                "selected": a == res.approach,
                "available": bool(e.get("available")),
                "reason": e.get("reason", ""),
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
    cff = (ra.get("cff") or {}).get("parameters", {})
    params = [
        {
            "name": k,
            "value": v["value"],
            "unit": v["unit"],
            "expression": v["expression"],
            "source": _src(v["source"]),
            "uncertain": bool(inv.parameters[k].uncertainty) if k in inv.parameters else False,
            "note": inv.parameters[k].note if k in inv.parameters else "built-in",
        }
        for k, v in res.parameters.items()
    ]
    use_rows = [e for e in res.exchanges if e["stage"] in ("use", "maintenance", "end_of_life")]
    estimates = [r for r in q.records if r.estimate and r.weight >= 0.005]
    in_c2g = {"materials", "battery", "manufacturing"}
    c2g = sum(v for k, v in res.stages_kg_co2e.items() if k in in_c2g)
    record_rows = list(q.records[:RECORD_ROWS])
    rest = q.records[RECORD_ROWS:]
    prov = res.provenance
    return {
        "title": f"Carbon footprint of a product (ISO 14067): {res.vehicle.get('name', res.name)}",
        "res": res,
        "inv": inv,
        "name": res.name,
        "description": run.loaded.description,
        "vehicle": inv.vehicle,
        "total": total,
        "per_km": res.per_km_g_co2e,
        "km": res.lifetime_distance_km,
        "c2g": c2g,
        "stages": stages,
        "components": sorted(res.components_kg_co2e.items(), key=lambda kv: -kv[1]),
        "hotspots": res.hotspots,
        "exclusions": exclusions,
        "excluded_share": sum(e.estimated_share_percent for e in excl),
        "cut_off": inv.boundary.cut_off_criteria,
        "gases": gases,
        "gwp": {
            "id": gset.id,
            "name": gset.name,
            "source": _src(gset.source),
            "factors": dict(gset.factors),
        },
        "fossil": res.fossil_kg_co2e,
        "biogenic": res.biogenic_kg_co2e,
        "luc": res.land_use_change_kg_co2e,
        "aircraft": res.aircraft_kg_co2e,
        "credits": res.credits_kg_co2e,
        "quality": q,
        "dq_conventions": conventions(),
        "record_rows": record_rows,
        "records_rest": {"count": len(rest), "share": sum(r.weight for r in rest)},
        "estimates": estimates,
        "electricity": electricity_rows(run),
        "approaches": approaches,
        "cff": cff,
        "params": params,
        "use_rows": use_rows,
        "measures": res.measures,
        "uncertainty": uncertainty,
        "sensitivity": sensitivity,
        "charts": charts(run) if with_charts else [],
        "provenance": prov,
        "warnings": res.warnings,
        "generated": prov.get("timestamp_utc") or dt.datetime.now(dt.UTC).isoformat(),
        "fmt": _fmt,
        "pct": _pct,
        "src": _src,
        "stage_labels": STAGE_LABELS,
    }


def _env():  # noqa: ANN202
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(ctx: dict[str, Any]) -> dict[str, str]:
    """``{"report.html": ..., "report.md": ...}`` from a :func:`context`."""
    env = _env()
    env.filters["fmt"] = _fmt
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    return {
        "report.html": env.get_template("report.html.j2").render(**ctx),
        "report.md": env.get_template("report.md.j2").render(**ctx),
    }


def chromium() -> str | None:
    """The headless Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
CHROMIUM_TIMEOUT_S = 120


def run_chromium(args: list[str], timeout: float = CHROMIUM_TIMEOUT_S) -> None:
    """Run headless Chromium with ``args`` and a throw-away profile (raises on failure)."""
    exe = chromium()
    if exe is None:
        raise ReportUnavailable(
            "--pdf needs Chromium (Debian: apt-get install chromium); none was found on PATH"
        )
    with tempfile.TemporaryDirectory(prefix="vlca-chromium-") as profile:
        env = {**os.environ, "HOME": profile}
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
        if proc.returncode != 0:
            raise ReportUnavailable(
                f"Chromium failed ({proc.returncode}): "
                + proc.stderr.decode(errors="replace")[-500:]
            )


def print_pdf(html: str) -> bytes:
    """The PDF of ``html`` printed by headless Chromium (A4, print CSS)."""
    with tempfile.TemporaryDirectory(prefix="vlca-pdf-") as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(html, encoding="utf-8")
        pdf = Path(tmp) / "report.pdf"
        run_chromium(
            ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", src.as_uri()],
        )
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise ReportUnavailable("Chromium wrote no PDF")
        return pdf.read_bytes()
