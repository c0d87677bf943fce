"""Output locks: ``fcntl.flock`` on ``.<name>.lock`` beside the output root of each target
(the outermost vlca output folder that is or holds it), held from before the calculation to
the end of the write, so that two vlca commands into one place exclude each other and the second
fails at once with an :class:`~lca.errors.InputError` (exit 2)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from lca.errors import InputError
from lca.outputs.output_guards import MARKER, os_error, resolved


def output_root(target: Path, is_folder: bool) -> Path:
    """The folder whose swap would replace ``target``: the outermost vlca output folder (one
    with the marker) that is or holds it, such as ``reports/x`` for ``reports/x/charts`` and
    for ``reports/x/charts/a.png``; without one, ``target`` itself."""
    root = target
    for folder in [target, *target.parents] if is_folder else target.parents:
        if (folder / MARKER).exists():
            root = folder
    return root


def _lock_path(target: Path, is_folder: bool) -> Path:
    """``.<name>.lock`` beside the output root of a target (:func:`output_root`), so commands
    writing into one output folder, or into a sub-folder of it (``vlca chart`` into
    ``reports/x/charts``, ``vlca run`` into ``reports/x``), exclude each other."""
    root = output_root(target, is_folder)
    return root.parent / f".{root.name}.lock"


HELD: dict[Path, int] = {}
"""Locks this process holds (``reserve`` takes them before the calculation; ``write_outputs``
then finds them held)."""


def _acquire(lock: Path, target: Path) -> int:
    """An open, exclusively ``flock``ed descriptor of ``lock`` (created if missing), or an
    InputError at once if another process holds it. A lock file its holder removed meanwhile is
    not trusted: the lock is taken again on the file now at that path."""
    import fcntl

    for _ in range(10):
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise os_error(exc, target) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                "another vlca command is writing here; wait for it to finish or choose another "
                "output path",
                file=target,
            ) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we opened it: take the new one
    raise InputError("could not take the output lock; try again", file=target)


@contextlib.contextmanager
def locked(folders: Sequence[Path], files: Sequence[Path]) -> Iterator[None]:
    """Hold an exclusive lock (``.<name>.lock`` beside each target, removed afterwards) for
    every target, in sorted order, or fail at once."""
    mine: list[Path] = []
    targets = sorted({(resolved(t), False) for t in files} | {(resolved(f), True) for f in folders})
    try:
        for target, is_folder in targets:
            lock = _lock_path(target, is_folder)
            if lock not in HELD:
                HELD[lock] = _acquire(lock, target)
                mine.append(lock)
        yield
    finally:
        for lock in reversed(mine):
            with contextlib.suppress(OSError):
                lock.unlink()  # while still holding it; a waiter re-checks the path (above)
            os.close(HELD.pop(lock))
