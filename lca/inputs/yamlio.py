"""Reading YAML safely (line numbers, no alias bombs, no silent duplicates).

Writing outputs is in :mod:`lca.outputs.files`.

``load_yaml`` composes the node graph without expanding aliases, then builds plain Python data
while counting every node it creates, so a few kilobytes that would expand to gigabytes stop with
an error after ``MAX_NODES`` nodes. Booleans follow YAML 1.2 (only ``true``/``false``), so the
country code ``NO`` stays a string.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lca.errors import InputError, KeyPath
from lca.inputs.files import read_bounded

MAX_BYTES = 5_000_000
MAX_NODES = 200_000
# deepest nesting of mappings and lists we accept; an inventory nests about 6 levels. Checked on
# the event stream before composing, so the YAML library's own limit (libyaml: 1000) or Python's
# recursion limit is never what the user sees.
MAX_DEPTH = 64


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with YAML 1.2 booleans (``yes``/``no``/``on``/``off`` stay strings)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: plain data plus the line of every key path (1-based)."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    text: str = ""

    def line_of(self, key_path: KeyPath) -> int | None:
        """Line of ``key_path`` or of its nearest ancestor that has one."""
        kp = tuple(key_path)
        while kp:
            if kp in self.lines:
                return self.lines[kp]
            kp = kp[:-1]
        return self.lines.get((), None)

    def error(self, message: str, key_path: KeyPath = ()) -> InputError:
        return InputError(message, file=self.path, path=key_path, line=self.line_of(key_path))


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.lines: dict[KeyPath, int] = {}
        self.open: set[int] = set()  # collections being built (to refuse recursive aliases)

    def build(self, node: yaml.Node, kp: KeyPath) -> Any:
        if len(kp) > MAX_DEPTH or id(node) in self.open:
            # an alias inside the collection it names (&a [*a]) would expand forever
            raise InputError(
                "a YAML alias refers to a collection that contains it (a structure without end)"
                if id(node) in self.open
                else f"the document is nested too deeply to be an inventory (more than "
                f"{MAX_DEPTH} levels of mappings and lists)",
                file=self.path,
                line=node.start_mark.line + 1,
                path=kp[:MAX_DEPTH],
            )
        if isinstance(node, yaml.ScalarNode):
            return self._build(node, kp)
        self.open.add(id(node))
        try:
            return self._build(node, kp)
        finally:
            self.open.discard(id(node))

    def _build(self, node: yaml.Node, kp: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                f"the document expands to more than {MAX_NODES:,} values (an alias bomb or a "
                "file far larger than an inventory); refusing to read it",
                file=self.path,
                line=node.start_mark.line + 1,
            )
        self.lines.setdefault(kp, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            try:
                return _Loader.construct_scalar_value(node)
            except InputError as exc:
                raise exc.located(path=kp) from None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*kp, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise InputError(
                        "YAML merge keys ('<<') are not supported; write the keys out",
                        file=self.path,
                        line=key_node.start_mark.line + 1,
                        path=kp,
                    )
                if not isinstance(key_node, yaml.ScalarNode):
                    raise InputError(
                        "a mapping key must be a plain name",
                        file=self.path,
                        line=key_node.start_mark.line + 1,
                        path=kp,
                    )
                key = _Loader.construct_scalar_value(key_node)
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    raise InputError(
                        f"duplicate key {key!r} (the second would silently replace the first)",
                        file=self.path,
                        line=key_node.start_mark.line + 1,
                        path=(*kp, key),
                    )
                self.lines[(*kp, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, (*kp, key))
            return out
        raise InputError("unsupported YAML node", file=self.path, line=node.start_mark.line + 1)


_SCALARS = yaml.SafeLoader("")  # constructs scalar values only; never parses text


def _construct_scalar_value(node: yaml.ScalarNode) -> Any:
    line = node.start_mark.line + 1
    try:
        value = _SCALARS.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read value: {exc}", line=line) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        if "digits" in str(exc):
            raise InputError(_too_large(node.value), line=line) from None
        raise InputError(_unreadable(node), line=line) from None
    except Exception:  # PyYAML's constructors fail on some explicit tags (!!float '')
        raise InputError(_unreadable(node), line=line) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        if "inf" not in node.value.lower() and "nan" not in node.value.lower():
            raise InputError(_too_large(node.value), line=line)  # 1.0e+400
        raise InputError(
            f"{node.value!r} is not a finite number (NaN and infinity are not amounts)", line=line
        )
    if isinstance(value, int) and abs(value) > sys.float_info.max:
        raise InputError(_too_large(node.value), line=line)
    return value


def _unreadable(node: yaml.ScalarNode) -> str:
    tag = node.tag.rsplit(":", 1)[-1] if node.tag else "value"
    return f"cannot read {node.value[:40]!r} as YAML type {tag!r}"


def _too_large(text: str) -> str:
    shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"
    return (
        f"the number {shown} is too large (beyond ±{sys.float_info.max:.3g}, the range of a "
        "floating-point number)"
    )


_Loader.construct_scalar_value = staticmethod(_construct_scalar_value)  # type: ignore[attr-defined]


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_depth(text: str, path: Path) -> None:
    """Refuse documents nested deeper than ``MAX_DEPTH`` (streamed events; no recursion).

    libyaml reads a flow collection far ahead and stops on its own limit before the events
    reach us; when it fails, the text up to where it failed is rescanned with the pure-Python
    parser (no limit of its own) so that too-deep nesting is named as such.
    """
    try:
        _max_depth(yaml.parse(text, Loader=_Loader), path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is None or _Loader is yaml.SafeLoader:
            raise
        try:
            _max_depth(yaml.parse(text[: mark.index + 1], Loader=yaml.SafeLoader), path)
        except yaml.YAMLError:
            pass
        raise exc from None


def _max_depth(events: Iterator[yaml.Event], path: Path) -> None:
    depth = 0
    for event in events:
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"the document is nested too deeply to be an inventory (more than "
                    f"{MAX_DEPTH} levels of mappings and lists)",
                    file=path,
                    line=event.start_mark.line + 1 if event.start_mark else None,
                )
        elif isinstance(event, _CLOSE):
            depth -= 1


def parse_yaml_text(text: str, path: Path) -> Document:
    """Parse YAML ``text`` (the content of ``path``) into a :class:`Document`."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise InputError("the file is empty", file=path)
    try:
        _check_depth(text, path)
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        if "maximum nesting depth" in problem:  # PyYAML >= 6.0.3 stops deep nesting itself
            raise InputError(
                "the document is nested too deeply to be an inventory", file=path, line=line
            ) from None
        context = f" ({exc.context})" if exc.context else ""
        raise InputError(f"YAML syntax error: {problem}{context}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML syntax error: {exc}", file=path) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InputError("the file is empty", file=path)
    if len(nodes) > 1:
        raise InputError("the file holds several YAML documents ('---'); use one", file=path)
    builder = _Builder(path)
    try:
        data = builder.build(nodes[0], ())
    except InputError as exc:
        raise exc.located(file=path) from None
    if not isinstance(data, dict):
        raise InputError(
            f"expected a mapping of keys at the top level, got {type(data).__name__}",
            file=path,
            line=1,
        )
    return Document(path=path, data=data, lines=builder.lines, text=text)


def load_yaml(path: str | Path) -> Document:
    """Read and parse a YAML file; every failure is an :class:`InputError` naming the file."""
    p = Path(path)
    raw = read_bounded(p, MAX_BYTES, what="an inventory")
    if b"\x00" in raw[:8192]:
        raise InputError("this is a binary file, not YAML", file=p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); save it as UTF-8", file=p) from None
    return parse_yaml_text(text, p)
