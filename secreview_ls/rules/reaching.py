"""Which assignments of a local name can reach a given use of it, read from the
statements of its function (no data-flow engine: straight-line code, ``if`` and ``try``).

``reaching_values(ctx, use, prefer)`` walks back from the statement holding ``use``: an
assignment met in the same block ends the walk; an ``if`` or ``try`` that assigns the name
in some branches adds those values and goes on before it when a branch may not assign it.
Anything it cannot follow (a loop that assigns the name, ``+=``, a parameter, a ``global``,
a name bound only in an enclosing scope) makes the answer ``None``: unknown. With
``appended=True`` a ``name += piece`` adds ``piece`` to the values and the walk goes on before
it: for callers asking whether every part of the final value is fixed, the value is then the
earlier values followed by the appended pieces; a loop storing the name then adds every value its
statements store (plain assignments and ``+=`` pieces: any turn may be the last, or none run).

``prefer(test)`` lets a caller follow only one branch of an ``if``: it returns ``"body"`` or
``"orelse"`` for a test whose other branch the caller accepts whatever it assigns (a
template filter's ``if autoescape:`` — the other branch is the one where the template
switched escaping off), else ``None``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .base import RuleContext

Prefer = Callable[[ast.expr], str | None]
_UNKNOWN = object()  # a statement assigns the name in a way the walk cannot follow
_MAX_VALUES = 16
_Function = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _no_preference(_test: ast.expr) -> str | None:
    return None


def _stores(node: ast.AST, name: str) -> bool:
    """``node`` binds ``name`` somewhere (outside nested functions and classes)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name) and current.id == name and isinstance(current.ctx, (ast.Store, ast.Del)):
            return True
        if isinstance(current, (ast.Global, ast.Nonlocal)) and name in current.names:
            return True
        if isinstance(current, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in current.names):
                return True
        if isinstance(current, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and current.name == name:
            return True
        if isinstance(current, ast.MatchMapping) and current.rest == name:
            return True
        for child in ast.iter_child_nodes(current):
            if isinstance(current, ast.comprehension) and child is current.target:
                continue  # a comprehension's variable lives in the comprehension's own scope
            if not isinstance(child, (*_Function, ast.ClassDef)) or child is node:
                stack.append(child)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child.name == name:
                return True
    return False


class _Walk:
    def __init__(self, name: str, prefer: Prefer, appended: bool = False) -> None:
        self.name = name
        self.prefer = prefer
        self.appended = appended

    def block(self, statements: list[ast.stmt]) -> tuple[list[ast.expr], bool] | object:
        """Values the block leaves in the name, and whether it always assigns it."""
        values: list[ast.expr] = []
        for statement in reversed(statements):
            found = self.statement(statement)
            if found is _UNKNOWN:
                return _UNKNOWN
            if found is None:
                continue
            more, complete = found  # type: ignore[misc]
            values.extend(more)
            if complete:
                return values, True
        return values, False

    def statement(self, statement: ast.stmt) -> tuple[list[ast.expr], bool] | object | None:
        name = self.name
        if not _stores(statement, name):
            return None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            return self._assigned(statement.targets[0], statement.value)
        if isinstance(statement, ast.AnnAssign) and statement.value is not None:
            return self._assigned(statement.target, statement.value)
        if self.appended and _appends_to(statement, name):
            assert isinstance(statement, ast.AugAssign)
            return [statement.value], False
        if isinstance(statement, ast.If) and not _stores(statement.test, name):
            return self._branches(statement)
        if isinstance(statement, ast.Try) and not _stores_any(statement.finalbody, name):
            return self._try(statement)
        if isinstance(statement, (ast.With, ast.AsyncWith)) and not any(_stores(i, name) for i in statement.items):
            return self.block(statement.body)
        if self.appended and isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            return self.loop(statement)
        return _UNKNOWN

    def loop(self, loop: ast.For | ast.AsyncFor | ast.While) -> tuple[list[ast.expr], bool] | object:
        """Every value a loop's statements store in the name (any turn may be the last, or none
        run): plain assignments and ``+=`` pieces only, never complete."""
        if _binds_in_header(loop, self.name) or (not isinstance(loop, ast.While) and _stores(loop.target, self.name)):
            return _UNKNOWN
        values: list[ast.expr] = []
        stack: list[ast.AST] = [*loop.body, *loop.orelse]
        while stack:
            node = stack.pop()
            if not _stores(node, self.name):
                continue
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if _stores(node.value, self.name):
                    return _UNKNOWN
                values.append(node.value)
            elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
                values.append(node.value)
            elif _appends_to(node, self.name):  # type: ignore[arg-type]
                values.append(node.value)  # type: ignore[attr-defined]
            elif isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith)):
                if isinstance(node, (ast.For, ast.AsyncFor)) and _stores(node.target, self.name):
                    return _UNKNOWN
                if _binds_in_header(node, self.name) or (isinstance(node, ast.Try) and _handler_binds(node, self.name)):
                    return _UNKNOWN
                stack.extend(_statements_of(node))
            else:
                return _UNKNOWN
        return values, False

    def _assigned(self, target: ast.expr, value: ast.expr) -> tuple[list[ast.expr], bool] | object:
        if isinstance(target, ast.Name):
            return ([value], True) if target.id == self.name else _UNKNOWN  # else a ``:=`` in the value
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            if len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in target.elts):
                for part, part_value in zip(target.elts, value.elts, strict=True):
                    if isinstance(part, ast.Name) and part.id == self.name:
                        return [part_value], True
        return _UNKNOWN

    def _branches(self, statement: ast.If) -> tuple[list[ast.expr], bool] | object:
        chosen = self.prefer(statement.test)
        branches = (
            [statement.body]
            if chosen == "body"
            else [statement.orelse]
            if chosen == "orelse"
            else [
                statement.body,
                statement.orelse,
            ]
        )
        values: list[ast.expr] = []
        complete = True
        for branch in branches:
            found = self.block(branch)
            if found is _UNKNOWN:
                return _UNKNOWN
            more, always = found  # type: ignore[misc]
            values.extend(more)
            complete = complete and (always or _ends(branch))
        return values, complete

    def _try(self, statement: ast.Try) -> tuple[list[ast.expr], bool] | object:
        found = self.block(statement.body + statement.orelse)
        if found is _UNKNOWN:
            return _UNKNOWN
        values, complete = found  # type: ignore[misc]
        for handler in statement.handlers:
            if handler.name == self.name:
                return _UNKNOWN
            more = self.block(handler.body)
            if more is _UNKNOWN:
                return _UNKNOWN
            handled, always = more  # type: ignore[misc]
            values = [*values, *handled]
            complete = complete and (always or _ends(handler.body))
        # The body may stop at any statement and the handler go on: what was there before
        # the ``try`` can reach too, unless every handler leaves.
        if not all(_ends(h.body) for h in statement.handlers):
            complete = False
        return values, complete


