"""The format of a scenario file (a base inventory or scenario plus changes) and its
variants: each variant key path with its values, expanded into every combination. A
variant's value gives the name fragment of its scenario (``grid:EU-27`` -> ``grid-EU-27``).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from pydantic import Field

from lca.inputs.yamlio import Document
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


def variant_label(value: Any) -> str:
    """A scenario-name fragment for a variant value (``grid:EU-27`` -> ``grid-EU-27``)."""
    text = re.sub(r"\s+", "", str(value))
    text = re.sub(r"[^A-Za-z0-9.+\-]+", "-", text).strip("-.")
    return text or "x"


def variant_axes(doc: Document, spec: ScenarioFile) -> list[list[tuple[str, str, Any]]]:
    """The file's variant axes, each a list of (dotted path, label, value), checked."""
    axes: list[list[tuple[str, str, Any]]] = []
    for dotted, values in (spec.variants or {}).items():
        if isinstance(values, dict):
            items = [(str(k), v) for k, v in values.items()]
        else:
            items = [(variant_label(v), v) for v in values]
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


def variant_count(axes: list[list[tuple[str, str, Any]]]) -> int:
    count = 1
    for ax in axes:
        count *= len(ax)
    return count


def variant_sets(doc: Document, spec: ScenarioFile) -> list[tuple[str, dict[str, Any]]]:
    """Every combination of the file's variants: (name suffix, {dotted path: value})."""
    axes = variant_axes(doc, spec)
    count = variant_count(axes)
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
