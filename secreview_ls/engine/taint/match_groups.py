"""Groups of a regular expression's match: ``m = re.fullmatch(r"host=([a-z0-9.]+)", text)`` then
``m.group(1)`` holds only what the group's pattern matches, letters, digits and ``.`` here.

The pattern (a literal) is read by the standard library's own parser; the characters a group can
hold are those of its literals, classes and categories (``\\w``, ``\\d``, ``\\s``). A group that may
hold any character (``.``, a negated class or category, a back reference) tells nothing.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Callable
from functools import lru_cache

try:  # the parser ``re`` compiles with (private, but part of the standard library)
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - an interpreter without it: groups tell nothing
    sre_parse = None

MATCH_KIND = "re.Match@"
MATCHING = frozenset({"re.match", "re.fullmatch", "re.search"})
# Characters standing for a category: its members are letters, digits, ``_`` or white space
# (any script's, which count as their ASCII representatives here).
_CATEGORIES = {
    "CATEGORY_DIGIT": frozenset(string.digits),
    "CATEGORY_WORD": frozenset(string.ascii_letters + string.digits + "_"),
    "CATEGORY_SPACE": frozenset(" \t\n\r\x0b\x0c"),
}
_WIDEST_RANGE = 256  # a class range wider than this counts as any character


class _Unbounded(Exception):
    """The group may hold any character."""


def matched_pattern(node: ast.Call) -> tuple[str, int] | None:
    """The literal pattern and flags of ``re.match(pattern, text)`` and its kin (None when not
    literal, or given flags other than case)."""
    pattern = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "pattern"), None)
    if not isinstance(pattern, ast.Constant) or not isinstance(pattern.value, str):
        return None
    flags = node.args[2] if len(node.args) > 2 else next((k.value for k in node.keywords if k.arg == "flags"), None)
    if flags is None:
        return pattern.value, 0
    if isinstance(flags, ast.Attribute) and flags.attr in ("I", "IGNORECASE"):
        return pattern.value, 2
    return None


@lru_cache(maxsize=256)
def group_characters(pattern: str, flags: int, group: int | str) -> frozenset[str] | None:
    """The characters group ``group`` of a match of ``pattern`` can hold (None: any, or unknown)."""
    if sre_parse is None:
        return None
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:
        return None
    number = parsed.state.groupdict.get(group) if isinstance(group, str) else group
    if not isinstance(number, int) or number < 0 or number >= parsed.state.groups:
        return None
    tokens = list(parsed) if number == 0 else _group_tokens(list(parsed), number)
    if tokens is None:
        return None
    try:
        found = _characters(tokens)
    except _Unbounded:
        return None
    if flags & 2:
        found |= {c.swapcase() for c in found}
    return frozenset(found)


def _group_tokens(tokens: list, number: int) -> list | None:  # type: ignore[type-arg]
    """The tokens of group ``number`` among ``tokens`` (searched in nested groups and repeats)."""
    for op, value in tokens:
        name = str(op)
        if name == "SUBPATTERN":
            if value[0] == number:
                return list(value[3])
            found = _group_tokens(list(value[3]), number)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            found = _group_tokens(list(value[2]), number)
        elif name == "BRANCH":
            found = next((f for b in value[1] if (f := _group_tokens(list(b), number)) is not None), None)
        elif name in ("ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"):
            found = _group_tokens(list(value[1] if name != "ATOMIC_GROUP" else value), number)
        else:
            found = None
        if found is not None:
            return found
    return None


def _characters(tokens: list) -> set[str]:  # type: ignore[type-arg]
    """The characters ``tokens`` can match."""
    found: set[str] = set()
    for op, value in tokens:
        name = str(op)
        if name == "LITERAL":
            found.add(chr(value))
        elif name == "IN":
            found |= _class_characters(value)
        elif name == "SUBPATTERN":
            found |= _characters(list(value[3]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            found |= _characters(list(value[2]))
        elif name == "ATOMIC_GROUP":
            found |= _characters(list(value))
        elif name == "BRANCH":
            for branch in value[1]:
                found |= _characters(list(branch))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # anchors and lookarounds take no character into the match
        else:
            raise _Unbounded  # ``.``, a negated literal, a back reference, a conditional group
    return found


def _class_characters(items: list) -> set[str]:  # type: ignore[type-arg]
    """The characters of a class ``[...]``."""
    found: set[str] = set()
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            found.add(chr(value))
        elif name == "RANGE" and value[1] - value[0] <= _WIDEST_RANGE:
            found.update(chr(c) for c in range(value[0], value[1] + 1))
        elif name == "CATEGORY" and str(value) in _CATEGORIES:
            found |= _CATEGORIES[str(value)]
        else:
            raise _Unbounded  # a negated class, a negated category, a wide range
    return found


def requested_groups(node: ast.Call) -> list[int | str] | None:
    """The groups ``m.group(1, "name")`` asks for (``[0]`` for ``m.group()``); None when not constants."""
    if node.keywords:
        return None
    if not node.args:
        return [0]
    found: list[int | str] = []
    for arg in node.args:
        if not isinstance(arg, ast.Constant) or isinstance(arg.value, bool) or not isinstance(arg.value, (int, str)):
            return None
        found.append(arg.value)
    return found


def held_by_groups(
    node: ast.Call, assigned: dict[str, list[ast.Call | None]], qualname: Callable[[ast.AST], str | None]
) -> frozenset[str] | None:
    """The characters ``m.group(1, ...)`` (``node``) can give back when ``m = re.match(r"...", text)``
    is the one assignment of ``m`` in the function (``assigned``: its names' assigned calls)."""
    base = node.func.value  # type: ignore[attr-defined]
    made = assigned.get(base.id) if isinstance(base, ast.Name) else None
    if not made or len(made) != 1 or made[0] is None or qualname(made[0].func) not in MATCHING:
        return None
    found, groups = matched_pattern(made[0]), requested_groups(node)
    if found is None or groups is None:
        return None
    held: frozenset[str] = frozenset()
    for group in groups:
        characters = group_characters(*found, group)
        if characters is None:
            return None
        held |= characters
    return held