def _appends_to(statement: ast.stmt, name: str) -> bool:
    """``name += piece`` where ``piece`` does not itself bind ``name``."""
    return (
        isinstance(statement, ast.AugAssign)
        and isinstance(statement.op, ast.Add)
        and isinstance(statement.target, ast.Name)
        and statement.target.id == name
        and not _stores(statement.value, name)
    )


def _stores_any(statements: list[ast.stmt], name: str) -> bool:
    return any(_stores(s, name) for s in statements)


def _ends(statements: list[ast.stmt]) -> bool:
    """The block never falls through (it returns, raises, continues or breaks)."""
    return bool(statements) and isinstance(statements[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _statements_of(node: ast.stmt) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        found.extend(getattr(node, field, None) or [])
    for handler in getattr(node, "handlers", None) or []:
        found.extend(handler.body)
    return found


def _handler_binds(node: ast.Try, name: str) -> bool:
    return any(handler.name == name for handler in node.handlers)


def _binds_in_header(owner: ast.AST, name: str) -> bool:
    if isinstance(owner, (ast.With, ast.AsyncWith)):
        return any(item.optional_vars is not None and _stores(item.optional_vars, name) for item in owner.items)
    if isinstance(owner, ast.ExceptHandler):
        return owner.name == name
    if isinstance(owner, ast.match_case):
        return _stores(owner.pattern, name) or (owner.guard is not None and _stores(owner.guard, name))
    if isinstance(owner, (ast.If, ast.While)):
        return _stores(owner.test, name)
    return False


def _plain_local(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    """``name`` is a local of ``function`` that is neither a parameter nor declared ``global`` /
    ``nonlocal`` (it is assigned in the function, so it starts unbound)."""
    arguments = function.args
    parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    if any(parameter is not None and parameter.arg == name for parameter in parameters):
        return False
    stack: list[ast.AST] = list(function.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Global, ast.Nonlocal)) and name in current.names:
            return False
        if not isinstance(current, (*_Function, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(current))
    return True


def _holder(ctx: RuleContext, node: ast.AST) -> tuple[list[ast.stmt], int, ast.AST] | None:
    """The statement list holding the statement around ``node``, its index, and the owner."""
    statement = ctx.facts.enclosing_statement(node)
    owner = ctx.facts.parent(statement)
    if owner is None:
        return None
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(owner, field, None)
        if isinstance(block, list) and statement in block:
            return block, block.index(statement), owner
    return None


def _rebound_in_expression(ctx: RuleContext, use: ast.Name) -> bool:
    """``use`` sits in a comprehension or lambda that binds its own ``use.id``."""
    for ancestor in ctx.facts.ancestors(use):
        if isinstance(ancestor, ast.stmt):
            return False
        if isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            if any(_stores(g.target, use.id) for g in ancestor.generators):
                return True
        if isinstance(ancestor, ast.Lambda) and use.id in {
            a.arg for a in ast.walk(ancestor.args) if isinstance(a, ast.arg)
        }:
            return True
        if isinstance(ancestor, ast.NamedExpr):
            return True
    return False


def reaching_values(
    ctx: RuleContext, use: ast.Name, prefer: Prefer | None = None, *, appended: bool = False
) -> list[ast.expr] | None:
    """The values assigned to ``use.id`` that can reach ``use``, or None when unknown
    (with ``appended``, the pieces ``+=`` added to it as well)."""
    if _rebound_in_expression(ctx, use):
        return None
    walk = _Walk(use.id, prefer or _no_preference, appended)
    values: list[ast.expr] = []
    current: ast.AST = use
    while True:
        held = _holder(ctx, current)
        if held is None:
            return None
        block, index, owner = held
        found = walk.block(block[:index])
        if found is _UNKNOWN:
            return None
        more, complete = found  # type: ignore[misc]
        values.extend(more)
        if len(values) > _MAX_VALUES:
            return None
        if complete:
            return values
        if isinstance(owner, (ast.For, ast.AsyncFor, ast.While)) and _stores(owner, use.id):
            if not appended:
                return None  # assigned in an earlier turn of the loop
            turns = walk.loop(owner)  # what an earlier turn left in it
            if turns is _UNKNOWN:
                return None
            values.extend(turns[0])  # type: ignore[index]
        if _binds_in_header(owner, use.id):
            return None  # ``with ... as x``, ``except E as x``, ``case x:``, ``if (x := ...)``
        if isinstance(owner, ast.ExceptHandler):
            owner = ctx.facts.parent(owner)  # the try statement: go on before it
            if not isinstance(owner, ast.Try) or _stores_any(owner.body, use.id):
                return None  # the body may have assigned it before it failed
        if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)) and values and _plain_local(owner, use.id):
            return values  # on a path that assigns nothing the local name is unbound: the use raises
        if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module, ast.ClassDef)):
            return None  # a parameter, a global or a name of an enclosing scope
        current = owner
