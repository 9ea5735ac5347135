"""Module-level instances of classes: ``calibre_db = db.CalibreDB(app)`` lets other files'
``calibre_db.get_book(i)`` resolve to ``CalibreDB.get_book`` (``project.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

from ..facts import ModuleFacts
from ..names import dotted_name, spelled_as_class
from .definitions import ModuleIndex


def _package_relative(func: ast.expr, facts: ModuleFacts) -> str | None:
    """``pkg.db.CalibreDB`` for ``db.CalibreDB`` in ``pkg/__init__.py`` after ``from . import db``:
    a package's relative imports start at the package itself (its module name has no
    ``__init__`` part, so the import map starts one level up)."""
    if Path(facts.source.path).name != "__init__.py" or not facts.module_name:
        return None
    head = func
    while isinstance(head, ast.Attribute):
        head = head.value
    if not isinstance(head, ast.Name):
        return None
    for statement in facts.tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.level:
            for alias in statement.names:
                if (alias.asname or alias.name) == head.id:
                    package = facts.module_name.split(".")
                    parts = package[: max(len(package) - statement.level + 1, 0)]
                    parts += [*(statement.module or "").split("."), alias.name]
                    rest = dotted_name(func).split(".")[1:]  # type: ignore[union-attr]
                    return ".".join(p for p in [*parts, *rest] if p)
    return None


def module_instances(index: ModuleIndex, facts: ModuleFacts) -> dict[str, str]:
    """``calibre_db = db.CalibreDB(app)``: names the module binds once, at module level, to an
    instance of a class (one of its own, or a class named by its import), mapped to the class
    (its name in the module, or its qualified name)."""
    made: dict[str, str] = {}
    bound: set[str] = set()
    for statement in facts.tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else ()
        for target in targets:
            if isinstance(target, ast.Name):
                if target.id in bound:
                    made.pop(target.id, None)
                    continue
                bound.add(target.id)
                value = statement.value  # type: ignore[union-attr]
                if len(targets) == 1 and isinstance(value, ast.Call):
                    func = value.func
                    spelled = (
                        func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                    )
                    if isinstance(func, ast.Name) and func.id in index.classes:
                        made[target.id] = func.id
                    elif spelled_as_class(spelled):
                        qualified = _package_relative(func, facts) or facts.qualname(func)
                        if qualified is not None and qualified.count(".") >= 1:
                            made[target.id] = qualified
    return made
