"""Outputs: charts, the CFP report and the exports."""
