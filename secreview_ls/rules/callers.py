"""The calls of a function inside its own module, and what each passes for a parameter: a
value judged at every call site of a private helper (``self._query("table", ...)``) instead
of at the helper, where the parameter alone says nothing.

Only a method's ``self.name(...)`` / ``cls.name(...)`` calls inside its own class are followed:
the class is one top-level statement, so an editor re-analysing just the edited statement
judges the same way as a whole-file scan. A plain function (its callers may sit anywhere in the
module or outside it) and a method with no such call (a public API) give no answer.
"""

from __future__ import annotations

import ast

from ..engine.facts import parameter_names
from .base import CacheKey, RuleContext

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


_CALLS_BY_CLASS: CacheKey[dict[int, tuple[ast.ClassDef, dict[str, list[ast.Call]]]]] = CacheKey(
    "each class's self.name(...) calls, by name"
)


def calls_of(ctx: RuleContext, function: FunctionNode) -> list[ast.Call]:
    """Calls of ``function`` (see the module docstring)."""
    owner = ctx.facts.parent(function)
    if not isinstance(owner, ast.ClassDef):
        return []
    indexes = ctx.cache.get(_CALLS_BY_CLASS, dict)
    entry = indexes.get(id(owner))
    if entry is None or entry[0] is not owner:
        by_name: dict[str, list[ast.Call]] = {}
        for call in ast.walk(owner):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id in ("self", "cls")
            ):
                by_name.setdefault(call.func.attr, []).append(call)
        entry = indexes[id(owner)] = (owner, by_name)
    return list(entry[1].get(function.name, []))


def parameter_of(ctx: RuleContext, name: ast.Name) -> FunctionNode | None:
    """The function ``name`` is a parameter of (``None`` for a lambda's or any other name)."""
    function = ctx.facts.enclosing_function(name)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return function if name.id in parameter_names(function) else None


def passed_values(ctx: RuleContext, function: FunctionNode, parameter: str) -> list[ast.expr] | None:
    """What every call of ``function`` passes for ``parameter`` (its default where a call
    leaves it out), or None when a call cannot be read (``*args``, ``**kwargs``) or there is
    no call."""
    calls = calls_of(ctx, function)
    if not calls:
        return None
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    method = isinstance(ctx.facts.parent(function), ast.ClassDef) and positional[:1] in (["self"], ["cls"])
    default = _default(function, parameter)
    values: list[ast.expr] = []
    for call in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        passed = next((k.value for k in call.keywords if k.arg == parameter), None)
        if passed is None and parameter in positional:
            index = positional.index(parameter) - (1 if method else 0)
            passed = call.args[index] if 0 <= index < len(call.args) else None
        passed = passed if passed is not None else default
        if passed is None:
            return None
        values.append(passed)
    return values


def _default(function: FunctionNode, parameter: str) -> ast.expr | None:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    with_default = positional[len(positional) - len(args.defaults) :]
    for arg, value in zip(with_default, args.defaults, strict=True):
        if arg.arg == parameter:
            return value
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == parameter:
            return kw_default
    return None
