"""A loaded input: its merged data and where each key path came from (file and line), so that
any later error names the file and line of the value (and the override that set it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lca.errors import InputError, KeyPath
from lca.inputs.yamlio import Document


@dataclass(frozen=True)
class SourceMap:
    """Where each key path of the merged data came from.

    ``overridden``: key path -> (scenario file, line) of the override that set it;
    ``replaced``: key path -> (file, line) of the value that override replaced (context).
    """

    base: Document
    overridden: dict[KeyPath, tuple[Path, int | None]] = field(default_factory=dict)
    replaced: dict[KeyPath, tuple[Path, int | None]] = field(default_factory=dict)

    def _hit(self, kp: KeyPath) -> KeyPath | None:
        for n in range(len(kp), -1, -1):
            if tuple(kp[:n]) in self.overridden:
                return tuple(kp[:n])
        return None

    def locate(self, kp: KeyPath) -> tuple[Path, int | None]:
        hit = self._hit(tuple(kp))
        if hit is not None:
            return self.overridden[hit]
        return self.base.path, self.base.line_of(kp)

    def _context(self, message: str, kp: KeyPath) -> str:
        """Where an overridden value came from, or which override a message names."""
        hit = self._hit(tuple(kp))
        if hit is not None:
            was = self.replaced.get(hit)
            if was is None:
                return ""
            return f" (this override replaces {was[0]}:{was[1]})" if was[1] else ""
        notes = []
        for okp, (file, line) in self.overridden.items():
            name = override_name(okp)
            if name and re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", message):
                where = f"{file}:{line}" if line else str(file)
                notes.append(f"{name} is set by {where}")
        return f" ({'; '.join(notes)})" if notes else ""

    def error(self, message: str, kp: KeyPath = ()) -> InputError:
        path, line = self.locate(tuple(kp))
        return InputError(message + self._context(message, kp), file=path, path=kp, line=line)


def override_name(kp: KeyPath) -> str | None:
    """The name an error message would use for an overridden key: a parameter's name, or a
    vehicle field (``vehicle.curb_mass`` -> ``curb_mass``); None for other keys."""
    if len(kp) == 2 and kp[0] in ("parameters", "vehicle") and isinstance(kp[1], str):
        return kp[1]
    return None


@dataclass(frozen=True)
class LoadedInput:
    name: str
    kind: str  # "inventory" or "scenario"
    description: str | None
    data: dict[str, Any]
    sources: SourceMap
    files: tuple[Path, ...]  # the base chain, the file that was loaded last
    chain: tuple[str, ...] = ()

    def relative_files(self) -> list[str]:
        """``files`` relative to the folder of the loaded file (the last one), normalised and
        independent of the working folder (``../inventories/vehicles/x.yaml``, ``s.yaml``)."""
        home = self.files[-1].resolve().parent
        return [Path(os.path.relpath(f.resolve(), home)).as_posix() for f in self.files]
