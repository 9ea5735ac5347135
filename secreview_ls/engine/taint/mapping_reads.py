"""Names a function reads as a mapping: ``doc["type"]``, ``doc.get("id")``, ``doc.items()``.

A parsed JSON document may be an object, an array or a bare string; one the function reads by a
string key or with a dict's own methods is an object (a string or a list would raise there). Written
whole as text (``str(doc)``, ``log.info("%s", doc)``) an object shows each of its strings as a
``repr``, line breaks escaped. The reads are collected from the function's whole body, not only
those before a use: a handler reads the keys of the body it dispatches on before it logs it.
"""

from __future__ import annotations

import ast

_MAPPING_METHODS = frozenset({"get", "items", "keys", "values", "setdefault"})
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def mapping_names(function: ast.AST) -> frozenset[str]:
    """Local names ``function`` reads by a constant string key or a dict method (not inside the
    functions and classes it defines)."""
    found: set[str] = set()
    stack = list(ast.iter_child_nodes(function))
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
