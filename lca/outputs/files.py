"""Writing outputs so that nothing written is ever wrong or lost.

An output *folder* is built complete in a new sibling folder (``.<name>.vlca-new``) and swapped
in with one rename: the old folder is moved aside (``.<name>.vlca-old``), the new one renamed into
place, the old one removed. A folder therefore always holds exactly one run's files. With
``merge=True`` (commands that add files to a folder another command wrote, such as
``vlca uncertainty`` into ``reports/<name>``) the new folder starts as a hard-linked copy of the
old one, so the files already there survive and the swap is still one rename.

A single output *file* (``--samples-out``, ``vlca export --output x.json``) goes to a temporary
file beside it and is renamed over it.

Every target is locked (``fcntl.flock`` on ``.<name>.lock`` beside it, removed when done) from
before the calculation (:func:`reserve`) to the end of the write, so a second concurrent run into
the same place fails at once with an :class:`~lca.errors.InputError` (exit 2) instead of mixing
two runs' files. A target that is, or lies inside, an input (or a folder that
holds an input, or the working folder) is refused. A ``.json`` file must be strict JSON (no
``NaN``/``Infinity``), checked before anything is written. Every failure to write is an
``InputError`` naming the path; nothing is left half-written.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lca.errors import InputError
from lca.outputs.jsonfile import check_json_text

MARKER = ".vlca-output"
"""File in every output folder: marks a folder that ``vlca`` may replace as a whole."""

MARKER_TEXT = b"written by vehicle-lca (vlca); replaced as a whole on every run\n"
# what a vlca command wrote into a folder before the marker existed (such a folder may be replaced)
KNOWN_NAMES = (
    ".*.lock",
    ".*.tmp",
    "result.json",
    "result.csv",
    "inventory.csv",
    "comparison.json",
    "comparison.csv",
    "uncertainty.json",
    "uncertainty.png",
    "uncertainty.svg",
    "sensitivity.json",
    "sensitivity-*.png",
    "sensitivity-*.svg",
    "report.html",
    "report.md",
    "report.pdf",
    "pact.json",
    "battery-declaration.json",
    "datapackage.zip",
    "lca.xlsx",
    "*.npy",
)
# the sub-folders vlca writes and the files each may hold
KNOWN_FOLDERS: dict[str, tuple[str, ...]] = {
    "charts": ("*.png", "*.svg", ".*.tmp", ".*.lock"),
    "tables": ("*.csv", ".*.tmp", ".*.lock"),
    "results": (),  # vlca compare: results/<scenario>/result.json
    "results/*": ("result.json", ".*.tmp"),
}

Content = str | bytes


# ----------------------------------------------------------------------------- guards


def _resolve(p: Path) -> Path:
    return Path(os.path.abspath(p)).resolve()


def check_not_inputs(
    targets: Iterable[Path], inputs: Iterable[Path], folders: Iterable[Path]
) -> None:
    """Refuse an output that is, or lies inside, an input, and a folder holding an input or the
    working folder (swapping it would remove them)."""
    ins = [(p, _resolve(p)) for p in inputs]
    folder_set = {_resolve(f) for f in folders}
    cwd = _resolve(Path.cwd())
    for target in targets:
        rt = _resolve(target)
        for given, ri in ins:
            if rt == ri or rt.is_relative_to(ri):
                raise InputError(
                    f"the output would overwrite an input ({given}); choose another output path",
                    file=target,
                )
            if rt in folder_set and ri.is_relative_to(rt):
                raise InputError(
                    f"this output folder holds an input ({given}) and would be replaced; "
                    "choose a folder of its own (for example reports/<name>)",
                    file=target,
                )
        if rt in folder_set and cwd.is_relative_to(rt):
            raise InputError(
                "this output folder is (or holds) the working folder and would be replaced; "
                "choose a folder of its own (for example reports/<name>)",
                file=target,
            )


def _sub_kind(kind: str, name: str) -> str | None:
    """The kind of a sub-folder ``name`` of a folder of ``kind`` ("" the output folder)."""
    if kind == "" and name in KNOWN_FOLDERS:
        return name
    return "results/*" if kind == "results" else None


def _foreign(folder: Path, kind: str = "") -> list[str]:
    """Entries of ``folder`` that vlca did not write (a marker makes the whole folder vlca's)."""
    if (folder / MARKER).exists():
        return []
    allowed = KNOWN_FOLDERS[kind] if kind else KNOWN_NAMES
    found = []
    for p in sorted(folder.iterdir()):
        sub = _sub_kind(kind, p.name) if p.is_dir() and not p.is_symlink() else None
        if sub is not None:
            found += [f"{p.name}/{n}" for n in _foreign(p, sub)]
        elif p.is_dir() or not any(fnmatch.fnmatch(p.name, k) for k in allowed):
            found.append(p.name + ("/" if p.is_dir() else ""))
    return found


def _replaceable(folder: Path) -> None:
    """A folder may be replaced as a whole only if vlca wrote it (the marker, or nothing but the
    names vlca writes)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError("the output folder is a file; choose another path", file=folder)
    # a sub-folder vlca writes inside a vlca output folder (``vlca chart`` into the charts/ of
    # ``vlca run``) may hold what that sub-folder holds
    inside = folder.name in KNOWN_FOLDERS and (folder.parent / MARKER).exists()
    foreign = _foreign(folder, folder.name if inside else "")
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise InputError(
            f"the output folder holds files vlca did not write ({shown}); it is replaced as a "
            "whole on every run, so choose an empty or new folder",
            file=folder,
        )


# ----------------------------------------------------------------------------- locks


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


_HELD: dict[Path, int] = {}
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
            raise _os_error(exc, target) from None
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
def _locked(folders: Sequence[Path], files: Sequence[Path]) -> Iterator[None]:
    """Hold an exclusive lock (``.<name>.lock`` beside each target, removed afterwards) for
    every target, in sorted order, or fail at once."""
    mine: list[Path] = []
    targets = sorted({(_resolve(t), False) for t in files} | {(_resolve(f), True) for f in folders})
    try:
        for target, is_folder in targets:
            lock = _lock_path(target, is_folder)
            if lock not in _HELD:
                _HELD[lock] = _acquire(lock, target)
                mine.append(lock)
        yield
    finally:
        for lock in reversed(mine):
            with contextlib.suppress(OSError):
                lock.unlink()  # while still holding it; a waiter re-checks the path (above)
            os.close(_HELD.pop(lock))


@contextlib.contextmanager
def reserve(
    folders: Sequence[Path] = (),
    files: Sequence[Path] = (),
    *,
    inputs: Iterable[Path] = (),
    merge: bool = False,
) -> Iterator[None]:
    """Check the output targets and hold their locks for the whole command (calculation and
    writing), so a second run into the same place fails at once with exit 2, before it computes.
    """
    try:
        folders = [_real_folder(Path(os.path.normpath(f))) for f in folders]
        files = [Path(os.path.normpath(f)) for f in files]
        _check_targets(folders, files, list(inputs), merge)
    except OSError as exc:
        raise _os_error(exc, Path(exc.filename or ".")) from None
    with _locked(folders, files):
        yield


def _real_folder(folder: Path) -> Path:
    """A folder given as a symbolic link: the folder it points to (the link stays)."""
    return folder.resolve() if folder.is_symlink() else folder


def _check_targets(
    folders: Sequence[Path], files: Sequence[Path], inputs: list[Path], merge: bool
) -> None:
    check_not_inputs([*folders, *files], inputs, folders)
    if not merge:
        for folder in folders:
            _replaceable(folder)  # before locking: leave no lock file beside a foreign folder
    for path in folders:
        if path.exists() and not path.is_dir():
            raise InputError("the output folder is a file; choose another path", file=path)
    for path in files:
        if path.is_dir():
            raise InputError("is a folder, expected a file path", file=path)
        if path.exists() and not path.is_file():
            raise InputError(
                "is not a regular file (a device, a FIFO or a socket); choose a path for a "
                "new file",
                file=path,
            )


def _os_error(exc: OSError, target: Path) -> InputError:
    reason = {
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "is a folder, expected a file path",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.ENAMETOOLONG: "the file name is too long",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return InputError(f"cannot write output: {reason}", file=exc.filename or target)


# ----------------------------------------------------------------------------- staging


def _write_new(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a hard link to the old folder's file: never write through it
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _names(folder: Path) -> tuple[Path, Path]:
    return (
        folder.parent / f".{folder.name}.vlca-new",
        folder.parent / f".{folder.name}.vlca-old",
    )


def _recover(folder: Path) -> None:
    """Finish or undo a swap a killed run left behind (called with the lock held)."""
    new, old = _names(folder)
    if old.exists() and not folder.exists():
        os.rename(old, folder)  # killed between the two renames: the old folder comes back
    if old.exists():
        shutil.rmtree(old)
    if new.exists():
        shutil.rmtree(new)


@dataclass
class _Plan:
    folders: dict[Path, dict[Path, bytes]] = field(default_factory=dict)
    files: dict[Path, bytes] = field(default_factory=dict)


def _plan(files: Mapping[Path, Content], folders: Sequence[Path]) -> _Plan:
    plan = _Plan({Path(f): {} for f in folders})
    for path, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if path.suffix.lower() == ".json":
            check_json_text(path, data)
        home = next((f for f in plan.folders if Path(path).is_relative_to(f)), None)
        if home is None:
            plan.files[Path(path)] = data
        else:
            plan.folders[home][Path(path).relative_to(home)] = data
    return plan


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _stage_folder(folder: Path, files: Mapping[Path, bytes], merge: bool, mode: int) -> Path:
    _recover(folder)
    if not merge:
        _replaceable(folder)
    elif folder.exists() and not folder.is_dir():
        raise InputError("the output folder is a file; choose another path", file=folder)
    new, _ = _names(folder)
    try:
        if merge and folder.exists():
            shutil.copytree(folder, new, symlinks=True, copy_function=_link_or_copy)
        else:
            new.mkdir(parents=True)
            os.chmod(new, 0o777 & ~_umask())
        for rel, data in files.items():
            _write_new(new / rel, data, mode)
        if not (new / MARKER).exists():
            _write_new(
                new / MARKER, b"written by vehicle-lca (vlca); replaced on every run\n", mode
            )
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return new


def _stage_file(path: Path, data: bytes, mode: int) -> Path:
    """Write ``data`` to a temporary file beside ``path`` (renamed over it on commit)."""
    if path.is_dir():
        raise InputError("is a folder, expected a file path", file=path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        return Path(tmp)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _os_error(exc, path) from None
        raise


def _commit_folder(folder: Path, new: Path) -> None:
    _, old = _names(folder)
    moved = folder.exists()
    if moved:
        os.rename(folder, old)
    try:
        os.rename(new, folder)
    except BaseException:
        if moved:
            os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_outputs(
    files: Mapping[Path, Content],
    *,
    folders: Sequence[Path] = (),
    merge: bool = False,
    inputs: Iterable[Path] = (),
) -> None:
    """Write ``files``: those under one of ``folders`` by swapping that folder in whole (or
    merged into it with ``merge=True``), any other as a single file renamed into place.

    Raises :class:`InputError` (exit 2) for a target that cannot be written, is locked by another
    run or would overwrite an input; :class:`CalculationError` for non-finite JSON. Either way
    the targets are left as they were.
    """
    try:
        _write_outputs(files, folders, merge, list(inputs))
    except OSError as exc:  # checking a path: a name too long, a loop of links
        raise _os_error(exc, Path(exc.filename or next(iter(files), "."))) from None


def _write_outputs(
    files: Mapping[Path, Content], folders: Sequence[Path], merge: bool, inputs: list[Path]
) -> None:
    folders = [Path(os.path.normpath(f)) for f in folders]
    plan = _plan({Path(os.path.normpath(p)): c for p, c in files.items()}, folders)
    plan.folders = {_real_folder(f): c for f, c in plan.folders.items()}
    _check_targets(list(plan.folders), list(plan.files), inputs, merge)
    mode = 0o666 & ~_umask()
    staged_dirs: list[tuple[Path, Path]] = []
    staged_files: list[tuple[Path, Path]] = []
    with _locked(list(plan.folders), list(plan.files)):
        try:
            for folder, contents in plan.folders.items():
                try:
                    staged_dirs.append((folder, _stage_folder(folder, contents, merge, mode)))
                except OSError as exc:
                    raise _os_error(exc, folder) from None
            for path, data in plan.files.items():
                staged_files.append((_stage_file(path, data, mode), path))
            for folder, new in staged_dirs:
                _commit_folder(folder, new)
            for tmp, path in staged_files:
                os.replace(tmp, path)
            staged_dirs, staged_files = [], []
        except OSError as exc:
            raise _os_error(exc, [*plan.folders, *plan.files][0]) from None
        finally:
            for _, new in staged_dirs:
                shutil.rmtree(new, ignore_errors=True)
            for tmp, _ in staged_files:
                tmp.unlink(missing_ok=True)


def write_files_atomically(files: Mapping[Path, Content]) -> None:
    """Write several single files (no folder swap): each renamed into place once all are staged."""
    write_outputs(files)


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[Any]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
