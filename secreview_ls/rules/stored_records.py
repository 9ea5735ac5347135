"""Values read from a database record: the fields of a Django model instance.

Text a visitor once submitted comes back from the database, so HTML marked safe from such a
field is stored cross-site scripting. A value counts as a record's field when it reads an
attribute of ``self`` inside a class deriving from a model class (``models.Model``), or of an
object an ORM query returned in the same function (``Page.objects.get(...)``,
``get_object_or_404(Page, ...)``, ``.filter(...).first()``, a loop over ``.objects.all()``),
directly or through local names bound to such reads.
"""

from __future__ import annotations

import ast

from .base import RuleContext
from .fixed_values import scope_of, stored_value, stores_in

_FETCHERS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"})
_QUERY_METHODS = frozenset(
    {"get", "first", "last", "latest", "earliest", "all", "filter", "exclude", "order_by", "select_related",
     "prefetch_related", "aget", "afirst", "alast", "iterator", "only", "defer", "distinct", "annotate"}
)  # fmt: skip


def reads_stored_record(ctx: RuleContext, node: ast.AST, depth: int = 0) -> bool:
    """``node`` reads a field of a database record (see the module docstring)."""
    if depth > 3:
        return False
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and _record(ctx, inner.value):
            return True
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load) and _local_read(ctx, inner, depth):
            return True
    return False


def _local_read(ctx: RuleContext, name: ast.Name, depth: int) -> bool:
    """A local name every binding of which reads a record's field."""
    scope = scope_of(ctx, name)
    if scope is ctx.facts.tree:
        return False
    stores = stores_in(ctx, scope, name.id)
    values = [stored_value(store) for store in stores]
    return bool(values) and all(value is not None and reads_stored_record(ctx, value, depth + 1) for value in values)


def _record(ctx: RuleContext, node: ast.AST) -> bool:
    """``node`` is a model instance: ``self`` in a model class, or a local an ORM query gave."""
    if not isinstance(node, ast.Name):
        return False
    if node.id == "self":
        owner = next((a for a in ctx.facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
        return owner is not None and any(_model_base(ctx, base) for base in owner.bases)
    scope = scope_of(ctx, node)
    if scope is ctx.facts.tree:
        return False
    stores = stores_in(ctx, scope, node.id)
    if not stores:
        return False
    for store in stores:
        value = stored_value(store)
        loop = ctx.facts.parent(store)
        if isinstance(loop, (ast.For, ast.AsyncFor)) and loop.target is store:
            value = loop.iter
        if value is None or not _query(ctx, value):
            return False
    return True


def _model_base(ctx: RuleContext, base: ast.expr) -> bool:
    name = ctx.facts.qualname(base) or ""
    return name in ("django.db.models.Model", "django.db.models.base.Model")


def _query(ctx: RuleContext, node: ast.AST) -> bool:
    """An ORM query's result: ``X.objects.get(...)``, ``get_object_or_404(X, ...)``, chained."""
    while isinstance(node, ast.Await):
        node = node.value
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name) and func.id in _FETCHERS:
        return True
    if (ctx.facts.qualname(func) or "").rsplit(".", 1)[-1] in _FETCHERS:
        return True
    if isinstance(func, ast.Attribute) and func.attr in _QUERY_METHODS:
        receiver = func.value
        if isinstance(receiver, ast.Attribute) and receiver.attr == "objects":
            return True
        return _query(ctx, receiver)
    return False
