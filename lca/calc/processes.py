"""Chunks of rows computed in forked worker processes that write into shared memory.

Threads share one interpreter lock: the engine's numpy calls on 16,384-row blocks are short
enough that two threads spend much of their time waiting for it (two threads do the work of
about 1.3). Forked workers have an interpreter each and start with everything this process has
loaded. The chunk numbers go into a pipe; each worker takes the next one when it is free (a
worker slowed by another program on its core does less), writes the chunk's rows into arrays
from :func:`shared_empty` and reports the chunk's number on its own pipe. A chunk no worker
reported (its worker raised an error, was killed or could not be forked) is computed again here,
after the workers have finished: the result is complete, and an error is raised here, with its
traceback, exactly as a serial run raises it (the same convention as
:func:`lca.analysis.parallel.fork_map`).

Forking is used only where it is safe: on Linux, from a process with no other thread (a thread
holding a lock at the fork would leave that lock held forever in the worker); elsewhere
:func:`lca.calc.chunks.fill_chunks` uses threads. The rows are the same either way, bit for bit:
each depends only on its inputs, never on which worker computed it.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import selectors
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

#: at most this many chunks (more run on threads): their numbers (4 bytes each) are written at
#: once, before forking, in one write of at most 4 KiB, which fits any pipe (also one the
#: kernel holds to a single page when a user has many pipes open) and is atomic
MAX_CHUNKS = 1024
#: set this environment variable (to anything) to compute on threads instead
NO_FORK_VARIABLE = "VLCA_NO_FORK"
_INDEX = 4  # bytes of a chunk number in the pipes


def shared_empty(shape: int | tuple[int, ...], dtype: DTypeLike) -> np.ndarray:
    """An uninitialised array in anonymous shared memory: what a forked worker writes into it,
    this process sees (it is an ordinary array otherwise)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    count = int(np.prod(shape))
    dtype = np.dtype(dtype)
    buffer = mmap.mmap(-1, max(count * dtype.itemsize, 1))
    return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)


def can_fork(chunks: int) -> bool:
    """Whether ``chunks`` chunks may run in forked workers here (see the module docstring)."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get(NO_FORK_VARIABLE)
        and threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
        and chunks <= MAX_CHUNKS
    )


def fill_forked(
    work: Callable[[int, int], None],
    bounds: Sequence[tuple[int, int]],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """``work(lo, hi)`` for every chunk of ``bounds`` in ``workers`` forked processes (``work``
    writes its rows into arrays from :func:`shared_empty`); ``progress(rows)`` is called here
    as chunks are reported. See the module docstring for failures."""
    _flush()  # a worker must not inherit (and write again) this process's buffered output
    tasks_r, tasks_w = os.pipe()
    try:
        os.write(tasks_w, np.arange(len(bounds), dtype="<u4").tobytes())
    finally:
        os.close(tasks_w)
    children: dict[int, int] = {}  # result pipe -> pid
    done: set[int] = set()
    try:
        for _ in range(workers):
            res_r, res_w = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes: the chunks left are computed here
                os.close(res_r)
                os.close(res_w)
                break
            if pid == 0:  # the worker: never returns
                os.close(res_r)
                _worker(work, bounds, tasks_r, res_w)
            os.close(res_w)
            children[res_r] = pid
        os.close(tasks_r)
        tasks_r = -1
        _collect(children, bounds, done, progress)
    finally:
        if tasks_r >= 0:
            os.close(tasks_r)
        _reap(children, kill=len(done) < len(bounds))
    for i, (lo, hi) in enumerate(bounds):
        if i not in done:
            work(lo, hi)
            if progress:
                progress(hi - lo)


def _worker(work: Callable[[int, int], None], bounds: Sequence, tasks: int, out: int) -> None:
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        while task := os.read(tasks, _INDEX):
            lo, hi = bounds[int.from_bytes(task, "little")]
            work(lo, hi)
            os.write(out, task)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent computes the chunk again
        pass
    finally:
        _flush()  # what the worker wrote (a numpy warning, say) before os._exit drops it
        os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _collect(
    children: dict[int, int],
    bounds: Sequence[tuple[int, int]],
    done: set[int],
    progress: Callable[[int], None] | None,
) -> None:
    """Read the chunk numbers each worker reports until every worker's pipe is closed."""
    pending = {fd: b"" for fd in children}
    with selectors.DefaultSelector() as sel:
        for fd in children:
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            for key, _ in sel.select():
                data = os.read(key.fd, 1 << 12)
                if not data:
                    sel.unregister(key.fd)
                    continue
                buf = pending[key.fd] + data
                whole = len(buf) - len(buf) % _INDEX
                for i in np.frombuffer(buf[:whole], dtype="<u4").tolist():
                    done.add(i)
                    if progress:
                        progress(bounds[i][1] - bounds[i][0])
                pending[key.fd] = buf[whole:]


def _reap(children: dict[int, int], kill: bool) -> None:
    """Wait for every worker (terminated first with ``kill``: an error or Ctrl-C here) and
    close its pipe. A worker not yet waited for cannot have had its pid reused."""
    for fd, pid in children.items():
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            os.close(fd)
    children.clear()
