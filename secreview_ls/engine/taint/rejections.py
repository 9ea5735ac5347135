"""Searches for forbidden characters used as an early exit: ``if _find_unsafe(name): return``.

A test that *searches* a value for characters and leaves when it finds one proves, on the path
that goes on, that the value holds none of them. The pattern is read from the source (``re.search``
with a literal pattern, ``re.compile(P).search`` called directly or through a module-level alias
such as ``_find_unsafe = re.compile(P).search``) and tried on each character that matters: the
value is clean of shell syntax when the search finds every shell metacharacter and blank, of
quotes when it finds both quote characters.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from ..facts import ModuleFacts

SHELL_SYNTAX = ";&|`$<>()\n\r'\"\\ \t*?[]{}~!#"
QUOTES = "'\""


def rejected_characters(facts: ModuleFacts, call: ast.Call) -> tuple[ast.expr, str] | None:
    """The value a search call looks into and the characters among ``SHELL_SYNTAX`` it finds."""
    pattern: str | None = None
    target: ast.expr | None = None
    name = facts.qualname(call.func)
    if name == "re.search" and len(call.args) >= 2:
        pattern, target = _literal(call.args[0]), call.args[1]
    elif call.args:
        pattern, target = _search_pattern(facts, call.func), call.args[0]
    if pattern is None or target is None:
        return None
    found = _found(pattern)
    return (target, found) if found else None


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _search_pattern(facts: ModuleFacts, func: ast.expr) -> str | None:
    """``re.compile(P).search`` itself, through a name bound to it, or ``NAME.search`` with
    ``NAME = re.compile(P)`` (names bound once at module level)."""
    if isinstance(func, ast.Name):
        bound = _module_value(facts, func.id)
        return _search_pattern(facts, bound) if isinstance(bound, ast.Attribute) else None
    if not (isinstance(func, ast.Attribute) and func.attr == "search"):
        return None
    compiled = func.value
    if isinstance(compiled, ast.Name):
        compiled = _module_value(facts, compiled.id)
    if isinstance(compiled, ast.Call) and facts.qualname(compiled.func) == "re.compile" and compiled.args:
        return _literal(compiled.args[0])
    return None


def _module_value(facts: ModuleFacts, name: str) -> ast.expr | None:
    """The value of the one module-level ``name = value`` (None: no such statement, or several)."""
    values = facts.module_assignments(name)
    return values[0] if len(values) == 1 else None


@lru_cache(maxsize=256)
def _found(pattern: str) -> str:
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return ""
    return "".join(c for c in SHELL_SYNTAX if compiled.search(c))
