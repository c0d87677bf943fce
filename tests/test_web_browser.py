"""The workbench in a real browser: headless Debian Chromium driven by Playwright, against a
uvicorn server on a free loopback port (in a thread). Skipped without /usr/bin/chromium."""

from __future__ import annotations

import json
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]
pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")
from playwright.sync_api import expect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = os.environ.get("VLCA_WORKBENCH_SHOTS")  # a folder to keep the screenshots in


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():  # noqa: ANN201
    from lca.model.background import load_background
    from lca.web.app import create_app
    from lca.web.workbench import Workbench

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        wb = Workbench([ROOT / "scenarios", ROOT / "inventories" / "vehicles"], load_background())
    finally:
        os.chdir(old)
    for key in wb.default_pair():  # as vlca serve does before it listens
        wb.evaluate(key, {})
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(wb), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}", wb
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _figure(page) -> str:  # noqa: ANN001
    return page.locator("#perkm").inner_text()


def _open(browser, url: str, size=(1440, 900)):  # noqa: ANN001, ANN202
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, accept_downloads=True)
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a refused value is a 422 response, which Chromium logs; anything else is a page error
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    page.goto(url)
    expect(page.locator("#perkm")).not_to_have_text("–", timeout=30_000)
    page.wait_for_selector("#stages canvas")
    return page, requests, errors


def test_slider_save_rerun_and_no_request_off_the_machine(server, browser, tmp_path) -> None:  # noqa: ANN001
    base, wb = server
    page, requests, errors = _open(browser, base + "/")
    start = _figure(page)
    expected = wb.evaluate("scenarios/compact-suv-bev-eu.yaml", {})["per_km"]
    assert start == f"{expected:,.1f}"

    slider = page.get_by_label("consumption", exact=True)
    assert slider.get_attribute("type") == "range"
    slider.fill("18.5")
    expect(page.locator("#perkm")).not_to_have_text(start)
    moved = _figure(page)
    want = wb.evaluate("scenarios/compact-suv-bev-eu.yaml", {"parameters.consumption": 18.5})
    assert moved == f"{want['per_km']:,.1f}" and moved != start
    assert "o.parameters.consumption=18.5" in page.url
    assert "consumption: 16.8 → 18.5" in page.locator("#changed").inner_text()

    # a link reopens the same what-if
    page2, _, _ = _open(browser, page.url)
    assert _figure(page2) == moved
    assert page2.get_by_label("consumption", exact=True).input_value() == "18.5"
    page2.close()

    # save as scenario; vlca run reproduces it
    with page.expect_download() as dl:
        page.get_by_role("button", name="Save as scenario").click()
    saved = tmp_path / dl.value.suggested_filename
    dl.value.save_as(saved)
    assert "parameters.consumption: 18.5 kWh/100km" in saved.read_text()
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "lca.cli.app", "run", str(saved), "-o", str(out),
                    "--quiet"], check=True, cwd=tmp_path, capture_output=True, timeout=300)
    res = json.loads((out / "result.json").read_text())
    assert math.isclose(res["per_km_g_co2e"], want["per_km"], rel_tol=1e-9)

    # a bad value: an error next to the control, nothing changes
    box = page.get_by_label("consumption value", exact=True)
    box.fill("-4")
    box.press("Enter")
    err = page.locator("#c-parameters-consumption-error")
    err.wait_for(state="visible")
    assert "negative" in err.inner_text()
    assert _figure(page) == moved

    # and back
    slider.fill("16.8")
    expect(page.locator("#perkm")).to_have_text(start)
    assert "o.parameters.consumption" not in page.url
    assert err.inner_text() == ""

    # a link with a refused value opens the scenario as loaded, the message next to the control
    page3, _, _ = _open(browser, base + "/#o.parameters.consumption=-4")
    expect(page3.locator("#c-parameters-consumption-error")).to_contain_text("negative")
    assert _figure(page3) == start
    page3.close()

    # a choice control
    page.get_by_label("charging electricity supply", exact=True).select_option("grid:PL")
    expect(page.locator("#perkm")).not_to_have_text(start)
    pl = wb.evaluate("scenarios/compact-suv-bev-eu.yaml", {"use.electricity.supply": "grid:PL"})
    assert _figure(page) == f"{pl['per_km']:,.1f}"

    # Monte Carlo and tornado on request
    page.get_by_role("button", name=re.compile("Run Monte Carlo")).click()
    page.wait_for_selector("#tornado canvas", timeout=30_000)
    assert "10,000 samples" in page.locator("#mc-summary").inner_text()

    hosts = {urlparse(u).netloc for u in requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {urlparse(base).netloc}, hosts
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("size", [(1440, 900), (1280, 720)])
def test_screenshots(server, browser, tmp_path, size) -> None:  # noqa: ANN001
    base, _ = server
    page, _, errors = _open(browser, base + "/", size)
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"workbench-{size[0]}x{size[1]}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    # nothing of the header is cut off and the controls are in view
    assert page.locator("#save").bounding_box()["x"] + 40 < size[0]
    assert page.get_by_label("consumption", exact=True).is_visible()
    assert not errors, errors
    page.close()
