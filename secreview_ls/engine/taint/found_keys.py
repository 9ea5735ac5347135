"""Lookups by equality: calls whose result, when it is found (not ``None``, not empty), tells that
the key equals a key the program stored.

``user = users.find_user(name)`` then ``if user is not None:``, ``plugins = registry.filter(lambda p:
p.id == name)`` then ``if not plugins: abort(404)``, ``match = next((p for p in items if p.name ==
name), None)``, ``row = User.query.filter_by(name=name).first()``: where the result was found the
key is one of the stored keys (and the result a stored record), no longer any text the client
chose. The caller (``conditions.py``) marks both clean for the classes that accept it.

Recognised shapes, all with the key a plain name, attribute or constant-key path:

* a call named as a lookup by key: ``find_…``, ``lookup_…``, ``get_…_by_…``, ``…_by_id``,
  ``get_or_none`` (not a search, a match or a creation: ``search_…``, ``…_like``, ``get_or_create``);
* a call handed a ``lambda`` whose body compares an item with the key by ``==``;
* a list/generator comprehension (also inside ``next(…)``, ``list(…)``) whose only condition
  compares an item with the key by ``==``;
* a query chain ending in a one-record read (``first()``, ``one_or_none()``...) whose filters
  compare by equality (``filter_by(name=key)``, ``filter(Model.name == key)``, Django's
  ``objects.filter(name__iexact=key).first()``; not ``name__icontains=key``).
"""

from __future__ import annotations

import ast
import re

from ..facts import subtree

_LOOKUP_NAME = re.compile(
    r"_?(?:(?:get|find|fetch|load|read|lookup|retrieve)_(?:\w+_)?by_\w+|find_\w+|lookup(?:_\w+)?|get_or_none"
    r"|\w+_by_(?:id|name|key|slug|uuid|identifier|username|email))$"
)
# Words of a call that searches, matches a pattern or creates what it does not find.
_NOT_EQUALITY = re.compile(r"search|match|like|contain|similar|fuzzy|create|make|build|new|parse|prefix|pattern")
# One-record reads of a query chain.
_ONE_RECORD = frozenset({"first", "one_or_none", "get", "get_or_none", "scalar", "scalar_one_or_none", "one"})
_QUERY_FILTERS = frozenset({"filter_by", "filter", "where", "get", "get_or_none"})
_WRAPPERS = frozenset({"next", "list", "tuple", "set"})
_ITERATORS = frozenset({"filter", "map"})
_MANAGERS = frozenset({"query", "objects"})


def found_keys(node: ast.AST | None) -> list[ast.expr]:
    """The keys ``node`` (an assigned value) looks up by equality; empty when it is no such lookup."""
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        return _compared_in_comprehension(node)
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called in _WRAPPERS and node.args and isinstance(node.args[0], (ast.ListComp, ast.GeneratorExp)):
        return _compared_in_comprehension(node.args[0])
    lambdas = [a for a in node.args if isinstance(a, ast.Lambda)]
    if lambdas:
        if isinstance(func, ast.Name) and func.id in _ITERATORS:
            return []  # ``filter(...)`` is an iterator: true whether it finds anything or not
        return [key for lam in lambdas for key in _compared_in_lambda(lam)]
    if called in _ONE_RECORD and isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Call):
            return _query_keys(node)
        if isinstance(func.value, ast.Attribute) and func.value.attr in _MANAGERS:
            return _query_keys(node)  # ``User.query.get(uid)``, ``User.objects.get(name=name)``
        return []
    if _LOOKUP_NAME.match(called) and not _NOT_EQUALITY.search(called):
        values = [*node.args, *(k.value for k in node.keywords if k.arg is not None)]
        return [v for v in values if _path(v)]
    return []


def _path(node: ast.expr) -> bool:
    """A plain name, attribute chain or constant-key subscript (what ``update`` can mark)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            return False
        node = node.value
    return isinstance(node, ast.Name)


def _equal_side(test: ast.expr, bound: set[str]) -> ast.expr | None:
    """The side of ``item.x == key`` that names no variable in ``bound`` (the item's), when the
    other side does."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return None
    left, right = test.left, test.comparators[0]
    for item, key in ((left, right), (right, left)):
        if _names(item) & bound and not _names(key) & bound and _path(key):
            return key
    return None


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in subtree(node) if isinstance(n, ast.Name)}


def _compared_in_lambda(node: ast.Lambda) -> list[ast.expr]:
    bound = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    key = _equal_side(node.body, bound)
    return [key] if key is not None else []


def _compared_in_comprehension(node: ast.ListComp | ast.GeneratorExp) -> list[ast.expr]:
    if len(node.generators) != 1 or len(node.generators[0].ifs) != 1:
        return []
    generator = node.generators[0]
    key = _equal_side(generator.ifs[0], _names(generator.target))
    return [key] if key is not None else []


def _query_keys(node: ast.Call) -> list[ast.expr]:
    """The keys a query chain's filters compare by equality; empty when a filter of the chain is
    anything else (a ``like``, a comparison by order) or no filter is found."""
    keys: list[ast.expr] = []
    current: ast.expr = node
    if node.func.attr == "get" and not node.args and not node.keywords:  # type: ignore[attr-defined]
        return []
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        method = current.func.attr
        if method in _QUERY_FILTERS:
            for keyword in current.keywords:
                if keyword.arg is None or not _path(keyword.value) or not _equality_field(keyword.arg):
                    return []
                keys.append(keyword.value)
            for argument in current.args:
                if isinstance(argument, ast.Compare) and any(
                    isinstance(side, ast.Constant) for side in (argument.left, *argument.comparators)
                ):
                    continue  # ``User.active == True``: a condition on the record, no key
                if isinstance(argument, ast.Compare):
                    key = _equal_side(argument, _model_names(argument))
                    if key is None:
                        return []
                    keys.append(key)
                elif method in ("get", "get_or_none") and _path(argument):
                    keys.append(argument)
                else:
                    return []
        current = current.func.value
    return keys


def _equality_field(name: str) -> bool:
    """A keyword filter comparing by equality: ``name=``, ``name__exact=``, ``name__iexact=``
    (not a Django lookup such as ``name__icontains`` or ``name__startswith``)."""
    return "__" not in name or name.endswith(("__exact", "__iexact"))


def _model_names(test: ast.Compare) -> set[str]:
    """The names of a comparison's sides spelled as a model's column (``User.name``): a name that
    starts with a capital letter and is read through an attribute."""
    found: set[str] = set()
    for side in (test.left, *test.comparators):
        if isinstance(side, ast.Attribute):
            base = side.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id[:1].isupper():
                found.add(base.id)
    return found
