"""The product system, one module per life-cycle stage. Each stage module's ``add_exchanges``
takes the builder (validated inventory, background, deterministic parameter values) and appends
that stage's exchanges; the battery is built with its component in ``materials`` (inventory order).
"""

from __future__ import annotations

from lca.model.stages import (
    end_of_life,
    logistics,
    maintenance,
    manufacturing,
    materials,
    replacements,
    use,
)

# the order exchanges are built in (materials covers every component, batteries included)
STAGE_STEPS = (
    materials.add_exchanges,
    manufacturing.add_exchanges,
    logistics.add_exchanges,
    use.add_exchanges,
    maintenance.add_exchanges,
    end_of_life.add_exchanges,
    replacements.add_exchanges,  # replaced components (needs the use stage's years)
    replacements.add_infrastructure,
)
