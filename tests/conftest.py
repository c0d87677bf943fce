"""Shared fixtures: paths to the bundled data and the hand-made test background."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# the parsed-background cache goes to a temporary folder, never the user's
os.environ["VLCA_CACHE_DIR"] = tempfile.mkdtemp(prefix="vlca-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TINY_BACKGROUND = DATA / "tiny-background"
TINY_EV = DATA / "inventories" / "tiny-ev.yaml"


@pytest.fixture(scope="session")
def tiny_db():
    from lca.model.background import load_background

    return load_background(TINY_BACKGROUND)


@pytest.fixture(scope="session")
def bundled_db():
    from lca.model.background import load_background

    return load_background()
