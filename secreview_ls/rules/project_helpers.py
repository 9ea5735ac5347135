"""Calls judged by what the called function returns, where that function is defined in another
file of the project (``escape_html(x)``, ``app/text.py`` returning ``html.escape(x)``) or is a
module-level function of this one, with the values the call passes.

The project index (``ProjectIndex.definition``) gives the other file's facts and its ``def``; the
function's returns are judged in a context of that file. While they are, a parameter the
function never rebinds stands for what the call passes for it (its default where the call leaves
it out), judged where that value is written: ``wrap(escape(x))`` with ``def wrap(s): return
"<b>" + s + "</b>"`` builds escaped text, ``wrap(x)`` does not.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable

from .base import CacheKey, RuleContext
from .callers import FunctionNode, parameter_of

# A value passed for a parameter: the context it is written in and the expression.
Passed = tuple[RuleContext, ast.expr]
_CONTEXTS: CacheKey[dict[str, RuleContext]] = CacheKey("contexts of other project files, by path")
_BOUND = threading.local()  # per thread: (function, {parameter: passed value}) of the calls being judged


def project_function(ctx: RuleContext, call: ast.Call) -> tuple[RuleContext, FunctionNode] | None:
    """The function of another project file ``call`` calls, with a context of that file; None
    when there is no project index or the callee is not a ``def`` of another of its files."""
    definition = getattr(ctx.project, "definition", None)
    name = ctx.facts.qualname(call.func)
    if definition is None or not name or "." not in name:
        return None
    found = definition(name, ctx.path)
    if found is None:
        return None
    facts, function = found
    contexts = ctx.cache.get(_CONTEXTS, dict)
    other = contexts.get(facts.source.path)
    if other is None or other.facts is not facts:
        other = contexts[facts.source.path] = RuleContext(
            source=facts.source, facts=facts, project=ctx.project, taint_spec=ctx.taint_spec
        )
    return other, function


def judged_with_arguments(
    ctx: RuleContext, call: ast.Call, callee: RuleContext, function: FunctionNode, judge: Callable[[], bool]
) -> bool:
    """``judge()`` run while the parameters of ``function`` (in ``callee``) stand for what
    ``call`` (in ``ctx``) passes."""
    return judged_with_values(function, _passed(ctx, call, callee, function), judge)


def passed_for(ctx: RuleContext, name: ast.Name) -> Passed | None:
    """What the call being judged passes for the parameter ``name`` (see the module docstring)."""
    stack = getattr(_BOUND, "stack", None)
    if not stack:
        return None
    function = parameter_of(ctx, name)
    if function is None:
        return None
    for bound, passed in reversed(stack):
        if bound is function:
            if name.id not in passed or _rebinds(function, name.id):
                return None
            return passed[name.id]
    return None


def forwarded_first(ctx: RuleContext, starred: ast.expr) -> Passed | None:
    """What the call being judged passes first into ``*args`` where ``starred`` (``*args``)
    forwards the enclosing function's own ``*args`` (``def wrap(*args): return f(*args)``)."""
    stack = getattr(_BOUND, "stack", None)
    if not stack or not isinstance(starred, ast.Starred) or not isinstance(starred.value, ast.Name):
        return None
    name = starred.value.id
    function = next(
        (a for a in ctx.facts.ancestors(starred) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), None
    )
    if function is None or function.args.vararg is None or function.args.vararg.arg != name:
        return None
    for bound, passed in reversed(stack):
        if bound is function:
            return None if _rebinds(function, name) else passed.get("*" + name)
    return None


def judged_with_values(function: FunctionNode, passed: dict[str, Passed], judge: Callable[[], bool]) -> bool:
    """``judge()`` run while the named parameters of ``function`` stand for the given values."""
    stack: list[tuple[FunctionNode, dict[str, Passed]]] = getattr(_BOUND, "stack", None) or []
    _BOUND.stack = [*stack, (function, passed)]
    try:
        return judge()
    finally:
        _BOUND.stack = stack


def _rebinds(function: FunctionNode, name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)
        for node in ast.walk(function)
    )


def _passed(ctx: RuleContext, call: ast.Call, callee: RuleContext, function: FunctionNode) -> dict[str, Passed]:
    """Each parameter of ``function`` a plain ``call`` binds: the argument, else the default; none
    for a call unpacking ``*args`` or ``**kwargs`` (which parameter gets what is not written)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return {}
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    decorators = {d.id for d in function.decorator_list if isinstance(d, ast.Name)}
    if "classmethod" in decorators:
        positional = positional[1:]
    passed: dict[str, Passed] = {}
    for arg, value in zip(positional, call.args, strict=False):
        passed[arg.arg] = (ctx, value)
    if args.vararg is not None and len(call.args) > len(positional):
        # the first value ``*args`` collects, for a call forwarding ``*args`` (``forwarded_first``)
        passed["*" + args.vararg.arg] = (ctx, call.args[len(positional)])
    named = {a.arg for a in (*positional, *args.kwonlyargs)}
    for keyword in call.keywords:
        if keyword.arg in named:
            passed[keyword.arg] = (ctx, keyword.value)
    with_default = positional[len(positional) - len(args.defaults) :]
    defaults = [*zip(with_default, args.defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    for arg, default in defaults:
        if default is not None and arg.arg not in passed:
            passed[arg.arg] = (callee, default)
    return passed
