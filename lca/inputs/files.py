"""Reading a user's input file safely: regular files only, with a byte cap.

A FIFO would block on open, a character device such as the zero device never ends and reports a
size of 0, and a directory or an over-long name raises an operating-system error: each of these
becomes an :class:`~lca.errors.InputError` naming the file. The cap is enforced by reading at
most ``max_bytes + 1`` bytes, never by trusting ``st_size``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from lca.errors import InputError

NAME_MAX = 255  # bytes in one name of a path (Linux, macOS and Windows file systems)
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long for the operating system"
    if exc.errno == errno.EACCES:
        return "permission denied"
    if exc.errno == errno.ENOTDIR:
        return "file not found (a part of the path is not a folder)"
    if exc.errno == errno.ELOOP:
        return "too many symbolic links in the path"
    return f"cannot read the file: {exc.strerror or exc}"


def shown_path(path: str | Path, limit: int = 120) -> str:
    """``path`` as text, shortened in the middle when longer than ``limit`` characters."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 3 :]}"


def file_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot be read as an input file, or ``None`` when it is a regular file.

    Uses ``stat`` only (never opens the file, so a FIFO cannot block here).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return _os_reason(exc)
    except ValueError:  # an embedded NUL character
        return "the file name contains a NUL character"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
    return f"is {kind}, expected a regular file" if kind != "not a regular file" else kind


def read_bounded(path: str | Path, max_bytes: int, *, what: str = "an input file") -> bytes:
    """The bytes of regular file ``path``; more than ``max_bytes`` is an error.

    The file is opened non-blocking and checked with ``fstat`` on the open descriptor, so a
    file swapped for a FIFO or device after a first check is refused too.
    """
    problem = file_problem(path)
    if problem is not None:
        raise InputError(problem, file=path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(_os_reason(exc), file=path) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError("not a regular file", file=path)
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise InputError(_os_reason(exc), file=path) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise InputError(
            f"file is larger than {max_bytes:,} bytes; {what} is at most that", file=path
        )
    return data


def check_path(path: str | Path, what: str = "input path") -> None:
    """Raise an :class:`~lca.errors.InputError` naming ``path`` when the operating system
    cannot even look it up: a name in it too long (over ``NAME_MAX``, 255 bytes on Linux), a
    NUL character, a loop of symbolic links, no permission. A path that does not exist passes:
    whoever opens it says so in its own words. ``what`` names it (``background folder``)."""
    try:
        os.stat(path)
    except ValueError:  # an embedded NUL character
        raise InputError(f"the {what} name contains a NUL character", file=path) from None
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError(_too_long(Path(path), what), file=path) from None
        raise InputError(f"{what}: {_os_reason(exc)}", file=path) from None


def _too_long(path: Path, what: str) -> str:
    parts = [p for p in path.parts if len(os.fsencode(p)) > NAME_MAX]
    if not parts:
        return f"the {what} name is too long for the operating system"
    longest = max(parts, key=lambda p: len(os.fsencode(p)))
    return (
        f"the {what} name is too long for the operating system: the part "
        f"{shown_path(longest, 40)!r} has {len(os.fsencode(longest))} bytes, at most {NAME_MAX}"
    )


def check_background_path(background: str | Path | None) -> None:
    """:func:`check_path` of a ``--background`` folder (a ``brightway:`` name is no path)."""
    if background is not None and not str(background).startswith("brightway:"):
        check_path(background, "background folder")
