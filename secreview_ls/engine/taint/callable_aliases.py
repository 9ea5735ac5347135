"""Local names bound once to a function or a bound method: ``run = os.system`` then ``run(v)``.

A call through such a name is the call of what it names, so the sinks and summaries of that
function apply (module-level aliases are resolved with the imports). Only a name bound by a single
plain assignment in the function, to a dotted name (``os.system``, ``cursor.execute``,
``self.runner.run``) or to a name the function does not bind itself, counts: a name bound twice
may hold either.
"""

from __future__ import annotations

import ast
import weakref

_CACHE: weakref.WeakKeyDictionary[ast.AST, dict[str, ast.expr]] = weakref.WeakKeyDictionary()


def _dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _own_scope(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of ``fn``'s body, without those of the functions, lambdas and classes inside."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(fn.body)
    while stack:
        node = stack.pop()
        found.append(node)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)
    return found


def function_aliases(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """The names of ``fn`` bound once to a callable's dotted name, and that name's expression."""
    known = _CACHE.get(fn)
    if known is not None:
        return known
    stores: dict[str, int] = {}
    candidates: dict[str, ast.expr] = {}
    for node in _own_scope(fn):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, (ast.Name, ast.Attribute))
            and _dotted(node.value)
        ):
            candidates[node.targets[0].id] = node.value
    params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    aliases = {
        name: value
        for name, value in candidates.items()
        if stores.get(name) == 1
        and name not in params
        and not (isinstance(value, ast.Name) and (value.id in stores or value.id in params))
    }
    _CACHE[fn] = aliases
    return aliases
