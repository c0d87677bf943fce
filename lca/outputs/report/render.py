"""Rendering the report's context: the Jinja environment (translations, number formats,
escaping for Markdown and CSS), report.html, report.md with its figures, and the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lca.outputs.report.i18n import Formats, translations
from lca.outputs.report.interpretation import N_
from lca.outputs.report.notes import words
from lca.outputs.report.pdf import print_pdf as _print_pdf

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
