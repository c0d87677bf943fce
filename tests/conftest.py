"""Shared fixtures: paths to the bundled data and the hand-made test background."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

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
