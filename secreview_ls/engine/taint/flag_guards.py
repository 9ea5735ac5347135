"""Sinks a flag parameter switches on: ``def check(value, *, truncate=False)`` that logs ``value``
only under ``if truncate and ...:`` reaches the log only for a call that passes ``truncate``.

A summary's effect records the parameters (by position) that must be truthy for its sink to run:
those with a falsy constant default (``False``, ``None``, ``0``, ``""``) that the function never
rebinds, tested as the ``if``'s whole condition or as one operand of its ``and``, with the sink in
that ``if``'s body. A call leaving such a parameter to its default cannot reach the sink; a call
passing anything for it may.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from .module_definitions import FunctionNode


def switched_by(fn: ast.AST, target: ast.AST) -> tuple[int, ...]:
    """The positions of ``fn``'s flag parameters that must be truthy for ``target`` (a node in
    ``fn``'s own body) to run; empty when there are none."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ()
    if not (fn.args.defaults or fn.args.kw_defaults):
        return ()
    flags = _flag_parameters(fn)
    if not flags:
        return ()
    line = getattr(target, "lineno", None)
    if line is None:
        return ()
    found: list[int] = []
    body: list[ast.stmt] = fn.body
    while body:
        statement = next((s for s in body if s.lineno <= line <= (s.end_lineno or s.lineno)), None)
        if statement is None or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
        body = _inner_body(statement, line, flags, found)
    return tuple(sorted(set(found)))


def _inner_body(statement: ast.stmt, line: int, flags: dict[str, int], found: list[int]) -> list[ast.stmt]:
    """The statements of ``statement`` holding ``line`` (empty when none does); a flag the
    statement's ``if`` requires for that body is added to ``found``."""
    if isinstance(statement, ast.If):
        if _within(statement.body, line):
            found.extend(flags[name] for name in _required_names(statement.test) if name in flags)
            return statement.body
        return statement.orelse if _within(statement.orelse, line) else []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and _within(block, line):
            return block
    for handler in getattr(statement, "handlers", ()):
        if _within(handler.body, line):
            return handler.body
    for case in getattr(statement, "cases", ()):
        if _within(case.body, line):
            return case.body
    return []


def _within(block: list[ast.stmt], line: int) -> bool:
    return bool(block) and block[0].lineno <= line <= (block[-1].end_lineno or block[-1].lineno)


def _required_names(test: ast.expr) -> list[str]:
    """Names the condition is false without: ``flag`` itself, or an operand of a top-level ``and``."""
    if isinstance(test, ast.Name):
        return [test.id]
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [value.id for value in test.values if isinstance(value, ast.Name)]
    return []


@lru_cache(maxsize=256)
def _flag_parameters(fn: FunctionNode) -> dict[str, int]:
    """Parameters with a falsy constant default that the body never rebinds: name → position
    (as the summary numbers them: positional ones first, then keyword-only ones)."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    flags: dict[str, int] = {}
    for index, (arg, default) in enumerate(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    ):
        if _falsy_constant(default):
            flags[arg.arg] = len(positional) - len(args.defaults) + index
    for index, (arg, default) in enumerate(zip(args.kwonlyargs, args.kw_defaults, strict=True)):
        if default is not None and _falsy_constant(default):
            flags[arg.arg] = len(positional) + index
    if flags:
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in flags:
                del flags[node.id]
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    flags.pop(name, None)
            if not flags:
                break
    return flags


def _falsy_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def leaves_default(call: ast.Call, args: dict[int, object], positions: tuple[int, ...]) -> bool:
    """Whether ``call`` surely passes nothing for one of the parameters at ``positions`` (``args``:
    what it binds, by position); a ``*`` or ``**`` argument may pass any of them."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return False
    return not all(index in args for index in positions)
