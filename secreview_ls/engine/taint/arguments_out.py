"""Parameters a function changes in place: what a caller's argument holds after the call.

``def fill(items): items.append(request.args["x"])`` or ``def load(ctx, req): ctx.name = ...``
hand data back through the object the caller passed, not through the return value. A parameter
counts when the body stores into it (``p[k] = v``, ``p.attr = v``, also deeper: ``p.a[k] = v``)
or calls one of its growing methods (``append``, ``update`` ...), and never binds the name again
(``p = p.strip()`` makes a new value the caller never sees).
"""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet

from ..facts import subtree
from .values import Val, join, whole

# Methods that add to the object they are called on.
GROWING = frozenset(
    {"append", "appendleft", "extend", "extendleft", "insert", "add", "update", "setdefault", "push", "__setitem__"}
)


def stored_root(node: ast.expr) -> ast.expr:
    """What ``node`` is a part of: ``X`` of ``X.a[k]`` (``node`` itself when it is no part)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def changes_parameter(fn: ast.AST, target: ast.expr, module_names: AbstractSet[str] = frozenset()) -> bool:
    """Whether ``target`` (what is stored into or grown) is a parameter of ``fn`` or a module-level
    name (``module_names``), or a part of one."""
    root = stored_root(target)
    if not isinstance(root, ast.Name) or not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return False
    args = fn.args
    name = root.id
    return name in module_names or any(a.arg == name for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))


def module_names(tree: ast.Module) -> frozenset[str]:
    """The names the module's own top-level statements assign."""
    names: set[str] = set()
    for statement in tree.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    names.add(node.id)
    return frozenset(names)


def mutated_parameters(fn: ast.AST, names: frozenset[str]) -> frozenset[str]:
    """Which of ``names`` (parameters of ``fn``, or names it reads) the body changes in place and
    never rebinds."""
    changed: set[str] = set()
    rebound: set[str] = set()
    for node in subtree(fn):
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                rebound.add(node.id)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            root = stored_root(node.value)
            if isinstance(root, ast.Name):
                changed.add(root.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GROWING:
            root = stored_root(node.func.value)
            if isinstance(root, ast.Name):
                changed.add(root.id)
    return frozenset((changed & names) - rebound)


def arguments_out(values: dict[int, list[Val]], initial: dict[int, Val]) -> tuple[tuple[int, Val], ...]:
    """The parameters' values at the function's exits (``values``, by position), kept where they
    hold data other than what the caller passed in (``initial``, the parameter's own label)."""
    out = []
    for index, seen in values.items():
        start = initial[index]
        if all(value is start for value in seen):
            continue
        final = seen[0]
        for value in seen[1:]:
            final = join(final, value)
        if any(lab.origin.kind != "param" or lab.origin.index != index for lab in whole(final)):
            out.append((index, final))
    return tuple(out)


def bound_names(fn: ast.AST) -> frozenset[str]:
    """The names a function's own code binds (assigns, deletes, loops over ...)."""
    return frozenset(
        node.id for node in subtree(fn) if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    )


def declared_global(fn: ast.AST) -> frozenset[str]:
    """The names a function's ``global`` statements declare."""
    return frozenset(name for node in subtree(fn) if isinstance(node, ast.Global) for name in node.names)


def globals_out(
    fn: ast.AST, values: dict[str, list[Val]], module_names: AbstractSet[str]
) -> tuple[tuple[str, Val], ...]:
    """The module-level names (``module_names``) the function stores into, with their values at
    its exits (``values``), where they hold outside data: names it declares ``global``, or
    changes in place without binding a local of the same name."""
    candidates = {name: seen for name, seen in values.items() if name in module_names}
    if not candidates:
        return ()
    # declared ``global``, or changed without being bound here: in place, or by a function it calls
    stored = declared_global(fn) | (frozenset(candidates) - bound_names(fn))
    out = []
    for name in sorted(candidates):
        if name not in stored:
            continue
        seen = candidates[name]
        final = seen[0]
        for value in seen[1:]:
            final = join(final, value)
        if whole(final):
            out.append((name, final))
    return tuple(out)
