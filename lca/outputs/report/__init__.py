"""The ISO 14067 CFP study report: one self-contained HTML file (SVG charts inline, print CSS
with page numbers, a running header and a table of contents with pages), the same content as
Markdown with its figures as PNG files beside it, and optionally a PDF printed by headless
Chromium (:mod:`lca.outputs.report.pdf`). English or Chinese (:mod:`lca.outputs.report.i18n`).

:func:`context` gathers everything the templates show (pure); :func:`render` returns the files;
:func:`print_pdf` is the only function that starts a process.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess, conventions
from lca.calc.precharacterised import precharacterised_records
from lca.outputs.palette import STAGE_LABELS, humanise
from lca.outputs.report import interpretation
from lca.outputs.report.alternatives import grid_alternatives, lifetime_alternatives
from lca.outputs.report.figures import charts
from lca.outputs.report.i18n import HTML_LANG, check_language
from lca.outputs.report.notes import noted_records, provenance_rows
from lca.outputs.report.pdf import ReportUnavailable, chromium, run_chromium
from lca.outputs.report.render import SECTIONS, TEMPLATES, print_pdf, render, render_html
from lca.outputs.report.tables import (
    STAGE_SCOPE,
    approach_rows,
    clean,
    electricity_rows,
    exchange_label,
    exclusion_rows,
    gas_rows,
    named_hotspot,
    named_label,
    parameter_rows,
    record_rows,
    source_label,
    stage_rows,
)

__all__ = [
    "SECTIONS",
    "STAGE_SCOPE",
    "TEMPLATES",
    "ReportUnavailable",
    "charts",
    "chromium",
    "context",
    "electricity_rows",
    "print_pdf",
    "render",
    "render_html",
    "run_chromium",
]

log = logging.getLogger(__name__)
RECORD_ROWS = 25
KEEP_ROWS = 18  # tables up to this many rows are never split across pages


def context(
    run: Run,
    *,
    uncertainty: dict[str, Any] | None = None,
    sensitivity: dict[str, Any] | None = None,
    samples: Any = None,
    with_charts: bool = True,
    lang: str = "en",
    alternatives: bool = True,
) -> dict[str, Any]:
    """Everything the templates show (plain data)."""
    check_language(lang)
    res = run.result
    q = assess(run.system, run.calculation.contributions)
    ctx: dict[str, Any] = {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "sections": SECTIONS,
        **_results_part(run),
        **_data_part(run, q),
        "grids": grid_alternatives(run) if alternatives else [],
        "lifetimes": lifetime_alternatives(run) if alternatives else [],
        "uncertainty": uncertainty,
        "sensitivity": sensitivity,
        "charts": charts(run, uncertainty, samples, sensitivity) if with_charts else [],
        "provenance": res.provenance,
        "files": provenance_rows(res.provenance),
        "warnings": [clean(w) for w in res.warnings],
        "generated": res.provenance.get("timestamp_utc") or dt.datetime.now(dt.UTC).isoformat(),
        "stage_labels": STAGE_LABELS,
        "keep_rows": KEEP_ROWS,
    }
    ctx["findings"] = interpretation.findings(ctx)
    return ctx


def _results_part(run: Run) -> dict[str, Any]:
    """The study, the vehicle and the results: totals (kg CO2e, g CO2e/km), stages,
    components, hotspots, exclusions, gases and the GWP set, the kinds of emission."""
    res, sys = run.result, run.system
    inv, db = sys.inventory, sys.database
    total = res.total_kg_co2e
    excl = inv.boundary.exclusions
    gset = db.gwp_sets[sys.gwp_set]
    production = ("materials", "battery", "manufacturing")
    return {
        "vehicle_name": inv.vehicle.name,
        "res": res,
        "inv": inv,
        "name": res.name,
        "study": inv.study,
        "study_title": inv.study.title or humanise(res.name),
        "description": clean(run.loaded.description) if run.loaded.description else "",
        "vehicle": inv.vehicle,
        "total": total,
        "per_km": res.per_km_g_co2e,
        "km": res.lifetime_distance_km,
        "c2g": sum(v for k, v in res.stages_kg_co2e.items() if k in production),
        "stages": stage_rows(res),
        "components": [
            (humanise(k), v)
            for k, v in sorted(res.components_kg_co2e.items(), key=lambda kv: -kv[1])
        ],
        "hotspots": [named_hotspot(h, db) for h in res.hotspots],
        "exclusions": exclusion_rows(excl, total),
        "excluded_share": sum(e.estimated_share_percent for e in excl),
        "cut_off": clean(inv.boundary.cut_off_criteria) if inv.boundary.cut_off_criteria else "",
        "gases": gas_rows(res, db, gset),
        "co2e_only": precharacterised_records(run.calculation, top=3),
        "gwp": {"id": gset.id, "name": gset.name, "source": source_label(gset.source)},
        "fossil": res.fossil_kg_co2e,
        "biogenic": res.biogenic_kg_co2e,
        "luc": res.land_use_change_kg_co2e,
        "aircraft": res.aircraft_kg_co2e,
        "credits": res.credits_kg_co2e,
        "measures": res.measures,
    }


def _data_part(run: Run, q: Any) -> dict[str, Any]:
    """Data and modelling: the data-quality assessment ``q`` and its records, electricity,
    recycling approaches and CFF parameters, parameters, the use-phase exchanges."""
    res, db = run.result, run.system.database
    records = record_rows(q.records)
    cff = {
        fam: {**p, "source": clean(p.get("source"))}
        for fam, p in ((res.recycling_approaches.get("cff") or {}).get("parameters", {})).items()
    }
    return {
        "quality": q,
        "dq_source": clean(conventions().get("pef_source", "")),
        "record_rows": records[:RECORD_ROWS],
        "records_rest": {
            "count": len(records[RECORD_ROWS:]),
            "share": sum(r["weight"] for r in records[RECORD_ROWS:]),
        },
        "estimates": [r for r in records if r["estimate"] and r["weight"] >= 0.005],
        "noted_records": noted_records(q.records),
        "electricity": electricity_rows(run),
        "approaches": approach_rows(res, res.total_kg_co2e),
        "cff": cff,
        "unconfirmed_cff": [fam for fam, p in cff.items() if not p.get("confirmed", True)],
        "params": parameter_rows(res, run.system.inventory),
        "use_rows": [
            {**e, "label": named_label(exchange_label(e), e["record"], db)}
            for e in res.exchanges
            if e["stage"] in ("use", "maintenance", "end_of_life")
        ],
    }
