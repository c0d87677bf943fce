"""One chart drawn in a forked helper process while the command calculates.

Importing matplotlib and drawing a chart are serial Python work (about 1 s for the uncertainty
chart's PNG and SVG); the calculation before them spends most of its time in one thread
(loading, compiling) or in numpy. :class:`ChartWorker` forks at the start of a command; the
helper imports the chart modules at once (on the other core), then waits for one request: a
module-level function and its arguments, whose figure it turns into the PNG and SVG bytes of
:func:`lca.outputs.chartstyle.figure_files` and sends back. The files are the bytes the command
would draw itself (same code, same order: PNG then SVG). Where the platform cannot fork, or the
helper fails in any way, the chart is drawn in the command's own process.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: what the helper imports while it waits (the cost a command would otherwise pay in series)
WARM_MODULES = (
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.lines",
    "matplotlib.patches",
    "lca.outputs.chartstyle",
    "lca.outputs.uncertainty_charts",
    # what the first SVG and PNG otherwise import (Pillow's Image.preinit: its plugins)
    "matplotlib.backends.backend_svg",
    "PIL.BmpImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.PpmImagePlugin",
)


def _files(fn: Callable[..., Any], args: tuple, stem: Path) -> dict[Path, bytes]:
    from lca.outputs.chartstyle import figure_files

    return figure_files(fn(*args), stem)


def _serve(req_fd: int, res_fd: int, warm: Sequence[str]) -> None:
    """The helper: import ``warm``, read one pickled request, answer with the files."""
    for name in warm:
        importlib.import_module(name)
    with os.fdopen(req_fd, "rb") as req:
        try:
            request = pickle.load(req)
        except EOFError:  # the command finished without a chart
            return
    try:
        answer: tuple[bool, Any] = (True, _files(*request))
    except BaseException as exc:  # noqa: BLE001 - the command draws it again and reports
        answer = (False, repr(exc))
    with os.fdopen(res_fd, "wb") as res:
        pickle.dump(answer, res, protocol=pickle.HIGHEST_PROTOCOL)


class ChartWorker:
    """A forked helper that draws one chart (see the module docstring); a context manager."""

    def __init__(self, warm: Sequence[str] = WARM_MODULES) -> None:
        self.pid = 0
        self._request: tuple | None = None
        self._sender: threading.Thread | None = None
        if not hasattr(os, "fork") or os.environ.get("VLCA_NO_CHART_WORKER"):
            return
        req_r, self._req_w = os.pipe()
        self._res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns into the command
            code = 0
            try:
                os.close(self._req_w)
                os.close(self._res_r)
                _serve(req_r, res_w, warm)
            except BaseException:  # noqa: BLE001 - the command falls back to drawing itself
                code = 1
            finally:
                os._exit(code)
        os.close(req_r)
        os.close(res_w)
        self.pid = pid

    def submit(self, fn: Callable[..., Any], args: tuple, stem: Path) -> None:
        """Ask for the PNG and SVG of ``fn(*args)`` (``fn`` a module-level function)."""
        self._request = (fn, args, stem)
        if not self.pid:
            return
        fd, self._req_w = self._req_w, -1

        def send() -> None:  # on a thread: the helper may still be importing
            try:
                with os.fdopen(fd, "wb") as req:
                    pickle.dump(self._request, req, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:  # the helper is gone: result() draws here
                pass

        self._sender = threading.Thread(target=send, daemon=True)
        self._sender.start()

    @property
    def submitted(self) -> bool:
        return self._request is not None

    def result(self) -> dict[Path, bytes]:
        """The files of the submitted chart (drawn here if the helper could not)."""
        if self._request is None:
            raise RuntimeError("no chart was submitted")
        answer: tuple[bool, Any] = (False, None)
        if self.pid:
            if self._sender is not None:
                self._sender.join()
            try:
                with os.fdopen(self._res_r, "rb") as res:
                    answer = pickle.load(res)
            except (EOFError, OSError, pickle.UnpicklingError):
                pass
            self._res_r = -1
            self._reap()
        return answer[1] if answer[0] else _files(*self._request)

    def _reap(self) -> None:
        if self.pid:
            for fd in (self._req_w, self._res_r):
                if fd >= 0:
                    os.close(fd)
            self._req_w = self._res_r = -1
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0

    def __enter__(self) -> ChartWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pid and self._request is None:  # no chart after all (an error, a dry path)
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if self._sender is not None:
            self._sender.join()
        self._reap()
