"""Mutated inputs for fuzzing the loader and the whole run (issue 8, item 7).

A case is built from a *seed* only (``make_case(seed)``), so any case the fuzz script reports
can be rebuilt and rerun. The same mutation code serves the hypothesis test
(tests/test_fuzz.py), which draws its choices through a :class:`Chooser` backed by hypothesis.

Outcomes (:func:`run_case`): ``clean`` (our InputError: exit 2 with a located message),
``success`` (computed), or an exception, which the callers count as a crash.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TINY_BACKGROUND = ROOT / "tests" / "data" / "tiny-background"

# inputs built in full (validated, product system built, sometimes calculated)
TINY_INPUTS = sorted((ROOT / "tests" / "data" / "inventories").glob("*.yaml"))
REFERENCE_INPUTS = [
    *sorted((ROOT / "inventories" / "vehicles").glob("*.yaml")),
    *sorted((ROOT / "scenarios").glob("*.yaml")),
    *sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")),
]
# files whose text is mutated for the loader (parsed and validated only)
TEXT_INPUTS = [*TINY_INPUTS, *REFERENCE_INPUTS, *sorted(TINY_BACKGROUND.glob("*.yaml"))]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
HUGE_INT = int("9" * 400)
NUMBERS: list[Any] = [
    0, -1, 1, 0.5, -0.0, 1e-320, 5e-324, 1e-15, 1e15, 1e100, 1e300, 1.7e308, -1.7e308,
    2**63, 2**64 + 1, 10**308, HUGE_INT, -HUGE_INT, int("9" * 4000), float("nan"), float("inf"),
    float("-inf"), True, False,
]
UNITS = [
    "kg", "t", "g", "kWh", "MJ", "km", "m", "kWh/100km", "g/kWh", "kg/kg", "kg/kWh", "%",
    "percent", "dimensionless", "1/km", "t*km", "kgs", "kWh**2", "m**9**9", "kg^99",
    "kg**-11", "degC", "kg/(t*km)", "", "L", "mi", "year", "kg CO2e", "kg/0",
]
STRINGS = [
    "", " ", "9**9**9", "10**10**10", "2**99999 kWh", "9**9**9 kg", "10**10**10 kg",
    "(" * 40 + "1" + ")" * 40, "(((", ")", "1/0", "0/0", "1 kg / (1 kg - 1 kg)",
    "curb_mass - curb_mass", "lifetime_distance ** 10", "lifetime_distance ** 11",
    "-" * 300 + "1 kg", "1e308 * 10", "1e308 kg * 1e308", "nan kg", "inf kg", "-inf",
    "$\\alpha^{2}$ kg", "[bold]x[/bold]", "[/]", "\x00", "\u202e kg", "💥 kg", "kg" * 300,
    "1 " + "kg*" * 2000 + "kg", "x" * 200_000, "1 " + "kg/" * 70_000 + "kg", "__import__('os')",
    "lambda: 1", "1 if 1 else 2", "a.b", "1,5 kg", "1_000 kg", "0x10 kg", "1e-400 kg",
    "grid:Q", "steel", "yes", "NO", "~", "null", ".nan", "../../../../etc/passwd",
    "/dev/zero", "y" * 300 + ".yaml",
]
STRUCTURES: list[Any] = [None, [], {}, [1, 2], {"a": 1}, [[[[[]]]]], {"value": "1 kg"}]
KEYS = ["value", "mass", "amount", "unit", "uncertainty", "gsd", "low", "high", "weights",
        "choices", "source", "records", "emissions", "inputs", "base", "extends", "overrides",
        "variants", "id", "x" * 300, "", "distribution"]
YAML_SNIPPETS = [
    "&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "!!binary ", "---\n", "...\n",
    "\t", "\ufeff", "\x00", "? ", ": ", "- ", "{", "}", "[", "]", "'", '"', "#", "|\n", ">\n",
    "%YAML 1.1\n", "!!float ", "!!int ", "!!str ", "&x [*x]", "\r", "\u2028", "\x85",
    "9" * 400, "9" * 5000, ".inf", "1e999", "[" * 80, "{a: " * 70,
]


class Chooser:
    """Random choices; ``random.Random`` here, hypothesis draws in the property test."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[self.integer(0, len(seq) - 1)]

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def chance(self, p: float) -> bool:
        return self.integer(0, 999) < p * 1000


@dataclass
class Case:
    """One fuzz input: the source file, the mutated text, and how far to run it."""

    source: Path
    text: str
    mode: str  # "load" (parse + validate), "build" (+ product system), "full" (+ calculation)
    background: Path | None  # None: the bundled background
    description: list[str]


