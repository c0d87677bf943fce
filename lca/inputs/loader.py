"""Reading a user's file: an inventory, or a scenario that names a base and overrides keys.

The result is plain data plus a map from key paths to (file, line), so that any later error
names the file and line the value came from.
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from lca.errors import InputError, KeyPath
from lca.inputs.additions import add_parameters, add_trajectories, with_optional_key
from lca.inputs.overrides import apply_overrides, split_path
from lca.inputs.validation import validate
from lca.inputs.yamlio import Document, load_yaml
from lca.schema.common import Strict


class ScenarioHeader(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+\-]*$")
    description: str | None = None
    base: str | None = None
    extends: str | None = None
    rationale: str | None = None


class ScenarioFile(Strict):
    """A scenario: a base inventory (or another scenario) plus changes.

    ``overrides``: key path -> new value (the path must exist in the base). ``records``:
    supplier-specific records (same format as background records) added to the inventory's
    ``records``; one with the id of a background record replaces it for this scenario.
    ``parameters``: new parameters (name -> value, source, uncertainty) added to the base's;
    ``trajectories``: trajectories (same format as background ones) of this scenario; see
    ``lca.inputs.additions``.
    ``variants``: key path -> list of values (or mapping label -> value); the file then stands
    for every combination (a grid), each a named scenario ``<name>-<label>-<label>...``.
    """

    scenario: ScenarioHeader
    overrides: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    trajectories: list[dict[str, Any]] = Field(default_factory=list)
    records: list[dict[str, Any]] = Field(default_factory=list)
    variants: dict[str, list[Any] | dict[str, Any]] | None = None
    notes: str | None = None


MAX_VARIANTS = 500  # variants expanded one by one into scenarios (load_scenarios)
MAX_SWEEP_VARIANTS = 1_000_000  # variants of a sweep evaluated as batches (variant_grid)


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
    from lca.inputs.overrides import resolve

    parts = split_path(dotted)
    kp: list[str | int] = []
    node = data
    for i in range(len(parts)):
        container, key = resolve(data, parts[: i + 1], dotted)
        kp.append(key)
        node = container[key]
    del node
    return tuple(kp)


def _label(value: Any) -> str:
    """A scenario-name fragment for a variant value (``grid:EU-27`` -> ``grid-EU-27``)."""
    text = re.sub(r"\s+", "", str(value))
    text = re.sub(r"[^A-Za-z0-9.+\-]+", "-", text).strip("-.")
    return text or "x"


def _variant_axes(doc: Document, spec: ScenarioFile) -> list[list[tuple[str, str, Any]]]:
    """The file's variant axes, each a list of (dotted path, label, value), checked."""
    axes: list[list[tuple[str, str, Any]]] = []
    for dotted, values in (spec.variants or {}).items():
        if isinstance(values, dict):
            items = [(str(k), v) for k, v in values.items()]
        else:
            items = [(_label(v), v) for v in values]
        if not items:
            raise doc.error("a variant needs at least one value", ("variants", dotted))
        labels = [lab for lab, _ in items]
        if len(set(labels)) != len(labels):
            raise doc.error(
                "two values of this variant give the same name; use a mapping label: value",
                ("variants", dotted),
            )
        if dotted in spec.overrides:
            raise doc.error(
                "this key path is both an override and a variant; keep one", ("variants", dotted)
            )
        axes.append([(dotted, lab, v) for lab, v in items])
    return axes


def _count(axes: list[list[tuple[str, str, Any]]]) -> int:
    count = 1
    for ax in axes:
        count *= len(ax)
    return count


def _variant_sets(doc: Document, spec: ScenarioFile) -> list[tuple[str, dict[str, Any]]]:
    """Every combination of the file's variants: (name suffix, {dotted path: value})."""
    axes = _variant_axes(doc, spec)
    count = _count(axes)
    if count > MAX_VARIANTS:
        raise doc.error(
            f"the variants expand to {count:,} scenarios (at most {MAX_VARIANTS} one by one; "
            f"vlca compare evaluates up to {MAX_SWEEP_VARIANTS:,} as a sweep)",
            ("variants",),
        )
    out = []
    for combo in itertools.product(*axes):
        suffix = "-".join(lab for _, lab, _ in combo)
        out.append((suffix, {dotted: v for dotted, _, v in combo}))
    return out


def load_scenarios(path: str | Path) -> list[LoadedInput]:
    """Load a file as a list of inputs: one for an inventory or a plain scenario, one per
    combination for a scenario file with ``variants``."""
    p = Path(path)
    doc = load_yaml(p)
    if "scenario" not in doc.data:
        return [load_input(p)]
    spec = validate(ScenarioFile, doc)
    if not spec.variants:
        return [load_input(p)]
    return [
        _load_scenario(p, doc, spec, (), extra, f"{spec.scenario.name}-{suffix}")
        for suffix, extra in _variant_sets(doc, spec)
    ]


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
    if spec.variants:
        if _seen:
            raise doc.error(
                "this file defines variants (a grid of scenarios); 'extends' must name a "
                "single scenario",
                ("variants",),
            )
        raise doc.error(
            f"this file defines {len(_variant_sets(doc, spec))} variants; load it with "
            "load_scenarios (vlca run, compare and validate do)",
            ("variants",),
        )
    return _load_scenario(p, doc, spec, _seen, {}, spec.scenario.name)


