"""The ``vlca`` command line (typer)."""

from lca.cli.app import app, main

__all__ = ["app", "main"]
