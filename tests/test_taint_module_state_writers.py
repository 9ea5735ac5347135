"""The module-state writers, their first stores and readers: the answers of a pass over every
node of each function in source order (the oracle here), however the module's nodes are gone
through."""

from __future__ import annotations

import ast

from secreview_ls.engine.facts import ModuleFacts, SourceFile, subtree
from secreview_ls.engine.taint.arguments_out import GROWING
from secreview_ls.engine.taint.module_state import state_readers, state_writers
from secreview_ls.engine.taint.values import Val

SOURCE = """
CACHE = {}
ITEMS = []
LAST = None


def keep(request, rows):
    if rows:
        for row in rows:
            CACHE[row] = request.args["q"]
            ITEMS.append(row)
    CACHE["k"] = rows
    ITEMS.append(rows)


def remember(value):
    global LAST
    while value:
        LAST = value
    LAST = None


def through(value):
    remember(value)
    if value:
        remember(value)


def read():
    return CACHE["k"], ITEMS, LAST


def shadow(CACHE):
    return CACHE
"""


def _first_stores(fn: ast.FunctionDef, names: set[str], declared: set[str]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for node in sorted((n for n in subtree(fn) if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in declared:
            found.setdefault(node.id, (node.lineno, node.col_offset))
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in names:
                found.setdefault(node.value.id, (node.lineno, node.col_offset))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GROWING:
            if isinstance(node.func.value, ast.Name) and node.func.value.id in names:
                found.setdefault(node.func.value.id, (node.lineno, node.col_offset))
    return found


def test_writers_keep_their_first_store_in_source_order() -> None:
    facts = ModuleFacts(SourceFile(SOURCE, "example.py"))
    writers = state_writers(facts, frozenset({"CACHE", "ITEMS", "LAST"}))
    by_name = {fn.name: stores for fn, stores in writers.items()}  # type: ignore[union-attr]
    functions = {fn.name: fn for fn in facts.tree.body if isinstance(fn, ast.FunctionDef)}
    # The deeper stores come first in the source, though a walk meets the shallower ones first.
    expected = _first_stores(functions["keep"], {"CACHE", "ITEMS"}, set())
    assert {name: (n.lineno, n.col_offset) for name, n in by_name["keep"].items()} == expected
    assert expected["CACHE"][0] < functions["keep"].body[-2].lineno
    assert {name: (n.lineno, n.col_offset) for name, n in by_name["remember"].items()} == _first_stores(
        functions["remember"], set(), {"LAST"}
    )
    # A caller of a storing function stores through a call of it.
    calls = [n for n in subtree(functions["through"]) if isinstance(n, ast.Call)]
    assert set(by_name["through"]) == {"LAST"} and any(by_name["through"]["LAST"] is call for call in calls)
    assert set(by_name) == {"keep", "remember", "through"}


def test_readers_are_the_functions_loading_the_bare_name() -> None:
    facts = ModuleFacts(SourceFile(SOURCE, "example.py"))
    value = Val()
    found = {fn.name for fn in state_readers(facts, {"CACHE": value, "LAST": value})}  # type: ignore[union-attr]
    assert found == {"keep", "read"}  # ``shadow`` binds ``CACHE`` itself
