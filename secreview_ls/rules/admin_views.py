"""Views only an administrator can open: a server path they type is configuration, not an attack.

A server's settings pages let its administrator name folders and files on the server (a library
folder, a database file, a folder to test for writing): the view probes, lists or creates what
they typed, by design, and the administrator already decides what the server reads. Such a view
is recognised by a decorator that is not a route and whose names hold the word ``admin`` or
``superuser`` (``@admin_required``, ``@superuser_required``, ``@Permissions.ADMIN.require(403)``),
or by a FastAPI dependency of the route so named (``user=Depends(get_admin_user)``,
``dependencies=[Depends(check_admin)]``), or is a function of the module that only such views call. The path rules (SR804, SR816) and the
stack-trace rule (SR822) leave a flow whose source is read there; the other rules do not (an administrator's text can still carry
markup to other users' pages or forge a log line)."""

from __future__ import annotations

import ast
import re

from ..engine.facts import FunctionNode, ModuleFacts
from ..engine.taint.values import Origin
from .base import CacheKey, RuleContext
from .taint_extra import FILE_PROBE
from .taint_traces import TRACE

_ADMIN_WORDS = frozenset({"admin", "administrator", "superuser", "superadmin"})
_ROUTES = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "head", "options", "api_route", "websocket", "register"}
)
_DEPENDENCY_CALLS = frozenset({"Depends", "Security"})
_EITHER_WORDS = frozenset({"or", "owner"})  # ``get_admin_or_owner``: others pass it too
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_MAX_CALLER_DEPTH = 2


def _words(node: ast.AST) -> set[str]:
    names: list[str] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.append(inner.id)
        elif isinstance(inner, ast.Attribute):
            names.append(inner.attr)
    return {word.lower() for name in names for word in _WORD.findall(name)}


def _admin_decorator(decorator: ast.expr) -> bool:
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    last = called.attr if isinstance(called, ast.Attribute) else called.id if isinstance(called, ast.Name) else ""
    return last not in _ROUTES and bool(_words(decorator) & _ADMIN_WORDS)


def _admin_dependency(node: ast.AST) -> bool:
    """A FastAPI dependency (``Depends(get_admin_user)``, ``Security(require_superuser)``) whose
    names say only an administrator passes it (not ``get_admin_or_owner``)."""
    if not (isinstance(node, ast.Call) and node.args):
        return False
    called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    words = _words(node.args[0])
    return called in _DEPENDENCY_CALLS and bool(words & _ADMIN_WORDS) and not words & _EITHER_WORDS


def _admin_dependencies(function: FunctionNode) -> bool:
    """A route whose ``dependencies=[...]``, or a parameter's default or ``Annotated`` type, is
    an administrator-only dependency: FastAPI refuses everyone else before the body runs."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "dependencies" and any(_admin_dependency(n) for n in ast.walk(keyword.value)):
                    return True
    args = function.args
    given = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    given += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation is not None]
    return any(_admin_dependency(n) for node in given for n in ast.walk(node))


def _callers(facts: ModuleFacts, function: FunctionNode) -> list[FunctionNode | None]:
    """The functions of the module calling ``function`` by its name (``check()``, ``self.check()``)."""
    found: list[FunctionNode | None] = []
    for call in facts.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name == function.name:
            found.append(facts.enclosing_function(call))
    return found


def administrators_only(facts: ModuleFacts, function: FunctionNode, depth: int = 0) -> bool:
    """Only an administrator reaches ``function``: its decorator says so, or every call of it in
    the module is in such a function."""
    if any(_admin_decorator(d) for d in function.decorator_list) or _admin_dependencies(function):
        return True
    if depth >= _MAX_CALLER_DEPTH or function.decorator_list:
        return False  # a decorated function (a route) is reached from outside the module
    callers = _callers(facts, function)
    return bool(callers) and all(
        caller is not None and caller is not function and administrators_only(facts, caller, depth + 1)
        for caller in callers
    )


def function_at(facts: ModuleFacts, line: int) -> FunctionNode | None:
    """The innermost function of the module whose lines hold ``line`` (its ``def`` line included)."""
    best: FunctionNode | None = None
    for function in facts.functions:
        end = function.end_lineno or function.lineno
        if function.lineno <= line <= end and (best is None or function.lineno >= best.lineno):
            best = function
    return best


# The classes whose flows an administrator's own settings page starts by design (or, for a
# traceback, shows to the administrator who may read it).
ADMIN_CONFIGURED = frozenset({"path", FILE_PROBE, TRACE})


def read_in_admin_view(ctx: RuleContext, origin: Origin) -> bool:
    """The flow's source is read in this module, in a function only administrators reach."""
    if origin.kind != "source" or (origin.path is not None and origin.path != ctx.path):
        return False
    facts = ctx.facts
    known = ctx.cache.get(_ADMIN_FUNCTIONS, dict)
    function = function_at(facts, origin.span.start_line)
    if function is None:
        return False
    if id(function) not in known:
        known[id(function)] = administrators_only(facts, function)
    return known[id(function)] and not _uploaded(origin, function)


def _uploaded(origin: Origin, function: FunctionNode) -> bool:
    """The source is an uploaded file (``request.files``, a parameter typed ``UploadFile`` or
    given by ``File(...)``): its name and content are data sent with the request, not a setting
    the administrator types."""
    if "files" in _WORD.findall(origin.text.lower()):
        return True
    name = origin.text.rsplit("`", 2)[-2] if origin.text.count("`") >= 2 else ""
    args = function.args
    for arg, default in _with_defaults(args):
        if arg.arg == name:
            typed = arg.annotation is not None and "upload" in _words(arg.annotation)
            given = isinstance(default, ast.Call) and _called(default.func) == "File"
            return typed or given
    return False


def _called(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _with_defaults(args: ast.arguments) -> list[tuple[ast.arg, ast.expr | None]]:
    positional = [*args.posonlyargs, *args.args]
    padded: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    return [*zip(positional, padded, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]


_ADMIN_FUNCTIONS: CacheKey[dict[int, bool]] = CacheKey("functions only administrators reach")
