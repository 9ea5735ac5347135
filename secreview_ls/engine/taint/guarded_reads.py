"""Request reads checked in a condition and read again where the condition holds.

``if url_has_allowed_host_and_scheme(request.GET.get("next"), None): return redirect(request.GET.get("next"))``
checks one read of a request value and uses another read of the same value: both reads spell
the same ``mapping.get(constant)`` of a request mapping that does not change, so the second one
is the value the check vouched for. Only plain reads count (a name or attribute path, then
``get`` / ``getlist`` with constant arguments); the reads inside the branch the check guards
(an ``if`` body or the true arm of a conditional expression) are cleaned as the check cleans.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

_READS = frozenset({"get", "getlist", "getone"})

Checked = Callable[[ast.Call], "tuple[ast.expr | None, frozenset[str]] | None"]


def plain_read(node: ast.AST) -> bool:
    """``request.GET.get("next")``: a constant-key read of a name or attribute path."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _READS):
        return False
    if node.keywords or not node.args or not all(isinstance(a, ast.Constant) for a in node.args):
        return False
    base: ast.expr = node.func.value
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name)


def _conjuncts(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [part for value in test.values for part in _conjuncts(value)]
    return [test]


def guarding(read: ast.Call, parent: Callable[[ast.AST], ast.AST | None], checked: Checked) -> frozenset[str]:
    """The classes the guards of one read clean (empty when none), from the
    read up: the ``if`` statements and conditional expressions whose body holds it, whose test
    checks a read spelled the same. A keystroke's analysis evaluates a few reads, in the
    functions it analyzes again, of a module with thousands of branches."""
    if not plain_read(read):
        return frozenset()
    found: frozenset[str] = frozenset()
    spelled = None
    child: Any = read
    node = parent(read)
    while node is not None and not isinstance(node, ast.Module):  # (the module: no branch above)
        if isinstance(node, ast.If):
            inside = any(statement is child for statement in node.body)
        else:
            inside = isinstance(node, ast.IfExp) and node.body is child
        if inside:
            for test in _conjuncts(node.test):  # type: ignore[attr-defined]
                if not isinstance(test, ast.Call):
                    continue
                check = checked(test)
                if check is None or not plain_read(check[0]):
                    continue
                target, classes = check
                if spelled is None:
                    spelled = ast.dump(read)
                if target is not read and ast.dump(target) == spelled:  # type: ignore[arg-type]
                    found |= classes
        child, node = node, parent(node)
    return found
