"""Markdown output cleaned by a postprocessor of the module's own extension (SR604, SR605).

Python-Markdown serializes the document, then runs its postprocessors from the highest priority
to the lowest. An extension class of the module whose ``extendMarkdown`` registers a
postprocessor whose ``run`` returns sanitized text (``bleach.clean(text, ...)``: every ``return``
safe whatever it is handed) cleans what came before it; the postprocessors registered with a
lower priority run after it and must keep clean text clean (every ``return`` safe when the text
handed to ``run`` is: ``self.linker.linkify(text)``, ``text.replace(MARK, ".")``).

``markdown.markdown(source, extensions=[...])`` gives sanitized HTML when one of its extensions
registers such a cleaner and no postprocessor registered by them runs after it unjudged. The
extension list is a literal list, or a local name bound once to one, grown only by
``.append(...)``; each item is a module class instantiated there, or the dotted name of one of
Python-Markdown's own extensions (``"markdown.extensions.tables"``), whose postprocessors run
before a cleaner of low priority. An extension of another module, or one whose
``extendMarkdown`` touches postprocessors other than by registering them, is not judged.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..engine.facts import parameter_names
from .base import RuleContext
from .callers import FunctionNode
from .judge import name_stores
from .project_helpers import judged_with_values

MARKDOWN_RENDERERS = frozenset({"markdown.markdown"})
_OWN_EXTENSIONS = "markdown.extensions."
# Whether every ``return`` of a function is safe markup (``safe_markup``'s judgement).
ReturnsSafe = Callable[[RuleContext, FunctionNode], bool]


def cleaned_markdown(ctx: RuleContext, call: ast.Call, returns_safe: ReturnsSafe) -> bool:
    """``markdown.markdown(...)`` whose extensions clean its output last (module docstring)."""
    extensions = next((k.value for k in call.keywords if k.arg == "extensions"), None)
    items = _extension_items(ctx, extensions) if extensions is not None else None
    if not items:
        return False
    registered: list[tuple[ast.ClassDef, float]] = []
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value.startswith(_OWN_EXTENSIONS):
            continue
        extension = _module_class(ctx, item.func) if isinstance(item, ast.Call) else None
        found = _postprocessors(ctx, extension) if extension is not None else None
        if found is None:
            return False
        registered.extend(found)
    cleaners = [priority for cls, priority in registered if _judged_run(ctx, cls, returns_safe, keeping=False)]
    if not cleaners:
        return False
    last_cleaner = min(cleaners)
    return all(
        _judged_run(ctx, cls, returns_safe, keeping=True) for cls, priority in registered if priority < last_cleaner
    )


def _extension_items(ctx: RuleContext, node: ast.expr) -> list[ast.expr] | None:
    """The extensions of a literal list, or of a local name bound once to one and grown only by
    ``name.append(x)``."""
    if isinstance(node, ast.List):
        return list(node.elts)
    if not isinstance(node, ast.Name):
        return None
    found = name_stores(ctx, node)
    if found is None or len(found[1]) != 1:
        return None
    scope, (store,) = found
    assignment = ctx.facts.parent(store)
    if not (isinstance(assignment, ast.Assign) and assignment.targets == [store]):
        return None
    value = assignment.value
    if not isinstance(value, ast.List):
        return None
    items = list(value.elts)
    for other in ast.walk(scope):
        if not (isinstance(other, ast.Name) and other.id == node.id and isinstance(other.ctx, ast.Load)):
            continue
        parent = ctx.facts.parent(other)
        if other is node or (isinstance(parent, ast.keyword) and parent.value is other):
            continue  # handed to a renderer: read, not changed
        method = ctx.facts.parent(parent) if isinstance(parent, ast.Attribute) else None
        if isinstance(parent, ast.Attribute) and parent.attr == "append" and isinstance(method, ast.Call):
            if len(method.args) == 1 and not method.keywords:
                items.append(method.args[0])
                continue
        return None
    return items


def _module_class(ctx: RuleContext, func: ast.expr) -> ast.ClassDef | None:
    if not isinstance(func, ast.Name):
        return None
    found = [s for s in ctx.facts.tree.body if isinstance(s, ast.ClassDef) and s.name == func.id]
    return found[0] if len(found) == 1 else None


def _method(cls: ast.ClassDef, name: str) -> FunctionNode | None:
    found = [s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == name]
    return found[0] if len(found) == 1 else None


def _postprocessors(ctx: RuleContext, extension: ast.ClassDef) -> list[tuple[ast.ClassDef, float]] | None:
    """``(class, priority)`` of each postprocessor ``extendMarkdown`` registers; None when it
    reaches the postprocessors any other way or registers one that is not a module class
    instantiated there with a constant priority."""
    method = _method(extension, "extendMarkdown")
    if method is None:
        return []
    found: list[tuple[ast.ClassDef, float]] = []
    for node in ast.walk(method):
        if not (isinstance(node, ast.Attribute) and node.attr == "postprocessors"):
            continue
        register = ctx.facts.parent(node)
        call = ctx.facts.parent(register)
        if not (isinstance(register, ast.Attribute) and register.attr == "register" and isinstance(call, ast.Call)):
            return None
        if call.func is not register or not call.args or not isinstance(call.args[0], ast.Call):
            return None
        processor = _module_class(ctx, call.args[0].func)
        priority = (
            call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords if k.arg == "priority"), None)
        )
        if processor is None or not isinstance(priority, ast.Constant) or type(priority.value) not in (int, float):
            return None
        found.append((processor, priority.value))
    return found


def _judged_run(ctx: RuleContext, processor: ast.ClassDef, returns_safe: ReturnsSafe, keeping: bool) -> bool:
    """Every ``return`` of the postprocessor's ``run(self, text)`` is safe: whatever the text (a
    cleaner), or when the text is (``keeping``: it keeps clean text clean)."""
    run = _method(processor, "run")
    if run is None:
        return False
    if not keeping:
        return returns_safe(ctx, run)
    params = parameter_names(run)
    if len(params) < 2:
        return False
    clean = (ctx, ast.Constant(""))
    return judged_with_values(run, {params[1]: clean}, lambda: returns_safe(ctx, run))
