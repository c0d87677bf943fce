"""Calculation: matrices (bw_processing), the engines, sampling and the frozen result."""
