"""Errors a user can act on: each names the file, the key path and, where known, the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

KeyPath = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """Render a key path as ``use.electricity.amount`` or ``components[2].mass``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class InputError(Exception):
    """A problem with a user's input file; the CLI prints it and exits with code 2."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        path: Sequence[str | int] | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.path = tuple(path) if path is not None else None
        self.line = line
        super().__init__(self.render())

    def render(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f":{self.line}" if self.line else ""))
        if self.path:
            where.append(f"at '{format_path(self.path)}'")
        prefix = " ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def located(
        self,
        *,
        file: str | Path | None = None,
        path: Sequence[str | int] | None = None,
        line: int | None = None,
    ) -> InputError:
        """Return a copy with missing location details filled in."""
        return InputError(
            self.message,
            file=self.file or (str(file) if file is not None else None),
            path=self.path if self.path is not None else path,
            line=self.line or line,
        )


class InputErrors(InputError):
    """Several input problems found in one pass (all are reported, not only the first)."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        Exception.__init__(self, self.render())
        self.message = self.render()
        self.file = self.errors[0].file if self.errors else None
        self.path = None
        self.line = None

    def render(self) -> str:  # type: ignore[override]
        return "\n".join(e.render() for e in self.errors)


class CalculationError(Exception):
    """An internal consistency check failed (for example two engines disagree)."""
