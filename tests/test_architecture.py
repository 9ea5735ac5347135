"""The package's shape, read from its own source with ``ast``: floors, cycles, sizes.

Floors (a module imports only from its own floor or lower ones):

0. ``secreview_ls/__init__.py``: the version, importable by everyone.
1. ``engine/``: facts about a file; knows no rule, no configuration, no I/O.
1.5 support: ``config.py``, ``discovery.py``, ``gitdiff.py``: configuration, finding files,
   reading git diffs; shared low-level helpers that import only the engine, so the rules and
   everything above may use them.
2. ``rules/``: the catalogue.
3. the pipeline: ``pipeline/`` and, until it replaces them, ``analyze.py``, ``incremental.py``,
   ``scan.py``, ``baseline.py``.
4. the faces: ``lsp/``, ``reports/``, ``cli.py``, ``sarif.py``, ``review.py``, ``__main__.py``.

Every import counts, also one inside a function or under ``if TYPE_CHECKING:`` (a type that
travels between two modules ties them together as much as a call). Importing a submodule
does not count as importing its parent package. A module that fits no floor fails
``test_every_module_has_a_floor``: place it in the table below.

Checks that fail today are marked ``xfail(strict=True)`` with what fails: once that is
fixed the test passes unexpectedly, which fails the run, and the entry is removed.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = "secreview_ls"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE
MAX_MODULE_LINES = 1_000
MAX_FUNCTION_LINES = 120

# First component below the package (sub-package or top-level module) -> floor.
FLOORS: dict[str, float] = {
    "__init__": 0,
    "engine": 1,
    "config": 1.5,
    "rules": 2,
    "pipeline": 3,
    "lsp": 4,
    "reports": 4,
    "cli": 4,
    "sarif": 4,
    "review": 4,
    "__main__": 4,
}

# What fails today, by module path relative to the package; each entry is a strict xfail.
KNOWN_CYCLES: dict[str, str] = {}
KNOWN_LONG_MODULES: dict[str, str] = {}
KNOWN_LONG_FUNCTIONS: dict[str, str] = {}


@dataclass(frozen=True)
class Module:
    name: str  # dotted: secreview_ls.engine.facts
    path: Path
    relpath: str  # engine/facts.py
    is_package: bool

    @property
    def floor_key(self) -> str:
        parts = Path(self.relpath).with_suffix("").parts
        return parts[0]


@cache
def modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relpath = path.relative_to(PACKAGE_DIR).as_posix()
        parts = [PACKAGE, *Path(relpath).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        found[name] = Module(name, path, relpath, is_package)
    return found


@cache
def tree(name: str) -> ast.Module:
    module = modules()[name]
    return ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))


def imports_in(source: ast.Module, name: str, is_package: bool, known: Collection[str]) -> frozenset[str]:
    """The modules of ``known`` that module ``name`` (whose tree is ``source``) imports.

    ``from X import y`` counts as importing ``X.y`` when that is a module, else ``X``; a
    dotted name that is not a module counts as its longest prefix that is one."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(source):
        if isinstance(node, ast.Import):
            found.update(_longest_module(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                target = ".".join([*parts[: len(parts) - (node.level - 1)], *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in known else _longest_module(target, known))
    found.discard(None)
    found.discard(name)
    return frozenset(m for m in found if m is not None)


def _longest_module(dotted: str, known: Collection[str]) -> str | None:
    while dotted:
        if dotted in known:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


@cache
def imports_of(name: str) -> frozenset[str]:
    """The package's modules that module ``name`` imports."""
    module = modules()[name]
    return imports_in(tree(name), name, module.is_package, modules().keys())


def floor_of(module: Module) -> float | None:
    return FLOORS.get(module.floor_key)


def cycles(graph: Mapping[str, Collection[str]]) -> dict[str, tuple[str, ...]]:
    """Each node that is part of a cycle of ``graph``, with the other nodes of its strongly
    connected component (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return {
        member: tuple(sorted(set(component) - {member}))
        for component in components
        if len(component) > 1
        for member in component
    }


@cache
def modules_in_cycles() -> dict[str, tuple[str, ...]]:
    return cycles({name: imports_of(name) for name in modules()})


def _params(known: dict[str, str]) -> list[object]:
    """One test per module, named by its path; known failures become strict xfails."""
    return [
        pytest.param(
            module.name,
            id=module.relpath,
            marks=[pytest.mark.xfail(strict=True, reason=known[module.relpath])] if module.relpath in known else [],
        )
        for module in modules().values()
    ]


# -- the graph reader itself --------------------------------------------------------------


SAMPLE = """
from __future__ import annotations
import os
from typing import TYPE_CHECKING
from . import c
from .. import __version__
from ..a import helper
import pkg.sub.d.thing
if TYPE_CHECKING:
    from pkg.e import Type
def later():
    from .f import g
"""
SAMPLE_MODULES = ("pkg", "pkg.a", "pkg.e", "pkg.sub", "pkg.sub.b", "pkg.sub.c", "pkg.sub.d", "pkg.sub.f")


def test_the_reader_sees_relative_absolute_lazy_and_type_only_imports() -> None:
    found = imports_in(ast.parse(SAMPLE), "pkg.sub.b", False, SAMPLE_MODULES)
    assert found == {"pkg", "pkg.a", "pkg.e", "pkg.sub.c", "pkg.sub.d", "pkg.sub.f"}
    # the same text as a package's __init__ resolves one level deeper
    as_package = imports_in(ast.parse("from . import c\nfrom .. import a"), "pkg.sub", True, SAMPLE_MODULES)
    assert as_package == {"pkg.sub.c", "pkg.a"}


def test_the_reader_reads_this_package() -> None:
    assert "secreview_ls.engine.finding" in imports_of("secreview_ls.rules.base")
    assert "secreview_ls.engine" not in imports_of("secreview_ls.engine.facts")  # parent package not counted


def test_cycles_are_found_with_every_member() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}, "f": {"f"}}
    assert cycles(graph) == {"a": ("b", "c"), "b": ("a", "c"), "c": ("a", "b")}


# -- floors -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _params({}))
def test_every_module_has_a_floor(name: str) -> None:
    module = modules()[name]
    assert floor_of(module) is not None, f"{module.relpath}: no floor for {module.floor_key!r}; add it to FLOORS"


def test_a_future_pipeline_package_is_floor_three() -> None:
    future = Module(f"{PACKAGE}.pipeline.run", PACKAGE_DIR / "pipeline" / "run.py", "pipeline/run.py", False)
    assert floor_of(future) == 3
    future_taint = Module(
        f"{PACKAGE}.engine.taint.calls", PACKAGE_DIR / "engine" / "taint" / "calls.py", "engine/taint/calls.py", False
    )
    assert floor_of(future_taint) == 1


@pytest.mark.parametrize("name", _params({}))
def test_no_import_reaches_a_higher_floor(name: str) -> None:
    module = modules()[name]
    own = floor_of(module)
    if own is None:
        pytest.skip("no floor (reported by test_every_module_has_a_floor)")
    upward = sorted(
        f"{modules()[target].relpath} (floor {floor_of(modules()[target])})"
        for target in imports_of(name)
        if (floor_of(modules()[target]) or 0) > own
    )
    assert not upward, f"{module.relpath} (floor {own}) imports from higher floors: {', '.join(upward)}"


@pytest.mark.parametrize("name", _params({}))
def test_faces_use_only_the_pipeline_api(name: str) -> None:
    """A face (floor 4) reaches the floors below through ``secreview_ls.pipeline`` only."""
    module = modules()[name]
    if floor_of(module) != 4:
        pytest.skip("not a face")
    below = sorted(
        modules()[target].relpath
        for target in imports_of(name)
        if (floor_of(modules()[target]) or 0) < 3 and target != PACKAGE
    )
    assert not below, f"{module.relpath} imports from below the pipeline: {', '.join(below)}"


# -- cycles -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _params(KNOWN_CYCLES))
def test_no_import_cycle(name: str) -> None:
    others = modules_in_cycles().get(name, ())
    relpaths = ", ".join(modules()[other].relpath for other in others)
    assert not others, f"{modules()[name].relpath} is in an import cycle with {relpaths}"


# -- sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _params(KNOWN_LONG_MODULES))
def test_module_is_at_most_1000_lines(name: str) -> None:
    module = modules()[name]
    lines = len(module.path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module.relpath} has {lines:,} lines"


def _long_functions(name: str) -> list[str]:
    found = []
    for node in ast.walk(tree(name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{node.name} (line {node.lineno}, {length} lines)")
    return found


@pytest.mark.parametrize("name", _params(KNOWN_LONG_FUNCTIONS))
def test_functions_are_at_most_120_lines(name: str) -> None:
    long = _long_functions(name)
    assert not long, f"{modules()[name].relpath}: {', '.join(long)}"


# -- the known failures stay honest ---------------------------------------------------------


@pytest.mark.parametrize("known", [KNOWN_CYCLES, KNOWN_LONG_MODULES, KNOWN_LONG_FUNCTIONS])
def test_known_failures_name_existing_modules(known: dict[str, str]) -> None:
    existing = {module.relpath for module in modules().values()}
    assert not set(known) - existing, f"remove entries for modules that are gone: {sorted(set(known) - existing)}"
