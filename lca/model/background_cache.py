"""On-disk cache of the parsed background database, in the user's cache folder.

Key: SHA-256 of the tool version, the cache format, the folder and every file's name and bytes
(a changed file is a new key, never a stale hit). A file that cannot be read or unpickled, or
holds something else, is ignored and replaced. ``VLCA_CACHE_DIR`` names the folder (tests use a
temporary one); ``VLCA_NO_CACHE=1`` turns the cache off. Writes are atomic (temporary file and
rename), so concurrent runs never read half a file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

FORMAT = "2"


def folder() -> Path | None:
    """The cache folder (None when caching is off)."""
    if os.environ.get("VLCA_NO_CACHE", "").strip() not in ("", "0"):
        return None
    env = os.environ.get("VLCA_CACHE_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("vehicle-lca", appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "vehicle-lca"


def key(root: Path, files: list[Path]) -> str:
    """Content key of the background folder ``root`` with ``files``."""
    from lca import __version__

    h = hashlib.sha256()
    h.update(f"vehicle-lca {__version__} cache {FORMAT}\0{root.resolve()}\0".encode())
    for p in files:
        h.update(p.name.encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _path(k: str) -> Path | None:
    base = folder()
    return None if base is None else base / f"background-{k[:32]}.pickle"


def read(k: str, kind: type) -> Any:
    """The cached object of key ``k`` if it is a ``kind`` stored under that key, else None."""
    path = _path(k)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            stored_key, obj = pickle.load(fh)  # noqa: S301 - the user's own cache folder
    except Exception:  # noqa: BLE001 - corrupt or foreign: rebuild
        return None
    if stored_key != k or not isinstance(obj, kind):
        return None
    return obj


def write(k: str, obj: Any) -> None:
    """Store ``obj`` under key ``k`` (silently skipped if the folder cannot be written)."""
    path = _path(k)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".background-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((k, obj), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
