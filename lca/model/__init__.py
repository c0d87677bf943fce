"""The model: units, expressions, parameters, the background database and the product system."""

# first, so that pint is imported without the optional packages it probes for (see units)
from lca.model import units as _units  # noqa: F401