# -- data mutations -------------------------------------------------------------------------


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _hostile_value(ch: Chooser, old: Any) -> Any:
    kind = ch.integer(0, 9)
    if kind <= 2:
        return ch.choice(NUMBERS)
    if kind <= 4:
        return ch.choice(STRINGS)
    if kind == 5:
        return copy.deepcopy(ch.choice(STRUCTURES))  # never the shared pool object itself
    if kind == 6:
        num = ch.choice(NUMBERS)
        num = "nan" if isinstance(num, float) and num != num else num
        return f"{num} {ch.choice(UNITS)}"
    if kind <= 8 and isinstance(old, str):
        return _scale_text(ch, old)
    return _scale_text(ch, "1 kg") if not isinstance(old, int | float) else _scale_number(ch, old)


def _scale_number(ch: Chooser, old: int | float) -> Any:
    if isinstance(old, bool):
        return not old
    k = ch.integer(-330, 330)
    try:
        return old * 10.0**k if ch.chance(0.7) else int(old) * 10 ** abs(k)
    except OverflowError:
        return HUGE_INT


def _scale_text(ch: Chooser, text: str) -> str:
    """Replace the first number in ``text`` with one far larger, smaller or odd."""
    m = re.search(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", text)
    new = ch.choice(
        [f"{ch.choice(['1', '9.9', '1.7'])}e{ch.integer(-330, 330)}", "9" * ch.integer(10, 400),
         "0", "-1", "nan", "inf", "9**9**9", "(1/0)", "1e308*1e308"]
    )
    if m is None:
        return f"{new} {text}"
    return text[: m.start()] + new + text[m.end() :]


def mutate_data(ch: Chooser, data: Any, n_ops: int) -> tuple[Any, list[str]]:
    """Apply ``n_ops`` mutations to a copy of ``data``; return it with what was done."""
    data = copy.deepcopy(data)
    done: list[str] = []
    for _ in range(n_ops):
        paths = _paths(data)
        path = ch.choice(paths)
        op = ch.integer(0, 9)
        if not path:
            continue
        parent, key = _get(data, path[:-1]), path[-1]
        old = parent[key]
        if op <= 5:
            parent[key] = _hostile_value(ch, old)
            done.append(f"set {path} = {_shown(parent[key])}")
        elif op == 6:
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
            done.append(f"delete {path}")
        elif op == 7 and isinstance(parent, dict):
            new_key = ch.choice(KEYS) if ch.chance(0.5) else str(key)[:-1] + "x"
            parent[new_key] = parent.pop(key) if ch.chance(0.5) else _hostile_value(ch, old)
            done.append(f"key {path} -> {new_key!r}")
        elif op == 8 and isinstance(parent, list):
            parent.insert(ch.integer(0, len(parent)), copy.deepcopy(old))
            done.append(f"duplicate {path}")
        else:
            other = _get(data, ch.choice(paths))
            parent[key] = copy.deepcopy(other)
            done.append(f"swap {path} <- {_shown(other)}")
    return data, done


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} chars)"


def _absolute_refs(data: Any, folder: Path) -> None:
    """Point a scenario's ``base``/``extends`` at the original files (the case lives elsewhere)."""
    head = data.get("scenario") if isinstance(data, dict) else None
    if isinstance(head, dict):
        for key in ("base", "extends"):
            if isinstance(head.get(key), str) and not head[key].startswith("/"):
                head[key] = os.path.normpath(os.path.join(folder, head[key]))


# -- text mutations -------------------------------------------------------------------------


_CHARS = [0, 9, 10, 13, 32, 35, 38, 42, 58, 91, 93, 123, 125, 0xFEFF, 0x1F4A5]


def mutate_text(ch: Chooser, text: str, n_ops: int) -> tuple[str, list[str]]:
    done = []
    for _ in range(n_ops):
        op = ch.integer(0, 5)
        pos = ch.integer(0, len(text))
        if op <= 1:
            snippet = ch.choice(YAML_SNIPPETS)
            text = text[:pos] + snippet + text[pos:]
            done.append(f"insert {snippet[:20]!r} at {pos}")
        elif op == 2:
            end = min(len(text), pos + ch.integer(1, 40))
            text = text[:pos] + text[end:]
            done.append(f"delete {pos}:{end}")
        elif op == 3:
            lines = text.splitlines(keepends=True)
            if lines:
                i = ch.integer(0, len(lines) - 1)
                lines.insert(i, lines[i] if ch.chance(0.5) else " " + lines[i])
                text = "".join(lines)
                done.append(f"line {i + 1} duplicated or indented")
        elif op == 4:
            text = text[:pos]
            done.append(f"truncate at {pos}")
        else:
            c = chr(ch.choice(_CHARS))
            text = text[:pos] + c + text[pos + 1 :]
            done.append(f"replace char {pos} with {c!r}")
    return text, done


_REF = re.compile(r"^(\s*(?:base|extends):\s*)([^\s/{}#][^\s{}#]*)\s*$", re.M)


# -- cases ----------------------------------------------------------------------------------


