"""``vlca serve``: the what-if workbench in the browser (a local Starlette app on uvicorn)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from lca.cli.common import (
    BackgroundOption,
    VerboseOption,
    command,
    err,
    say,
    setup_logging,
    unavailable,
)
from lca.errors import InputError

LOOPBACK = "127.0.0.1"


def default_files() -> list[Path]:
    """The bundled scenarios and vehicle inventories (from the working folder, else the
    repository the package sits in)."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        found = [root / "scenarios", root / "inventories" / "vehicles"]
        if all(p.is_dir() for p in found):
            return found
    return []


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@command()
def serve(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Inventory or scenario files or folders (default: the bundled ones)."),
    ] = None,
    port: Annotated[
        int, typer.Option(help="TCP port (0: any free port).", min=0, max=65535)
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; anything but loopback is reachable by others."),
    ] = LOOPBACK,
    background: BackgroundOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Open the what-if workbench: sliders over the parameters, live results in the browser."""
    setup_logging(verbose)
    try:
        import uvicorn

        from lca.web.app import create_app
    except ImportError as exc:
        raise unavailable(
            f"vlca serve needs starlette and uvicorn ({exc.name} is missing)"
        ) from None
    from lca.inputs.files import check_background_path, check_path
    from lca.model.background import load_background
    from lca.web.workbench import Workbench

    paths = list(files or default_files())
    for p in paths:
        check_path(p, "input path")
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
    if not paths:
        raise InputError("no scenario or inventory folder found; name the files to open")
    if not is_loopback(host):
        err.print(
            f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this address can "
            "use the workbench (it has no login). Use the default 127.0.0.1 unless you mean it.",
            soft_wrap=True,
        )
    check_background_path(background)
    wb = Workbench(paths, load_background(background))
    scen, ref = wb.default_pair()
    wb.evaluate(scen, {})  # import bw2calc and compile the defaults before the first request
    wb.evaluate(ref, {})
    # every single structural choice of the default scenario compiled in the background, so
    # that the first move of a supply, chemistry or approach control is a cache hit
    import threading

    threading.Thread(target=wb.warm, args=(scen,), name="vlca-warm", daemon=True).start()
    if port == 0:
        import socket

        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    say(f"vlca workbench on http://{shown}:{port}/ ({len(wb.entries)} files; Ctrl+C to stop)")
    uvicorn.run(create_app(wb), host=host, port=port, log_level="warning")
