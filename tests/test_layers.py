"""The package's layers run one way (issue 10):

    core (policykg/: errors, settings, iris, namespaces, negotiation, tables, version) ← ontology/ ← ingest/ ←
    graph/ ← queries/ ← api/ ← cli (policykg/cli.py, __main__.py, and the Python entry point:
    policykg/__init__.py's open and policykg/workbench.py); graph/evaluation.py is a development tool

A module may import modules of its own layer or of lower layers, never of a higher one, and there is
no import cycle between modules. The import graph is read from the source with ``ast`` (nothing is
imported): ``import x``, ``from x import y`` and relative imports, at module level and inside
functions alike. Imports under ``if TYPE_CHECKING:`` are never executed, so they may close a cycle
(that is what they are for), but they still count for the layers: a type from a higher layer is a
dependency on it all the same.

The sub-packages live in top-level folders (pyproject's ``package-dir``); the folders are found from
pyproject.toml, so a new sub-package or module has to be given a layer here before this test passes."""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = ["core", "ontology", "ingest", "graph", "queries", "api", "cli"]
# modules of policykg/ itself, by name: each must be listed (a new one is placed consciously)
TOP_LEVEL = {
    "policykg": "cli",  # __init__: the Python entry point (policykg.open → policykg.workbench)
    "policykg.version": "core",
    "policykg.errors": "core",
    "policykg.settings": "core",
    "policykg.iris": "core",
    "policykg.namespaces": "core",
    "policykg.negotiation": "core",
    "policykg.tables": "core",
    "policykg.cli": "cli",
    "policykg.workbench": "cli",  # the Python API for notebooks, beside the command line
    "policykg.__main__": "cli",
}
SUBPACKAGES = {f"policykg.{name}": name for name in ("ontology", "ingest", "graph", "queries", "api")}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module
    line: int
    type_checking: bool  # under `if TYPE_CHECKING:`


def _modules() -> dict[str, Path]:
    """Every module of the package, by dotted name, from pyproject's package-dir and packages."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package_dir: dict[str, str] = tool["package-dir"]
    modules: dict[str, Path] = {}
    for package in tool["packages"]:
        base = max((p for p in package_dir if package == p or package.startswith(p + ".")), key=len)
        folder = ROOT / package_dir[base] / Path(*package[len(base):].split(".")[1:])
        for path in sorted(folder.glob("*.py")):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return modules


def _layer(module: str) -> str:
    if module in TOP_LEVEL:
        return TOP_LEVEL[module]
    for package, layer in SUBPACKAGES.items():
        if module == package or module.startswith(package + "."):
            return layer
    raise AssertionError(f"{module} has no layer: add it to TOP_LEVEL or SUBPACKAGES in tests/test_layers.py")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path, known: set[str]) -> list[Import]:
    """The package's modules that ``module`` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.stem == "__init__"
    found: list[Import] = []

    def add(target: str, node: ast.stmt, guarded: bool) -> None:
        # `import a.b.c` or `from a.b import c`: the longest prefix that is a module of ours
        parts = target.split(".")
        for n in range(len(parts), 0, -1):
            name = ".".join(parts[:n])
            if name in known:
                if name != module:
                    found.append(Import(module, name, node.lineno, guarded))
                return

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, guarded)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, guarded)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, up level - 1
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = package[: len(package) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                add(f"{stem}.{alias.name}", node, guarded)
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(tree, False)
    return found


def _graph() -> tuple[dict[str, Path], list[Import]]:
    modules = _modules()
    edges = [i for m, p in modules.items() for i in _imports(m, p, set(modules))]
    return modules, list(dict.fromkeys(edges))  # `from m import a, b` once


def test_the_package_has_the_modules_the_layers_name():
    modules = _modules()
    assert {"policykg.errors", "policykg.cli", "policykg.ingest.model", "policykg.graph.store", "policykg.queries",
            "policykg.api.app"} <= set(modules)
    for module in modules:
        _layer(module)  # every module has a layer
    for module in TOP_LEVEL:
        assert module in modules, f"{module} is listed in TOP_LEVEL but is not a module of the package"


def test_no_module_imports_a_higher_layer():
    modules, edges = _graph()
    rank = {layer: n for n, layer in enumerate(LAYERS)}
    bad = [f"{modules[i.source].relative_to(ROOT)}:{i.line}: {i.source} ({_layer(i.source)}) imports {i.target} "
           f"({_layer(i.target)}){' under TYPE_CHECKING' if i.type_checking else ''}"
           for i in edges if rank[_layer(i.target)] > rank[_layer(i.source)]]
    assert not bad, "imports against the layers " + " ← ".join(LAYERS) + ":\n" + "\n".join(bad)


def test_ingest_never_imports_the_store_and_evaluation_is_only_imported_by_the_cli():
    _, edges = _graph()
    bad = [f"{i.source} imports {i.target} (line {i.line})" for i in edges
           if _layer(i.source) == "ingest" and _layer(i.target) == "graph"]
    assert not bad, "ingest/ imports graph/:\n" + "\n".join(bad)
    bad = [f"{i.source} imports policykg.graph.evaluation (line {i.line})" for i in edges
           if i.target == "policykg.graph.evaluation" and i.source != "policykg.cli"]
    assert not bad, "evaluation is a development tool, imported by `policykg eval` only:\n" + "\n".join(bad)


def _cycle(scc: set[str], succ: dict[str, set[str]]) -> list[str]:
    """One concrete cycle through the strongly connected component ``scc``."""
    start = min(scc)
    # breadth-first from start's successors back to start, within the component
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for s in sorted(succ[node] & scc):
                if s == start:  # back at the start: node ← parents[node] ← … ← start
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if s not in parents:
                    parents[s] = node
                    nxt.append(s)
        frontier = nxt
    raise AssertionError(f"no cycle in {scc}")


def _components(nodes: set[str], succ: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(component)

    for v in sorted(nodes):
        if v not in index:
            strongconnect(v)
    return result


def test_no_import_cycles():
    modules, edges = _graph()
    succ: dict[str, set[str]] = {m: set() for m in modules}
    lines: dict[tuple[str, str], int] = {}
    for i in edges:
        if not i.type_checking:
            succ[i.source].add(i.target)
            lines.setdefault((i.source, i.target), i.line)
    cycles = []
    for scc in _components(set(modules), succ):
        path = _cycle(scc, succ)
        steps = [f"{a} imports {b} ({modules[a].relative_to(ROOT)}:{lines[a, b]})" for a, b in zip(path, path[1:])]
        cycles.append(" → ".join(path) + "\n    " + "\n    ".join(steps))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
