"""Measures: the effect of each declared improvement against its counterfactual, computed by
running the counterfactual inventory, never typed in.

Recycled content is a measure of its own for every material family that has some: the
counterfactual is the same mass made from primary material.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lca.inputs.loader import LoadedInput
from lca.inputs.overrides import apply_overrides
from lca.schema.inventory import Inventory


@dataclass(frozen=True)
class Counterfactual:
    id: str
    description: str
    counterfactual: str
    data: dict[str, Any]
    kind: str  # "recycled-content" or "declared"
    family: str | None = None


def counterfactuals(
    loaded: LoadedInput, inv: Inventory, families: dict[str, str]
) -> list[Counterfactual]:
    """Counterfactual inventories (raw data) for every measure of ``inv``.

    ``families`` maps a material id used in the inventory to its family name for labels.
    """
    out: list[Counterfactual] = []
    by_family: dict[str, list[tuple[int, int]]] = {}
    for ci, comp in enumerate(inv.components):
        for mi, mat in enumerate(comp.materials):
            supplied = comp.supplier_footprint is not None or mat.supplier_footprint is not None
            if mat.recycled_mass is not None and not supplied:  # a supplier's figure: as is
                by_family.setdefault(mat.material, []).append((ci, mi))
    for material, places in by_family.items():
        data = copy.deepcopy(loaded.data)
        for ci, mi in places:
            data["components"][ci]["materials"][mi].pop("recycled_mass", None)
        name = families.get(material, material)
        out.append(
            Counterfactual(
                id=f"recycled-{material}",
                description=f"recycled {material} instead of primary {material}",
                counterfactual=f"the same mass of {name} from primary production",
                data=data,
                kind="recycled-content",
                family=material,
            )
        )
    for i, m in enumerate(inv.use.measures):
        data = copy.deepcopy(loaded.data)
        del data["use"]["measures"][i]
        if m.saves is not None and m.already_included:
            par = data["parameters"][m.applies_to]
            par["value"] = f"({_text(par['value'])}) + ({_text(m.saves)})"
        if m.counterfactual:
            data = apply_overrides(data, m.counterfactual, _located(loaded, i))
        what = []
        if m.saves is not None:
            what.append(f"{m.applies_to} {'+' if m.already_included else 'without -'} {m.saves}")
        what += [f"{k}: {v}" for k, v in m.counterfactual.items()]
        out.append(
            Counterfactual(
                id=m.id,
                description=m.description or m.id.replace("-", " "),
                counterfactual="; ".join(what),
                data=data,
                kind="declared",
            )
        )
    return out


def _text(value: Any) -> str:
    return repr(float(value)) if isinstance(value, int | float) else str(value)


def _located(loaded: LoadedInput, i: int) -> Callable:
    def on_error(exc, dotted):  # noqa: ANN001, ANN202
        return loaded.sources.error(
            f"counterfactual: {exc.message}", ("use", "measures", i, "counterfactual", dotted)
        )

    return on_error
