"""Text from data files made fit for a reader: working notes ("not re-read", "check ...",
"(not confirmed ...)") are taken out of sources and bases and become limitations in plain words;
file paths become paths relative to the study's folder; identifiers become words."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

# a clause that is a note to the data's authors, not a statement about the data
WORKING_NOTE = re.compile(
    r"\bnot re-?read\b|\bcheck\b|\bnot (yet )?confirmed\b|\bto be confirmed\b|\bTODO\b|"
    r"\bTBC\b|\bverify\b|\bre-?check\b",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\(([^()]*)\)")


def _clean_clauses(text: str, sep: str) -> tuple[str, bool]:
    parts = [p for p in re.split(rf"\s*{re.escape(sep)}\s*", text)]
    kept = [p for p in parts if not WORKING_NOTE.search(p)]
    return f"{sep} ".join(p for p in kept if p), len(kept) != len(parts)


def strip_working_notes(text: str | None) -> tuple[str, bool]:
    """``text`` without its working notes, and whether it had any."""
    if not text:
        return "", False
    found = False

    def paren(m: re.Match[str]) -> str:
        nonlocal found
        inner, had = _clean_clauses(m.group(1), ";")
        found = found or had
        if had:
            inner = ", ".join(c for c in (_clean_clauses(inner, ":")[0],) if c)
        return f" ({inner})" if inner else ""

    out = _PAREN.sub(paren, text)
    out, had = _clean_clauses(out, ";")
    found = found or had
    out = re.sub(r"[:,]\s*$", "", out.strip()).strip()
    out = re.sub(r"\s{2,}", " ", out)
    return out, found


def relative_path(path: str, base: str) -> str:
    """``path`` relative to ``base`` (normalised, forward slashes); the file name alone when
    they share no folder below the file system root."""
    p = os.path.abspath(path)
    try:
        rel = os.path.relpath(p, base)
    except ValueError:
        return PurePath(p).name
    if rel.startswith(".."):
        return PurePath(p).name
    return PurePath(rel).as_posix()


def study_root(files: Iterable[str]) -> str:
    """The deepest folder holding every file (its common parent), or '' if that is '/'."""
    norm = [os.path.abspath(f) for f in files]
    if not norm:
        return ""
    root = os.path.commonpath([os.path.dirname(f) for f in norm])
    return "" if root in ("/", "") or root.count(os.sep) < 2 else root


def provenance_rows(prov: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Input files and data sets with paths relative to their common folder and SHA-256."""
    files = [i["file"] for i in prov.get("inputs", [])] + [
        d["file"] for d in prov.get("datasets", [])
    ]
    # result.json already gives machine-independent relative paths (inputs relative to the
    # folder of the file that was run); only absolute ones are shortened here, never resolved
    # against the working folder
    root = study_root([f for f in files if PurePath(f).is_absolute()])

    def rel(f: str) -> str:
        if not PurePath(f).is_absolute():
            return PurePath(f).as_posix()
        return relative_path(f, root) if root else PurePath(f).name

    return {
        "inputs": [{"file": rel(i["file"]), "sha256": i["sha256"]} for i in prov.get("inputs", [])],
        "datasets": [
            {
                "dataset": d["dataset"],
                "version": str(d["version"]),
                "file": rel(d["file"]),
                "sha256": d["sha256"],
            }
            for d in prov.get("datasets", [])
        ],
    }


def words(identifier: str) -> str:
    """``end_of_life`` -> ``end of life``; ``lifetime_distance`` -> ``lifetime distance``."""
    return identifier.replace("_", " ")


def noted_records(records: Sequence[Any]) -> list[str]:
    """Ids of records whose source or name carried a working note."""
    out = []
    for r in records:
        text = f"{getattr(r, 'source', '')} {getattr(r, 'name', '')}"
        if WORKING_NOTE.search(text):
            out.append(r.record)
    return out
