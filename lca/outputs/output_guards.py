"""Checks of output targets before anything is written: an output never overwrites an input
(nor a folder holding one, nor the working folder), and a folder is replaced as a whole only if
vlca wrote it (its marker file, or nothing but the names vlca writes). Operating-system errors
become an :class:`~lca.errors.InputError` naming the path."""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from lca.errors import InputError

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


def resolved(p: Path) -> Path:
    return Path(os.path.abspath(p)).resolve()


def check_not_inputs(
    targets: Iterable[Path], inputs: Iterable[Path], folders: Iterable[Path]
) -> None:
    """Refuse an output that is, or lies inside, an input, and a folder holding an input or the
    working folder (swapping it would remove them)."""
    ins = [(p, resolved(p)) for p in inputs]
    folder_set = {resolved(f) for f in folders}
    cwd = resolved(Path.cwd())
    for target in targets:
        rt = resolved(target)
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


def foreign_entries(folder: Path, kind: str = "") -> list[str]:
    """Entries of ``folder`` that vlca did not write (a marker makes the whole folder vlca's)."""
    if (folder / MARKER).exists():
        return []
    allowed = KNOWN_FOLDERS[kind] if kind else KNOWN_NAMES
    found = []
    for p in sorted(folder.iterdir()):
        sub = _sub_kind(kind, p.name) if p.is_dir() and not p.is_symlink() else None
        if sub is not None:
            found += [f"{p.name}/{n}" for n in foreign_entries(p, sub)]
        elif p.is_dir() or not any(fnmatch.fnmatch(p.name, k) for k in allowed):
            found.append(p.name + ("/" if p.is_dir() else ""))
    return found


def check_replaceable(folder: Path) -> None:
    """A folder may be replaced as a whole only if vlca wrote it (the marker, or nothing but the
    names vlca writes)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError("the output folder is a file; choose another path", file=folder)
    # a sub-folder vlca writes inside a vlca output folder (``vlca chart`` into the charts/ of
    # ``vlca run``) may hold what that sub-folder holds
    inside = folder.name in KNOWN_FOLDERS and (folder.parent / MARKER).exists()
    foreign = foreign_entries(folder, folder.name if inside else "")
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise InputError(
            f"the output folder holds files vlca did not write ({shown}); it is replaced as a "
            "whole on every run, so choose an empty or new folder",
            file=folder,
        )


def real_folder(folder: Path) -> Path:
    """A folder given as a symbolic link: the folder it points to (the link stays)."""
    return folder.resolve() if folder.is_symlink() else folder


def check_targets(
    folders: Sequence[Path], files: Sequence[Path], inputs: list[Path], merge: bool
) -> None:
    check_not_inputs([*folders, *files], inputs, folders)
    if not merge:
        for folder in folders:
            check_replaceable(folder)  # before locking: leave no lock file beside a foreign folder
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


def os_error(exc: OSError, target: Path) -> InputError:
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
