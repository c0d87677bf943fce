"""The CFP study report: complete content, renders in headless Chromium, prints to PDF."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lca.analysis.pipeline import analyse_file
from lca.cli.app import app
from lca.outputs.report import chromium, context, render, run_chromium

ROOT = Path(__file__).parent.parent
SCENARIO = ROOT / "scenarios" / "compact-suv-bev-eu.yaml"
SECTIONS = (
    "Goal and scope",
    "Functional unit and reference flow",
    "System boundary, cut-off criteria and exclusions",
    "Results by life-cycle stage",
    "Fossil, biogenic, land-use change and aircraft emissions",
    "Data sources and data quality",
    "Electricity modelling",
    "Recycling approach and alternatives",
    "Greenhouse gases and GWP set",
    "Use profile, maintenance and end of life",
    "Assumptions and value choices",
    "Uncertainty and sensitivity",
    "Limitations",
    "Provenance",
)
needs_chromium = pytest.mark.skipif(chromium() is None, reason="Chromium is not installed")


@lru_cache(maxsize=1)
def files() -> dict[str, str]:
    return render(context(analyse_file(SCENARIO)))


def test_every_iso_14067_section_is_there_in_both_forms():
    html, md = files()["report.html"], files()["report.md"]
    for s in SECTIONS:
        assert s in html, s
        assert s in md, s
    run = analyse_file(SCENARIO)
    total = f"{run.result.total_kg_co2e:,.0f}"
    assert total in html and total in md
    for label in ("cut-off", "avoided burden", "circular footprint formula"):
        assert label in html
    assert "climate change only" in html.lower()
    assert "Capital goods" in html
    assert "primary-data share" in html.lower()


def test_html_is_self_contained():
    html = files()["report.html"]
    assert not re.search(r"<(script|link|img)\b", html)
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert "@media print" in html


@needs_chromium
def test_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(files()["report.html"], encoding="utf-8")
    shot = tmp_path / "shot.png"
    run_chromium([f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()])
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


@needs_chromium
def test_cli_report_with_pdf(tmp_path):
    out = tmp_path / "rep"
    r = CliRunner().invoke(app, ["report", str(SCENARIO), "--pdf", "-o", str(out)])
    assert r.exit_code == 0, r.output
    pdf = (out / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 5
    assert (out / "report.html").exists() and (out / "report.md").exists()


def test_report_with_uncertainty_and_sensitivity(tmp_path):
    out = tmp_path / "rep"
    args = ["report", str(SCENARIO), "--uncertainty", "500", "--sensitivity", "-o", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text()
    assert "Monte Carlo (500 samples" in html
    assert "One-at-a-time sensitivity" in html
    md = (out / "report.md").read_text()
    assert "500" in md


def test_bad_input_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("vehicle: {name: x}\n")
    out = tmp_path / "rep"
    r = CliRunner().invoke(app, ["report", str(bad), "-o", str(out)])
    assert r.exit_code == 2
    assert "bad.yaml" in r.output
    assert not out.exists()
