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
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.analysis.quality import assess, conventions
from lca.calc.precharacterised import precharacterised_records
from lca.model.recycling import APPROACH_LABELS, APPROACHES
from lca.outputs.palette import STAGE_LABELS, humanise
from lca.outputs.report import interpretation
from lca.outputs.report.alternatives import grid_alternatives, lifetime_alternatives
from lca.outputs.report.i18n import HTML_LANG, Formats, check_language, translations
from lca.outputs.report.interpretation import N_
from lca.outputs.report.notes import noted_records, provenance_rows, strip_working_notes, words
from lca.outputs.report.pdf import ReportUnavailable, chromium, run_chromium
from lca.outputs.report.pdf import print_pdf as _print_pdf

__all__ = ["ReportUnavailable", "chromium", "context", "print_pdf", "render", "run_chromium"]

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"
SECTIONS = (  # anchor, title (translated in the template); the order of the report
    ("summary", N_("Summary and conclusions")),
    ("goal", N_("Goal and scope")),
    ("study", N_("Study, commissioner and critical review")),
    ("fu", N_("Functional unit and reference flow")),
    ("boundary", N_("System boundary, cut-off criteria and exclusions")),
    ("results", N_("Results by life-cycle stage")),
    ("ghg", N_("Fossil, biogenic, land-use change and aircraft emissions")),
    ("contrib", N_("Components and hotspots")),
    ("data", N_("Data sources and data quality")),
    ("electricity", N_("Electricity modelling")),
    ("recycling", N_("Recycling approach and alternatives")),
    ("gwp", N_("Greenhouse gases and GWP set")),
    ("use", N_("Use profile, maintenance and end of life")),
    ("assumptions", N_("Assumptions and value choices")),
    ("uncertainty", N_("Uncertainty and sensitivity")),
    ("interpretation", N_("Interpretation")),
    ("limitations", N_("Limitations")),
    ("provenance", N_("Provenance")),
)
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
RECORD_ROWS = 25
KEEP_ROWS = 18  # tables up to this many rows are never split across pages


def _src(source: Any) -> str:
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


def _clean(text: Any) -> str:
    return strip_working_notes(str(text) if text is not None else "")[0]


