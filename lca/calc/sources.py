"""Sources shown in a result's parameter and exchange tables: the records' sources, the
built-in parameters' (derived values, or the background data they come from), and which
parameters the amounts use."""

from __future__ import annotations

from typing import Any


def referenced_names(system: Any) -> set[str]:
    """Names used by any exchange amount or parameter expression."""
    names: set[str] = set()
    for ex in system.exchanges:
        names |= set(ex.amount.names)
    for expr in system.parameters.expressions.values():
        names |= set(expr.names)
    return names


def builtin_sources(system: Any) -> dict[str, Any]:
    """Sources of the built-in parameters: battery chemistry constants cite the background
    data; the others say what they are derived from."""
    from lca.model.system import (
        BUILTINS,
        CHEMISTRY_FIELDS,
        chemistry_parameter,
        material_mass_parameter,
    )

    out: dict[str, Any] = {name: f"derived: {what}" for name, what in BUILTINS.items()}
    for comp in system.inventory.components:
        for mat in comp.materials:
            out[material_mass_parameter(mat.material)] = (
                f"derived: the sum of the bill-of-materials lines of {mat.material}"
            )
    for chem in system.database.chemistries.values():
        for field_name in CHEMISTRY_FIELDS:
            q = getattr(chem, field_name)
            out[chemistry_parameter(chem.id, field_name)] = q.source
    return out


def source_text(rec: Any) -> str:
    s = rec.source
    bits = [s.publisher or s.authors or "", s.title, str(s.year or "")]
    text = ", ".join(b for b in bits if b)
    return text + (" (estimate)" if rec.estimate else "")
