"""Functions made by a factory of the module and called later: ``make_runner("ping")(host)``, or
``run = make_runner("ping")`` then ``run(host)`` in the same function.

The factory returns a function it defines (``def runner(arg): ... return runner``), which reads the
factory's names. Its call runs the factory's body where it is called (its parameters bound to
the factory's arguments), then the made function's body with the names the factory left,
its parameters bound to the call's arguments: sinks in it are checked with the caller's values.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .closures import bind_arguments
from .deferred import made_call
from .state import Env, Frame, join_envs
from .values import Val

if TYPE_CHECKING:
    from .closures import Closures
    from .ports import Evaluator

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_MAX_NODES = 300


class Factories:
    """Runs functions a factory of the module returns, at their calls."""

    def __init__(self, interpreter: Evaluator, closures: Closures) -> None:
        self.interpreter = interpreter
        self.closures = closures
        self._made: dict[ast.AST, FunctionNode | None] = {}
        self._assigned: dict[ast.AST, dict[str, list[ast.Call | None]]] = {}
        self._calls: dict[int, ast.Call | None] = {}

    def made_function(self, factory: ast.AST) -> FunctionNode | None:
        """The function ``factory`` defines and returns at every ``return`` (None when it returns
        anything else, or is too long to run at each call)."""
        if factory in self._made:
            return self._made[factory]
        made: FunctionNode | None = None
        if isinstance(factory, (ast.FunctionDef, ast.AsyncFunctionDef)) and not factory.decorator_list:
            nested = {s.name: s for s in factory.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
            returned: set[str] = set()
            plain = True
            for count, child in enumerate(_own_nodes(factory)):
                if count > _MAX_NODES:
                    plain = False
                    break
                if isinstance(child, ast.Return):
                    if isinstance(child.value, ast.Name) and child.value.id in nested:
                        returned.add(child.value.id)
                    else:
                        plain = False
            if plain and len(returned) == 1:
                candidate = nested[returned.pop()]
                if not candidate.decorator_list and _simple(candidate.args):
                    made = candidate
        self._made[factory] = made
        return made

    def call(self, node: ast.Call, factory_call: ast.Call, factory: FunctionNode, env: Env, fn: Frame) -> Val | None:
        """The value of ``factory(a)(b)`` (``node``, its function ``factory_call``)."""
        made = self.made_function(factory)
        if made is None or not _simple(factory.args) or not self.closures.can_run(factory):
            return None
        local = bind_arguments(self.interpreter.eval, factory.args, factory_call, env, fn, {})
        if local is None:
            return None
        ends: list[Env] = []
        self.closures.run(factory, local, fn, ends)
        left = join_envs(ends)
        if left is None or not self.closures.can_run(made):
            return None
        inner = bind_arguments(self.interpreter.eval, made.args, node, env, fn, left)
        return self.closures.run(made, inner, fn) if inner is not None else None

    def assigned_call(self, node: ast.Call, scope: ast.AST) -> ast.Call | None:
        """``run(b)`` where ``run = factory(a)`` is the one assignment of ``run`` in ``scope``: the
        call ``factory(a)(b)`` (one node per call)."""
        if id(node) in self._calls:
            return self._calls[id(node)]
        made = None
        found = self.assignments(scope).get(node.func.id)  # type: ignore[attr-defined]
        if found is not None and len(found) == 1 and found[0] is not None and isinstance(found[0].func, ast.Name):
            made = made_call(node, found[0], list(node.args), list(node.keywords))
        self._calls[id(node)] = made
        return made

    def assignments(self, scope: ast.AST) -> dict[str, list[ast.Call | None]]:
        """Names of ``scope`` bound to a call's value (``run = make(a)``), with every call they are
        bound to (None for a binding of another kind)."""
        found = self._assigned.get(scope)
        if found is None:
            found = {}
            for child in ast.walk(scope):
                if isinstance(child, ast.Assign) and len(child.targets) == 1 and isinstance(child.targets[0], ast.Name):
                    calls = found.setdefault(child.targets[0].id, [])
                    if isinstance(child.value, ast.Call):
                        calls.append(child.value)
                    else:
                        calls.append(None)
                elif isinstance(child, (ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr)):
                    for name in ast.walk(child.target if not isinstance(child, ast.With) else child):
                        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                            found.setdefault(name.id, []).append(None)
            self._assigned[scope] = found
        return found


def _simple(params: ast.arguments) -> bool:
    """Parameters bound by position or name only (no ``*args``, ``**kwargs``, keyword-only)."""
    return not (params.vararg or params.kwarg or params.kwonlyargs or params.posonlyargs)


def _own_nodes(function: FunctionNode) -> list[ast.AST]:
    """The nodes of ``function``'s body outside the functions, lambdas and classes it defines."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = list(function.body)
    while todo and len(found) <= _MAX_NODES:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return found