def charts(
    run: Run,
    uncertainty: dict[str, Any] | None = None,
    samples: Any = None,
    sensitivity: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The report's figures, drawn for the A4 text column: ``name``, ``title``, ``svg`` (inline
    HTML) and ``png`` (bytes, for report.md)."""
    from lca.outputs import charts as ch
    from lca.outputs import uncertainty_charts as uc
    from lca.outputs.chartstyle import figure_files

    res = run.result
    figs = [
        ("stages", N_("Footprint by life-cycle stage"), ch.stages_chart([res])),
        ("components", N_("Production emissions by vehicle component"), ch.components_chart(res)),
        ("hotspots", N_("The largest single contributions"), ch.hotspots_chart(res)),
        ("cumulative", N_("Cumulative emissions over the life"), ch.cumulative_chart([res])),
    ]
    name = run.system.inventory.vehicle.name
    if uncertainty is not None and samples is not None:
        figs.append(
            (
                "uncertainty",
                N_("Monte Carlo distribution of the footprint"),
                uc.distribution_chart(
                    f"{name}: uncertainty of the footprint",
                    samples.total / 1000,
                    samples.stages / 1000,
                    tuple(uncertainty["stages_kg_co2e"]),
                    uncertainty["deterministic_kg_co2e"] / 1000,
                    uncertainty["total_kg_co2e"],
                    gwp_set=res.gwp_set,
                ),
            )
        )
    if sensitivity is not None:
        figs.append(
            (
                "sensitivity",
                N_("One-at-a-time sensitivity (tornado)"),
                uc.tornado_chart(
                    f"{name}: one at a time, each input at its {sensitivity['range']}",
                    sensitivity["inputs"],
                    sensitivity["deterministic_kg_co2e"],
                    gwp_set=res.gwp_set,
                    names=sensitivity.get("names"),
                ),
            )
        )
    out = []
    for stem, title, fig in figs:
        files = figure_files(fig, stem)
        svg = files[Path(f"{stem}.svg")].decode("utf-8")
        out.append(
            {
                "name": stem,
                "title": title,
                "svg": svg[svg.find("<svg") :],
                "png": files[Path(f"{stem}.png")],
            }
        )
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
                "location": location,
                "geography": rec.geography,
                "year": rec.reference_year,
                "source": _src(rec.source),
            }
        )
    return rows


def _exchange_label(e: dict[str, Any]) -> str:
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


def _named_label(label: str, record: str, db: Any) -> str:
    """``use: electricity (grid:EU-27)`` -> ``use: electricity (Electricity, consumption mix,
    European Union (27), life cycle)``: records by name, not by id."""
    rec = db.records.get(record)
    if rec is not None and f"({record})" in label:
        return label.replace(f"({record})", f"({rec.name})")
    return label


def _named_hotspot(h: Any, db: Any) -> Any:
    """A hotspot whose label names its record by name, not by id."""
    from dataclasses import replace as _replace

    return _replace(h, label=_named_label(h.label, h.record, db))


def _approaches(res: Any, total: float) -> list[dict[str, Any]]:
    out = []
    for a in APPROACHES:
        e = res.recycling_approaches.get(a, {})
        out.append(
            {
                "id": a,
                "label": APPROACH_LABELS[a],
                "selected": a == res.approach,
                "available": bool(e.get("available")),
                "reason": _clean(e.get("reason", "")),
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


def _params(res: Any, inv: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": humanise(k),
            "id": k,
            "value": v["value"],
            "unit": v["unit"],
            "expression": v["expression"],
            "source": _src(v["source"]),
            "uncertain": bool(inv.parameters[k].uncertainty) if k in inv.parameters else False,
        }
        for k, v in res.parameters.items()
    ]


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
    res, sys = run.result, run.system
    inv, db = sys.inventory, sys.database
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
    excl = inv.boundary.exclusions
    exclusions = [
        {
            "id": e.id,
            "description": e.description,
            "stages": ", ".join(STAGE_LABELS[s] for s in e.stages),
            "category": e.category,
            "share": e.estimated_share_percent,
            "kg": e.estimated_share_percent / 100.0 * total,
            "basis": _clean(e.basis),
            "estimate": e.estimate,
        }
        for e in excl
    ]
    gset = db.gwp_sets[sys.gwp_set]
    gases = [
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
    approaches = _approaches(res, total)
    cff = {
        fam: {**p, "source": _clean(p.get("source"))}
        for fam, p in ((res.recycling_approaches.get("cff") or {}).get("parameters", {})).items()
    }
    use_rows = [
        {**e, "label": _named_label(_exchange_label(e), e["record"], db)}
        for e in res.exchanges
        if e["stage"] in ("use", "maintenance", "end_of_life")
    ]
    records = [
        {
            "record": r.record,
            "name": r.name,
            "source": _src(r.source),
            "weight": r.weight,
            "kg_co2e": r.kg_co2e,
            "scores": r.scores,
            "dqr": r.dqr,
            "estimate": r.estimate,
            "primary_data": r.primary_data,
            "geography": r.geography,
            "reference_year": r.reference_year,
        }
        for r in q.records
    ]
    estimates = [r for r in records if r["estimate"] and r["weight"] >= 0.005]
    c2g = sum(
        v for k, v in res.stages_kg_co2e.items() if k in ("materials", "battery", "manufacturing")
    )
    grids = grid_alternatives(run) if alternatives else []
    lifetimes = lifetime_alternatives(run) if alternatives else []
    ctx: dict[str, Any] = {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "sections": SECTIONS,
        "vehicle_name": inv.vehicle.name,
        "res": res,
        "inv": inv,
        "name": res.name,
        "study": inv.study,
        "study_title": inv.study.title or humanise(res.name),
        "description": _clean(run.loaded.description) if run.loaded.description else "",
        "vehicle": inv.vehicle,
        "total": total,
        "per_km": res.per_km_g_co2e,
        "km": res.lifetime_distance_km,
        "c2g": c2g,
        "stages": stages,
        "components": [
            (humanise(k), v)
            for k, v in sorted(res.components_kg_co2e.items(), key=lambda kv: -kv[1])
        ],
        "hotspots": [_named_hotspot(h, db) for h in res.hotspots],
        "exclusions": exclusions,
        "excluded_share": sum(e.estimated_share_percent for e in excl),
        "cut_off": _clean(inv.boundary.cut_off_criteria) if inv.boundary.cut_off_criteria else "",
        "gases": gases,
        "co2e_only": precharacterised_records(run.calculation, top=3),
        "gwp": {"id": gset.id, "name": gset.name, "source": _src(gset.source)},
        "fossil": res.fossil_kg_co2e,
        "biogenic": res.biogenic_kg_co2e,
        "luc": res.land_use_change_kg_co2e,
        "aircraft": res.aircraft_kg_co2e,
        "credits": res.credits_kg_co2e,
        "quality": q,
        "dq_source": _clean(conventions().get("pef_source", "")),
        "record_rows": records[:RECORD_ROWS],
        "records_rest": {
            "count": len(records[RECORD_ROWS:]),
            "share": sum(r["weight"] for r in records[RECORD_ROWS:]),
        },
        "estimates": estimates,
        "electricity": electricity_rows(run),
        "approaches": approaches,
        "cff": cff,
        "params": _params(res, inv),
        "use_rows": use_rows,
        "measures": res.measures,
        "grids": grids,
        "lifetimes": lifetimes,
        "uncertainty": uncertainty,
        "sensitivity": sensitivity,
        "charts": charts(run, uncertainty, samples, sensitivity) if with_charts else [],
        "provenance": res.provenance,
        "files": provenance_rows(res.provenance),
        "warnings": [_clean(w) for w in res.warnings],
        "generated": res.provenance.get("timestamp_utc") or dt.datetime.now(dt.UTC).isoformat(),
        "stage_labels": STAGE_LABELS,
        "keep_rows": KEEP_ROWS,
    }
    ctx["unconfirmed_cff"] = [fam for fam, p in cff.items() if not p.get("confirmed", True)]
    ctx["noted_records"] = noted_records(q.records)
    ctx["findings"] = interpretation.findings(ctx)
    return ctx


def _env(lang: str):  # noqa: ANN202
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    f = Formats(lang)
    env.filters.update(
        fmt=f.fmt,
        pct=f.pct,
        num=f.num,
        spct=f.signed_pct,
        date=f.date,
        words=words,
        md=_md_escape,
        css=_css_string,
    )
    return env


def _css_string(text: Any) -> str:
    """Text for the inside of a double-quoted CSS string (the running header): CSS escapes,
    no HTML entities (a style sheet does not decode them)."""
    from markupsafe import Markup

    if isinstance(text, Markup):
        text = text.unescape()
    s = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(s.replace("<", "\\3C ").replace(">", "\\3E "))


def _md_escape(text: Any) -> str:
    """User text safe inside a Markdown table cell or paragraph (no markup, no HTML)."""
    s = str(text)
    for ch in "\\`*_[]<>|$~":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def render_html(ctx: dict[str, Any], pages: dict[str, int] | None = None) -> str:
    """report.html; ``pages`` (section anchor -> page) fills the contents' page numbers."""
    return _env(ctx["lang"]).get_template("report.html.j2").render(**ctx, pages=pages or {})


def render(ctx: dict[str, Any]) -> dict[str, str | bytes]:
    """``{"report.html": ..., "report.md": ..., "figures/<name>.png": bytes}``."""
    env = _env(ctx["lang"])
    files: dict[str, str | bytes] = {
        "report.html": render_html(ctx, {}),
        "report.md": env.get_template("report.md.j2").render(**ctx),
    }
    for c in ctx["charts"]:
        files[f"figures/{c['name']}.png"] = c["png"]
    return files


def print_pdf(ctx: dict[str, Any]) -> bytes:
    """The PDF of the report (Chromium), its contents with page numbers."""
    return _print_pdf(lambda pages: render_html(ctx, pages), [a for a, _ in SECTIONS])
