"""Lists whose every item a loop replaces: ``for i, line in enumerate(lines): lines[i] = ...``
(or ``for i in range(len(lines))``) leaves in ``lines`` only what the loop stored, whatever
the list held before. Also loop indexes, which are numbers."""

from __future__ import annotations

import ast

from .base import RuleContext
from .judge import name_stores
from .reaching import Prefer, reaching_values


def loop_index(ctx: RuleContext, name: ast.Name) -> bool:
    """Every binding of ``name`` is the index of ``enumerate(...)`` or the counter of ``range(...)``."""
    found = name_stores(ctx, name)
    if found is None:
        return False
    for store in found[1]:
        holder = ctx.facts.parent(store)
        loop = ctx.facts.parent(holder) if isinstance(holder, ast.Tuple) else holder
        if not isinstance(loop, ast.For) or _index_target(ctx, loop) is not store:
            return False
    return True


def every_item_replaced(ctx: RuleContext, use: ast.Name, prefer: Prefer) -> bool:
    """A loop over the indexes of the list ``use`` names assigns ``use[i]`` on each turn, runs
    on every path to ``use`` (at most inside the branch ``prefer`` picks), and the list reaching
    ``use`` is the one the loop went over."""
    function = ctx.facts.enclosing_function(use)
    if function is None:
        return False
    values = reaching_values(ctx, use, prefer)
    if not values:
        return False
    for loop in ast.walk(function):
        if not isinstance(loop, ast.For) or ctx.facts.enclosing_function(loop) is not function:
            continue
        if loop.end_lineno is None or loop.end_lineno >= use.lineno:
            continue
        if not all(value.lineno < loop.lineno for value in values):
            continue  # the name is bound again after the loop
        if _replaces_every_item(ctx, loop, use.id) and _always_runs(ctx, loop, function, use, prefer):
            return True
    return False


def _index_target(ctx: RuleContext, loop: ast.For) -> ast.Name | None:
    """``i`` of ``for i, item in enumerate(seq)`` or of ``for i in range(n)``."""
    iterated = loop.iter
    if not (isinstance(iterated, ast.Call) and iterated.args and not iterated.keywords):
        return None
    called = ctx.facts.qualname(iterated.func)
    target = loop.target
    if called == "builtins.enumerate" and len(iterated.args) == 1:
        if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name):
            return target.elts[0]
    if called == "builtins.range" and isinstance(target, ast.Name):
        return target
    return None


def _over(ctx: RuleContext, loop: ast.For, name: str) -> bool:
    """The loop goes over every index of the list ``name``."""
    iterated = loop.iter
    assert isinstance(iterated, ast.Call)
    if ctx.facts.qualname(iterated.func) == "builtins.enumerate":
        return _is(iterated.args[0], name)
    if len(iterated.args) != 1:
        return False
    length = iterated.args[0]
    return (
        isinstance(length, ast.Call) and ctx.facts.qualname(length.func) == "builtins.len"
        and len(length.args) == 1 and _is(length.args[0], name)
    )  # fmt: skip


def _replaces_every_item(ctx: RuleContext, loop: ast.For, name: str) -> bool:
    index = _index_target(ctx, loop)
    if index is None or not _over(ctx, loop, name) or loop.orelse:
        return False
    inner = [node for statement in loop.body for node in ast.walk(statement)]
    if any(isinstance(node, (ast.Break, ast.Continue, ast.Return, ast.Raise, ast.Try)) for node in inner):
        return False  # a turn may end before the item is replaced
    if any(
        isinstance(node, ast.Name) and node.id in (index.id, name) and isinstance(node.ctx, ast.Store) for node in inner
    ):
        return False
    return any(
        isinstance(statement, ast.Assign) and len(statement.targets) == 1
        and isinstance(target := statement.targets[0], ast.Subscript)
        and _is(target.value, name) and _is(target.slice, index.id)
        for statement in loop.body
    )  # fmt: skip


def _always_runs(ctx: RuleContext, loop: ast.For, function: ast.AST, use: ast.Name, prefer: Prefer) -> bool:
    """Between the function and the loop only ``with`` blocks and the branch of an ``if`` that
    ``prefer`` picks; the use is outside those ``if`` statements."""
    child: ast.AST = loop
    for ancestor in ctx.facts.ancestors(loop):
        if ancestor is function:
            return True
        if isinstance(ancestor, ast.If):
            branch = prefer(ancestor.test)
            if branch is None or child not in getattr(ancestor, branch):
                return False
            if any(node is use for node in ast.walk(ancestor)):
                return False
        elif not isinstance(ancestor, (ast.With, ast.AsyncWith)):
            return False
        child = ancestor
    return False


def _is(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
