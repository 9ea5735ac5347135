"""Calls of lambdas and of nested functions that read their enclosing function's variables.

Such a function has no summary of its own that knows those variables, so a call runs its body
where it is called: its parameters bound to the arguments, every other name read as the caller
sees it at the call (``build = lambda v: "ping " + v``; ``def build(): return "ping " + host``).
Sinks in the body are checked with the caller's values; what it returns is the call's value.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from .callable_aliases import CallsThrough
from .frameworks import Entry
from .state import Env, Frame, join_envs
from .values import EMPTY, Val, join

if TYPE_CHECKING:
    from .ports import Evaluator

LAMBDA_KIND = "lambda@"
_MAX_DEPTH = 3
# A closure larger than this (in syntax nodes) is left to its summary: each call runs the body
# again, and a long helper called many times would cost more than it tells.
_MAX_NODES = 300
Callable = ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef


class Closures:
    """Runs lambdas and closures at their calls."""

    def __init__(self, interpreter: Evaluator) -> None:
        self.interpreter = interpreter
        self._lambdas: dict[str, ast.Lambda] = {}
        self._active: list[Callable] = []
        self._free: dict[ast.AST, frozenset[str]] = {}
        self._nonlocal: dict[ast.AST, frozenset[str]] = {}
        self.through = CallsThrough(interpreter.facts.tree)  # calls through a local alias or a dispatch table

    def lambda_value(self, node: ast.Lambda) -> Val:
        """The value of a lambda expression: a handle its calls are run through."""
        # this module's own handle: a value from another module's summary finds no lambda here
        key = f"{LAMBDA_KIND}{id(self)}:{node.lineno}:{node.col_offset}"
        self._lambdas[key] = node
        return Val(kind=key)

    def call(self, node: ast.Call, env: Env, fn: Frame) -> Val | None:
        """The value of ``node`` when it calls a lambda or a closure, or a function through a
        local alias or a dispatch table (``callable_aliases.py``); None for any other call."""
        func = node.func
        through: list[ast.Call] = []
        if isinstance(func, ast.Name) and func.id in env and (aliased := self.through.alias(node, fn.node)):
            through = [aliased]
        elif isinstance(func, ast.Subscript):
            through = self.through.table(node, func, env, fn.node)
        if through:
            self.interpreter.results.note_made_node(*through)  # a sink found in a made call is placed by its lines
            value = EMPTY
            for made in through:
                value = join(value, self.interpreter.eval(made, env, fn))
            return value
        if isinstance(func, ast.Subscript):
            return None
        target = self._target(node.func, env, fn)
        if target is None or target in self._active or len(self._active) >= _MAX_DEPTH:
            return None
        local = self._bound(target, node, env, fn)
        if local is None:
            return None
        shared = self._nonlocal_names(target) & env.keys()
        if not shared:
            return self.run(target, local, fn)
        # ``nonlocal name`` rebound in the body: the caller's ``name`` is what the body left in it
        ends: list[Env] = []
        value = self.run(target, local, fn, ends)
        after = join_envs(ends)
        if after is not None:
            for name in shared:
                env[name] = after.get(name, env[name])
        return value

    def can_run(self, target: Callable) -> bool:
        """``target`` may be run at a call now (not already running, not too deep)."""
        return target not in self._active and len(self._active) < _MAX_DEPTH

    def run(self, target: Callable, local: Env, fn: Frame, ends: list[Env] | None = None) -> Val:
        """The value of ``target``'s body run with ``local`` as its names; its sinks are the caller's
        (``ends``, when given, receives the names as each way out of the body leaves them)."""
        frame = replace(
            fn,
            node=target if not isinstance(target, ast.Lambda) else fn.node,
            entry=Entry(),
            returns=EMPTY,
            returned=False,
            loops=[],
            effects={},
            self_name=None if ends is None else "<exits>",  # a name never written: ``return`` keeps its names
            exits=[],
            lookups={},
            parsed_urls={},
            found={},
        )
        self._active.append(target)
        try:
            if isinstance(target, ast.Lambda):
                value = self.interpreter.eval(target.body, local, frame)
            else:
                after = self.interpreter.block(target.body, local, frame)
                value = frame.returns
                if ends is not None:
                    ends.extend([*([after] if after is not None else []), *frame.exits])
        finally:
            self._active.pop()
        for effect in frame.effects.values():
            # the flags an inlined function's own parameters switch on are not the caller's
            fn.add_effect(replace(effect, switched_by=()) if effect.switched_by else effect)
        return value

    def _target(self, func: ast.expr, env: Env, fn: Frame) -> Callable | None:
        if isinstance(func, ast.Lambda):
            return func
        if not isinstance(func, ast.Name):
            return None
        value = env.get(func.id)
        if value is None:
            value = self.interpreter.globals.get(func.id)
        if value is not None and value.kind is not None and value.kind.startswith(LAMBDA_KIND):
            return self._lambdas.get(value.kind)
        nested = fn.local_defs.get(func.id)
        if nested is None or (value is not None and not value.is_empty):
            return None
        if nested.decorator_list or not ((self._free_names(nested) | self._nonlocal_names(nested)) & env.keys()):
            return None  # reads nothing of the caller's (or too long to run at each call): its summary serves
        return nested

    def _nonlocal_names(self, target: Callable) -> frozenset[str]:
        """Names the body of ``target`` declares ``nonlocal`` (none for a lambda or a long body)."""
        if isinstance(target, ast.Lambda):
            return frozenset()
        found = self._nonlocal.get(target)
        if found is None:
            declared: set[str] = set()
            for count, child in enumerate(ast.walk(target)):
                if count > _MAX_NODES:
                    declared.clear()  # too long to run at each call
                    break
                if isinstance(child, ast.Nonlocal):
                    declared.update(child.names)
            found = self._nonlocal[target] = frozenset(declared)
        return found

    def _free_names(self, target: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
        """Names the function reads but never binds itself (none for a function of more than
        ``_MAX_NODES`` nodes)."""
        free = self._free.get(target)
        if free is None:
            loaded: set[str] = set()
            bound = {a.arg for a in (*target.args.posonlyargs, *target.args.args, *target.args.kwonlyargs)}
            count = 0
            for child in ast.walk(target):
                count += 1
                if count > _MAX_NODES:
                    loaded.clear()  # too long to run at each call
                    break
                if isinstance(child, ast.Name):
                    (loaded if isinstance(child.ctx, ast.Load) else bound).add(child.id)
            free = self._free[target] = frozenset(loaded - bound)
        return free

    def _bound(self, target: Callable, node: ast.Call, env: Env, fn: Frame) -> Env | None:
        """The caller's environment with the parameters bound; None for a call not bound here
        (``*args``, ``**kwargs``, keyword-only or positional-only parameters)."""
        return bind_arguments(self.interpreter.eval, target.args, node, env, fn, env)


def bind_arguments(
    evaluate: Callable[[ast.expr, Env, Frame], Val],
    params: ast.arguments,
    node: ast.Call,
    env: Env,
    fn: Frame,
    base: Env,
) -> Env | None:
    """``base`` with ``params`` bound to the arguments of ``node`` evaluated in ``env`` (defaults
    where left out); None for a call not bound simply (``*args``, ``**kwargs``, keyword-only or
    positional-only parameters, unpacked arguments, a name given twice or unknown)."""
    if params.vararg or params.kwarg or params.kwonlyargs or params.posonlyargs:
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    names = [a.arg for a in params.args]
    if len(node.args) > len(names):
        return None
    given: dict[str, Val] = {name: evaluate(arg, env, fn) for name, arg in zip(names, node.args, strict=False)}
    for keyword in node.keywords:
        if keyword.arg not in names or keyword.arg in given:
            return None
        given[keyword.arg] = evaluate(keyword.value, env, fn)
    defaults = dict(zip(names[len(names) - len(params.defaults) :], params.defaults, strict=True))
    local = dict(base)
    for name in names:
        if name in given:
            local[name] = given[name]
        elif name in defaults:
            local[name] = evaluate(defaults[name], env, fn)
        else:
            return None
    return local
