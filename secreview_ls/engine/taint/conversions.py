"""Calls whose result cannot carry the text of their input, decided from the call's shape:
``map(escape, items)`` escapes every item, ``struct.unpack(">I", data)`` gives numbers,
``repr(value)`` and ``{value!r}`` spell control characters as escapes, ``.replace("'", "''")``
escapes a quote."""

from __future__ import annotations

import ast
import re
import string

# ``struct`` format codes whose values are numbers or booleans (never bytes or text).
_NUMERIC_STRUCT_CODES = frozenset("xbBhHiIlLqQnNefd?P")
_STRUCT_PREFIXES = frozenset("@=<>!")
NUMERIC_UNPACKERS = frozenset({"struct.unpack", "struct.unpack_from", "struct.iter_unpack"})
NUMERIC_RESULTS = frozenset({"builtins.int.from_bytes", "int.from_bytes"})


def numeric_struct_format(node: ast.expr) -> bool:
    """``">I"``, ``"!HH4x"``: a literal format whose fields are all numbers."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        text = node.value.decode("ascii", "replace")
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    else:
        return False
    body = text.strip()
    if body[:1] in _STRUCT_PREFIXES:
        body = body[1:]
    codes = [c for c in body if not c.isdigit() and not c.isspace()]
    return bool(codes) and all(c in _NUMERIC_STRUCT_CODES for c in codes)


def numeric_call(name: str | None, node: ast.Call) -> bool:
    """A call whose result is numbers whatever bytes it was given."""
    if name in NUMERIC_RESULTS:
        return True
    return name in NUMERIC_UNPACKERS and bool(node.args) and numeric_struct_format(node.args[0])


def mapped_function(node: ast.Call) -> ast.expr | None:
    """The function ``map(function, items)`` applies to every item."""
    return node.args[0] if len(node.args) >= 2 else None


def only_repr_fields(template: object) -> bool:
    """A ``str.format`` template whose every replacement field uses ``!r``."""
    if not isinstance(template, str):
        return False
    try:
        fields = [
            (name, conversion) for _, name, _, conversion in string.Formatter().parse(template) if name is not None
        ]
    except ValueError:
        return False
    return bool(fields) and all(conversion == "r" for _, conversion in fields)


def whole_fields(template: object) -> frozenset[str] | None:
    """The arguments a constant ``str.format`` template writes whole, by position or keyword
    (``"{}"``, ``"{0!s}"``, ``"{name}"``; not ``"{0[key]}"`` or ``"{0.attr}"``, which write a part);
    None when the template is not constant or not valid."""
    if not isinstance(template, str):
        return None
    found: set[str] = set()
    parts: set[str] = set()
    automatic = 0
    try:
        for _, name, _, _ in string.Formatter().parse(template):
            if name is None:
                continue
            if name == "":
                found.add(str(automatic))
                automatic += 1
            elif any(c in name for c in ".["):
                parts.add(re.split(r"[.\[]", name, maxsplit=1)[0])
            else:
                found.add(name)
    except ValueError:
        return None
    return frozenset(found - parts)


def escapes_quote(old: ast.expr, new: ast.expr) -> bool:
    """``text.replace("'", "''")`` (doubled, the SQL escape) or ``.replace('"', "&quot;")``
    (gone): the quote can no longer end a literal the text is put in. A backslash before the
    quote is not enough: the input's own backslash escapes it."""
    if not (isinstance(old, ast.Constant) and old.value in ("'", '"')):
        return False
    if not (isinstance(new, ast.Constant) and isinstance(new.value, str)):
        return False
    quote, replacement = old.value, new.value
    return quote not in replacement or replacement == quote * 2
