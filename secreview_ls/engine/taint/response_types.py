"""The content type a response is given where it is made or right after: a body sent as JSON,
JavaScript, XML or plain text is not rendered as HTML (cross-site scripting sinks).

* a literal headers mapping handed to the maker (``make_response(body, 200, {"Content-Type":
  "application/json"})``, ``Response(body, headers={...})``);
* ``resp = make_response(body)`` followed, in the same block and before any ``return``, by
  ``resp.headers["Content-Type"] = "application/atom+xml"``, ``resp.content_type = ...`` or
  ``resp.mimetype = ...`` with a constant text. A type set only on some branches is not one;
* the headers a view returns after its body (``return body, 200, {"Content-Type": "text/plain"}``).
"""

from __future__ import annotations

import ast

from ..facts import ModuleFacts

_TYPE_ATTRIBUTES = frozenset({"content_type", "mimetype"})


def given_content_type(facts: ModuleFacts, call: ast.Call) -> str | None:
    """The one constant content type the response ``call`` makes is given (module docstring)."""
    found = {t for t in (_in_headers(a) for a in (*call.args, *(k.value for k in call.keywords))) if t}
    after = _set_after(facts, call)
    if after is not None:
        found.add(after)
    return found.pop().lower() if len(found) == 1 else None


def _in_headers(node: ast.expr) -> str | None:
    if not isinstance(node, ast.Dict):
        return None
    for key, value in zip(node.keys, node.values, strict=True):
        if _content_type_key(key):
            return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
    return None


def _content_type_key(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() == "content-type"


def _set_after(facts: ModuleFacts, call: ast.Call) -> str | None:
    statement = facts.parent(call)
    if not (
        isinstance(statement, ast.Assign)
        and statement.value is call
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return None
    name = statement.targets[0].id
    block = _block_of(facts, statement)
    if block is None:
        return None
    for later in block[block.index(statement) + 1 :]:
        if isinstance(later, ast.Assign) and len(later.targets) == 1 and _sets_type(later.targets[0], name):
            value = later.value
            return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
        if any(isinstance(n, ast.Return) for n in ast.walk(later)):
            return None  # the response may leave before its type is set
    return None


def _block_of(facts: ModuleFacts, statement: ast.stmt) -> list[ast.stmt] | None:
    parent = facts.parent(statement)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is statement for s in block):
            return block
    return None


def _sets_type(target: ast.expr, name: str) -> bool:
    """``name.headers["Content-Type"]``, ``name.content_type`` or ``name.mimetype``."""
    if isinstance(target, ast.Attribute):
        return target.attr in _TYPE_ATTRIBUTES and isinstance(target.value, ast.Name) and target.value.id == name
    return (
        isinstance(target, ast.Subscript)
        and _content_type_key(target.slice)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "headers"
        and isinstance(target.value.value, ast.Name)
        and target.value.value.id == name
    )


def tuple_content_type(node: ast.Tuple) -> str | None:
    """The constant ``Content-Type`` of the headers a view returns after its body
    (``(body, status, {"Content-Type": "text/plain"})`` or a list of header pairs), lower-cased."""
    headers = node.elts[-1] if len(node.elts) > 1 else None
    pairs: list[tuple[ast.expr | None, ast.expr]] = []
    if isinstance(headers, ast.Dict):
        pairs = list(zip(headers.keys, headers.values, strict=True))
    elif isinstance(headers, ast.List):
        pairs = [(e.elts[0], e.elts[1]) for e in headers.elts if isinstance(e, ast.Tuple) and len(e.elts) == 2]
    for key, item in pairs:
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.lower() == "content-type":
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                return item.value.lower()
    return None
