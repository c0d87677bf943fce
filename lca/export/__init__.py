"""Export formats for ``vlca export FILE --format NAME``: a registry of format -> writer.

A writer takes the loaded input, its product system and the export options and returns
``{path: bytes}`` to be written all or nothing (``lca.yamlio.write_files_atomically``), so a
failing export never leaves half a file. Register a new format by adding it to ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ExportOptions:
    """Options shared by the writers: ``output`` file, ``n`` samples (None: deterministic),
    ``seed``, ``gwp`` set."""

    output: Path
    n: int | None = None
    seed: int = 0
    extra: dict[str, Any] | None = None


Writer = Callable[[Any, Any, ExportOptions], dict[Path, bytes]]


def _datapackage(loaded: Any, system: Any, options: ExportOptions) -> dict[Path, bytes]:
    from .datapackage import write

    return write(loaded, system, options)


FORMATS: dict[str, Writer] = {"datapackage": _datapackage}
#: one line per format for ``vlca export --help``
DESCRIPTIONS: dict[str, str] = {
    "datapackage": "bw_processing datapackage (.zip) for Brightway; with -n, presampled arrays",
}
