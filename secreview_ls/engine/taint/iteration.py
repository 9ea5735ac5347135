"""What a loop binds to its target: the element of the iterated value.

A loop unpacking its elements (``for name, value in pairs``) keeps their positions when the
iterated value is a sequence of tuples the analysis knows (``[("host", h)]``, ``zip(names,
values)``, ``enumerate(items)``): ``name`` gets only what the first positions hold. Otherwise the
element is everything the value holds, flattened, except over a mapping known by its text keys
(``for key in {"name": value}``): a loop over a dict binds its keys, not its values.
"""

from __future__ import annotations

import ast

from .values import EMPTY, KEYS, Val, as_whole, join, mapping_keys, whole


def loop_element(value: Val, unpacking: bool) -> Val:
    """The element bound at each turn of a loop over ``value`` (``unpacking``: the target is a
    tuple or list of names)."""
    if unpacking and not value.taint and value.parts:
        keys = [key for key, _ in value.parts]
        if all(key.isdigit() or key == "*" for key in keys):
            elements = [part for _, part in value.parts]
            if all(element.parts and not element.taint for element in elements):
                element = elements[0]
                for other in elements[1:]:
                    element = join(element, other)
                return Val(element.taint, element.parts)
    if _text_keyed(value):
        return mapping_keys(value)
    flat = as_whole(value)
    return Val(flat.taint, (), None)


def _text_keyed(value: Val) -> bool:
    """A dict known by its text keys (``'name'``, and what keys computed here were made of):
    no position (a list's, or a dict's integer key), attribute, nor entries of unknown keys
    (``**other`` spreads keys of its own)."""
    return bool(value.parts) and all(key[:1] in "'\"" or key == KEYS for key, _ in value.parts)


def zipped(values: list[Val]) -> Val:
    """``zip(a, b, ...)``: tuples whose positions hold the elements of each argument."""
    positions = tuple((str(index), Val(whole(value))) for index, value in enumerate(values))
    return Val(parts=(("*", Val(parts=positions)),))


def enumerated(value: Val) -> Val:
    """``enumerate(items)``: tuples of a count and an element of ``items``."""
    return Val(parts=(("*", Val(parts=(("0", EMPTY), ("1", Val(whole(value)))))),))


def paired_elements(name: str | None, node: ast.Call, args: list[Val]) -> Val | None:
    """``zip(...)`` / ``enumerate(items)`` (``name`` the call's qualified name) as tuples whose
    positions are known; None for any other call, or one passing ``*args`` / ``**kwargs``."""
    if name not in ("builtins.zip", "builtins.enumerate") or not args:
        return None
    if any(isinstance(arg, ast.Starred) for arg in node.args) or any(kw.arg is None for kw in node.keywords):
        return None
    if name == "builtins.zip":
        return zipped(args)
    return enumerated(args[0]) if len(args) == 1 else None