def make_case_with(ch: Chooser) -> Case:
    """Build one case from the chooser's decisions."""
    family = ch.integer(0, 99)
    if family < 45:  # YAML text of any input: the loader and the schemas
        source = ch.choice(TEXT_INPUTS)
        original = _REF.sub(
            lambda m: f"{m.group(1)}{os.path.normpath(os.path.join(source.parent, m.group(2)))}",
            source.read_text(encoding="utf-8"),
        )
        text, done = mutate_text(ch, original, ch.integer(1, 3))
        mode = "load"
    else:
        tiny = family < 90
        source = ch.choice(TINY_INPUTS if tiny else REFERENCE_INPUTS)
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_LOADER)
        data, done = mutate_data(ch, data, ch.integer(1, 3))
        if isinstance(data, dict):
            _absolute_refs(data, source.parent)
        try:
            text = yaml.dump(
                data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=10_000
            )
        except (yaml.YAMLError, ValueError, RecursionError):
            text = repr(data)
        if tiny:
            mode = "full" if ch.chance(0.03) else "build"
        else:
            mode = "build" if ch.chance(0.25) else "load"
    tiny_db = source in TINY_INPUTS or source.parent == TINY_BACKGROUND
    background = TINY_BACKGROUND if tiny_db else None
    return Case(source, text, mode, background, done)


def make_case(seed: int) -> Case:
    return make_case_with(Chooser(random.Random(seed)))


_DATABASES: dict[Path | None, Any] = {}


def _database(folder: Path | None) -> Any:
    from lca.model.background import load_background

    if folder not in _DATABASES:
        _DATABASES[folder] = load_background(folder)
    return _DATABASES[folder]


def _cache_unchanged_files() -> None:
    """Parse each bundled file once: a case's scenario loads its (unchanged) base inventory
    from memory, a deep copy per use; the mutated case file itself is always read."""
    from lca.inputs import loader, yamlio

    if getattr(loader.load_yaml, "fuzz_cache", False):
        return
    real = yamlio.load_yaml
    cache: dict[str, Any] = {}

    def load_yaml(path: Any) -> Any:
        p = Path(path)
        if p.name.startswith("case-"):
            return real(p)
        key = str(p)
        if key not in cache:
            cache[key] = real(p)  # an error propagates and is not cached
        doc = cache[key]
        return yamlio.Document(doc.path, copy.deepcopy(doc.data), doc.lines, doc.text)

    load_yaml.fuzz_cache = True  # type: ignore[attr-defined]
    loader.load_yaml = load_yaml


def warm_up(cache_files: bool = False) -> None:
    """Import the package and load both backgrounds (before forking workers); with
    ``cache_files``, parse the unchanged bundled files only once (for the fuzz script only: it
    patches the loader for the whole process)."""
    import lca.analysis.pipeline  # noqa: F401
    import lca.inputs.loader  # noqa: F401
    import lca.model.system  # noqa: F401
    from lca.analysis.pipeline import run_loaded
    from lca.inputs.loader import load_input

    if cache_files:
        _cache_unchanged_files()
    _database(None)
    run_loaded(load_input(TINY_INPUTS[0]), background=_database(TINY_BACKGROUND))  # bw2calc too


def run_case(case: Case, folder: Path) -> tuple[str, Any]:
    """Run ``case`` in process: ``("clean", error)`` for our InputError, ``("success", None)``
    when it computes. Any other exception propagates (the caller counts it as a crash)."""
    from lca.errors import InputError
    from lca.inputs.loader import load_scenarios
    from lca.inputs.validation import validate
    from lca.inputs.yamlio import load_yaml
    from lca.schema.background import BackgroundFile

    logging.disable(logging.WARNING)  # a mutated file warns a lot; undone below for later tests
    path = folder / ("case-" + case.source.name)
    path.write_text(case.text, encoding="utf-8", errors="surrogatepass")
    try:
        if case.source.parent == TINY_BACKGROUND:
            validate(BackgroundFile, load_yaml(path))
            return "success", None
        items = load_scenarios(path)
        if case.mode == "load":
            return "success", None
        from lca.model.system import build_system

        db = _database(case.background)
        for item in items[:2]:
            build_system(item, db)
            if case.mode == "full":
                from lca.analysis.pipeline import run_loaded

                run_loaded(item, background=db)
        return "success", None
    except InputError as exc:
        return "clean", exc
    finally:
        logging.disable(logging.NOTSET)


def unlocated(exc: Any) -> list[str]:
    """The messages of ``exc`` (an InputError or InputErrors) that name no file."""
    errors = getattr(exc, "errors", None) or [exc]
    return [e.render() for e in errors if not e.file]


def describe(case: Case) -> dict[str, Any]:
    return {
        "source": str(case.source.relative_to(ROOT)),
        "mode": case.mode,
        "mutations": case.description,
    }

