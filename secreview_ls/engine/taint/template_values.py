"""Values a template is made of that live away from the call: constant template text kept in a
class attribute (``class Page: TEMPLATE = "<p>{{ x|safe }}</p>"``, read as ``self.TEMPLATE`` or
``Page.TEMPLATE``), and the template text or Jinja2 environment of another module of the project
(``from .pages import PAGE``, ``from .templating import env``).

Another module's value is asked of the project index like a function summary, under the name
``pkg.mod.@NAME`` (``pkg.mod.Class.@ATTR`` for a class attribute); its summary "returns" the
value. Only what templates need is handed out: constant text, or the kind of an environment or
of a template it loaded; anything else is not known (no finding rests on it)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from .environments import ENVIRONMENT, TEMPLATE
from .values import Val

VALUE_MARK = "@"


def value_name(qualified: str) -> str | None:
    """The summary name asking another module for the value ``pkg.mod.NAME`` (None: no module part)."""
    head, _, last = qualified.rpartition(".")
    return f"{head}.{VALUE_MARK}{last}" if head and last else None


def asked_value(name: str) -> tuple[str | None, str] | None:
    """(class or None, attribute) of a summary name asking for a value (``Page.@TEMPLATE``)."""
    head, _, last = name.rpartition(".")
    if not last.startswith(VALUE_MARK) or "." in head:
        return None
    return (head or None), last.removeprefix(VALUE_MARK)


def template_value(value: Val | None) -> Val | None:
    """What a module-level value tells a template: its constant text, or its environment or
    template kind; None for anything else."""
    if value is None or value.taint or value.parts:
        return None
    if isinstance(value.const, str):
        return Val(const=value.const)
    if value.kind is not None and value.kind.startswith((ENVIRONMENT, TEMPLATE)):
        return Val(kind=value.kind)
    return None


def class_text(cls: ast.ClassDef, attr: str, text_of: Callable[[ast.AST], object]) -> str | None:
    """The constant text class ``cls`` keeps in ``attr``: the one value its body and its methods
    (through ``self.`` / ``cls.``) ever assign to it, when ``text_of`` finds it a string."""
    text = class_value(cls, attr, text_of)
    return text if isinstance(text, str) else None


def class_value(cls: ast.ClassDef, attr: str, value_of: Callable[[ast.AST], object]) -> object:
    """What ``value_of`` makes of the one value class ``cls`` ever assigns to ``attr`` (None:
    assigned values that differ, or none)."""
    values = {value_of(value) for value in _assigned(cls, attr)}
    return values.pop() if len(values) == 1 else None


def _assigned(cls: ast.ClassDef, attr: str) -> Iterable[ast.AST]:
    for node in ast.walk(cls):
        if isinstance(node, ast.AugAssign) and _names_attribute(node.target, attr, cls, node):
            yield node  # changed in place: not a constant
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(_names_attribute(target, attr, cls, node) for target in targets):
            yield node.value


def _names_attribute(target: ast.AST, attr: str, cls: ast.ClassDef, statement: ast.stmt) -> bool:
    if isinstance(target, ast.Name):
        return target.id == attr and statement in cls.body
    return (
        isinstance(target, ast.Attribute)
        and target.attr == attr
        and isinstance(target.value, ast.Name)
        and target.value.id in ("self", "cls")
    )


def literal_text(node: ast.AST | None, globals_: dict[str, Val]) -> object:
    """The text of a literal, or of a module-level name bound to constant text (``PAGE =
    "<p>{{ name }}</p>"``): the developer's template, read like a literal one."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = template_value(globals_.get(node.id))
        return value.const if value is not None else None
    return None


def made_by_call(tree: ast.Module, name: str) -> ast.Call | None:
    """The call a module-level name is bound to, when its one binding at the top level is
    ``name = factory(...)`` (``env = create_env()``)."""
    calls: list[ast.AST] = []
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                calls.append(statement.value)
    return calls[0] if len(calls) == 1 and isinstance(calls[0], ast.Call) else None


def enclosing_class(ancestors: Iterable[ast.AST]) -> ast.ClassDef | None:
    return next((node for node in ancestors if isinstance(node, ast.ClassDef)), None)
