"""What every ``vlca`` command shares: the typer app, the consoles, the option types, and one
wrapper (:func:`command`) that turns every failure into a message and an exit code.

Exit codes: 0 success; 1 internal error (a bug: the traceback with ``-v``); 2 a problem with an
input or an output path (the message names the file); 3 a calculation check failed; 4 an optional
tool is missing. Heavy modules (numpy, bw2calc, matplotlib, the engine) are imported inside the
command functions, so ``vlca --help`` and ``vlca --version`` stay fast.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from lca import __version__
from lca.errors import CalculationError, InputError

EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_CALC = 3
EXIT_UNAVAILABLE = 4

DEFAULT_SEED = 0
"""The seed of every command that samples (uncertainty, sensitivity, compare, report, export)."""
MAX_SAMPLES = 10_000_000
# `vlca uncertainty` streams large runs (statistics chunk by chunk, memory bounded): 10^9 samples
# take about 6 minutes on 2 cores; more is refused before anything is allocated
MAX_STREAMED_SAMPLES = 1_000_000_000
"""Largest Monte Carlo sample count (about 80 MB per stored series of float64 totals)."""
MAX_EXPORT_SAMPLES = 100_000
"""Largest number of presampled columns in a datapackage (one column per sample per exchange)."""

log = logging.getLogger("lca")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vlca (vehicle-lca) {__version__}")
        raise typer.Exit()


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="vehicle-lca: ISO 14067 cradle-to-grave carbon footprint of vehicles.",
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """vehicle-lca: ISO 14067 cradle-to-grave carbon footprint of vehicles."""


out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class Gwp(StrEnum):
    """The GWP100 sets of the bundled characterisation data (a test checks they match)."""

    AR6 = "AR6"
    AR5 = "AR5"


def _gwp_choice(value: str | None) -> str | None:
    """``--gwp`` in any case (``ar5`` -> ``AR5``); anything else is refused before loading."""
    if value is None:
        return None
    for g in Gwp:
        if value.strip().upper() == g.value:
            return g.value
    choices = " or ".join(g.value for g in Gwp)
    raise typer.BadParameter(f"{value!r} is not a GWP100 set vlca knows; choose {choices}")


# options shared by the commands
GwpOption = Annotated[
    str | None,
    typer.Option(
        metavar="[AR6|AR5]",
        callback=_gwp_choice,
        help="GWP100 set (any case): AR6 (default, IPCC 2021) or AR5 (IPCC 2013).",
    ),
]
BackgroundOption = Annotated[
    Path | None,
    typer.Option(help="Background data folder or brightway:PROJECT/DATABASE (default: bundled)."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Print progress notes, and the traceback of an internal error."
    ),
]
SEED_HELP = (
    "Random seed (one default for every vlca command that samples): the same seed and sample "
    "count give the same samples, bit for bit."
)
SeedOption = Annotated[int, typer.Option(help=SEED_HELP, min=0)]
InputFileArgument = Annotated[Path, typer.Argument(help="An inventory or scenario YAML file.")]
KeptOutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Output folder (default reports/<name>); files already there are kept.",
    ),
]
"""``--output`` of the commands that add their files to a report folder (uncertainty,
sensitivity), as opposed to those that replace the folder as a whole."""
ReferenceOption = Annotated[
    Path | None,
    typer.Option(
        help="Combustion reference (inventory or scenario) for the break-even distance "
        "(its distribution)."
    ),
]


def samples_bound(most: int = MAX_SAMPLES) -> Callable[[int | None], int | None]:
    """A typer callback refusing a sample count above ``most`` before anything is allocated."""

    def check(value: int | None) -> int | None:
        if value is not None and value > most:
            raise typer.BadParameter(
                f"{value:,} is more samples than vlca draws in one run (at most {most:,}; "
                f"{most:,} float64 totals are {most * 8 / 1e6:,.0f} MB)"
            )
        return value

    return check


def gwp_name(gwp: Gwp | str | None) -> str | None:
    """The GWP set name the model expects (None: the inventory's or the default)."""
    return None if gwp is None else str(gwp.value if isinstance(gwp, Gwp) else gwp)


def setup_logging(verbose: bool) -> None:
    """Warnings (and with ``-v`` progress notes) of the ``lca`` loggers on stderr."""
    from rich.logging import RichHandler

    log.handlers.clear()
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    log.addHandler(handler)
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False


def print_input_error(exc: InputError) -> None:
    for line in exc.render().splitlines():
        err.print(f"[bold red]error:[/] {escape(line)}", soft_wrap=True)


def report_failure(exc: BaseException, verbose: bool) -> int:
    """Print ``exc`` for a user and return the exit code."""
    if isinstance(exc, InputError):
        print_input_error(exc)
        return EXIT_INPUT
    if isinstance(exc, CalculationError):
        err.print(f"[bold red]calculation check failed:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_CALC
    if isinstance(exc, OSError):
        if verbose:
            err.print_exception(show_locals=False)
        where = f"{exc.filename}: " if exc.filename else "a file or folder: "
        err.print(
            f"[bold red]error:[/] {escape(where)}{escape(exc.strerror or str(exc))}",
            soft_wrap=True,
        )
        return EXIT_INPUT
    if verbose:
        err.print_exception(show_locals=False)
    err.print(
        f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc)[:300])}\n"
        "This is a bug in vehicle-lca: it should have named the problem. Run again with -v for "
        "the traceback and report it with the input files.",
        soft_wrap=True,
    )
    return EXIT_INTERNAL


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with the shared error wrapper: no command can leak a traceback."""

    @functools.wraps(fn)
    def wrapper(*a: Any, **k: Any) -> Any:
        try:
            return fn(*a, **k)
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise  # typer's own exits and usage errors, and Ctrl-C (handled in main)
        except Exception as exc:  # noqa: BLE001 - the one place every failure is reported
            raise typer.Exit(report_failure(exc, bool(k.get("verbose")))) from None

    return wrapper


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@app.command`` with the shared error wrapper (:func:`guarded`)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        return app.command(*args, **kwargs)(guarded(fn))

    return decorate


def unavailable(message: str) -> typer.Exit:
    """Print that an optional tool is missing; return the exit to raise (code 4)."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(EXIT_UNAVAILABLE)


def count_progress(show: bool, *, auto_refresh: bool = True) -> Any:
    """A transient progress bar on stderr counting items (``description  bar  k/n``); shown
    only when ``show``. ``auto_refresh=False``: no refresh thread (call ``refresh()``), for
    work that forks while the bar is shown."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        auto_refresh=auto_refresh,
        disable=not show,
    )


def default_output(name: str) -> Path:
    return Path("reports") / name


def say(text: str) -> None:
    """Print plain text (no rich markup: ``[`` and ``]`` in paths print as they are)."""
    out.print(text, markup=False, soft_wrap=True)


def wrote(paths: Iterable[Path | str]) -> None:
    say("wrote " + ", ".join(str(p) for p in paths))


def input_files(loaded: Iterable[Any], *extra: Path | None) -> list[Path]:
    """Every file an output must not overwrite: each loaded input's file chain, plus ``extra``."""
    files: list[Path] = [Path(p) for item in loaded for p in item.files]
    files += [Path(p) for p in extra if p is not None]
    return files
