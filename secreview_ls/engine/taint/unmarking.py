"""``Markup(v).unescape()`` / ``.striptags()``: a markup object made only to get plain text back
(entities decoded, tags removed), so nothing is left that a template trusts as HTML."""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection

# Methods of a markup object that give its text back as plain ``str``.
UNMARKING_METHODS = frozenset({"unescape", "striptags"})


def unmarked_at_once(
    parent: Callable[[ast.AST], ast.AST | None], node: ast.Call, methods: Collection[str] = UNMARKING_METHODS
) -> bool:
    """The call's result is only handed to a method in ``methods``. ``parent``: the facts' parent map."""
    attribute = parent(node)
    if not (isinstance(attribute, ast.Attribute) and attribute.value is node and attribute.attr in methods):
        return False
    called = parent(attribute)
    return isinstance(called, ast.Call) and called.func is attribute
