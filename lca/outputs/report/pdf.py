"""The PDF of the report, printed by headless Chromium with CSS paged media (page-margin boxes
for the running header and the page numbers, supported since Chromium 131).

Chromium cannot fill ``target-counter()``, so the table of contents gets its page numbers from a
first print: the text of each page (pdftotext, poppler-utils) shows on which page each section
heading landed, and the second print carries those numbers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

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
PAGE_MARK = "§"  # each section heading ends with an invisible marker "§<n>§" found in the text


class ReportUnavailable(Exception):
    """A requested part of the report needs a module or program that is not installed."""


def chromium() -> str | None:
    """The headless Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


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


def _print(html: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="vlca-pdf-") as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(html, encoding="utf-8")
        pdf = Path(tmp) / "report.pdf"
        run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", src.as_uri()])
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise ReportUnavailable("Chromium wrote no PDF")
        return pdf.read_bytes()


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext); empty when poppler-utils is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return []
    with tempfile.TemporaryDirectory(prefix="vlca-pdf-") as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(pdf)
        proc = subprocess.run(
            [exe, "-layout", str(path), "-"], capture_output=True, timeout=60, check=False
        )
    if proc.returncode != 0:
        return []
    return proc.stdout.decode("utf-8", errors="replace").split("\f")


def heading_pages(pdf: bytes, anchors: Sequence[str]) -> dict[str, int]:
    """Page (1-based) of each section whose marker ``§<anchor>§`` appears in the text."""
    pages: dict[str, int] = {}
    for number, text in enumerate(page_texts(pdf), start=1):
        for a in re.findall(rf"{PAGE_MARK}([\w-]+){PAGE_MARK}", text):
            if a in anchors and a not in pages:
                pages[a] = number
    return pages


def print_pdf(render: Callable[[dict[str, int] | None], str], anchors: Sequence[str]) -> bytes:
    """The PDF of ``render(pages)``: printed once to learn the page of each section (``pages``
    None: markers in the headings), then again with those page numbers in the contents."""
    first = _print(render(None))
    pages = heading_pages(first, anchors)
    if not pages:  # no pdftotext: a contents without page numbers, no markers
        return _print(render({}))
    return _print(render(pages))
