"""Recycling approaches: the circular footprint formula's parameters per material family.

The defaults live in ``lca/data/circular-footprint.yaml`` (sourced; see the file for what is
confirmed); an inventory overrides them under ``end_of_life.cff``. R1 and R2 are not parameters:
R1 = recycled_mass / mass of each bill-of-materials line, R2 = recovered mass / mass of the
family in the bill of materials (reported, not used as an input).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from pydantic import Field

from lca.datafiles import data_file
from lca.inputs.validation import validate
from lca.inputs.yamlio import load_yaml
from lca.schema.common import Id, Strict
from lca.schema.inventory import RECYCLING_APPROACHES, CffParameters

DEFAULTS_FILE = data_file("circular-footprint.yaml")
APPROACHES = RECYCLING_APPROACHES
APPROACH_LABELS = {
    "cut-off": "cut-off (recycled content approach, 100:0)",
    "avoided-burden": "avoided burden (end-of-life recycling approach, 0:100)",
    "cff": "circular footprint formula (PEF, Recommendation (EU) 2021/2279)",
}


class CffDefaultsFile(Strict):
    families: dict[Id, CffParameters] = Field(default_factory=dict)


@lru_cache(maxsize=1)
def cff_defaults() -> Mapping[str, CffParameters]:
    """The bundled CFF defaults by material family id (dimensionless parameters)."""
    doc = load_yaml(DEFAULTS_FILE)
    return dict(validate(CffDefaultsFile, doc).families)


def cff_parameters(family: str, overrides: Mapping[str, CffParameters]) -> CffParameters | None:
    """Parameters for ``family``: the inventory's override, else the bundled default."""
    if family in overrides:
        return overrides[family]
    return cff_defaults().get(family)
