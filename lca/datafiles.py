"""Where the package's own data files live (``lca/data/``) and the bundled background data."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
BUNDLED_BACKGROUND = PACKAGE_DIR.parent / "inventories" / "background"


def data_file(name: str) -> Path:
    """Path of a file shipped in ``lca/data/``."""
    return DATA_DIR / name
