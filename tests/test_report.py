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
    "Summary and conclusions",
    "Goal and scope",
    "Study, commissioner and critical review",
    "Components and hotspots",
    "Interpretation",
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
    for item in (
        "Commissioner",
        "Practitioner",
        "Product category rules",
        "Critical review",
        "Period the CFP represents",
        "Intended application",
        "Intended audience",
        "Alternative grid mixes for charging",
        "Alternative use profiles",
        "What the conclusions depend on",
    ):
        assert item in html, item
        assert item in md, item


def test_no_working_notes_machine_paths_or_misnamed_credits():
    html, md = files()["report.html"], files()["report.md"]
    text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    text = re.sub(r"<style.*?</style>", "", text, flags=re.S)
    for doc in (text, md):
        assert "not re-read" not in doc
        assert not re.search(r"\bcheck\b(?! ?ed)", doc.replace("Check</th>", ""))
        assert "(not confirmed" not in doc
        assert str(ROOT) not in doc and "/work/" not in doc
        assert "credit:" not in doc  # recovered-material rows say what they are
    # the base file relative to the scenario's folder (as in result.json), with its SHA-256
    assert "<code>../inventories/vehicles/compact-suv-bev.yaml</code>" in html
    assert "burden of the recycling route" in html
    assert "have not been checked against PEF Annex C" in html  # the note, as a limitation


def test_working_notes_become_plain_text():
    from lca.outputs.report.notes import relative_path, strip_working_notes

    assert strip_working_notes("Eco-profile ABS (estimate; document not re-read)") == (
        "Eco-profile ABS (estimate)",
        True,
    )
    assert strip_working_notes("PEF method, Annex I; the bounds were not re-read: check") == (
        "PEF method, Annex I",
        True,
    )
    assert strip_working_notes("a plain source (2024)") == ("a plain source (2024)", False)
    assert relative_path("/a/b/c/../d/x.yaml", "/a/b") == "d/x.yaml"


def test_user_text_is_escaped():
    from dataclasses import replace

    run = analyse_file(SCENARIO)
    loaded = replace(run.loaded, description="<script>alert(1)</script> $x^2$ *bold* | pipe")
    ctx = context(replace(run, loaded=loaded), with_charts=False, alternatives=False)
    out = render(ctx)
    assert "<script>alert" not in out["report.html"]
    assert "&lt;script&gt;" in out["report.html"]
    assert "\\*bold\\*" in out["report.md"] and "\\| pipe" in out["report.md"]


def test_chinese_report_uses_the_catalogue_and_babel():
    ctx = context(analyse_file(SCENARIO), with_charts=False, lang="zh")
    html = render(ctx)["report.html"]
    assert '<html lang="zh-Hans">' in html
    for zh in ("摘要与结论", "功能单位与基准流", "结果解释", "局限性", "数据溯源", "严格评审"):
        assert zh in html, zh
    assert "Summary and conclusions" not in html
    assert "年" in ctx["generated"] or "年" in html  # a Babel date of the zh locale


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


@pytest.mark.slow
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
    from lca.outputs.report.pdf import page_texts

    texts = page_texts(pdf)
    if texts:  # poppler-utils installed: page numbers, running header, contents with pages
        assert f"Page 1 / {pages}" in texts[0]
        assert "CFP study report, ISO 14067" in texts[1]
        assert re.search(r"18\. Provenance \.*\s*(\d+)", texts[0])
        last = int(re.search(r"18\. Provenance \.*\s*(\d+)", texts[0]).group(1))
        assert "Provenance" in texts[last - 1]
    md = (out / "report.md").read_text()
    for name in re.findall(r"\]\((figures/[\w-]+\.png)\)", md):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    assert "figures/stages.png" in md


@pytest.mark.slow
@needs_chromium
def test_chinese_pdf_has_a_cjk_font(tmp_path):
    import shutil
    import subprocess

    out = tmp_path / "rep"
    r = CliRunner().invoke(app, ["report", str(SCENARIO), "--pdf", "--lang", "zh", "-o", str(out)])
    assert r.exit_code == 0, r.output
    pdf = out / "report.pdf"
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils is not installed")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    # Chromium embeds the CFF outlines of Noto Sans CJK as Type 3 fonts with a Unicode map
    assert "Type 3" in fonts or "CJK" in fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "产品碳足迹" in text and "摘要与结论" in text


def test_report_with_uncertainty_and_sensitivity(tmp_path):
    out = tmp_path / "rep"
    args = ["report", str(SCENARIO), "--uncertainty", "500", "--sensitivity", "-o", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text()
    assert "Monte Carlo (500 samples, seed 0)" in html
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


@pytest.mark.slow
def test_report_monte_carlo_equals_vlca_uncertainty(tmp_path):
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["uncertainty", str(SCENARIO), "-n", "400", "--seed", "5", "-q", "-o", str(tmp_path / "u")],
    )
    assert r.exit_code == 0, r.output
    import json

    mc = json.loads((tmp_path / "u" / "uncertainty.json").read_text())["total_kg_co2e"]
    r = runner.invoke(
        app,
        ["report", str(SCENARIO), "--uncertainty", "400", "--seed", "5", "-o", str(tmp_path / "r")],
    )
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r" / "report.html").read_text()
    assert "seed 5" in html
    for key in ("mean", "p50", "p2_5", "p97_5"):
        assert f'<td class="n">{mc[key]:,.0f}</td>' in html, key
