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
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lca.errors import InputError
from lca.outputs.jsonfile import check_json_text
from lca.outputs.output_guards import (
    KNOWN_FOLDERS,
    KNOWN_NAMES,
    MARKER,
    MARKER_TEXT,
    check_not_inputs,
    check_replaceable,
    check_targets,
    os_error,
    real_folder,
)
from lca.outputs.output_locks import HELD, locked, output_root

__all__ = [
    "HELD",
    "KNOWN_FOLDERS",
    "KNOWN_NAMES",
    "MARKER",
    "MARKER_TEXT",
    "atomic_writer",
    "check_not_inputs",
    "output_root",
    "reserve",
    "write_files_atomically",
    "write_outputs",
]

Content = str | bytes


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
        folders = [real_folder(Path(os.path.normpath(f))) for f in folders]
        files = [Path(os.path.normpath(f)) for f in files]
        check_targets(folders, files, list(inputs), merge)
    except OSError as exc:
        raise os_error(exc, Path(exc.filename or ".")) from None
    with locked(folders, files):
        yield


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
        check_replaceable(folder)
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
            raise os_error(exc, path) from None
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
        raise os_error(exc, Path(exc.filename or next(iter(files), "."))) from None


def _write_outputs(
    files: Mapping[Path, Content], folders: Sequence[Path], merge: bool, inputs: list[Path]
) -> None:
    folders = [Path(os.path.normpath(f)) for f in folders]
    plan = _plan({Path(os.path.normpath(p)): c for p, c in files.items()}, folders)
    plan.folders = {real_folder(f): c for f, c in plan.folders.items()}
    check_targets(list(plan.folders), list(plan.files), inputs, merge)
    mode = 0o666 & ~_umask()
    staged_dirs: list[tuple[Path, Path]] = []
    staged_files: list[tuple[Path, Path]] = []
    with locked(list(plan.folders), list(plan.files)):
        try:
            for folder, contents in plan.folders.items():
                try:
                    staged_dirs.append((folder, _stage_folder(folder, contents, merge, mode)))
                except OSError as exc:
                    raise os_error(exc, folder) from None
            for path, data in plan.files.items():
                staged_files.append((_stage_file(path, data, mode), path))
            for folder, new in staged_dirs:
                _commit_folder(folder, new)
            for tmp, path in staged_files:
                os.replace(tmp, path)
            staged_dirs, staged_files = [], []
        except OSError as exc:
            raise os_error(exc, [*plan.folders, *plan.files][0]) from None
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
