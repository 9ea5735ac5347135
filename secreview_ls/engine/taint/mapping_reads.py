"""Names a function reads as a mapping: ``doc["type"]``, ``doc.get("id")``, ``doc.items()``.

A parsed JSON document may be an object, an array or a bare string; one the function reads by a
string key or with a dict's own methods is an object (a string or a list would raise there). Written
whole as text (``str(doc)``, ``log.info("%s", doc)``) an object shows each of its strings as a
``repr``, line breaks escaped. The reads are collected from the function's whole body, not only
those before a use: a handler reads the keys of the body it dispatches on before it logs it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import lru_cache

_MAPPING_METHODS = frozenset({"get", "items", "keys", "values", "setdefault"})
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Between a name and its ``[`` or ``.get``: spaces, line continuations, closing parentheses
# (``(doc)["type"]``) and comments (inside brackets).
_GAP = r"(?:[\s)\\]|#[^\n]*)*"
_METHODS_ALTERNATION = "|".join(sorted(_MAPPING_METHODS))


def may_read_as_mapping(function: ast.AST, name: str, segment: Callable[[ast.AST], str]) -> bool:
    """Whether a function's source text (``segment``) can hold a read of ``name`` by key or by a
    dict method: a cheap test before walking its tree (every such read is spelled so). The body of
    a module is walked without it."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return True
    text = segment(function)
    if name not in text:
        return False
    return _read_pattern(name).search(text) is not None


@lru_cache(maxsize=512)
def _read_pattern(name: str) -> re.Pattern[str]:
    """A read of ``name`` by key or dict method, spelled out (asked for a few names in every function)."""
    return re.compile(rf"(?<![\w.]){re.escape(name)}\b{_GAP}(?:\[|\.{_GAP}(?:{_METHODS_ALTERNATION})\b)")


def mapping_names(function: ast.AST) -> frozenset[str]:
    """Local names ``function`` reads by a constant string key or a dict method in its body (not
    inside the functions and classes it defines)."""
    found: set[str] = set()
    body = getattr(function, "body", None)  # not its decorators and defaults, run outside it
    stack: list[ast.AST] = list(body) if isinstance(body, list) else [body] if isinstance(body, ast.AST) else [function]
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED):
            continue
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.add(node.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and node.func.attr in _MAPPING_METHODS:
                found.add(receiver.id)
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(found)
