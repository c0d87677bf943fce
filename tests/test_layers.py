"""The package's layers import downwards only, and no modules import each other in a circle.

Layers, lowest first: errors and datafiles, schema, inputs, model, calc, analysis, outputs, cli.
Every import counts, also one inside a function (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lca"
LAYERS = ("errors", "datafiles", "schema", "inputs", "model", "calc", "analysis", "outputs", "cli")
RANK = {"errors": 0, "datafiles": 0, **{name: i - 1 for i, name in enumerate(LAYERS) if i > 1}}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """lca modules imported by ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module(path).split(".")
    package = me if path.name == "__init__.py" else me[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "lca"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "lca":
                continue
            out.add(mod)
            for a in node.names:  # "from lca.model import stages" imports a module
                if (PACKAGE.parent / Path(*mod.split("."), a.name)).with_suffix(".py").exists() or (
                    PACKAGE.parent / Path(*mod.split("."), a.name) / "__init__.py"
                ).exists():
                    out.add(f"{mod}.{a.name}")
    return out


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for mod, deps in graph.items():
        me = _layer(mod)
        if me is None:
            continue
        for dep in sorted(deps):
            other = _layer(dep)
            if other is not None and RANK[other] > RANK[me]:
                bad.append(f"{mod} ({me}) imports {dep} ({other})")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import circles among modules (a package's __init__ importing its own modules excluded)."""
    edges = {
        m: {d for d in deps if d in graph and d != m and not d.startswith(m + ".")}
        for m, deps in graph.items()
    }
    found, state, stack = [], {}, []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(edges[m]):
            if state.get(d) == 1:
                found.append([*stack[stack.index(d) :], d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return found


def test_every_layer_exists():
    for name in LAYERS:
        assert (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists(), name


def test_no_upward_imports():
    assert upward_imports(_graph()) == []


def test_no_import_circles_below_the_cli():
    graph = {m: d for m, d in _graph().items() if not m.startswith("lca.cli")}
    assert cycles(graph) == []


@pytest.mark.xfail(
    strict=True,
    reason="the import circle among lca/cli/*.py is removed on the safety branch; drop this "
    "mark when that is merged",
)
def test_no_import_circles():
    assert cycles(_graph()) == []


def test_the_checks_can_fail():
    graph = {"lca.model.a": {"lca.cli.app"}, "lca.cli.app": {"lca.model.a"}}
    assert upward_imports(graph) == ["lca.model.a (model) imports lca.cli.app (cli)"]
    assert cycles(graph)
