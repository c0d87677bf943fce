"""Analyses on the calculation: runs with measures, comparison, uncertainty, data quality."""
