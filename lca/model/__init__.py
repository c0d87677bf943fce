"""The model: units, expressions, parameters, the background database and the product system."""
