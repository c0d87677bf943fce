"""vehicle-lca: ISO 14067 cradle-to-grave carbon footprint of vehicles.

The flow runs one way: YAML -> validated model -> product system -> matrices -> engine ->
result -> tables, charts, reports.
"""

__version__ = "0.1.0"
