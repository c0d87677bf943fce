"""Reading a user's file: an inventory, or a scenario that names a base and overrides keys.

The result is plain data plus a map from key paths to (file, line), so that any later error
names the file and line the value came from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lca.errors import InputError, InputErrors, KeyPath
from lca.inputs.additions import add_parameters, add_trajectories, with_optional_key
from lca.inputs.files import file_problem, shown_path
from lca.inputs.overrides import apply_overrides, split_path
from lca.inputs.scenario_format import (
    MAX_SWEEP_VARIANTS,
    MAX_VARIANTS,
    ScenarioFile,
    ScenarioHeader,
    variant_axes,
    variant_count,
    variant_sets,
)
from lca.inputs.source_map import LoadedInput, SourceMap
from lca.inputs.validation import validate
from lca.inputs.yamlio import Document, load_yaml

__all__ = [
    "MAX_SWEEP_VARIANTS",
    "MAX_VARIANTS",
    "LoadedInput",
    "ScenarioFile",
    "ScenarioHeader",
    "SourceMap",
    "VariantGrid",
    "load_input",
    "load_scenarios",
    "load_yaml",
    "variant_grid",
]


def _key_path(data: Any, dotted: str) -> KeyPath:
    """Translate a dotted override path into the key path of the merged data (indices)."""
    from lca.inputs.overrides import resolve

    parts = split_path(dotted)
    kp: list[str | int] = []
    node = data
    for i in range(len(parts)):
        container, key = resolve(data, parts[: i + 1], dotted)
        kp.append(key)
        node = container.get(key) if isinstance(container, dict) else container[key]
    del node
    return tuple(kp)


def load_scenarios(path: str | Path) -> list[LoadedInput]:
    """Load a file as a list of inputs: one for an inventory or a plain scenario, one per
    combination for a scenario file with ``variants``."""
    p = Path(path)
    doc = load_yaml(p)
    if "scenario" not in doc.data:
        return [_input_from(p, doc, ())]
    spec = validate(ScenarioFile, doc)
    if not spec.variants:
        return [_input_from(p, doc, (), spec)]
    return [
        _load_scenario(p, doc, spec, (), extra, f"{spec.scenario.name}-{suffix}")
        for suffix, extra in variant_sets(doc, spec)
    ]


def load_input(path: str | Path, _seen: tuple[Path, ...] = ()) -> LoadedInput:
    """Load an inventory or a scenario (following ``base``/``extends``)."""
    p = Path(path)
    return _input_from(p, load_yaml(p), _seen)


def _input_from(
    p: Path, doc: Document, _seen: tuple[Path, ...], spec: ScenarioFile | None = None
) -> LoadedInput:
    """:func:`load_input` of the file ``p`` already read as ``doc`` (``spec``: its validated
    scenario header, when the caller has it)."""
    if "scenario" not in doc.data:
        return LoadedInput(
            name=p.stem,
            kind="inventory",
            description=None,
            data=doc.data,
            sources=SourceMap(doc),
            files=(p,),
        )
    if spec is None:
        spec = validate(ScenarioFile, doc)
    if spec.variants:
        if _seen:
            raise doc.error(
                "this file defines variants (a grid of scenarios); 'extends' must name a "
                "single scenario",
                ("variants",),
            )
        raise doc.error(
            f"this file defines {len(variant_sets(doc, spec))} variants; load it with "
            "load_scenarios (vlca run, compare and validate do)",
            ("variants",),
        )
    return _load_scenario(p, doc, spec, _seen, {}, spec.scenario.name)


def _load_parent(p: Path, doc: Document, ref_key: str, ref_text: str, seen: tuple) -> LoadedInput:
    """Load the file a scenario's ``base``/``extends`` names. One outside the scenario's folder
    tree is read only if it parses as an inventory or a scenario; errors name the scenario's key."""
    ref = p.parent / ref_text
    where = ("scenario", ref_key)
    problem = file_problem(ref)  # stat only: a FIFO or device is refused, never opened
    if problem is not None:
        raise doc.error(
            f"{ref_key} file {shown_path(ref)!r}: {problem} (paths are relative to the "
            "scenario file)",
            where,
        )
    if ref.resolve().is_relative_to(p.parent.resolve()):
        return load_input(ref, seen)
    try:
        ref_doc = load_yaml(ref)
    except InputError as exc:
        raise doc.error(
            f"{ref_key} {ref_text!r} lies outside the scenario's folder and is not a YAML "
            f"inventory or scenario ({exc.message})",
            where,
        ) from None
    if "vehicle" not in ref_doc.data and "scenario" not in ref_doc.data:
        raise doc.error(
            f"{ref_key} {ref_text!r} lies outside the scenario's folder and is not an "
            "inventory (no 'vehicle') or a scenario (no 'scenario'); it is not read further",
            where,
        )
    return _input_from(ref, ref_doc, seen)  # the file as read for the check, not read again