def _load_scenario(
    p: Path,
    doc: Document,
    spec: ScenarioFile,
    _seen: tuple[Path, ...],
    variant: dict[str, Any],
    name: str,
) -> LoadedInput:
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
    overridden = dict(parent.sources.overridden)
    data = copy.deepcopy(parent.data)
    if spec.records:
        # supplier-specific records: added to the inventory's records, replacing the same id
        records = list(data.get("records") or [])
        for i, rec in enumerate(spec.records):
            rid = rec.get("id")
            hit = [j for j, r in enumerate(records) if isinstance(r, dict) and r.get("id") == rid]
            idx = hit[0] if hit and rid is not None else len(records)
            if idx == len(records):
                records.append(rec)
            else:
                records[idx] = rec
            for kp, line in doc.lines.items():
                if kp[:2] == ("records", i):
                    overridden[("records", idx, *kp[2:])] = (p, line)
        data["records"] = records
    data, overridden = _additions(data, overridden, spec, doc, p)

    def on_error(where: str) -> Any:
        def make(exc: InputError, dotted: str) -> InputError:
            return InputError(
                exc.message, file=p, path=(where, dotted), line=doc.line_of((where, dotted))
            )

        return make

    for where, items in (("overrides", spec.overrides), ("variants", variant)):
        for dotted, value in items.items():
            # an optional key of the format that the base leaves out may be set
            data = with_optional_key(data, dotted)
            # the key path as it is before this override (it may rename what it addresses)
            try:
                kp = _key_path(data, dotted)
            except InputError as exc:
                raise on_error(where)(exc, dotted) from None
            data = apply_overrides(data, {dotted: value}, on_error(where))
            line = doc.line_of((where, dotted))
            overridden = {k: v for k, v in overridden.items() if k[: len(kp)] != kp}
            overridden[kp] = (p, line)
    return LoadedInput(
        name=name,
        kind="scenario",
        description=head.description,
        data=data,
        sources=SourceMap(parent.sources.base, overridden),
        files=(*parent.files, p),
        chain=(*parent.chain, name),
    )


def _additions(data, overridden, spec: ScenarioFile, doc: Document, p: Path):  # noqa: ANN001, ANN202
    """The scenario's new parameters and trajectories, with where each came from."""
    overridden = dict(overridden)
    if spec.parameters:
        data, lines = add_parameters(data, spec.parameters, doc, p)
        overridden.update(lines)
    if spec.trajectories:
        data, lines = add_trajectories(data, spec.trajectories, doc, p)
        overridden.update(lines)
    return data, overridden


@dataclass(frozen=True)
class VariantGrid:
    """A variants file without expanding it: its axes (each a list of (dotted path, label,
    value)) and a loader of any one combination (the scenario ``<name>-<label>-...``)."""

    path: Path
    name: str
    axes: tuple[tuple[tuple[str, str, Any], ...], ...]
    document: Document
    spec: ScenarioFile

    @property
    def count(self) -> int:
        return _count([list(a) for a in self.axes])

    def variant_name(self, labels: tuple[str, ...]) -> str:
        return f"{self.name}-{'-'.join(labels)}"

    def load(self, values: dict[str, tuple[str, Any]]) -> LoadedInput:
        """The scenario of one combination: {dotted path: (label, value)} for every axis."""
        labels = tuple(values[ax[0][0]][0] for ax in self.axes)
        extra = {ax[0][0]: values[ax[0][0]][1] for ax in self.axes}
        return _load_scenario(
            self.path, self.document, self.spec, (), extra, self.variant_name(labels)
        )


def variant_grid(path: str | Path) -> VariantGrid | None:
    """The variant grid of a scenario file (None if the file has no variants); up to
    ``MAX_SWEEP_VARIANTS`` combinations."""
    p = Path(path)
    doc = load_yaml(p)
    if "scenario" not in doc.data:
        return None
    spec = validate(ScenarioFile, doc)
    if not spec.variants:
        return None
    axes = _variant_axes(doc, spec)
    count = _count(axes)
    if count > MAX_SWEEP_VARIANTS:
        raise doc.error(
            f"the variants expand to {count:,} scenarios (at most {MAX_SWEEP_VARIANTS:,})",
            ("variants",),
        )
    return VariantGrid(p, spec.scenario.name, tuple(tuple(a) for a in axes), doc, spec)
