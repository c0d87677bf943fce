"""Reading a user's file: an inventory, or a scenario that names a base and overrides keys.

The result is plain data plus a map from key paths to (file, line), so that any later error
names the file and line the value came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from .errors import InputError, KeyPath
from .overrides import apply_overrides, split_path
from .schema.common import Strict
from .validation import validate
from .yamlio import Document, load_yaml


class ScenarioHeader(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+\-]*$")
    description: str | None = None
    base: str | None = None
    extends: str | None = None
    rationale: str | None = None


class ScenarioFile(Strict):
    scenario: ScenarioHeader
    overrides: dict[str, Any] = Field(default_factory=dict)
    notes: str | None = None


@dataclass(frozen=True)
class SourceMap:
    """Where each key path of the merged data came from."""

    base: Document
    overridden: dict[KeyPath, tuple[Path, int | None]] = field(default_factory=dict)

    def locate(self, kp: KeyPath) -> tuple[Path, int | None]:
        for n in range(len(kp), -1, -1):
            if tuple(kp[:n]) in self.overridden:
                return self.overridden[tuple(kp[:n])]
        return self.base.path, self.base.line_of(kp)

    def error(self, message: str, kp: KeyPath = ()) -> InputError:
        path, line = self.locate(tuple(kp))
        return InputError(message, file=path, path=kp, line=line)


@dataclass(frozen=True)
class LoadedInput:
    name: str
    kind: str  # "inventory" or "scenario"
    description: str | None
    data: dict[str, Any]
    sources: SourceMap
    files: tuple[Path, ...]
    chain: tuple[str, ...] = ()


def _key_path(data: Any, dotted: str) -> KeyPath:
    """Translate a dotted override path into the key path of the merged data (indices)."""
    from .overrides import resolve

    parts = split_path(dotted)
    kp: list[str | int] = []
    node = data
    for i in range(len(parts)):
        container, key = resolve(data, parts[: i + 1], dotted)
        kp.append(key)
        node = container[key]
    del node
    return tuple(kp)


def load_input(path: str | Path, _seen: tuple[Path, ...] = ()) -> LoadedInput:
    """Load an inventory or a scenario (following ``base``/``extends``)."""
    p = Path(path)
    doc = load_yaml(p)
    if "scenario" not in doc.data:
        return LoadedInput(
            name=p.stem,
            kind="inventory",
            description=None,
            data=doc.data,
            sources=SourceMap(doc),
            files=(p,),
        )
    spec = validate(ScenarioFile, doc)
    head = spec.scenario
    resolved = p.resolve()
    if resolved in _seen:
        chain = " -> ".join(str(s.name) for s in (*_seen, resolved))
        raise doc.error(f"scenarios extend each other in a cycle: {chain}", ("scenario",))
    if (head.base is None) == (head.extends is None):
        raise doc.error(
            "a scenario needs exactly one of 'base' (an inventory) or 'extends' (another scenario)",
            ("scenario",),
        )
    ref_key = "base" if head.base is not None else "extends"
    ref = p.parent / (head.base or head.extends or "")
    if not ref.exists():
        raise doc.error(
            f"{ref_key} file {str(ref)!r} not found (paths are relative to the scenario file)",
            ("scenario", ref_key),
        )
    parent = load_input(ref, (*_seen, resolved))
    if head.base is not None and parent.kind != "inventory":
        raise doc.error(
            "'base' must name an inventory; use 'extends' for a scenario", ("scenario", "base")
        )
    if head.extends is not None and parent.kind != "scenario":
        raise doc.error(
            "'extends' must name a scenario; use 'base' for an inventory", ("scenario", "extends")
        )

    def on_error(exc: InputError, dotted: str) -> InputError:
        return InputError(
            exc.message, file=p, path=("overrides", dotted), line=doc.line_of(("overrides", dotted))
        )

    data = apply_overrides(parent.data, spec.overrides, on_error)
    overridden = dict(parent.sources.overridden)
    for dotted in spec.overrides:
        kp = _key_path(data, dotted)
        overridden[kp] = (p, doc.line_of(("overrides", dotted)))
    return LoadedInput(
        name=head.name,
        kind="scenario",
        description=head.description,
        data=data,
        sources=SourceMap(parent.sources.base, overridden),
        files=(*parent.files, p),
        chain=(*parent.chain, head.name),
    )