def _set_by(p: Path, line: int | None, name: str) -> str:
    return f"set by {p.name}" + (f" line {line}" if line else "") + f" (scenario {name})"


def _load_scenario(
    p: Path,
    doc: Document,
    spec: ScenarioFile,
    _seen: tuple[Path, ...],
    variant: dict[str, Any],
    name: str,
) -> LoadedInput:
    head = spec.scenario
    parent = _scenario_parent(p, doc, spec, _seen)
    overridden = dict(parent.sources.overridden)
    data = copy.deepcopy(parent.data)
    if spec.records:
        data, overridden = _add_records(p, doc, spec, data, overridden)
    data, overridden = _additions(data, overridden, spec, doc, p)
    data, sources = _apply_changes(
        p,
        doc,
        name,
        data,
        SourceMap(parent.sources.base, overridden, parent.sources.replaced),
        (("overrides", spec.overrides), ("variants", variant)),
    )
    return LoadedInput(
        name=name,
        kind="scenario",
        description=head.description,
        data=data,
        sources=sources,
        files=(*parent.files, p),
        chain=(*parent.chain, name),
    )


def _scenario_parent(
    p: Path, doc: Document, spec: ScenarioFile, _seen: tuple[Path, ...]
) -> LoadedInput:
    """The inventory (``base``) or scenario (``extends``) a scenario changes, checked: exactly
    one of the two, of the kind its key says, not a cycle of scenarios."""
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
    parent = _load_parent(p, doc, ref_key, head.base or head.extends or "", (*_seen, resolved))
    if head.base is not None and parent.kind != "inventory":
        raise doc.error(
            "'base' must name an inventory; use 'extends' for a scenario", ("scenario", "base")
        )
    if head.extends is not None and parent.kind != "scenario":
        raise doc.error(
            "'extends' must name a scenario; use 'base' for an inventory", ("scenario", "extends")
        )
    return parent


def _apply_changes(
    p: Path,
    doc: Document,
    name: str,
    data: dict[str, Any],
    sources: SourceMap,
    changes: tuple[tuple[str, dict[str, Any]], ...],
) -> tuple[dict[str, Any], SourceMap]:
    """``data`` with every override and variant value of scenario file ``p`` set, and where
    each set key came from (and what it replaced); every bad key path is reported at once."""
    overridden, replaced = dict(sources.overridden), dict(sources.replaced)
    errors: list[InputError] = []
    for where, items in changes:
        for dotted, value in items.items():
            line = doc.line_of((where, dotted))
            try:
                # an optional key of the format that the base leaves out may be set
                data = with_optional_key(data, dotted)
                # the key path as it is before this override (it may rename what it addresses)
                kp = _key_path(data, dotted)
                data = apply_overrides(data, {dotted: value}, source=_set_by(p, line, name))
            except InputError as exc:
                errors.append(InputError(exc.message, file=p, path=(where, dotted), line=line))
                continue
            was = SourceMap(sources.base, overridden, replaced).locate(kp)
            overridden = {k: v for k, v in overridden.items() if k[: len(kp)] != kp}
            replaced = {k: v for k, v in replaced.items() if k[: len(kp)] != kp}
            overridden[kp] = (p, line)
            replaced[kp] = was
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return data, SourceMap(sources.base, overridden, replaced)


def _add_records(
    p: Path, doc: Document, spec: ScenarioFile, data: dict, overridden: dict
) -> tuple[dict, dict]:
    """Supplier-specific records: added to the inventory's records, replacing the same id."""
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
        return variant_count([list(a) for a in self.axes])

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
    axes = variant_axes(doc, spec)
    count = variant_count(axes)
    if count > MAX_SWEEP_VARIANTS:
        raise doc.error(
            f"the variants expand to {count:,} scenarios (at most {MAX_SWEEP_VARIANTS:,})",
            ("variants",),
        )
    return VariantGrid(p, spec.scenario.name, tuple(tuple(a) for a in axes), doc, spec)


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
