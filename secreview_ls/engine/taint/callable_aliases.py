"""Local names bound once to a function or a bound method: ``run = os.system`` then ``run(v)``;
and dispatch tables: ``ACTIONS = {"ping": ping, "trace": trace}`` then ``ACTIONS[name](v)``.

A call through such a name is the call of what it names, so the sinks and summaries of that
function apply (module-level aliases are resolved with the imports). Only a name bound by a single
plain assignment in the function, to a dotted name (``os.system``, ``cursor.execute``,
``self.runner.run``) or to a name the function does not bind itself, counts: a name bound twice
may hold either. A table is a dictionary written out once at module level (or in the function)
whose values are such names; a call through it with a constant key calls that entry, with any
other key every entry.
"""

from __future__ import annotations

import ast
import weakref

from .deferred import made_call
from .keys import const_key
from .state import Env

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


def _table(body: list[ast.stmt] | list[ast.AST], name: str) -> ast.Dict | None:
    """The dictionary display ``name`` is bound to by the only assignment to it among ``body``."""
    found: list[ast.expr] = []
    for node in body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(node.value)  # type: ignore[arg-type]
    if len(found) == 1 and isinstance(found[0], ast.Dict):
        return found[0]
    return None


def dispatched(module: ast.Module, fn: ast.AST, table: ast.Name, key: str | None, local: bool) -> list[ast.expr] | None:
    """The callables a call through ``table[key]`` may call (``key`` None: not a constant), or
    None when ``table`` is no dispatch table (``local``: the name is bound in the function)."""
    scope_body: list[ast.AST]
    if local:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        scope_body = _own_scope(fn)
    else:
        scope_body = list(module.body)
    display = _table(scope_body, table.id)
    if display is None or None in display.keys:
        return None
    entries: list[ast.expr] = []
    for entry_key, value in zip(display.keys, display.values, strict=True):
        if not isinstance(value, (ast.Name, ast.Attribute, ast.Lambda)) or not (
            isinstance(value, ast.Lambda) or _dotted(value)
        ):
            return None  # a table of other things: not known
        if key is None or (isinstance(entry_key, ast.Constant) and repr(entry_key.value) == key):
            entries.append(value)
    return entries


class CallsThrough:
    """The calls a call through a local alias or a dispatch table stands for, made once per call
    node (their steps stay the same from one analysis of the call to the next)."""

    def __init__(self, module: ast.Module) -> None:
        self.module = module
        self._aliased: dict[int, ast.Call | None] = {}
        self._tables: dict[int, list[ast.Call]] = {}

    def alias(self, node: ast.Call, scope: ast.AST) -> ast.Call | None:
        """``run(v)`` with ``run = os.system`` bound once in ``scope``: ``os.system(v)``."""
        if id(node) in self._aliased:
            return self._aliased[id(node)]
        made = None
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and isinstance(node.func, ast.Name):
            value = function_aliases(scope).get(node.func.id)
            if value is not None:
                made = made_call(node, value, list(node.args), list(node.keywords))
        self._aliased[id(node)] = made
        return made

    def table(self, node: ast.Call, func: ast.Subscript, env: Env, scope: ast.AST) -> list[ast.Call]:
        """``ACTIONS[name](v)``: the calls of the table's entries it may make (none: no table)."""
        made = self._tables.get(id(node))
        if made is None:
            table = func.value
            entries = (
                dispatched(self.module, scope, table, const_key(func.slice), table.id in env)
                if isinstance(table, ast.Name)
                else None
            )
            made = [made_call(node, entry, list(node.args), list(node.keywords)) for entry in entries or ()]
            self._tables[id(node)] = made
        return made
