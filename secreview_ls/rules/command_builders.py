"""Shell commands a module's own command builder makes: the command is the return value of a
function or method of the same module that quotes what it puts in (``shlex.quote``) or refuses a
value holding a character outside a safe set (``if _find_unsafe(name): return None`` with
``_find_unsafe = re.compile(r"[^\\w@%+=:,./-]").search``). Such a builder's callers choose the
commands it joins (a pipeline's steps, a mailcap entry): the command is what the builder's caller
handed in, the hardening note SR207, like a command a function is handed directly. A builder that
neither quotes nor checks (``return "ls " + name``) gives no such command."""

from __future__ import annotations

import ast
import re

from ..engine.facts import own_nodes
from .base import RuleContext
from .fixed_values import scope_of, stored_value, stores_in
from .judge import is_static, own_returns, static_string

_QUOTING = frozenset({"shlex.quote", "pipes.quote", "shlex.join", "subprocess.list2cmdline"})
_REGEX_CALLS = frozenset({"re.search", "re.match", "re.fullmatch"})
# ``[^...]`` searched for (a character outside the set), or ``[...]+`` the whole value must match.
_UNSAFE_CLASS = re.compile(r"^\[\^[^\]]+\]$")
_SAFE_CLASS = re.compile(r"^\^?\[[^\]^][^\]]*\][+*]\$?$|^\^?\[[^\]^][^\]]*\][+*]\\Z$")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def built_by_checking_builder(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """``node`` is (a name bound only to) what a checking command builder of the module returns."""
    if node is None or depth > 3:
        return False
    if isinstance(node, ast.Name):
        return _name_built(ctx, node, depth)
    if isinstance(node, ast.Call):
        function = _callee(ctx, node)
        return function is not None and _builder_returns(ctx, function, None, depth)
    return False


def _name_built(ctx: RuleContext, name: ast.Name, depth: int) -> bool:
    stores = stores_in(ctx, scope_of(ctx, name), name.id)
    built = False
    for store in stores:
        value = stored_value(store)
        index = _tuple_index(store, name.id)
        if isinstance(value, ast.Call) and (function := _callee(ctx, value)) is not None:
            if not _builder_returns(ctx, function, index, depth):
                return False
            built = True
        elif value is None or not (is_static(ctx, value) or _extends(ctx, value, name.id)):
            return False
    return built


def _extends(ctx: RuleContext, value: ast.AST, name: str) -> bool:
    """``"set -x; " + cmd``: the name's own value with fixed text added."""
    if not isinstance(value, (ast.BinOp, ast.JoinedStr)):
        return False
    parts = [n for n in ast.walk(value) if isinstance(n, ast.Name)]
    others = [n for n in ast.iter_child_nodes(value) if not isinstance(n, ast.Name)]
    return (
        bool(parts)
        and all(n.id == name for n in parts)
        and all(is_static(ctx, n) or isinstance(n, (ast.FormattedValue, ast.operator)) for n in others)
    )


def _tuple_index(store: ast.AST, name: str) -> int | None:
    """Where ``name`` sits in ``a, b = call()`` (None for a plain ``name = call()``)."""
    targets = store.targets if isinstance(store, ast.Assign) else []
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            for i, element in enumerate(target.elts):
                if isinstance(element, ast.Name) and element.id == name:
                    return i
    return None


def _callee(ctx: RuleContext, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The module-level function (``build(...)``) or method of the enclosing class
    (``self.build(...)``) a call runs, when the module defines exactly one."""
    func = call.func
    if isinstance(func, ast.Name):
        found = [n for n in ctx.facts.tree.body if isinstance(n, _FUNCTIONS) and n.name == func.id]  # type: ignore[attr-defined]
        return found[0] if len(found) == 1 else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
        owner = next((a for a in ctx.facts.ancestors(call) if isinstance(a, ast.ClassDef)), None)
        found = [n for n in owner.body if isinstance(n, _FUNCTIONS) and n.name == func.attr] if owner else []
        return found[0] if len(found) == 1 else None
    return None


def _builder_returns(
    ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef, index: int | None, depth: int
) -> bool:
    """The function checks or quotes the values it builds with, or each value it returns (the
    ``index``-th of a returned tuple) is what such a builder returns."""
    if _checks_for_shell(ctx, function):
        return True
    returns = own_returns(function) or []
    values: list[ast.expr] = []
    for returned in returns:
        value = returned.value
        if index is not None and isinstance(value, ast.Tuple) and index < len(value.elts):
            value = value.elts[index]
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            continue
        values.append(value)
    return (
        bool(values)
        and all(is_static(ctx, v) or built_by_checking_builder(ctx, v, depth + 1) for v in values)
        and any(not is_static(ctx, v) for v in values)
    )


def _checks_for_shell(ctx: RuleContext, function: ast.AST) -> bool:
    """The function quotes a value for the shell or refuses one with a character outside a safe set."""
    for node in own_nodes(function):
        if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _QUOTING:
            return True
        if isinstance(node, ast.If) and _exits(node.body) and _charset_test(ctx, node.test):
            return True
    return False


def _exits(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, (ast.Return, ast.Raise)) for s in body)


def _charset_test(ctx: RuleContext, test: ast.expr) -> bool:
    """``unsafe(value)`` searching for a character outside a safe set, or ``not safe(value)``
    matching the whole value against one."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    call = test.operand if negated else test  # type: ignore[attr-defined]
    if not isinstance(call, ast.Call):
        return False
    pattern = _pattern_of(ctx, call)
    if pattern is None:
        return False
    return bool(_SAFE_CLASS.match(pattern)) if negated else bool(_UNSAFE_CLASS.match(pattern))


def _pattern_of(ctx: RuleContext, call: ast.Call) -> str | None:
    """The regular expression a matching call applies: ``re.search(P, v)``, ``COMPILED.search(v)``,
    or a name bound at module level to ``re.compile(P).search``."""
    if ctx.facts.qualname(call.func) in _REGEX_CALLS and call.args:
        return static_string(ctx, call.args[0])
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in {"search", "match", "fullmatch"}:
        return _compiled(ctx, func.value)
    if isinstance(func, ast.Name):
        stores = stores_in(ctx, ctx.facts.tree, func.id)
        value = stored_value(stores[0]) if len(stores) == 1 else None
        if isinstance(value, ast.Attribute) and value.attr in {"search", "match", "fullmatch"}:
            return _compiled(ctx, value.value)
    return None


def _compiled(ctx: RuleContext, node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        stores = stores_in(ctx, ctx.facts.tree, node.id)
        node = stored_value(stores[0]) if len(stores) == 1 else None  # type: ignore[assignment]
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) == "re.compile" and node.args:
        return static_string(ctx, node.args[0])
    return None
