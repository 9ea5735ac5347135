"""Temporary-file code that cannot race: the insecure form kept only as the fallback for an
interpreter where the secure module cannot be imported, and a name chosen inside a directory
only this process can write to.

- ``try: fp = tempfile.NamedTemporaryFile() / except ImportError: fp = open("/tmp/x.%d" % pid)``:
  the handler runs only where ``tempfile`` itself is missing (an interpreter bootstrapping
  itself); everywhere else the ``try`` body creates the file safely.
- ``tempfile.mktemp(dir=private)`` with ``private`` made by ``tempfile.mkdtemp()`` (or a
  ``TemporaryDirectory``'s ``name``): the directory is created mode 0700, so no other user can
  create the chosen name first.
"""

from __future__ import annotations

import ast

from .base import RuleContext
from .judge import single_assignment

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_PRIVATE_DIRECTORIES = frozenset({"tempfile.mkdtemp", "tempfile.TemporaryDirectory"})


def import_fallback(ctx: RuleContext, node: ast.AST) -> bool:
    """``node`` runs only in an ``except ImportError`` whose ``try`` uses ``tempfile``."""
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, ast.ExceptHandler) and _catches_import_error(ancestor):
            owner = ctx.facts.parent(ancestor)
            return isinstance(owner, ast.Try) and any(_uses_tempfile(ctx, s) for s in owner.body)
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
    return False


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS for k in kinds)


def _uses_tempfile(ctx: RuleContext, statement: ast.stmt) -> bool:
    for node in ast.walk(statement):
        if isinstance(node, ast.Import) and any(a.name == "tempfile" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "tempfile":
            return True
        if isinstance(node, ast.Call) and (ctx.facts.qualname(node.func) or "").startswith("tempfile."):
            return True
    return False


def in_private_directory(ctx: RuleContext, call: ast.Call) -> bool:
    """``mktemp(dir=d)`` with ``d`` a directory ``mkdtemp()`` made (mode 0700)."""
    directory = next((k.value for k in call.keywords if k.arg == "dir"), call.args[2] if len(call.args) > 2 else None)
    if isinstance(directory, ast.Attribute) and directory.attr == "name":
        directory = directory.value  # ``TemporaryDirectory().name``
    if isinstance(directory, ast.Name):
        directory = single_assignment(ctx, directory)
    return isinstance(directory, ast.Call) and ctx.facts.qualname(directory.func) in _PRIVATE_DIRECTORIES
